"""Send a whole form in a test, through the real draft and submit() code.

`send(user, "social-care-referral", children=[{"first_name": "Ava", ...}], **sections)`
fills every section the user is asked with valid answers (a required question gets a plain
answer of its type), with what is given overriding them: `children` (a list, one mapping
per child) and any section by its slug with underscores (`immediate_risk={"at_risk_now":
"yes"}`). Values are as a page posts them: dates as {"day", "month", "year"} or a
datetime.date, addresses as an Address or a mapping of its parts ("" and
`address__unknown_reason` for one not known). `fill()` does the same
and stops before sending: it returns the completed draft.
"""

import datetime
from typing import Any

from django.http import QueryDict

from frontdoor.accounts.models import User
from frontdoor.addresses.models import Address
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.answers import ADDRESS_PARTS, UNKNOWN
from frontdoor.referrals.definitions import Definition, Question, Section
from frontdoor.referrals.models import Draft, Submission
from frontdoor.referrals.submissions import submit

HOME = Address(house="3", street="Example Lane", town="Worcester", postcode="WR1 2AB")
CHILD = {
    "first_name": "Ava",
    "last_name": "Example",
    "is_unborn": "no",
    "date_of_birth": datetime.date(2016, 3, 27),
    "address": HOME,
}


def _plain(question: Question) -> Any:
    kind = question.type
    if kind in ("text", "long_text"):
        return f"Sample {question.id.replace('_', ' ')}"
    if kind == "email":
        return "sample@school.example"
    if kind == "telephone":
        return "01632 960983"
    if kind == "nhs_number":
        return ""
    if kind == "date":
        return datetime.date(2015, 1, 1)
    if kind == "address":
        return HOME
    if kind == "yes_no":
        return "no"
    if kind in ("radios", "select"):
        return question.options[0].value
    if kind == "checkboxes":
        return [question.options[0].value]
    if kind == "completing_as":
        return "professional"
    return ""


def _post(section: Section, answers: dict[str, Any], professional: bool) -> QueryDict:
    data = QueryDict(mutable=True)
    for question in section.questions:
        if question.type == "documents":
            continue
        if question.id in answers:
            value = answers[question.id]
        elif question.required:
            value = _plain(question)
            if question.type == "completing_as" and not professional:
                value = "parent_carer"
        else:
            continue
        name = question.id
        if isinstance(value, datetime.date):
            value = {"day": value.day, "month": value.month, "year": value.year}
        if isinstance(value, Address):
            value = value.to_dict()
        if question.type == "date" and isinstance(value, dict):
            for index, part in enumerate(("day", "month", "year")):
                data[f"{name}_{index}"] = str(value.get(part, ""))
        elif question.type == "address" and isinstance(value, dict):
            for index, (part, _, _) in enumerate(ADDRESS_PARTS):
                data[f"{name}_{index}"] = str(value.get(part, ""))
        elif isinstance(value, list):
            data.setlist(name, [str(v) for v in value])
        else:
            data[name] = str(value)
        reason = f"{name}{UNKNOWN}"
        if question.type == "address" and reason in answers:
            data[reason] = str(answers[reason])  # "address not known", with this reason
    return data


def send(
    user: User, slug: str, *, definition: Definition | None = None, **given: Any
) -> Submission:
    """Fill in and send one form as `user` (on `definition`, an older version, if given);
    return the submission."""
    return submit(fill(user, slug, definition=definition, **given).pk, user)


def fill(user: User, slug: str, *, definition: Definition | None = None, **given: Any) -> Draft:
    """Fill in one form as `user`, every section completed; return the draft, unsent."""
    definition = definition or registry.get(slug)
    assert definition is not None
    assert definition.slug == slug
    draft = drafts.start(user, definition)
    for section in drafts.sections_for(user, definition):
        if section.documents:
            continue
        key = section.slug.replace("-", "_")
        if section.repeat is not None:
            child = section.repeat.item == "child"
            items = given.get(key, given.get("children") if child else None)
            if items is None:
                items = [CHILD] if section.repeat.item == "child" else [{}] * section.repeat.min
            for index, item in enumerate(items):
                _, form = drafts.save_section(
                    draft,
                    section,
                    _post(section, item, user.is_professional),
                    loaded_revision=int(draft.revisions.get(section.slug, 0)),
                    item=index,
                )
                assert not form.errors, (section.slug, index, form.errors)
        else:
            _, form = drafts.save_section(
                draft,
                section,
                _post(section, given.get(key, {}), user.is_professional),
                loaded_revision=int(draft.revisions.get(section.slug, 0)),
            )
            assert not form.errors, (section.slug, form.errors)
    draft.refresh_from_db()
    return draft
