"""What a referral's staff page shows, read from the submission and its case.

The children, the referrer and what must not be shared with the family come from the
answers as sent, read with the form's annotations (so an old form version reads like a
new one). The history is the case's events with the names of the staff who acted; who has
viewed the referral is read from the audit log (`submission.viewed`), once per person per
day.
"""

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from frontdoor.accounts.models import Membership, Team, User
from frontdoor.audit.models import AuditEvent
from frontdoor.cases import services, timescales
from frontdoor.cases.models import Case, CaseEvent, PartnerCheck, Rating
from frontdoor.cases.workflows import Workflow, workflow_for
from frontdoor.referrals import registry
from frontdoor.referrals.annotations import annotated, withheld_answers
from frontdoor.referrals.definitions import Definition, Question
from frontdoor.referrals.models import Submission
from frontdoor.referrals.presenting import show
from frontdoor.referrals.services import definition_of

VIEWED = "submission.viewed"
CHECK_ACTIONS = (
    CaseEvent.Action.CHECK_ASKED,
    CaseEvent.Action.CHECK_CHASED,
    CaseEvent.Action.CHECK_REPLIED,
)
RESTRICTIONS = (
    CaseEvent.Action.RESTRICTED,
    CaseEvent.Action.RESTRICTION_CHANGED,
    CaseEvent.Action.UNRESTRICTED,
)
CHANGES = (("added", "added"), ("removed", "removed"))


@dataclass
class Child:
    name: str
    also_known_as: str = ""
    born: datetime.date | None = None
    age: str = ""
    unborn: bool = False
    due: str = ""
    address: str = ""


def _date(value: Any) -> datetime.date | None:
    """A stored date answer (['27', '3', '2016'], or an ISO string in a typed copy)."""
    try:
        if isinstance(value, list) and len(value) == 3:
            day, month, year = (int(part) for part in value)
            return datetime.date(year, month, day)
        if isinstance(value, str) and value:
            return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return None


