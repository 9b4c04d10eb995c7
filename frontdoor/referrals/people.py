"""The people a sent form is about, indexed (referrals.Person), and repeat referrals.

At sending, `index_people` reads the typed copy with the definition's annotations: each
item of a section with a `person` is one Person, its details taken from the questions
that `identify` them. A child whose `unborn` question is answered yes is an unborn baby.
A version stored before the annotations borrows the current form's (annotations.py).

Names are matched by their keys (`normalise`): "Zoë Smith-Jones" and "zoe smithjones"
are the same. `repeat_submissions` finds the other sent forms naming the same child.
"""

import datetime
import operator
import re
import unicodedata
from collections.abc import Iterable
from functools import reduce
from typing import Any

from django.db.models import Q

from frontdoor.addresses.postcodes import normalise_postcode
from frontdoor.referrals.annotations import annotated
from frontdoor.referrals.definitions import Definition
from frontdoor.referrals.models import Person, Submission

# How close two due dates may be for one unborn baby.
DUE_DATE_WINDOW = datetime.timedelta(weeks=4)
CHILDREN = (Person.Role.CHILD, Person.Role.UNBORN)
# Between two also-known-as names: "Jo, Joey / JJ; Jo-Jo or Jojo".
_AKA_SEPARATORS = re.compile(r"[,;/&]|\band\b|\bor\b|\baka\b|\(|\)", re.IGNORECASE)


