"""The forms of a referral's actions: each carries the case's version (the page's), so an
action on a referral that changed since the page was loaded is refused, not applied."""

from typing import Any

from django import forms

from frontdoor.accounts.models import Team, User
from frontdoor.cases.models import Case, Rating
from frontdoor.cases.services import NOTE_MAX_LENGTH, REASON_MAX_LENGTH, RESPONSE_MAX_LENGTH
from frontdoor.cases.workflows import Workflow
from frontdoor.core.forms import GovukForm
from frontdoor.enquiries.services import QUESTION_MAX_LENGTH

CHANGED = "This referral changed since you opened it: check it and try again"
ME, NOBODY = "me", "nobody"


class CaseForm(GovukForm):
    """A form about one case: `version` is the case's when the page was made."""

    version = forms.IntegerField(
        widget=forms.HiddenInput,
        min_value=1,
        error_messages={"required": CHANGED, "invalid": CHANGED, "min_value": CHANGED},
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {})
        kwargs["initial"].setdefault("version", case.version)
        super().__init__(*args, **kwargs)
        self.case = case

    def full_clean(self) -> None:
        super().full_clean()
        # A missing or forged version says the same as a stale one: it belongs on top.
        if self.is_bound and "version" in self.errors:
            del self.errors["version"]
            self.add_error(None, CHANGED)


class AssignForm(CaseForm):
    to = forms.ChoiceField(
        label="Assign to",
        error_messages={
            "required": "Select who to assign it to",
            "invalid_choice": "Select who to assign it to",
        },
    )

    def __init__(
        self, case: Case, colleagues: list[User], me: User, *args: Any, **kwargs: Any
    ) -> None:
        super().__init__(case, *args, **kwargs)
        # The one assigning is "Me", not also a colleague by name.
        self.colleagues = {str(u.pk): u for u in colleagues if u.pk != me.pk}
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", "Choose a colleague"),
            *((pk, u.get_full_name()) for pk, u in self.colleagues.items()),
            (ME, "Me"),
            (NOBODY, "Nobody (unassigned)"),
        ]
        field.widget = forms.Select(choices=field.choices)

    def assignee(self, me: User) -> User | None:
        to = self.cleaned_data["to"]
        if to == ME:
            return me
        if to == NOBODY:
            return None
        return self.colleagues[to]


class RateForm(CaseForm):
    rating = forms.ChoiceField(
        label="Rating",
        choices=Rating.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select red, amber or green"},
    )
    reason = forms.CharField(
        label="Reason for the rating",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for the rating"},
    )


class NoteForm(CaseForm):
    text = forms.CharField(
        label="Case note",
        help_text="Internal: the referrer never sees case notes, and they are never emailed.",
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the note"},
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(case, *args, **kwargs)
        # A note never conflicts (two written at once are both kept): no version needed.
        self.fields["version"].required = False


class AskForm(CaseForm):
    question = forms.CharField(
        label="Your question for the referrer",
        help_text="The referrer reads this in the portal (the email only says there is a "
        "question). Do not include anything they should not see.",
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter your question for the referrer"},
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(case, *args, **kwargs)
        # Asking never conflicts with another change (like a note): no version needed.
        self.fields["version"].required = False


class StageForm(CaseForm):
    stage = forms.ChoiceField(
        label="Stage",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a stage", "invalid_choice": "Select a stage"},
    )

    def __init__(self, case: Case, workflow: Workflow, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("stage", case.stage)
        super().__init__(case, *args, **kwargs)
        field = self.fields["stage"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s.slug, s.name) for s in workflow.open_stages]


def _outcomes(form: forms.Form, workflow: Workflow, stage: str) -> None:
    """The outcomes the workflow offers at the case's stage, a radio each with its hint."""
    field = form.fields["outcome"]
    assert isinstance(field, forms.ChoiceField)
    offered = workflow.outcomes_at(stage) if stage != workflow.closed_stage.slug else ()
    field.choices = [(o.slug, o.name) for o in offered]
    form.hints = {o.slug: o.hint for o in offered if o.hint}  # type: ignore[attr-defined]


class ChooseOutcomeForm(GovukForm):
    """Step one of deciding: which outcome (a GET form, so nothing is done yet)."""

    outcome = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision", "invalid_choice": "Select the decision"},
    )

    def __init__(self, case: Case, workflow: Workflow, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _outcomes(self, workflow, case.stage)


class DecideForm(CaseForm):
    """Step two: the outcome chosen (carried along) and the response for the referrer."""

    outcome = forms.ChoiceField(
        widget=forms.HiddenInput,
        error_messages={"required": "Select the decision", "invalid_choice": "Select the decision"},
    )
    response = forms.CharField(
        label="Response for the referrer",
        help_text="The referrer reads this under View Submitted Forms (the email only says "
        "there is a response). Do not include anything they should not see.",
        max_length=RESPONSE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter the response for the referrer"},
    )

    def __init__(
        self, case: Case, workflow: Workflow, *args: Any, reply: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(case, *args, **kwargs)
        _outcomes(self, workflow, case.stage)
        if not reply:
            # Nobody to read a response (sent without an account, or no reply wanted).
            del self.fields["response"]


class ConfirmForm(DecideForm):
    """A manager confirms a proposed decision, perhaps changing it: the outcome shown as
    radios, the proposed response ready to edit."""

    outcome = forms.ChoiceField(
        label="Decision",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision", "invalid_choice": "Select the decision"},
    )

    def __init__(
        self, case: Case, workflow: Workflow, *args: Any, reply: bool = True, **kwargs: Any
    ) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("outcome", case.proposed_outcome)
        initial.setdefault("response", case.proposed_response)
        super().__init__(case, workflow, *args, reply=reply, **kwargs)


class TransferForm(CaseForm):
    team = forms.ChoiceField(
        label="Team",
        widget=forms.RadioSelect,
        error_messages={"required": "Select a team", "invalid_choice": "Select a team"},
    )
    reason = forms.CharField(
        label="Reason for the transfer",
        help_text="The team you transfer it to reads this in its history.",
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give the reason for the transfer"},
    )

    def __init__(self, case: Case, *args: Any, **kwargs: Any) -> None:
        super().__init__(case, *args, **kwargs)
        self.teams = {t.slug: t for t in Team.objects.exclude(pk=case.team_id).order_by("name")}
        field = self.fields["team"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(slug, t.name) for slug, t in self.teams.items()]


class RestrictForm(CaseForm):
    """Who may see a restricted referral: members of its team. The manager restricting it
    is always one of them, so is not offered (they could not untick themselves)."""

    people = forms.MultipleChoiceField(
        label="Who else can see it",
        help_text="Select everyone in the team who needs to work on it. Nobody else in the "
        "team, or in a team it came from, will see that it exists.",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": "Select people in the team"},
    )

    def __init__(
        self, case: Case, colleagues: list[User], me: User, *args: Any, **kwargs: Any
    ) -> None:
        if case.is_restricted:
            named = case.restricted_to.exclude(pk=me.pk).values_list("pk", flat=True)
            kwargs.setdefault("initial", {}).setdefault("people", [str(pk) for pk in named])
        super().__init__(case, *args, **kwargs)
        self.colleagues = {str(u.pk): u for u in colleagues if u.pk != me.pk}
        field = self.fields["people"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(pk, u.get_full_name()) for pk, u in self.colleagues.items()]

    def chosen(self) -> list[User]:
        return [self.colleagues[pk] for pk in self.cleaned_data["people"]]


class LiftRestrictionForm(CaseForm):
    """Lifting a restriction: only the version (a page that is out of date changes nothing)."""
