"""The team's inbox: a row per referral, sorted urgent first, then by when its decision is
due; filters, a search, 50 a page.

One inbox per team. `/team/` shows the asker's only team, or the one they chose last, or
a list of their teams to choose from; `/team/in/<team>/` is one team's (another team's is a
404, as is anything here to someone who is in no team).

Filters carry no personal data, so they are a GET form (in the URL). A search term may be
a child's name or date of birth, so it never is: it is POSTed (with CSRF) to the search
route, kept in the session for that team, and the inbox is shown again at a URL without
it. Every showing of the inbox and every search is audited (filter names, never a term).

A page costs the same number of queries whatever its rows (and under 10 ms of CPU with
10,000 referrals in the team: bench/inbox.py). The team's cases are sorted, counted and
cut to a page by key alone; then the page's rows are read as plain values in four
queries (`page_rows`): the cases with the form's short name and the referrer taken out
of the JSON (never the whole answers), their children, their repeats, and their links
to removed referrals (tombstones) about the same child. These queries,
and the page's own when not searching (`_kept_page`), are built and compiled by the ORM
once and their SQL sent again with each page's values (core/prepared.py): building
them took longer than the database took to answer.
"""

import dataclasses
import datetime
import html
import re
from collections.abc import Callable, Iterable
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page, Paginator
from django.db.models import Count, F, Lookup, Q, QuerySet, Window
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_POST, require_safe

from frontdoor.accounts.models import Membership, Team, User
from frontdoor.addresses.postcodes import normalise_postcode
from frontdoor.audit.services import record
from frontdoor.backoffice.views import staff_only
from frontdoor.cases import timescales
from frontdoor.cases.models import Case, Rating
from frontdoor.cases.partner_checks import has_overdue_check
from frontdoor.cases.services import not_restricted_from
from frontdoor.cases.workflows import workflow_for
from frontdoor.core import prepared
from frontdoor.core.forms import GovukForm
from frontdoor.referrals import registry
from frontdoor.referrals.answers import DateWidget
from frontdoor.referrals.definitions import ROLE_LABELS
from frontdoor.referrals.models import FormVersion, Person
from frontdoor.referrals.people import normalise

ROWS_PER_PAGE = 50
# The team whose inbox /team/ shows (the one chosen last), and each team's search term.
TEAM_KEY = "inbox_team"
SEARCH_KEY = "inbox_search"
SEARCH_MAX_LENGTH = 100
CHILDREN = (Person.Role.CHILD, Person.Role.UNBORN)
# Where the referrer's details are in the typed copy (referrals/typed.py).
ORGANISATION = ("submission__typed", "your-work", "organisation")
JOB_TITLE = ("submission__typed", "your-work", "job_title")
COMPLETING_AS = ("submission__typed", "your-details", "completing_as")
REFERRER_EMAIL = ("submission__typed", "your-details", "email")
OPEN, CLOSED, ANY_STAGE, TRANSFERRED = "", "closed", "all", "transferred"


def json_text(path: tuple[str, ...]) -> KeyTextTransform:
    """The text at keys inside a JSON field across relations (Django's KT() only reads a
    field of the model itself): ("submission__typed", "your-work", "organisation")."""
    field, *keys = path
    inner: Any = field
    for key in keys[:-1]:
        inner = KeyTransform(key, inner)
    return KeyTextTransform(keys[-1], inner)


# --- Forms --------------------------------------------------------------------------------


class DateFilterField(forms.MultiValueField):
    """A GOV.UK date input for a filter: empty is no filter; a bad date says what is wrong."""

    widget = DateWidget

    def __init__(self, **kwargs: Any) -> None:
        parts = tuple(forms.CharField(required=False) for _ in range(3))
        super().__init__(parts, require_all_fields=False, required=False, **kwargs)

    def compress(self, data_list: list[str]) -> datetime.date | None:
        if not data_list or not any(part.strip() for part in data_list):
            return None
        name = str(self.label)
        day, month, year = (part.strip() for part in data_list)
        missing = [
            word
            for word, part in zip(("day", "month", "year"), (day, month, year), strict=True)
            if not part
        ]
        if missing:
            raise forms.ValidationError(f"{name} must include a {' and '.join(missing)}")
        try:
            if len(year) != 4:
                raise ValueError
            return datetime.date(int(year), int(month), int(day))
        except (ValueError, OverflowError):  # OverflowError: 99999999999999999999
            raise forms.ValidationError(f"{name} must be a real date") from None


