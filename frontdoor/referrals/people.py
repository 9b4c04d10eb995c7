"""The people a sent form is about, indexed (referrals.Person), and repeat referrals.

At sending, `index_people` reads the typed copy with the definition's annotations: each
item of a section with a `person` is one Person, its details taken from the questions
that `identify` them. A child whose `unborn` question is answered yes is an unborn baby.
A version stored before the annotations borrows the current form's (annotations.py).

Names are matched by their keys (`normalise`): "Zoë Smith-Jones" and "zoe smithjones"
are the same.
"""

import datetime
import re
import unicodedata
from typing import Any

from frontdoor.addresses.postcodes import normalise_postcode
from frontdoor.referrals.annotations import annotated
from frontdoor.referrals.definitions import Definition
from frontdoor.referrals.models import Person, Submission

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
