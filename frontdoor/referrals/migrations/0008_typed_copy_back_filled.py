"""Back-fill the typed copy (Submission.typed) of every form sent before it existed.

Self-contained on purpose: a migration must give the same result whatever the app's code
becomes later, so the conversion is written out here, from each submission's own stored
form version, in the shape referrals/typed.py documents. Every answer sent had passed its
section's form, so converting it as stored gives what cleaning it again gives (a test
compares the two on forms sent through the real code).
"""

import datetime
import re

from django.db import migrations

FIELD_TYPES = {
    "text", "long_text", "date", "yes_no", "radios", "checkboxes", "select", "email",
    "telephone", "nhs_number", "completing_as", "address",
}  # fmt: skip
ADDRESS_PARTS = ("property_name", "house", "street", "area", "town", "county", "postcode", "uprn")
UNKNOWN = "__unknown_reason"
_POSTCODE = re.compile(
    r"^(?:(?P<out>[A-Z]{1,2}[0-9][A-Z0-9]?)(?P<in>[0-9][ABD-HJLNP-UW-Z]{2})|GIR0AA)$"
)


def normalise_postcode(value):
    compact = re.sub(r"\s+", "", value or "").upper()
    if compact == "GIR0AA":
        return "GIR 0AA"
    match = _POSTCODE.match(compact)
    return f"{match['out']} {match['in']}" if match else None


def asked(question, item):
    condition = question.get("show_if")
    if not condition:
        return True
    wanted = condition["in"] if "in" in condition else [condition.get("equals")]
    wanted = {"yes" if v is True else "no" if v is False else str(v) for v in wanted}
    answer = item.get(condition.get("question"))
    answers = answer if isinstance(answer, list) else [answer]
    return any(str(a) in wanted for a in answers if a not in (None, ""))


def convert(kind, value):
    if value in (None, "", []):
        return None
    if kind == "date":
        try:
            day, month, year = (int(str(part).strip()) for part in value)
            return datetime.date(year, month, day).isoformat()
        except (TypeError, ValueError):
            return None
    if kind == "address":
        if not isinstance(value, list | dict):
            return None
        parts = dict(zip(ADDRESS_PARTS, value, strict=False)) if isinstance(value, list) else value
        address = {name: str(parts.get(name) or "").strip() for name in ADDRESS_PARTS}
        if not any(v for k, v in address.items() if k != "uprn"):
            return None
        address["postcode"] = normalise_postcode(address["postcode"]) or address["postcode"]
        return address
    if kind == "nhs_number":
        return re.sub(r"\D", "", str(value)) or None
    if isinstance(value, list):
        return [str(v) for v in value if v not in (None, "")] or None
    return str(value).strip() or None


def typed_item(section, stored):
    item = {}
    for question in section.get("questions", []):
        kind, qid = question.get("type"), question.get("id")
        if kind not in FIELD_TYPES or qid not in stored or not asked(question, stored):
            continue
        value = convert(kind, stored.get(qid))
        if value is not None:
            item[qid] = value
        reason = f"{qid}{UNKNOWN}"
        if kind == "address" and value is None and str(stored.get(reason) or "").strip():
            item[reason] = str(stored[reason]).strip()
    return item


def typed_copy(definition, answers):
    typed = {}
    for section in definition.get("sections", []):
        slug = section.get("slug")
        if slug not in answers:
            continue
        if not any(q.get("type") in FIELD_TYPES for q in section.get("questions", [])):
            continue
        stored = answers[slug]
        if isinstance(stored, list):
            typed[slug] = [typed_item(section, i) for i in stored if isinstance(i, dict)]
        elif isinstance(stored, dict):
            typed[slug] = typed_item(section, stored)
    return typed


def back_fill(apps, schema_editor):
    Submission = apps.get_model("referrals", "Submission")
    FormVersion = apps.get_model("referrals", "FormVersion")
    definitions = dict(FormVersion.objects.values_list("pk", "definition"))
    batch = []
    for submission in Submission.objects.only("pk", "answers", "form_version_id").iterator(
        chunk_size=500
    ):
        submission.typed = typed_copy(definitions[submission.form_version_id], submission.answers)
        batch.append(submission)
        if len(batch) >= 500:
            Submission.objects.bulk_update(batch, ["typed"])
            batch = []
    if batch:
        Submission.objects.bulk_update(batch, ["typed"])


class Migration(migrations.Migration):
    dependencies = [("referrals", "0007_submission_typed")]

    operations = [migrations.RunPython(back_fill, migrations.RunPython.noop, elidable=False)]