def age(born: datetime.date, today: datetime.date) -> str:
    """ "9 years old", "5 months old", "2 weeks old": how old a child is today."""
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if years >= 2:
        return f"{years} years old"
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    if months >= 2:
        return f"{months} months old"
    weeks = max((today - born).days // 7, 0)
    if weeks == 1:
        return "1 week old"
    if months == 1:
        return "1 month old"
    return f"{weeks} weeks old"


def _child(questions: dict[str, Question], item: dict[str, Any], today: datetime.date) -> Child:
    def text(what: str) -> str:
        question = questions.get(what)
        if question is None:
            return ""
        return ", ".join(show(question, item.get(question.id), item)).strip()

    def value(what: str) -> Any:
        question = questions.get(what)
        return item.get(question.id) if question is not None else None

    name = " ".join(p for p in (text("first_name"), text("last_name")) if p)
    unborn = value("unborn") in ("yes", True)
    born = None if unborn else _date(value("date_of_birth"))
    return Child(
        name=name or ("Unborn baby" if unborn else "Name not given"),
        also_known_as=text("also_known_as"),
        born=born,
        age=age(born, today) if born else "",
        unborn=unborn,
        due=text("due_date") if unborn else "",
        address=text("address"),
    )


def children(definition: Definition, answers: dict[str, Any]) -> list[Child]:
    """The children (and unborn babies) a form names, from the answers as sent."""
    today = timezone.localdate()
    found = []
    for section in annotated(definition).sections:
        if section.person != "child":
            continue
        questions = {q.identifies: q for q in section.questions if q.identifies}
        stored = answers.get(section.slug)
        items = stored if isinstance(stored, list) else [stored] if stored else []
        found += [_child(questions, item, today) for item in items if isinstance(item, dict)]
    return found


@dataclass
class Entry:
    """One line of the history: when, who, what, and any reason given."""

    at: datetime.datetime
    who: str
    what: str
    reason: str = ""


def _names(ids: set[int]) -> dict[int, str]:
    users = User.objects.filter(pk__in=ids).only("first_name", "last_name")
    return {u.pk: u.get_full_name() for u in users}


def _stage(workflow: Workflow, slug: str) -> str:
    """A stage's name (or its slug, if the workflow no longer has it)."""
    return next((s.name for s in workflow.stages if s.slug == slug), slug)


def _outcome(workflow: Workflow, slug: str) -> str:
    """An outcome's name (or its slug, if the workflow no longer has it)."""
    return next((o.name for o in workflow.outcomes if o.slug == slug), slug)


def history(case: Case, submission: Submission) -> list[Entry]:
    """The case's events, oldest first, each with the name of who acted."""
    events = list(case.events.select_related("actor", "team"))
    ids: set[int] = set()
    for event in events:
        for key in ("to", "before"):
            value = event.detail.get(key)
            if isinstance(value, int) and event.action in ("assigned", "unassigned"):
                ids.add(value)
        if event.action in RESTRICTIONS:
            for key in ("people", "added", "removed"):
                ids.update(v for v in event.detail.get(key, []) if isinstance(v, int))
    names = _names(ids)

    def named(key: str, detail: dict[str, Any]) -> str:
        people = [names.get(pk, "a former member of staff") for pk in detail.get(key, [])]
        return ", ".join(sorted(people))

    teams = {t.slug: t.name for t in Team.objects.all()}
    definition = definition_of(submission.form_version)
    entries = []
    for event in events:
        workflow = workflow_for(event.team.slug)
        who = event.actor.get_full_name() if event.actor else event.system
        detail = event.detail
        what, reason = event.get_action_display(), ""
        if event.action == CaseEvent.Action.RECEIVED:
            found = referrer(definition, submission)
            who = f"{found.name} (the referrer)" if found else "The referrer"
            what = f"Sent to {event.team.name}"
        elif event.action == CaseEvent.Action.ASSIGNED:
            what = f"Assigned to {names.get(detail.get('to'), 'a former member of staff')}"
            if detail.get("before"):
                what += f" (was {names.get(detail['before'], 'a former member of staff')})"
        elif event.action == CaseEvent.Action.UNASSIGNED:
            before = names.get(detail.get("before"), "")
            what = f"Unassigned {before}".strip()
            if detail.get("reason") == "leaver":
                what += ": their account was closed"
        elif event.action == CaseEvent.Action.RATED:
            what = f"Rated {Rating(detail['rating']).label.lower()}"
            if detail.get("before"):
                what += f" (was {Rating(detail['before']).label.lower()})"
            reason = str(detail.get("reason", ""))
        elif event.action == CaseEvent.Action.STAGE:
            what = f"Moved to {_stage(workflow, detail.get('stage', ''))}"
            if detail.get("before"):
                what += f" (was {_stage(workflow, detail['before'])})"
        elif event.action in (CaseEvent.Action.PROPOSED, CaseEvent.Action.DECIDED):
            what = f"{event.get_action_display()}: {_outcome(workflow, detail.get('outcome', ''))}"
        elif event.action in (CaseEvent.Action.ANSWERED, CaseEvent.Action.INFORMATION_ADDED):
            found = referrer(definition, submission)
            who = f"{found.name} (the referrer)" if found else "The referrer"
        elif event.action == CaseEvent.Action.INFORMATION_SEEN:
            count = detail.get("count", 1)
            what = "Marked information received as read" + (f" ({count})" if count != 1 else "")
        elif event.action == CaseEvent.Action.TRANSFERRED:
            to = teams.get(detail.get("to", ""), detail.get("to", ""))
            what = f"Transferred from {event.team.name} to {to}"
            reason = str(detail.get("reason", ""))
        elif event.action in CHECK_ACTIONS:
            agency = PartnerCheck.Agency(detail.get("agency", "other")).label
            what = f"{event.get_action_display()}: {agency}"
            if detail.get("due"):
                due = datetime.date.fromisoformat(detail["due"])
                what += f" (now due {due:%-d %B %Y})"
        elif event.action == CaseEvent.Action.IMPORTED:
            who = ""  # the system is named in the line itself
            what = f"Imported into {event.system} as {detail.get('external_reference', '')}"
        elif event.action == CaseEvent.Action.RESTRICTED:
            what = f"Restricted to {named('people', detail)}"
        elif event.action == CaseEvent.Action.RESTRICTION_CHANGED:
            changes = [f"{word} {named(key, detail)}" for key, word in CHANGES if detail.get(key)]
            what = f"Restriction changed: {'; '.join(changes)}"
            if detail.get("reason") == "leaver":
                what += ": their account was closed"
            if detail.get("to_managers"):
                what += ". No manager named is left, so the team's managers can see it"
        entries.append(Entry(at=event.at, who=who, what=what, reason=reason))
    return entries


@dataclass
class Viewing:
    who: str
    day: datetime.date
    last: datetime.datetime
    times: int = 1


def viewings(submission: Submission, limit: int = 100) -> list[Viewing]:
    """Who has viewed the referral (audit `submission.viewed`), newest first: one line per
    person per day, with their last view that day and how many times."""
    rows = (
        AuditEvent.objects.filter(
            action=VIEWED, object_type=Submission._meta.label_lower, object_id=str(submission.pk)
        )
        .exclude(actor_id=None)
        .order_by("-at")
        .values_list("actor_id", "at")[:2000]
    )
    seen: dict[tuple[int, datetime.date], Viewing] = {}
    order: list[tuple[int, datetime.date]] = []
    ids: set[int] = set()
    for actor_id, at in rows:
        key = (int(actor_id or 0), timezone.localtime(at).date())
        if key in seen:
            seen[key].times += 1
            continue
        seen[key] = Viewing(who="", day=key[1], last=at)
        order.append(key)
        ids.add(key[0])
    names = _names(ids)
    found = []
    for key in order[:limit]:
        viewing = seen[key]
        viewing.who = names.get(key[0], "A former member of staff")
        found.append(viewing)
    return found


@dataclass
class Repeat:
    reference: str
    team: str
    received: datetime.datetime
    may_open: bool
    outcome: str = ""


def repeats(case: Case, user: User) -> list[Repeat]:
    """The other referrals naming the same child that this person may know of: in their
    own teams, or in teams that their team holding the case (now, or before a transfer)
    shares repeats with. A former team reads with its own sharing, not the new team's.
    Others are not listed at all."""
    own = {membership.team_id for membership in user.team_memberships}
    holding = {case.team.slug} if case.team_id in own else set()
    holding |= set(case.former_teams.filter(pk__in=own).values_list("slug", flat=True))
    shared = {slug for team in holding for slug in workflow_for(team).shares_repeats_with}
    found = []
    others = (
        case.repeats.filter(services.not_restricted_from(user))
        .select_related("submission", "team")
        .prefetch_related("former_teams")
        .order_by("-submission__sent_at")
    )
    for other in others:
        mine = other.team_id in own or bool({t.pk for t in other.former_teams.all()} & own)
        if not mine and other.team.slug not in shared:
            continue
        found.append(
            Repeat(
                reference=other.submission.reference,
                team=other.team.name,
                received=other.received_at,
                may_open=mine,
                outcome=_outcome(workflow_for(other.team.slug), other.outcome),
            )
        )
    return found


@dataclass
class RemovedRepeat:
    """An earlier referral naming the same child that retention has removed: its
    tombstone's reference, form, outcome and closure."""

    reference: str
    form: str
    outcome: str
    closed: datetime.datetime


def removed_repeats(case: Case, user: User) -> list[RemovedRepeat]:
    """The removed referrals naming the same child that this person may know of, by the
    same rule as `repeats` (their team is one of theirs, or shares repeats with theirs
    holding the case). A referral restricted when it was removed is never listed."""
    own = {membership.team_id for membership in user.team_memberships}
    holding = {case.team.slug} if case.team_id in own else set()
    holding |= set(case.former_teams.filter(pk__in=own).values_list("slug", flat=True))
    shared = {slug for team in holding for slug in workflow_for(team).shares_repeats_with}
    found = []
    for tombstone in (
        case.removed_repeats.filter(restricted=False).select_related("team").order_by("-closed_at")
    ):
        if tombstone.team_id not in own and tombstone.team.slug not in shared:
            continue
        definition = registry.get(tombstone.form_slug)
        found.append(
            RemovedRepeat(
                reference=tombstone.reference,
                form=definition.title if definition else tombstone.form_slug,
                outcome=tombstone.outcome_name,
                closed=tombstone.closed_at,
            )
        )
    return found


@dataclass
class Restriction:
    """Who a restricted referral is restricted to, for the panel at the top of its pages."""

    people: list[str]
    by: str
    at: datetime.datetime
    # No manager named is left in the team: its managers see it too (and may lift it).
    managers: bool = False


def restriction(case: Case, user: User) -> Restriction | None:
    if not case.is_restricted:
        return None
    assert case.restricted_at is not None
    people = case.restricted_to.order_by("first_name", "last_name")
    names = [p.get_full_name() + (" (you)" if p.pk == user.pk else "") for p in people]
    by = case.restricted_by
    return Restriction(
        people=names,
        by=by.get_full_name() if by else "a former member of staff",
        at=case.restricted_at,
        managers=services.passed_to_managers(case),
    )


def _proposer(user: User | None) -> str:
    """Who proposed the decision waiting for a manager, and whether they have left (they
    cannot be asked about it: a manager confirms or changes it, as any other)."""
    if user is None:
        return "A former member of staff"
    return user.get_full_name() + ("" if user.is_active else " (their account is closed)")


@dataclass
class Summary:
    """The case as the page's summary shows it."""

    team: str
    stage: str
    assignee: str
    rating: str
    rating_reason: str
    due: datetime.datetime | None
    time_left: str
    outcome: str
    proposed: str
    proposed_by: str
    proposed_response: str
    former_teams: list[str] = field(default_factory=list)


def summary(case: Case) -> Summary:
    workflow = workflow_for(case.team.slug)
    left = ""
    if case.due_at is not None and case.decided_at is None:
        left = timescales.time_left(case.due_at, timezone.now())
    return Summary(
        team=case.team.name,
        stage=_stage(workflow, case.stage),
        assignee=case.assignee.get_full_name() if case.assignee else "",
        rating=case.get_rating_display() if case.rating else "",
        rating_reason=case.rating_reason,
        due=case.due_at,
        time_left=left,
        outcome=_outcome(workflow, case.outcome),
        proposed=_outcome(workflow, case.proposed_outcome),
        proposed_by=_proposer(case.proposed_by),
        proposed_response=case.proposed_response,
        former_teams=[t.name for t in case.former_teams.all()],
    )


@dataclass
class Allowed:
    """What this person may do on the case, so the page offers only that."""

    act: bool = False
    assign_to_others: bool = False
    rate: bool = False
    confirm: bool = False
    manager: bool = False
    # A worker's decision waits for a manager (the workflow keeps confirming for them).
    proposes: bool = False
    # Restrict who can see it, change who, lift it: the team's managers.
    restrict: bool = False
    colleagues: list[User] = field(default_factory=list)


def allowed(case: Case, user: User) -> Allowed:
    if not services.may_act(user, case):
        return Allowed()
    manager = services.is_manager(user, case.team)
    return Allowed(
        act=True,
        assign_to_others=services.may(user, case, services.ASSIGN_TO_OTHERS),
        rate=not case.rating or services.may(user, case, services.CHANGE_RATING),
        confirm=manager and bool(case.proposed_outcome) and case.is_open,
        manager=manager,
        proposes=not manager
        and workflow_for(case.team.slug).manager_only(services.CONFIRM_DECISION),
        restrict=manager,
        colleagues=assignable(case),
    )


def assignable(case: Case) -> list[User]:
    """The people the case may be assigned to: the team's, and of a restricted case only
    those it names."""
    people = colleagues(case.team)
    if case.is_restricted:
        named = set(case.restricted_to.values_list("pk", flat=True))
        people = [p for p in people if p.pk in named]
    return people


def colleagues(team: Team) -> list[User]:
    """The members of the team, to assign a referral to."""
    ids = Membership.objects.filter(team=team).values("user_id")
    return list(User.objects.filter(pk__in=ids, is_active=True).order_by("first_name", "last_name"))


@dataclass
class Referrer:
    name: str = ""
    organisation: str = ""
    job_title: str = ""
    email: str = ""
    telephone: str = ""


REFERRER_FIELDS = ("first_name", "last_name", "organisation", "job_title", "email", "telephone")


def sent_anonymously(submission: Submission) -> bool:
    """Sent without an account, or (feedback) "without your name and contact details":
    the team is not shown who sent it (the `anonymous` question, docs/forms.md)."""
    if submission.owner_id is None:
        return True
    return any(
        isinstance(answers, dict) and answers.get("anonymous") == "yes"
        for answers in submission.answers.values()
    )


def referrer(definition: Definition, submission: Submission) -> Referrer | None:
    """Who sent the form: their details as the form gave them (the questions filled in
    from the account, `prefill`, may be changed for one form), else as the account has
    them. None when it was sent without an account or anonymously."""
    owner, answers = submission.owner, submission.answers
    if owner is None or sent_anonymously(submission):
        return None
    found = {name: str(getattr(owner, name, "") or "") for name in REFERRER_FIELDS}
    for section in definition.sections:
        stored = answers.get(section.slug)
        if section.person or not isinstance(stored, dict):
            continue
        for question in section.questions:
            value = stored.get(question.id)
            if question.prefill in REFERRER_FIELDS and isinstance(value, str) and value.strip():
                found[question.prefill] = value.strip()
    return Referrer(
        name=f"{found['first_name']} {found['last_name']}".strip(),
        organisation=found["organisation"],
        job_title=found["job_title"],
        email=found["email"],
        telephone=found["telephone"],
    )


def top(case: Case, definition: Definition) -> dict[str, Any]:
    """The top of every page about a referral: the children, urgency, the referrer and
    what must not be shared with the family."""
    submission = case.submission
    return {
        "case": case,
        "children": children(definition, submission.answers),
        "flags": list(case.flags),
        "referrer": referrer(definition, submission),
        "anonymous": submission.owner_id is not None and sent_anonymously(submission),
        "withheld": withheld_answers(definition, submission.answers),
    }


def partner_checks(case: Case) -> list[tuple[PartnerCheck, bool]]:
    """The case's partner checks, oldest first, each with whether it is overdue today (the
    same rule as the inbox's: `cases.partner_checks`)."""
    today = timezone.localdate()
    checks = case.partner_checks.select_related("asked_by", "reply_recorded_by").prefetch_related(
        "chases__by"
    )
    return [(check, case.is_open and check.is_overdue(today)) for check in checks]