class FilterForm(GovukForm):
    """The inbox's filters (GET: none of them is personal data)."""

    stage = forms.ChoiceField(label="Stage", required=False)
    assigned = forms.ChoiceField(
        label="Assigned to",
        required=False,
        choices=[("", "Anyone"), ("me", "Me"), ("unassigned", "Nobody (unassigned)")],
        widget=forms.RadioSelect,
    )
    form = forms.ChoiceField(label="Form", required=False)
    rating = forms.ChoiceField(
        label="Rating",
        required=False,
        choices=[("", "Any rating"), *Rating.choices, ("none", "Not rated yet")],
    )
    overdue = forms.BooleanField(label="Overdue only", required=False)
    checks_overdue = forms.BooleanField(label="Partner checks overdue", required=False)
    received_from = DateFilterField(
        label="Received on or after", help_text="For example, 27 3 2026"
    )
    received_to = DateFilterField(label="Received on or before", help_text="For example, 31 3 2026")

    def __init__(self, team: Team, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        workflow = workflow_for(team.slug)
        stages = [(s.slug, s.name) for s in workflow.open_stages]
        stage = self.fields["stage"]
        assert isinstance(stage, forms.ChoiceField)
        stage.choices = [
            (OPEN, "Open (any stage)"),
            *stages,
            (CLOSED, workflow.closed_stage.name),
            (ANY_STAGE, "Any stage, open or closed"),
            (TRANSFERRED, "Transferred to another team"),
        ]
        form = self.fields["form"]
        assert isinstance(form, forms.ChoiceField)
        form.choices = [("", "Any form"), *team_forms(team)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error(
                "received_to",
                "Received on or before must be the same as or after received on or after",
            )
        return cleaned

    def valid_filters(self) -> dict[str, Any]:
        """The filters that were understood (a bad date is shown as an error, and left out)."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {name: value for name, value in cleaned.items() if value not in (None, "", False)}


def filter_fields(form: FilterForm) -> dict[str, Any]:
    """What the filter panel shows (`filters_html`): each field's choices and what was
    chosen, its first error. Written out in GOV.UK markup rather than through the form
    renderer, which took a third of the page's time."""
    data = form.data if form.is_bound else {}
    errors = form.errors if form.is_bound else {}

    def one(name: str) -> dict[str, Any]:
        field = form.fields[name]
        chosen = str(data.get(name, "")) if data else ""
        shown: dict[str, Any] = {
            "name": name,
            "id": f"id_{name}",
            "label": field.label,
            "hint": field.help_text,
            "error": errors[name][0] if name in errors else None,
        }
        if isinstance(field, forms.ChoiceField):
            shown["choices"] = [
                {"value": value, "label": label, "chosen": str(value) == chosen, "n": n}
                for n, (value, label) in enumerate(cast(list[tuple[str, str]], field.choices))
            ]
        elif isinstance(field, DateFilterField):
            shown["parts"] = [
                {
                    "label": label,
                    "name": f"{name}_{n}",
                    "value": str(data.get(f"{name}_{n}", "")) if data else "",
                    "width": 4 if n == 2 else 2,
                }
                for n, label in enumerate(("Day", "Month", "Year"))
            ]
        else:
            shown["checked"] = bool(chosen) and chosen.lower() not in ("false", "0", "off")
        return shown

    return {name: one(name) for name in form.fields}


def _error(field: dict[str, Any]) -> str:
    if not field["error"]:
        return ""
    return (
        f'<p id="{field["id"]}-error" class="govuk-error-message">'
        f'<span class="govuk-visually-hidden">Error:</span> {html.escape(field["error"])}</p>'
    )


def _filter_html(field: dict[str, Any]) -> str:
    """One field of the filter panel in GOV.UK markup: radios for "Assigned to", a select
    for the other choices, a date input, or a checkbox."""
    e = html.escape
    fid, name, label, error = field["id"], e(field["name"]), e(str(field["label"])), field["error"]
    group = f"govuk-form-group{' govuk-form-group--error' if error else ''}"
    if field.get("choices") and field["name"] == "assigned":
        described = f' aria-describedby="{fid}-error"' if error else ""
        radios = "".join(
            '<div class="govuk-radios__item">'
            f'<input class="govuk-radios__input" id="{fid}_{c["n"]}" name="{name}" type="radio"'
            f' value="{e(c["value"])}"{" checked" if c["chosen"] else ""}>'
            f'<label class="govuk-label govuk-radios__label" for="{fid}_{c["n"]}">'
            f"{e(str(c['label']))}</label></div>"
            for c in field["choices"]
        )
        return (
            f'<div class="{group}"><fieldset class="govuk-fieldset"{described}>'
            f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{label}</legend>'
            f"{_error(field)}"
            f'<div class="govuk-radios govuk-radios--small" data-module="govuk-radios">{radios}'
            "</div></fieldset></div>"
        )
    if field.get("choices"):
        options = "".join(
            f'<option value="{e(c["value"])}"{" selected" if c["chosen"] else ""}>'
            f"{e(str(c['label']))}</option>"
            for c in field["choices"]
        )
        described = f' aria-describedby="{fid}-error"' if error else ""
        return (
            f'<div class="{group}">'
            f'<label class="govuk-label govuk-label--s" for="{fid}">{label}</label>{_error(field)}'
            f'<select class="govuk-select{" govuk-select--error" if error else ""}" id="{fid}"'
            f' name="{name}"{described}>{options}</select></div>'
        )
    if field.get("parts"):
        wrong = " govuk-input--error" if error else ""
        parts = "".join(
            '<div class="govuk-date-input__item"><div class="govuk-form-group">'
            f'<label class="govuk-label govuk-date-input__label" for="{fid}_{n}">'
            f"{e(part['label'])}</label>"
            '<input class="govuk-input govuk-date-input__input'
            f' govuk-input--width-{part["width"]}{wrong}" id="{fid}_{n}" name="{e(part["name"])}"'
            f' type="text" inputmode="numeric" value="{e(part["value"])}"></div></div>'
            for n, part in enumerate(field["parts"])
        )
        described = f"{fid}-hint{f' {fid}-error' if error else ''}"
        return (
            f'<div class="{group}">'
            f'<fieldset class="govuk-fieldset" role="group" aria-describedby="{described}">'
            f'<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">{label}</legend>'
            f'<div id="{fid}-hint" class="govuk-hint">{e(str(field["hint"]))}</div>'
            f'{_error(field)}<div class="govuk-date-input" id="{fid}">{parts}</div>'
            "</fieldset></div>"
        )
    return (
        '<div class="govuk-form-group"><div class="govuk-checkboxes govuk-checkboxes--small"'
        ' data-module="govuk-checkboxes"><div class="govuk-checkboxes__item">'
        f'<input class="govuk-checkboxes__input" id="{fid}" name="{name}" type="checkbox"'
        f' value="on"{" checked" if field["checked"] else ""}>'
        f'<label class="govuk-label govuk-checkboxes__label" for="{fid}">{label}</label>'
        "</div></div></div>"
    )


def filters_html(fields: dict[str, dict[str, Any]], inbox_url: str, filtered: bool) -> SafeString:
    """The inbox's filter panel (a GET form: no personal data), written out here like the
    rows: through the template language it was a third of the page's template time. Every
    text is escaped."""
    clear = f'<a class="govuk-link" href="{html.escape(inbox_url)}">Clear filters</a>'
    return mark_safe(  # noqa: S308 - every text above is escaped
        f'<form method="get" action="{html.escape(inbox_url)}" novalidate'
        ' class="fd-inbox-filters"><h2 class="govuk-heading-m">Filter</h2>'
        + "".join(_filter_html(field) for field in fields.values())
        + '<div class="govuk-button-group"><button type="submit"'
        ' class="govuk-button govuk-button--secondary" data-module="govuk-button">'
        f"Apply filters</button>{clear if filtered else ''}</div></form>"
    )


class SearchForm(GovukForm):
    q = forms.CharField(
        label="Search",
        required=False,
        max_length=SEARCH_MAX_LENGTH,
        help_text="A reference, a child's name or date of birth, an NHS number, a postcode, "
        "or the referrer's email address or organisation",
    )


def search_html(form: SearchForm) -> SafeString:
    """The search field, as `{{ form.q.as_field_group }}` renders it through the GOV.UK
    field template (a test compares the two, blank, filled and with an error), written out
    here like the filters: it is on every inbox page."""
    e = html.escape
    field = form["q"]
    error = field.errors[0] if form.is_bound and field.errors else ""
    value = field.value()
    shown = f' value="{e(str(value))}"' if value not in (None, "") else ""
    fid = field.id_for_label
    hint = f"{fid}-hint"
    message = ""
    invalid = ""
    if error:
        message = (
            f'<p id="{fid}-error" class="govuk-error-message">'
            f'<span class="govuk-visually-hidden">Error:</span> {e(str(error))}</p>'
        )
        hint += f" {fid}-error"
        invalid = ' aria-invalid="true"'
    return mark_safe(  # noqa: S308 - every text is escaped
        f'<div class="govuk-form-group{" govuk-form-group--error" if error else ""}">\n'
        f'  <label class="govuk-label" for="{fid}">{e(str(field.label))}\n</label>\n'
        f'  <div id="{fid}-hint" class="govuk-hint">{e(str(field.help_text))}</div>\n'
        f"  {message}\n\n"
        f'  <input type="text" name="{field.html_name}"{shown}'
        f' class="govuk-input{" govuk-input--error" if error else ""}"'
        f' aria-describedby="{hint}"{invalid} id="{fid}">\n</div>'
    )


def team_forms(team: Team) -> list[tuple[str, str]]:
    """The kinds of form to filter by: (slug, short name), the team's own first, then the
    others (a referral may be transferred in from another team: a LADO one to the MASH)."""
    forms_in_use = registry.forms().values()
    own = sorted((d.short_name, d.slug) for d in forms_in_use if d.team == team.slug)
    others = sorted((d.short_name, d.slug) for d in forms_in_use if d.team != team.slug)
    return [(slug, name) for name, slug in own + others]


# --- What the inbox shows -------------------------------------------------------------------


@dataclasses.dataclass
class Row:
    """One row of the inbox, every text ready to show (the template only places them)."""

    reference: str
    url: str
    form: str
    children: list[str]
    referrer: str
    received: str
    due: str
    time_left: str
    overdue: bool
    rating: str
    rating_label: str
    flags: list[str]
    assignee: str
    stage: str
    repeats: int
    closed: bool
    # From frontdoor.enquiries: an answer or information not yet marked read; a question
    # to the referrer past its due time.
    information: bool = False
    question_overdue: bool = False
    check_overdue: bool = False
    restricted: bool = False
    # A worker proposed a decision that a manager has yet to confirm.
    proposed: bool = False
    outcome: str = ""  # the decision's name, once decided


def age_on(born: datetime.date, today: datetime.date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def child_label(
    role: str,
    first_name: str,
    last_name: str,
    born: datetime.date | None,
    due: datetime.date | None,
    *,
    today: datetime.date,
) -> str:
    """ "Ava Example, 9", "Baby Example, unborn (due 3 Feb 2027)", "Ava Example, under 1"."""
    name = " ".join(n for n in (first_name, last_name) if n)
    if role == Person.Role.UNBORN:
        when = f" (due {due:%-d %b %Y})" if due else ""
        return f"{name}, unborn{when}" if name else f"Unborn{when}"
    name = name or "Name not given"
    if born is None:
        return name
    age = age_on(born, today)
    return f"{name}, {age}" if age >= 1 else f"{name}, under 1"


def referrer_label(
    completing_as: str | None, job_title: str | None, organisation: str | None, sent_by: Any
) -> str:
    """The referrer's role and organisation (a professional), or what they said they are."""
    if completing_as == "professional" or organisation:
        parts = [p for p in (job_title, organisation) if p]
        return ", ".join(parts) or ROLE_LABELS["professional"]
    if completing_as in ROLE_LABELS:
        return ROLE_LABELS[str(completing_as)]
    if sent_by is None:
        return "Sent without an account"
    return "Not given"


class KeysIn(Lookup[Any]):
    """`column IN (1, 2, 3…)` for keys this code read from the database itself: the keys go
    into the SQL's parameters as they are. Django's `__in` prepares each value through the
    field (some 60 Python calls a key: for the queries of a 50-row page, a fifth of
    the page's work)."""

    lookup_name = "keys_in"  # used as an expression, not registered on a field
    prepare_rhs = False

    def __init__(self, lhs: Any, keys: list[int]) -> None:
        super().__init__(lhs, [int(key) for key in keys])

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = compiler.compile(self.lhs)
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", (*params, *self.rhs)

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, tuple[Any, ...]]:
        """On PostgreSQL the keys are one array parameter: psycopg caches how it binds a
        query of up to 50 parameters, and 50 keys alone would be past that."""
        if not self.rhs:
            raise EmptyResultSet
        lhs, params = compiler.compile(self.lhs)
        return f"{lhs} = ANY(%s)", (*params, list(self.rhs))


ROW_FIELDS = (
    "pk",
    "submission__reference",
    "submission__owner_id",
    "assignee_id",
    "assignee__first_name",
    "assignee__last_name",
    "team__slug",
    "stage",
    "rating",
    "flags",
    "received_at",
    "due_at",
    "decided_at",
    "closed_at",
    "restricted_at",
    "submission__form_version_id",
    "submission__form_version__slug",
    "check_due_on",
    "organisation",
    "job_title",
    "completing_as",
    "information_unread",
    "question_due_at",
    "proposed_outcome",
    "outcome",
)


def children_of(pks: list[int]) -> dict[int, list[tuple[Any, ...]]]:
    """The children (and unborn babies) each case names, in the form's order, in one
    query: (role, first name, last name, date of birth, due date), by the case's key."""
    children: dict[int, list[tuple[Any, ...]]] = {pk: [] for pk in pks}
    for person in prepared.run("inbox.children", _children_query, pks):
        children[person[0]].append(person[1:])
    return children


def _children_query(pks: list[int]) -> QuerySet[Person, tuple[Any, ...]]:
    return (
        Person.objects.filter(KeysIn(F("submission_id"), pks), role__in=CHILDREN)
        .order_by("submission_id", "section", "position")
        .values_list(
            "submission_id", "role", "first_name", "last_name", "date_of_birth", "due_date"
        )
    )


def _rows_query(pks: list[int]) -> QuerySet[Case, tuple[Any, ...]]:
    """What a page's rows show of their cases, by their keys (`page_rows`)."""
    return (
        Case.objects.filter(KeysIn(F("pk"), pks))
        .annotate(
            organisation=json_text(ORGANISATION),
            job_title=json_text(JOB_TITLE),
            completing_as=json_text(COMPLETING_AS),
        )
        .order_by()
        .values_list(*ROW_FIELDS)
    )


def page_rows(
    pks: list[int], team: Team, teams: list[Team], user: User, now: datetime.datetime
) -> list[Row]:
    """The rows of one page of cases (by their keys, in order): four queries however many
    rows (the cases, their children, their repeats and removed repeats; `repeats_of` asks
    one or two more when a link is to another team or a restriction, `_form_names` one
    for retired forms), read
    apart from sorting and counting so that values are taken out of the JSON of the page's
    rows only, never of the team's thousands. Plain values, not model objects: a page of
    50 is read in a few milliseconds."""
    if not pks:
        return []
    today = timezone.localdate(now)
    cases = {
        values[0]: dict(zip(ROW_FIELDS, values, strict=True))
        for values in prepared.run("inbox.rows", _rows_query, pks)
    }
    children = children_of(pks)
    repeats = repeats_of(pks, team, teams, user)
    form_names = _form_names(cases.values())
    zone = timezone.get_current_timezone()
    calendar = timescales.Calendar.from_settings()
    # Every reference is a plain "FD-2026-000123": its page is the inbox's address and it.
    referral_url = reverse("backoffice:inbox")
    stages: dict[str, dict[str, str]] = {}
    outcomes: dict[str, dict[str, str]] = {}
    rows = []
    for pk in pks:
        case = cases.get(pk)
        if case is None:
            continue
        slug = case["team__slug"]
        if slug not in stages:
            stages[slug] = {s.slug: s.name for s in workflow_for(slug).stages}
            outcomes[slug] = {o.slug: o.name for o in workflow_for(slug).outcomes}
        open_ = case["closed_at"] is None
        due = case["due_at"]
        waiting = open_ and case["decided_at"] is None and due is not None
        assignee = "Unassigned"
        if case["assignee_id"] is not None:
            assignee = f"{case['assignee__first_name']} {case['assignee__last_name']}".strip()
            if case["assignee_id"] == user.pk:
                assignee += " (you)"
        rating = case["rating"]
        reference = case["submission__reference"]
        asked = case["question_due_at"]
        checks_due = case["check_due_on"]
        rows.append(
            Row(
                reference=reference,
                url=f"{referral_url}{reference}/",
                form=form_names.get(case["submission__form_version_id"], ""),
                children=[child_label(*child[:5], today=today) for child in children[pk]],
                referrer=referrer_label(
                    case["completing_as"],
                    case["job_title"],
                    case["organisation"],
                    case["submission__owner_id"],
                ),
                received=when(case["received_at"], zone),
                due=when(due, zone) if due else "",
                time_left=timescales.time_left(due, now, calendar) if waiting else "",
                overdue=bool(waiting and due <= now),
                rating=RATING_TAGS.get(rating, ""),
                rating_label=Rating(rating).label if rating else "Not rated",
                flags=list(case["flags"] or []),
                assignee=assignee,
                stage=stages[slug].get(case["stage"], case["stage"]),
                repeats=repeats[pk],
                closed=not open_,
                information=case["information_unread"],
                # A closed referral's questions are overdue no more (like its checks).
                question_overdue=bool(open_ and asked and asked <= now),
                # A partner check with no reply past its due date (cases.partner_checks).
                check_overdue=bool(open_ and checks_due and checks_due < today),
                restricted=case["restricted_at"] is not None,
                proposed=bool(open_ and case["decided_at"] is None and case["proposed_outcome"]),
                outcome=outcomes[slug].get(case["outcome"], case["outcome"])
                if case["decided_at"] and case["outcome"]
                else "",
            )
        )
    return rows


def _links_query(pks: list[int]) -> QuerySet[Any, tuple[Any, ...]]:
    return Case.repeats.through.objects.filter(KeysIn(F("from_case_id"), pks)).values_list(
        "from_case_id",
        "to_case_id",
        "to_case__team_id",
        "to_case__team__slug",
        "to_case__restricted_at",
    )


def _removed_query(pks: list[int]) -> QuerySet[Any, tuple[Any, ...]]:
    return (
        Case.removed_repeats.through.objects.filter(
            KeysIn(F("case_id"), pks), tombstone__restricted=False
        )
        .order_by()
        .values_list("case_id", "tombstone__team_id", "tombstone__team__slug")
    )


def repeats_of(pks: list[int], team: Team, teams: list[Team], user: User) -> dict[int, int]:
    """How many other referrals each case is linked to as a repeat that `user` may know
    of: those in the user's teams, transferred from one of them, or in a team the inbox's
    team shares repeats with; not those restricted to others (`not_restricted_from`).
    Read off the linked cases' own columns in one query with no subquery (a page's links
    are a few dozen rows); only when a link is to a case in another team, or to a
    restricted one, is a second (or third) query asked: whether one of `teams` transferred
    it, whether `user` may see it. One more query, always: the links to removed referrals
    (tombstones), counted too."""
    repeats = dict.fromkeys(pks, 0)
    team_ids = {t.pk for t in teams}
    shared = set(workflow_for(team.slug).shares_repeats_with)
    links = prepared.run("inbox.repeats", _links_query, pks)
    elsewhere = {link[1] for link in links if link[2] not in team_ids and link[3] not in shared}
    transferred: set[int] = set()
    if elsewhere:
        transferred = set(
            Case.former_teams.through.objects.filter(
                KeysIn(F("case_id"), sorted(elsewhere)), team_id__in=team_ids
            ).values_list("case_id", flat=True)
        )
    restricted = {link[1] for link in links if link[4] is not None}
    named: set[int] = set()
    if restricted:  # the restriction's own rule: named, or passed to the team's managers
        named = set(
            Case.objects.filter(KeysIn(F("pk"), sorted(restricted)))
            .filter(not_restricted_from(user))
            .values_list("pk", flat=True)
        )
    for from_id, to_id, team_id, slug, restricted_at in links:
        if team_id not in team_ids and slug not in shared and to_id not in transferred:
            continue
        if restricted_at is not None and to_id not in named:
            continue
        repeats[from_id] += 1
    # Earlier referrals about the same child that retention has removed (their tombstones),
    # by the referral page's rule (referral.removed_repeats): the tombstone's team is one of
    # the user's or shares repeats with the inbox's; never one restricted when removed.
    for case_id, team_id, slug in prepared.run("inbox.removed_repeats", _removed_query, pks):
        if team_id in team_ids or slug in shared:
            repeats[case_id] += 1
    return repeats


def _form_names(cases: Iterable[dict[str, Any]]) -> dict[int, str]:
    """Each form version's short name, by its key: the name of the form in use, as the
    filter offers it; for a form no longer in use (FORMS_OFF, or its file removed), the
    one stored with the version, in one query for all of them."""
    names, retired = {}, set()
    for case in cases:
        version, slug = case["submission__form_version_id"], case["submission__form_version__slug"]
        definition = registry.get(slug)
        if definition is None:
            retired.add(version)
        else:
            names[version] = definition.short_name
    if retired:
        stored = FormVersion.objects.filter(pk__in=retired).annotate(
            short_name=KeyTextTransform("short_name", "definition")
        )
        names.update(stored.values_list("pk", "short_name"))
    return names


def _list(items: list[str], css: str) -> str:
    inside = "".join(f"<li>{item}</li>" for item in items)
    return f'<ul class="govuk-list {css}">{inside}</ul>'


def rows_html(rows: list[Row]) -> SafeString:
    """The table's rows (backoffice/inbox_table.html), written out here: 50 rows through
    the template language took half the page's time. Every text is escaped."""
    e = html.escape
    out = []
    for row in rows:
        urgent = " fd-inbox-table__row--urgent" if row.flags else ""
        referral = (
            f'<a class="govuk-link" href="{e(row.url)}">{e(row.reference)}</a>\n'
            f'        <span class="fd-inbox-table__form">{e(row.form)}</span>\n'
            f'        <span class="fd-inbox-table__received">Received {e(row.received)}</span>\n'
        )
        if row.flags:
            referral += (
                '        <strong class="govuk-tag govuk-tag--red fd-inbox-table__tag">'
                "Urgent</strong>\n        "
                + _list([e(flag) for flag in row.flags], "fd-inbox-table__flags")
                + "\n"
            )
        if row.restricted:
            referral += (
                '        <strong class="govuk-tag govuk-tag--grey fd-inbox-table__tag">'
                "Restricted</strong>\n"
            )
        if row.repeats:
            others = "other referral" if row.repeats == 1 else "other referrals"
            referral += (
                '        <strong class="govuk-tag govuk-tag--purple fd-inbox-table__tag">'
                f"Repeat: {row.repeats} {others}</strong>\n"
            )
        if row.proposed:
            referral += (
                '        <strong class="govuk-tag govuk-tag--yellow fd-inbox-table__tag">'
                "Waiting for a manager</strong>\n"
            )
        if row.information:
            referral += (
                '        <strong class="govuk-tag govuk-tag--blue fd-inbox-table__tag">'
                "Information received</strong>\n"
            )
        if row.question_overdue:
            referral += (
                '        <strong class="govuk-tag govuk-tag--red fd-inbox-table__tag">'
                "Question overdue</strong>\n"
            )
        if row.check_overdue:
            referral += (
                '        <strong class="govuk-tag govuk-tag--red fd-inbox-table__tag">'
                "Partner check overdue</strong>\n"
            )
        children = (
            _list([e(child) for child in row.children], "fd-inbox-table__list")
            if row.children
            else "None named"
        )
        if row.closed:
            due = f"Closed: {e(row.outcome)}" if row.outcome else "Closed"
        elif row.time_left:
            overdue = (
                '<strong class="govuk-tag govuk-tag--red fd-inbox-table__tag">Overdue</strong>\n'
                if row.overdue
                else ""
            )
            due = (
                f'{overdue}        <span class="fd-inbox-table__time-left">{e(row.time_left)}'
                f'</span>\n        <span class="fd-inbox-table__due">{e(row.due)}</span>'
            )
        else:
            decided = f"Decided: {e(row.outcome)}" if row.outcome else "Decided"
            due = decided if row.due else "No timescale"
        rating = (
            f'<strong class="govuk-tag govuk-tag--{e(row.rating)} fd-inbox-table__tag">'
            f"{e(row.rating_label)}</strong>"
            if row.rating
            else "Not rated"
        )
        out.append(
            f'<tr class="govuk-table__row{urgent}">\n'
            '      <th scope="row" class="govuk-table__header fd-inbox-table__referral">\n'
            f"        {referral}      </th>\n"
            f'      <td class="govuk-table__cell" data-label="Children">\n        {children}\n'
            "      </td>\n"
            f'      <td class="govuk-table__cell" data-label="Referrer">{e(row.referrer)}</td>\n'
            f'      <td class="govuk-table__cell" data-label="Decision due">\n        {due}\n'
            "      </td>\n"
            f'      <td class="govuk-table__cell" data-label="Rating">{rating}</td>\n'
            '      <td class="govuk-table__cell" data-label="Assigned to">\n'
            f'        <span class="fd-inbox-table__assignee">{e(row.assignee)}</span>\n'
            f'        <span class="fd-inbox-table__stage">Stage: {e(row.stage)}</span>\n'
            "      </td>\n"
            "    </tr>\n    "
        )
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


MONTHS = (
    "",
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def when(moment: datetime.datetime, zone: datetime.tzinfo) -> str:
    """govuk_datetime's words ("2 December 2026 at 7:13am"), made fast enough for 100 a
    page: the zone looked up once per page, no strftime."""
    local = moment.astimezone(zone)
    hour = local.hour % 12 or 12
    return (
        f"{local.day} {MONTHS[local.month]} {local.year} at {hour}:{local.minute:02d}"
        f"{'am' if local.hour < 12 else 'pm'}"
    )


# GOV.UK tag colours for the ratings (the tag says the word too: never colour alone).
RATING_TAGS = {Rating.RED: "red", Rating.AMBER: "yellow", Rating.GREEN: "green"}


ORDER = ("-urgent", F("due_at").asc(nulls_last=True), "received_at", "pk")
# Closed referrals: the latest closed first. Transferred away: the latest received first.
ORDERS = {
    CLOSED: (F("closed_at").desc(nulls_last=True), "-pk"),
    TRANSFERRED: ("-received_at", "-pk"),
}
ORDER_WORDS = {
    CLOSED: "the latest closed first",
    TRANSFERRED: "the latest received first",
}


def inbox_cases(team: Team, stage: str = OPEN, *, user: User) -> QuerySet[Case]:
    """The team's cases in the inbox's order: urgent first, then by when the decision is
    due (none last), then received; the closed ones latest closed first. With
    TRANSFERRED, the cases the team transferred to another team (it reads them, and no
    more). Not those restricted to others than `user`. Only their keys: a page's rows
    are read by `page_rows`."""
    if stage == TRANSFERRED:
        cases = Case.objects.filter(former_teams=team).exclude(team=team)
    else:
        cases = Case.objects.filter(team=team)
    cases = cases.filter(not_restricted_from(user))
    return cases.order_by(*ORDERS.get(stage, ORDER)).only("pk")


MAX_PAGE = 1_000_000  # 50 million referrals: far more than any team will have


def counted(cases: QuerySet[Case]) -> QuerySet[Case, tuple[Any, ...]]:
    """Each case's key and how many there are in all (a window over the same query)."""
    return cases.annotate(total=Window(Count("pk"))).values_list("pk", "total")


def page_of(
    cases: QuerySet[Case] | None,
    asked: Any,
    fetch: Callable[[int], list[tuple[Any, ...]]] | None = None,
) -> Page[int]:
    """The keys of one page of `cases` (50 a page) and how many there are in all, in one
    query (the count is a window over the same query: a search's is not built twice). A
    page past the end is the last; one that is not a number, the first. A number too big
    for the database's OFFSET (page=99999999999999999999) is past the end too. `fetch`,
    if given instead of `cases`, reads a page's (key, count) from its first row's number
    as `counted(cases)` would (`_kept_page`)."""
    try:
        number = min(max(1, int(str(asked))), MAX_PAGE)
    except ValueError:
        number = 1

    def keys(number: int) -> list[tuple[Any, ...]]:
        start = (number - 1) * ROWS_PER_PAGE
        if fetch is not None:
            return fetch(start)
        assert cases is not None
        return list(counted(cases)[start : start + ROWS_PER_PAGE])

    found = keys(number)
    if found:
        total = found[0][1]
    else:
        if fetch is not None:  # how many: from the first page (none if page 1 was empty)
            first = fetch(0) if number > 1 else []
            total = first[0][1] if first else 0
        else:
            assert cases is not None
            total = cases.count()
        if total and number > 1:
            number = -(-total // ROWS_PER_PAGE)
            found = keys(number)
        else:
            number = 1
    counts = Paginator(range(total), ROWS_PER_PAGE)  # the page numbers: no query
    return Page([pk for pk, _ in found], number, counts)


def _kept_page(
    team: Team, stage: str, filters: dict[str, Any], user: User, now: datetime.datetime
) -> Callable[[int], list[tuple[Any, ...]]] | None:
    """The page's query (`counted(filtered(inbox_cases(...)))`, not searching) with its SQL
    kept (core/prepared.py) for each kind of filter chosen: the filters' values are few
    and part of its key (a stage, a form, a rating); the team, the user, the teams they
    manage and the time are its parameters. None for a filter by dates received or by
    partner checks (their dates are worked out from the values): the ORM builds those."""
    if {"received_from", "received_to", "checks_overdue"} & filters.keys():
        return None
    managed = [m.team_id for m in user.team_memberships if m.role == Membership.Role.MANAGER]
    overdue = bool(filters.get("overdue"))
    key = ("inbox.page", stage, tuple(sorted(filters.items())))
    values: list[Any] = [team.pk, user.pk, managed, *([now] if overdue else [])]

    def build(team_id: int, user_id: int, managed: list[int], *moment: Any) -> QuerySet[Any]:
        # Stand-ins holding the marks: these queries read no more of them than their keys
        # (and, of the user, the teams they manage).
        someone = User(pk=user_id)
        someone.__dict__["team_memberships"] = [
            Membership(team_id=pk, user_id=user_id, role=Membership.Role.MANAGER) for pk in managed
        ]
        cases = inbox_cases(Team(pk=team_id), stage, user=someone)
        return counted(filtered(cases, filters, someone, *(moment or [now]), searching=False))

    def fetch(start: int) -> list[tuple[Any, ...]]:
        return prepared.run(key, build, *values, limit=ROWS_PER_PAGE, offset=start)

    return fetch


def filtered(
    cases: QuerySet[Case],
    filters: dict[str, Any],
    user: User,
    now: datetime.datetime,
    *,
    searching: bool,
) -> QuerySet[Case]:
    stage = filters.get("stage", ANY_STAGE if searching else OPEN)
    if stage == OPEN:
        cases = cases.filter(closed_at=None)
    elif stage == CLOSED:
        cases = cases.exclude(closed_at=None)
    elif stage not in (ANY_STAGE, TRANSFERRED):
        cases = cases.filter(closed_at=None, stage=stage)
    assigned = filters.get("assigned")
    if assigned == "me":
        cases = cases.filter(assignee=user)
    elif assigned == "unassigned":
        cases = cases.filter(assignee=None)
    if "form" in filters:
        cases = cases.filter(submission__form_version__slug=filters["form"])
    rating = filters.get("rating")
    if rating == "none":
        cases = cases.filter(rating="")
    elif rating:
        cases = cases.filter(rating=rating)
    if filters.get("overdue"):
        cases = cases.filter(closed_at=None, decided_at=None, due_at__lte=now)
    if filters.get("checks_overdue"):
        cases = cases.filter(has_overdue_check(timezone.localdate(now)))
    zone = timezone.get_current_timezone()
    if "received_from" in filters:
        start = datetime.datetime.combine(filters["received_from"], datetime.time(), zone)
        cases = cases.filter(received_at__gte=start)
    if "received_to" in filters and filters["received_to"] < datetime.date.max:  # else no end
        day = filters["received_to"] + datetime.timedelta(days=1)
        cases = cases.filter(received_at__lt=datetime.datetime.combine(day, datetime.time(), zone))
    return cases


# --- Search -------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{1,2})[\s/.\-]+(\d{1,2})[\s/.\-]+(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_REFERENCE = re.compile(r"^FD-?\d{0,4}-?\d{0,6}$", re.IGNORECASE)
_OUTWARD = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]?$")


def search_date(term: str) -> datetime.date | None:
    """27/3/2016, 27 3 2016, 27-03-2016, 27.3.2016 or 2016-03-27, if a real date."""
    match = _DATE.match(term)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        match = _ISO_DATE.match(term)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
    except ValueError:
        return None
    return None


def search(term: str) -> tuple[Q, list[str]]:
    """What a search term finds, as a filter on cases, and the kinds of thing it was read
    as (for the audit: never the term). Every reading that fits is tried at once: "Ava"
    finds a child, "WR1 2AB" a postcode, "27/3/2016" a date of birth or due date."""
    term = " ".join(term.split())
    people: list[Q] = []
    found: list[Q] = []
    kinds: list[str] = []
    compact = re.sub(r"[\s\-]", "", term)
    if _REFERENCE.match(term) and any(c.isdigit() for c in term):
        found.append(Q(submission__reference__icontains=term.upper()))
        kinds.append("reference")
    elif compact.isdigit() and len(compact) <= 6:
        found.append(Q(submission__reference__endswith="-" + compact.zfill(6)))
        kinds.append("reference")
    born = search_date(term)
    if born is not None:
        people.append(Q(date_of_birth=born) | Q(due_date=born))
        kinds.append("date")
    if compact.isdigit() and len(compact) == 10:
        people.append(Q(nhs_number=compact))
        kinds.append("nhs_number")
    postcode = normalise_postcode(term)
    if postcode:
        people.append(Q(postcode=postcode))
        kinds.append("postcode")
    elif _OUTWARD.match(compact.upper()):
        people.append(Q(postcode__startswith=compact.upper() + " "))
        kinds.append("postcode")
    words = [normalise(word) for word in term.split()]
    words = [w for w in words if w and not w.isdigit()]
    if words and born is None:
        name = Q()
        for word in words:
            if len(word) < 3:  # "Jo": the start of a name, not any "jo" inside one
                name &= Q(first_key__startswith=word) | Q(last_key__startswith=word)
            else:
                name &= (
                    Q(first_key__contains=word)
                    | Q(last_key__contains=word)
                    | Q(aka_keys__contains=word)
                )
        people.append(name)
        kinds.append("name")
    if "@" in term:
        found.append(Q(referrer_email__iexact=term) | Q(submission__owner__email__iexact=term))
        kinds.append("email")
    elif len(term) >= 3 and any(c.isalpha() for c in term):
        found.append(Q(organisation__icontains=term))
        kinds.append("organisation")
    if people:
        query = Q()
        for q in people:
            query |= q
        found.append(Q(submission_id__in=Person.objects.filter(query).values("submission_id")))
    if not found:
        return Q(pk__in=[]), kinds
    where = Q()
    for q in found:
        where |= q
    return where, kinds


def searched(cases: QuerySet[Case], term: str) -> QuerySet[Case]:
    where, _ = search(term)
    return cases.annotate(
        organisation=json_text(ORGANISATION), referrer_email=json_text(REFERRER_EMAIL)
    ).filter(where)


# --- Views --------------------------------------------------------------------------------


def _teams(user: User) -> tuple[list[Team], set[int]]:
    """The user's teams, by name, and those they manage (the query `staff_only` made)."""
    memberships = user.team_memberships
    managed = {m.team_id for m in memberships if m.role == Membership.Role.MANAGER}
    return [m.team for m in memberships], managed


def _team_of(request: HttpRequest, teams: list[Team], slug: str) -> Team:
    for team in teams:
        if team.slug == slug:
            return team
    raise Http404


def _query_without_page(data: QueryDict) -> str:
    kept = [(k, v) for k, values in data.lists() if k != "page" for v in values]
    return urlencode(kept)


@staff_only
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    """/team/: the only team's inbox, or the one chosen last, or the list to choose from."""
    user = request.user
    assert isinstance(user, User)
    teams, managed = _teams(user)
    chosen = request.session.get(TEAM_KEY)
    for team in teams:
        if len(teams) == 1 or team.slug == chosen:
            return _inbox(request, teams, team, manager=team.pk in managed)
    record("inbox.teams_listed", request=request)
    return render(request, "backoffice/inbox_teams.html", {"teams": teams})


@staff_only
@require_safe
def team_inbox(request: HttpRequest, team: str) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    teams, managed = _teams(user)
    found = _team_of(request, teams, team)
    if request.session.get(TEAM_KEY) != found.slug:
        request.session[TEAM_KEY] = found.slug
    return _inbox(request, teams, found, manager=found.pk in managed)


def _inbox(
    request: HttpRequest,
    teams: list[Team],
    team: Team,
    *,
    manager: bool,
    data: QueryDict | None = None,
    search_form: SearchForm | None = None,
) -> HttpResponse:
    """The team's inbox with the filters in `data` (the query) and the team's search."""
    user = request.user
    assert isinstance(user, User)
    data = request.GET if data is None else data
    now = timezone.now()
    filter_form = FilterForm(team, data or None)
    filters = filter_form.valid_filters() if data else {}
    term = (request.session.get(SEARCH_KEY) or {}).get(team.slug, "")
    stage = filters.get("stage", OPEN)
    fetch = None if term else _kept_page(team, stage, filters, user, now)
    cases = None
    if fetch is None:
        cases = filtered(
            inbox_cases(team, stage, user=user), filters, user, now, searching=bool(term)
        )
        if term:
            cases = searched(cases, term)
    page = page_of(cases, data.get("page"), fetch)
    base = reverse("backoffice:team_inbox", args=[team.slug])
    query = _query_without_page(data)
    record(
        "inbox.viewed",
        request=request,
        team=team.slug,
        filters=sorted(filters),
        searching=bool(term),
        page=page.number,
    )
    search_form = search_form or SearchForm(initial={"q": term})
    # The error summary: each field's first error, linked to the field.
    errors = [
        (field, field.errors[0])
        for form in (search_form, filter_form)
        if form.is_bound and form.errors
        for field in form
        if field.errors
    ]
    return render(
        request,
        "backoffice/inbox.html",
        {
            "team": team,
            "teams": teams,
            "inbox_url": base,
            "filter_panel": filters_html(filter_fields(filter_form), base, bool(filters)),
            "search_field": search_html(search_form),
            "errors": errors,
            "term": term,
            "filters": filters,
            "query": query,
            "page": page,
            "pages": _pagination(page, base, query),
            "rows": rows_html(page_rows(list(page.object_list), team, teams, user, now)),
            "dashboard_url": reverse("backoffice:dashboard", args=[team.slug]) if manager else "",
            "my_referrals": f"{base}?assigned=me",
            "mine": filters.get("assigned") == "me" and len(filters) == 1,
            "order": ORDER_WORDS.get(stage, "urgent first, then by when the decision is due"),
            "transferred": stage == TRANSFERRED,
            # The download of this list (backoffice/export.py): the same filters.
            "export_query": [(k, v) for k, vs in data.lists() if k in _FILTER_FIELDS for v in vs],
        },
    )


def _pagination(page: Page[Any], base: str, query: str) -> dict[str, Any] | None:
    """GOV.UK pagination: previous, next, and page numbers (first, last, around this one)."""
    if page.paginator.num_pages <= 1:
        return None

    def url(number: int) -> str:
        return f"{base}?{query + '&' if query else ''}page={number}"

    last = page.paginator.num_pages
    numbers: list[int | None] = []
    for number in range(1, last + 1):
        if number in (1, last) or abs(number - page.number) <= 1:
            numbers.append(number)
        elif numbers and numbers[-1] is not None:
            numbers.append(None)  # an ellipsis
    return {
        "previous": url(page.number - 1) if page.has_previous() else None,
        "next": url(page.number + 1) if page.has_next() else None,
        "items": [
            {"number": n, "url": url(n), "current": n == page.number} if n else None
            for n in numbers
        ],
    }


@staff_only
@require_POST
def search_inbox(request: HttpRequest, team: str) -> HttpResponse:
    """Search a team's inbox: the term is kept in the session (never in a URL), and the
    inbox shown again with it. An empty term, or "Clear search", ends the search."""
    user = request.user
    assert isinstance(user, User)
    teams, managed = _teams(user)
    found = _team_of(request, teams, team)
    # The filters shown when searching (a GET query: no personal data), kept as they were.
    given = QueryDict(str(request.POST.get("filters", "")))
    kept = QueryDict(mutable=True)
    for name, values in given.lists():
        if name in _FILTER_FIELDS:
            kept.setlist(name, values)
    form = SearchForm(request.POST)
    if "clear" not in request.POST and not form.is_valid():
        return _inbox(
            request, teams, found, manager=found.pk in managed, data=kept, search_form=form
        )
    terms = dict(request.session.get(SEARCH_KEY) or {})
    term = "" if "clear" in request.POST else " ".join(form.cleaned_data["q"].split())
    if term:
        terms[found.slug] = term
        _, kinds = search(term)
        record("inbox.searched", request=request, team=found.slug, read_as=kinds)
    else:
        terms.pop(found.slug, None)
        record("inbox.search_cleared", request=request, team=found.slug)
    request.session[SEARCH_KEY] = terms
    request.session[TEAM_KEY] = found.slug
    target = reverse("backoffice:team_inbox", args=[found.slug])
    if kept:
        target += "?" + kept.urlencode()
    return redirect(target)


_FILTER_FIELDS = {
    "stage",
    "assigned",
    "form",
    "rating",
    "overdue",
    "checks_overdue",
    *(f"received_{end}_{n}" for end in ("from", "to") for n in range(3)),
}
