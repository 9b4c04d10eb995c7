"""The pages of partner checks on a referral: record a check asked of the police, health,
education or another agency; record each chase; record what came back. Each is a small
form posting to its own URL and calling one `cases.partner_checks` function, like the
referral's other actions (views.py): another team's referral, or a check of another
referral, is a 404; a team that transferred the referral reads its checks only (403).
"""

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from frontdoor.accounts.models import User
from frontdoor.backoffice.forms import CaseForm
from frontdoor.backoffice.views import _act, _acting, _closed, _data, staff_only
from frontdoor.cases import partner_checks
from frontdoor.cases.models import Case, PartnerCheck
from frontdoor.referrals.answers import DateWidget

# --- Forms --------------------------------------------------------------------------------


class DayField(forms.MultiValueField):
    """A GOV.UK date input (day, month, year) whose errors name the question."""

    widget = DateWidget

    def __init__(self, *, missing: str = "", called: str = "", **kwargs: Any) -> None:
        parts = tuple(forms.CharField(required=False) for _ in range(3))
        super().__init__(parts, require_all_fields=False, required=False, **kwargs)
        # Said when it is left empty; no message: it may be.
        self.missing = missing
        # Its question is starred, as every question that must be answered is.
        self.required_when_shown = bool(missing)
        self.called = called  # its name in errors, if not its label

    def compress(self, data_list: list[str]) -> datetime.date | None:
        name = self.called or str(self.label)
        if not data_list or not any(part.strip() for part in data_list):
            if self.missing:
                raise forms.ValidationError(self.missing)
            return None
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


def _past(form: forms.Form, name: str) -> None:
    """A date that happened (asked, chased, came back) is today or before."""
    day = form.cleaned_data.get(name)
    if day and day > timezone.localdate():
        form.add_error(name, f"{form.fields[name].label} must be today or in the past")


def working_days_words() -> str:
    days = settings.PARTNER_CHECK_WORKING_DAYS
    return "1 working day" if days == 1 else f"{days} working days"