def normalise(name: str) -> str:
    """A name's key for matching and search: accents stripped (Unicode NFKD), case folded,
    and anything that is not a letter or digit (hyphens, apostrophes, spaces) removed."""
    decomposed = unicodedata.normalize("NFKD", str(name or ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in plain.casefold() if c.isalnum())


def aka_keys(names: str) -> list[str]:
    """The keys of each also-known-as name, and of each word of one with several
    ("Jo Smith" gives josmith, jo and smith), each once, in order."""
    keys: list[str] = []
    for part in _AKA_SEPARATORS.split(str(names or "")):
        words = part.split()
        for key in [normalise(part), *(normalise(w) for w in words if len(words) > 1)]:
            if key and key not in keys:
                keys.append(key)
    return keys


def _date(value: Any) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def people_in(definition: Definition, typed: dict[str, Any]) -> list[Person]:
    """The people a typed copy names (unsaved), by the definition's annotations."""
    people = []
    for section in annotated(definition).sections:
        if not section.person:
            continue
        fields = {q.identifies: q.id for q in section.questions if q.identifies}
        if not fields:
            continue
        stored = typed.get(section.slug)
        items = stored if isinstance(stored, list) else [stored] if stored else []
        for position, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            person = _person(section.slug, section.person, position, item, fields)
            if person is not None:
                people.append(person)
    return people


def _person(
    section: str, kind: str, position: int, item: dict[str, Any], fields: dict[str, str]
) -> Person | None:
    def get(what: str) -> Any:
        return item.get(fields[what]) if what in fields else None

    first, last, aka = (
        str(get(k) or "").strip() for k in ("first_name", "last_name", "also_known_as")
    )
    address = get("address") if isinstance(get("address"), dict) else {}
    born, due = _date(get("date_of_birth")), _date(get("due_date"))
    nhs = re.sub(r"\D", "", str(get("nhs_number") or ""))[:10]
    if not (first or last or aka or born or due or nhs):
        return None
    role = kind
    if kind == "child" and get("unborn") in ("yes", True):
        role = Person.Role.UNBORN
    postcode = normalise_postcode(str(address.get("postcode") or "")) or ""
    house = " ".join(str(address.get(k) or "") for k in ("property_name", "house"))
    return Person(
        section=section,
        position=position,
        role=role,
        first_name=first[:200],
        last_name=last[:200],
        also_known_as=aka[:500],
        first_key=normalise(first)[:200],
        last_key=normalise(last)[:200],
        aka_keys=" ".join(aka_keys(aka))[:1000],
        date_of_birth=born if role != Person.Role.UNBORN else None,
        due_date=due if role == Person.Role.UNBORN else None,
        nhs_number=nhs,
        postcode=postcode,
        uprn=str(address.get("uprn") or "").strip()[:20],
        house_key=normalise(house)[:300],
    )


def index_people(submission: Submission, definition: Definition) -> list[Person]:
    """Index the people the submission names (at sending, after its typed copy)."""
    people = people_in(definition, submission.typed)
    for person in people:
        person.submission = submission
    return Person.objects.bulk_create(people)


def _first_names(person: Person) -> set[str]:
    return {person.first_key, *person.aka_keys.split()} - {""}


def same_child(one: Person, other: Person) -> bool:
    """Whether two indexed children are the same child (the issue's rules):

    - the same NHS number; or
    - the same surname key and date of birth, and a first name that matches, shares its
      first three letters or matches an also-known-as name; or
    - both unborn, due within 4 weeks of each other, at the same address (the same UPRN,
      or the same postcode and house).
    """
    if one.role not in CHILDREN or other.role not in CHILDREN:
        return False
    if one.nhs_number and one.nhs_number == other.nhs_number:
        return True
    if (
        one.last_key
        and one.last_key == other.last_key
        and one.date_of_birth is not None
        and one.date_of_birth == other.date_of_birth
        and one.first_key
        and other.first_key
        and (
            one.first_key[:3] == other.first_key[:3]
            or bool(_first_names(one) & _first_names(other))
        )
    ):
        return True
    if (
        one.role == other.role == Person.Role.UNBORN
        and one.due_date is not None
        and other.due_date is not None
        and abs(one.due_date - other.due_date) <= DUE_DATE_WINDOW
    ):
        if one.uprn and one.uprn == other.uprn:
            return True
        return bool(
            one.postcode
            and one.postcode == other.postcode
            and one.house_key
            and one.house_key == other.house_key
        )
    return False


def _candidates(child: Person) -> list[Q]:
    """What finds the rows that might be the same child (same_child has the last word)."""
    found = []
    if child.nhs_number:
        found.append(Q(nhs_number=child.nhs_number))
    if child.last_key and child.date_of_birth:
        found.append(Q(last_key=child.last_key, date_of_birth=child.date_of_birth))
    if child.role == Person.Role.UNBORN and child.due_date:
        window = (child.due_date - DUE_DATE_WINDOW, child.due_date + DUE_DATE_WINDOW)
        if child.uprn:
            found.append(Q(role=Person.Role.UNBORN, due_date__range=window, uprn=child.uprn))
        if child.postcode and child.house_key:
            found.append(
                Q(
                    role=Person.Role.UNBORN,
                    due_date__range=window,
                    postcode=child.postcode,
                    house_key=child.house_key,
                )
            )
    return found


def repeats_of(submission_ids: Iterable[int]) -> dict[int, set[int]]:
    """For each of these submissions, the ids of the other submissions naming one of its
    children (never itself: siblings in one form are one household). Two queries,
    however many submissions and people."""
    ids = list(submission_ids)
    children = list(Person.objects.filter(submission_id__in=ids, role__in=CHILDREN))
    return _repeats(ids, children)


def _repeats(ids: list[int], children: list[Person]) -> dict[int, set[int]]:
    repeats: dict[int, set[int]] = {pk: set() for pk in ids}
    wanted = [q for child in children for q in _candidates(child)]
    if not wanted:
        return repeats
    candidates = list(Person.objects.filter(reduce(operator.or_, wanted), role__in=CHILDREN))
    for child in children:
        for other in candidates:
            if other.submission_id != child.submission_id and same_child(child, other):
                repeats[child.submission_id].add(other.submission_id)
    return repeats


def repeat_submissions(submission: Submission) -> set[int]:
    """The ids of the other submissions naming one of this submission's children. Uses
    `submission.people` if prefetched (then one query; else two)."""
    children = [p for p in submission.people.all() if p.role in CHILDREN]
    return _repeats([submission.pk], children)[submission.pk]
