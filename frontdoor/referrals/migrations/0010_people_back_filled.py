"""Index the people named by every form sent before the index existed (referrals.Person).

Self-contained on purpose, like 0008: the normalising and the reading of annotations are
written out here. Every version stored before this migration has no annotations, so each
borrows those of the form definition file in use with its slug (FORMS_FOLDER, or the
shipped definitions), matched by section slug and question id, as referrals/annotations.py
does at run time. A version whose slug has no file (a form since removed) indexes no one.
"""

import datetime
import re
import unicodedata
from pathlib import Path

import yaml
from django.conf import settings
from django.db import migrations

ADDRESS_PARTS = ("property_name", "house", "street", "area", "town", "county", "postcode", "uprn")
_AKA_SEPARATORS = re.compile(r"[,;/&]|\band\b|\bor\b|\baka\b|\(|\)", re.IGNORECASE)
_POSTCODE = re.compile(
    r"^(?:(?P<out>[A-Z]{1,2}[0-9][A-Z0-9]?)(?P<in>[0-9][ABD-HJLNP-UW-Z]{2})|GIR0AA)$"
)


def normalise_postcode(value):
    compact = re.sub(r"\s+", "", value or "").upper()
    if compact == "GIR0AA":
        return "GIR 0AA"
    match = _POSTCODE.match(compact)
    return f"{match['out']} {match['in']}" if match else None


def normalise(name):
    decomposed = unicodedata.normalize("NFKD", str(name or ""))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in plain.casefold() if c.isalnum())


def aka_keys(names):
    keys = []
    for part in _AKA_SEPARATORS.split(str(names or "")):
        words = part.split()
        for key in [normalise(part), *(normalise(w) for w in words if len(words) > 1)]:
            if key and key not in keys:
                keys.append(key)
    return keys


def annotations(definition):
    """{section slug: (person, {identifies: question id})} of a definition's JSON."""
    found = {}
    for section in (definition or {}).get("sections", []) or []:
        if not isinstance(section, dict) or not section.get("person"):
            continue
        fields = {
            q["identifies"]: q.get("id")
            for q in section.get("questions", []) or []
            if isinstance(q, dict) and q.get("identifies")
        }
        found[section.get("slug")] = (section["person"], fields)
    return found


def current_annotations():
    folder = Path(
        getattr(settings, "FORMS_FOLDER", "") or Path(__file__).parents[1] / "definitions"
    )
    found = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(data, dict) and data.get("slug"):
            found[data["slug"]] = annotations(data)
    return found


def date(value):
    try:
        return datetime.date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def person(Person, submission_id, section, kind, position, item, fields):
    def get(what):
        return item.get(fields[what]) if fields.get(what) else None

    first, last, aka = (
        str(get(k) or "").strip() for k in ("first_name", "last_name", "also_known_as")
    )
    address = get("address") if isinstance(get("address"), dict) else {}
    born, due = date(get("date_of_birth")), date(get("due_date"))
    nhs = re.sub(r"\D", "", str(get("nhs_number") or ""))[:10]
    if not (first or last or aka or born or due or nhs):
        return None
    role = "unborn" if kind == "child" and get("unborn") in ("yes", True) else kind
    house = " ".join(str(address.get(k) or "") for k in ("property_name", "house"))
    return Person(
        submission_id=submission_id,
        section=section,
        position=position,
        role=role,
        first_name=first[:200],
        last_name=last[:200],
        also_known_as=aka[:500],
        first_key=normalise(first)[:200],
        last_key=normalise(last)[:200],
        aka_keys=" ".join(aka_keys(aka))[:1000],
        date_of_birth=born if role != "unborn" else None,
        due_date=due if role == "unborn" else None,
        nhs_number=nhs,
        postcode=normalise_postcode(str(address.get("postcode") or "")) or "",
        uprn=str(address.get("uprn") or "").strip()[:20],
        house_key=normalise(house)[:300],
    )


def back_fill(apps, schema_editor):
    Submission = apps.get_model("referrals", "Submission")
    FormVersion = apps.get_model("referrals", "FormVersion")
    Person = apps.get_model("referrals", "Person")
    current = current_annotations()
    by_version = {}
    for pk, slug, definition in FormVersion.objects.values_list("pk", "slug", "definition"):
        by_version[pk] = annotations(definition) or current.get(slug, {})
    indexed = set(Person.objects.values_list("submission_id", flat=True).distinct())
    batch = []
    rows = Submission.objects.values_list("pk", "form_version_id", "typed")
    for pk, version, typed in rows.iterator(chunk_size=500):
        if pk in indexed:
            continue
        for slug, (kind, fields) in by_version.get(version, {}).items():
            stored = (typed or {}).get(slug)
            items = stored if isinstance(stored, list) else [stored] if stored else []
            for position, item in enumerate(items):
                if isinstance(item, dict):
                    made = person(Person, pk, slug, kind, position, item, fields)
                    if made is not None:
                        batch.append(made)
        if len(batch) >= 1000:
            Person.objects.bulk_create(batch)
            batch = []
    Person.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0009_person")]

    operations = [migrations.RunPython(back_fill, migrations.RunPython.noop, elidable=False)]