class PartnerCheckForm(CaseForm):
    agency = forms.ChoiceField(
        label="Agency asked",
        choices=PartnerCheck.Agency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the agency asked",
            "invalid_choice": "Select the agency asked",
        },
    )
    agency_name = forms.CharField(
        label="Which service or agency",
        required=False,
        max_length=partner_checks.AGENCY_NAME_MAX_LENGTH,
        help_text="For example, Public Protection Unit, health visiting, Riverside Primary "
        "School. Required for another agency: its name (Probation, Housing).",
    )
    contact = forms.CharField(
        label="Who was asked",
        max_length=partner_checks.CONTACT_MAX_LENGTH,
        help_text="Their name, role and how to reach them.",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter who was asked"},
    )
    asked_on = DayField(
        label="Date asked", missing="Enter the date asked", help_text="For example, 27 3 2026"
    )
    due_on = DayField(label="Due date")

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("asked_on", timezone.localdate())
        super().__init__(case, *args, **kwargs)
        # Like a note, a check never conflicts: two recorded at once are both kept.
        self.fields["version"].required = False
        today = partner_checks.default_due(timezone.localdate())
        words = working_days_words()
        self.fields[
            "due_on"
        ].help_text = (
            f"Leave it blank for {words} after the date asked (asked today: {today:%-d %B %Y})."
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _past(self, "asked_on")
        if (
            cleaned.get("agency") == PartnerCheck.Agency.OTHER
            and not cleaned.get("agency_name", "").strip()
        ):
            self.add_error("agency_name", "Enter the name of the agency")
        asked, due = cleaned.get("asked_on"), cleaned.get("due_on")
        if asked and due and due < asked:
            self.add_error("due_on", "Due date must be the same as or after the date asked")
        return cleaned


class ChaseForm(CaseForm):
    chased_on = DayField(
        label="Date chased", missing="Enter the date chased", help_text="For example, 27 3 2026"
    )
    note = forms.CharField(
        label="How it was chased (optional)",
        required=False,
        max_length=partner_checks.CHASE_NOTE_MAX_LENGTH,
        help_text="For example, phoned the Public Protection Unit and left a message.",
    )
    due_on = DayField(label="New due date (optional)", called="New due date")

    def __init__(self, case: Case, check: PartnerCheck, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("chased_on", timezone.localdate())
        super().__init__(case, *args, **kwargs)
        self.check = check
        self.fields[
            "due_on"
        ].help_text = f"If they said when they will answer. Due now: {check.due_on:%-d %B %Y}."

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _past(self, "chased_on")
        chased, due = cleaned.get("chased_on"), cleaned.get("due_on")
        if chased and chased < self.check.asked_on:
            self.add_error("chased_on", "Date chased must be the same as or after the date asked")
        if due and due < self.check.asked_on:
            self.add_error("due_on", "New due date must be the same as or after the date asked")
        return cleaned


class ReplyForm(CaseForm):
    replied_on = DayField(
        label="Date it came back",
        missing="Enter the date it came back",
        help_text="For example, 27 3 2026",
    )
    reply = forms.CharField(
        label="Summary of what came back",
        max_length=partner_checks.REPLY_MAX_LENGTH,
        help_text="What the agency knows that bears on the decision. Internal: the referrer "
        "never sees it.",
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Enter a summary of what came back"},
    )

    def __init__(self, case: Case, check: PartnerCheck, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("replied_on", timezone.localdate())
        super().__init__(case, *args, **kwargs)
        self.check = check

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _past(self, "replied_on")
        replied = cleaned.get("replied_on")
        if replied and replied < self.check.asked_on:
            self.add_error(
                "replied_on", "Date it came back must be the same as or after the date asked"
            )
        return cleaned


# --- Views --------------------------------------------------------------------------------


def _check(case: Case, check_id: int) -> PartnerCheck:
    """A check of this referral (one of another referral is a 404, like a missing one)."""
    found = PartnerCheck.objects.filter(pk=check_id, case=case).first()
    if found is None:
        raise Http404
    return found


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def ask(request: HttpRequest, reference: str) -> HttpResponse:
    user, case = _acting(request, reference)
    if (closed := _closed(request, case)) is not None:
        return closed

    def make(case: Case, data: Any) -> PartnerCheckForm:
        return PartnerCheckForm(case, data, prefix="check")

    def act(data: dict[str, Any]) -> None:
        partner_checks.ask_partner(
            case,
            data["agency"],
            data["contact"],
            user,
            agency_name=data["agency_name"],
            asked_on=data["asked_on"],
            due_on=data["due_on"],
        )

    form = make(case, _data(request))
    return _act(
        request, user, case, form, act, "Partner check recorded", "backoffice/check_ask.html", make
    )


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def chase(request: HttpRequest, reference: str, check_id: int) -> HttpResponse:
    user, case = _acting(request, reference)
    check = _check(case, check_id)
    if (closed := _closed(request, case)) is not None:
        return closed

    def make(case: Case, data: Any) -> ChaseForm:
        return ChaseForm(case, check, data, prefix="chase")

    def act(data: dict[str, Any]) -> None:
        partner_checks.chase(
            check,
            user,
            chased_on=data["chased_on"],
            note=data["note"],
            due_on=data["due_on"],
            expected_version=data["version"],
        )

    form = make(case, _data(request))
    return _context_act(request, user, case, form, act, "Chase recorded", "chase", make, check)


@staff_only
@require_http_methods(["GET", "HEAD", "POST"])
def reply(request: HttpRequest, reference: str, check_id: int) -> HttpResponse:
    user, case = _acting(request, reference)
    check = _check(case, check_id)
    if (closed := _closed(request, case)) is not None:
        return closed

    def make(case: Case, data: Any) -> ReplyForm:
        return ReplyForm(case, check, data, prefix="reply")

    def act(data: dict[str, Any]) -> None:
        partner_checks.record_reply(
            check,
            data["reply"],
            user,
            replied_on=data["replied_on"],
            expected_version=data["version"],
        )

    form = make(case, _data(request))
    return _context_act(request, user, case, form, act, "Reply recorded", "reply", make, check)


def _context_act(
    request: HttpRequest,
    user: User,
    case: Case,
    form: Any,
    act: Any,
    done: str,
    page: str,
    make: Any,
    check: PartnerCheck,
) -> HttpResponse:
    return _act(
        request,
        user,
        case,
        form,
        act,
        done,
        f"backoffice/check_{page}.html",
        make,
        check=check,
        check_overdue=check.is_overdue(timezone.localdate()),
    )
