"""Every action on a case, one named function each: open, assign, rate, note, decide,
confirm, transfer, restrict (and change or lift a restriction). The staff pages call
these, and the API will call the same ones.

Each function locks the case row, checks the actor may act (in its team; a manager where
the team's workflow keeps the action for managers), changes the case, raises its version,
writes a CaseEvent (the history staff read) and an audit event (who, what, no personal
data), all in one transaction. Two workers acting at once are serialised by the lock: a
second decision is refused, a note is never lost, and a page that loaded an older version
can say "this referral changed since you opened it" (`expected_version`).
"""

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from frontdoor.accounts.models import Membership, Team, User
from frontdoor.audit.services import record
from frontdoor.cases import notices, timescales
from frontdoor.cases.models import Case, CaseEvent, Note, Rating
from frontdoor.cases.workflows import Outcome, Workflow, workflow_for
from frontdoor.core.actors import System
from frontdoor.referrals.annotations import annotated
from frontdoor.referrals.definitions import Definition
from frontdoor.referrals.models import Submission
from frontdoor.referrals.submissions import record_outcome

ASSIGN_TO_OTHERS = "assign_to_others"
CHANGE_RATING = "change_rating"
CONFIRM_DECISION = "confirm_decision"
NOTE_MAX_LENGTH = 10000
REASON_MAX_LENGTH = 2000
RESPONSE_MAX_LENGTH = 5000


class CaseChanged(Exception):
    """The case changed since the page was loaded (another worker acted): nothing done."""


class NotAllowed(Exception):
    """The action does not apply to the case as it is now (with a message to show)."""


# --- Reading ------------------------------------------------------------------------------


def is_manager(user: User, team: Team) -> bool:
    return user.is_manager_of(team)


def held_by_a_manager() -> QuerySet[Any]:
    """The ids of restricted cases that name someone who is still an open account and a
    manager of the team the case is in: someone who can change or lift the restriction."""
    return Case.restricted_to.through.objects.filter(
        user__is_active=True,
        user__memberships__team_id=F("case__team_id"),
        user__memberships__role=Membership.Role.MANAGER,
    ).values("case_id")


def not_restricted_from(user: User) -> Q:
    """The cases that are not restricted, or whose restriction names the user. A restricted
    case is, to everyone else, as if it did not exist: every query of cases that lists,
    counts or links them for someone takes this filter (one subquery, never a query a row).
    It does not let anyone in by itself: the cases must be in the user's teams too.

    A restriction always has a manager who can lift it: once nobody it names is still a
    manager of the case's team (they left, were closed or moved), the team's managers see
    it too, and may change who it names or lift it (docs/security.md)."""
    named = Case.restricted_to.through.objects.filter(user_id=user.pk).values("case_id")
    mine = Q(restricted_at=None) | Q(pk__in=named)
    # The teams they manage: from the memberships this request already read, when it has
    # (User.team_memberships; a worker's pages then take no more subqueries), else asked.
    known = user.memberships_read()
    managed: Any
    if known is not None:
        managed = [m.team_id for m in known if m.role == Membership.Role.MANAGER]
        if not managed:
            return mine
    else:
        managed = Membership.objects.filter(user_id=user.pk, role=Membership.Role.MANAGER).values(
            "team_id"
        )
    return mine | (Q(team_id__in=managed) & ~Q(pk__in=held_by_a_manager()))


def passed_to_managers(case: Case) -> bool:
    """Whether a restricted case names no manager of its team who is still there, so that
    the team's managers see it (see not_restricted_from)."""
    return case.is_restricted and not held_by_a_manager().filter(case_id=case.pk).exists()


def may_see_restricted(user: User, case: Case) -> bool:
    """Whether the user may see the (restricted) case: named, or, once it is passed to the
    team's managers, one of them."""
    if not case.is_restricted or case.restricted_to.filter(pk=user.pk).exists():
        return True
    return is_manager(user, case.team) and passed_to_managers(case)


def visible_cases(user: User) -> QuerySet[Case]:
    """Every case the user may open: those in their teams, and (read-only) those their
    teams transferred to another team; but not a restricted one that does not name them
    (not even for a former team: the people named are the team's that has it now)."""
    team_ids = [membership.team_id for membership in user.team_memberships]
    return (
        Case.objects.filter(Q(team_id__in=team_ids) | Q(former_teams__in=team_ids))
        .filter(not_restricted_from(user))
        .distinct()
        .select_related("submission", "submission__form_version", "team", "assignee")
    )


def case_for(user: User, reference: str) -> Case | None:
    """The case with this reference if the user may see it, else None (the page's 404)."""
    return visible_cases(user).filter(submission__reference=reference).first()


def may_act(user: User, case: Case) -> bool:
    """Whether the user works in the team the case is in now (not only a former team)."""
    return Membership.objects.filter(user=user, team_id=case.team_id).exists()


def may(user: User, case: Case, action: str) -> bool:
    """Whether the user may take an action that the workflow may keep for managers."""
    if not may_act(user, case):
        return False
    if workflow_for(case.team.slug).manager_only(action):
        return is_manager(user, case.team)
    return True


# --- Opening a case (a referral arrives) -----------------------------------------------------


def open_case(submission: Submission, definition: Definition, flags: list[str]) -> Case:
    """The case of a submission just sent: in the team its form names, at the workflow's
    first stage, its decision due by the form's timescale. Called inside submit()."""
    team = Team.objects.get(slug=submission.team_slug)
    workflow = workflow_for(team.slug)
    received = submission.sent_at
    due = None
    timescale = annotated(definition).timescale
    if timescale is not None:
        due = timescales.decision_due(received, timescale.amount, timescale.unit)
    case = Case.objects.create(
        submission=submission,
        team=team,
        stage=workflow.first_stage.slug,
        flags=flags,
        urgent=bool(flags),
        received_at=received,
        due_at=due,
        updated_at=received,
    )
    CaseEvent.objects.create(
        case=case, action=CaseEvent.Action.RECEIVED, at=received, team=team, detail={}
    )
    return case


def link_repeats(case: Case, others: list[int]) -> None:
    """Link the case to earlier cases naming the same child (by submission id)."""
    if others:
        case.repeats.add(*Case.objects.filter(pk__in=others))


def link_removed_repeats(case: Case, tombstones: set[int]) -> None:
    """Link the case to removed referrals naming the same child (by tombstone id)."""
    if tombstones:
        case.removed_repeats.add(*tombstones)


# --- Acting on a case ---------------------------------------------------------------------


def _locked(case: Case, by: User | System, expected_version: int | None) -> tuple[Case, Workflow]:
    locked = Case.objects.select_for_update().select_related("team").get(pk=case.pk)
    if isinstance(by, System):
        # A team's system (an API client): the teams it is a client for; never a
        # restricted case (to a system, one is as if it did not exist).
        if locked.team_id not in by.team_ids or locked.is_restricted:
            raise PermissionDenied("Only the team the referral is in can act on it")
    else:
        if not may_act(by, locked):
            raise PermissionDenied("Only the team the referral is in can act on it")
        if not may_see_restricted(by, locked):
            # The pages never get here (to them the case is not there).
            raise PermissionDenied("Only the people named can see this referral")
    if expected_version is not None and locked.version != expected_version:
        raise CaseChanged
    return locked, workflow_for(locked.team.slug)


def _allowed(by: User | System, case: Case, workflow: Workflow, action: str) -> bool:
    """A team's system acts as the team: its decision is made, never proposed."""
    if isinstance(by, System):
        return True
    return not workflow.manager_only(action) or is_manager(by, case.team)


def _audit_as(by: User | System) -> dict[str, Any]:
    """record()'s actor, or for a system no actor and its id and name in the detail."""
    if isinstance(by, System):
        return by.audit_detail()
    return {"actor": by}


def _changed(case: Case, fields: list[str], at: datetime.datetime) -> None:
    case.version += 1
    case.updated_at = at
    case.save(update_fields=[*fields, "version", "updated_at"])


def _event(
    case: Case, action: str, by: User | System | None, at: datetime.datetime, **detail: Any
) -> None:
    if isinstance(by, System):
        CaseEvent.objects.create(
            case=case, action=action, system=by.name, at=at, team_id=case.team_id, detail=detail
        )
        return
    CaseEvent.objects.create(
        case=case, action=action, actor=by, at=at, team_id=case.team_id, detail=detail
    )


def assign(case: Case, to: User | None, by: User, *, expected_version: int | None = None) -> Case:
    """Assign the case to `to` (None: back to the team's unassigned list). Assigning to
    anyone but oneself may be kept for managers."""
    with transaction.atomic():
        locked, workflow = _locked(case, by, expected_version)
        if to is not None and not Membership.objects.filter(user=to, team=locked.team).exists():
            raise NotAllowed("They are not in the team this referral is in")
        if to is not None and not to.is_active:
            raise NotAllowed("Their account is closed: choose someone else")
        if (
            to is not None
            and locked.is_restricted
            and not locked.restricted_to.filter(pk=to.pk).exists()
        ):
            raise NotAllowed(
                "This referral is restricted and they are not one of the people who can see it"
            )
        # Anyone takes an unassigned referral or gives back their own; assigning to someone
        # else, or taking a colleague's, is reassigning: perhaps for managers only.
        taking = to is not None and to.pk == by.pk and locked.assignee_id in (None, by.pk)
        giving_back = to is None and locked.assignee_id == by.pk
        reassigning = not (taking or giving_back)
        if reassigning and not _allowed(by, locked, workflow, ASSIGN_TO_OTHERS):
            raise PermissionDenied("Only a manager can assign a referral to someone else")
        if locked.closed_at is not None:
            raise NotAllowed("This referral is closed")
        if locked.assignee_id == (to.pk if to else None):
            return locked
        at = timezone.now()
        before = locked.assignee_id
        locked.assignee = to
        _changed(locked, ["assignee"], at)
        if to is None:
            _event(locked, CaseEvent.Action.UNASSIGNED, by, at, before=before)
        else:
            _event(locked, CaseEvent.Action.ASSIGNED, by, at, to=to.pk, before=before)
        record(
            "case.assigned" if to else "case.unassigned",
            actor=by,
            obj=locked.submission,
            to=to.pk if to else None,
            before=before,
        )
        return locked


def return_to_team(case: Case, by: User, *, reason: str) -> Case:
    """An administrator gives a referral back to its team's unassigned list (its assignee
    has left: `reason` "leaver"). Not a team action: `by` must be an administrator, who is
    in no team. A closed referral keeps its assignee (who decided it)."""
    if not by.is_staff:
        raise PermissionDenied("Only an administrator gives referrals back to their team")
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("submission").get(pk=case.pk)
        if locked.closed_at is not None or locked.assignee_id is None:
            return locked
        at = timezone.now()
        before = locked.assignee_id
        locked.assignee = None
        _changed(locked, ["assignee"], at)
        _event(locked, CaseEvent.Action.UNASSIGNED, by, at, before=before, reason=reason)
        record("case.unassigned", actor=by, obj=locked.submission, before=before, reason=reason)
        return locked


def rate(
    case: Case, rating: str, reason: str, by: User, *, expected_version: int | None = None
) -> Case:
    """Rate the case red, amber or green with a reason. Changing a rating needs a reason
    too, and may be kept for managers; the history keeps both."""
    if rating not in Rating.values:
        raise NotAllowed("Select red, amber or green")
    reason = reason.strip()
    if not reason:
        raise NotAllowed("Give the reason for the rating")
    with transaction.atomic():
        locked, workflow = _locked(case, by, expected_version)
        if locked.closed_at is not None:
            raise NotAllowed("This referral is closed")
        changing = bool(locked.rating)
        if changing and not _allowed(by, locked, workflow, CHANGE_RATING):
            raise PermissionDenied("Only a manager can change a rating")
        at = timezone.now()
        before = locked.rating
        locked.rating, locked.rating_reason = rating, reason
        _changed(locked, ["rating", "rating_reason"], at)
        _event(locked, CaseEvent.Action.RATED, by, at, rating=rating, before=before, reason=reason)
        record("case.rated", actor=by, obj=locked.submission, rating=rating, before=before)
        return locked


def add_note(case: Case, text: str, by: User) -> Note:
    """An internal note. Notes never conflict: two written at once are both kept."""
    text = text.strip()
    if not text:
        raise NotAllowed("Enter the note")
    with transaction.atomic():
        locked, _ = _locked(case, by, None)
        at = timezone.now()
        note = Note.objects.create(case=locked, author=by, team_id=locked.team_id, text=text, at=at)
        _changed(locked, [], at)
        _event(locked, CaseEvent.Action.NOTED, by, at, note=note.pk)
        record("case.note_added", actor=by, obj=locked.submission, note=note.pk)
        return note


def move_to_stage(case: Case, stage: str, by: User, *, expected_version: int | None = None) -> Case:
    """Move an open case to another of its workflow's stages (not Closed: deciding closes)."""
    with transaction.atomic():
        locked, workflow = _locked(case, by, expected_version)
        if locked.closed_at is not None:
            raise NotAllowed("This referral is closed")
        target = next((s for s in workflow.open_stages if s.slug == stage), None)
        if target is None:
            raise NotAllowed("Select a stage")
        if target.slug == locked.stage:
            return locked
        at = timezone.now()
        before = locked.stage
        locked.stage = target.slug
        _changed(locked, ["stage"], at)
        _event(locked, CaseEvent.Action.STAGE, by, at, stage=target.slug, before=before)
        record("case.stage_changed", actor=by, obj=locked.submission, stage=target.slug)
        return locked


def decide(
    case: Case,
    outcome: str,
    response: str,
    by: User | System,
    *,
    expected_version: int | None = None,
) -> Case:
    """Decide the case: an outcome its team's workflow offers at the case's stage, and a
    response for the referrer. Where the workflow keeps confirming decisions for managers,
    a worker's decision is proposed and waits for a manager (`confirm`); a manager's is
    made at once, and so is a team's system's (`by` a System: an API client, recorded by
    its name, never as a user). An outcome that does not close the case (LADO: threshold
    met) moves it to the stage of its next decision. Two decisions at once never both
    happen: the case row is locked, and the second finds the case moved on (or
    `expected_version` stale)."""
    response = response.strip()
    with transaction.atomic():
        locked, workflow = _locked(case, by, expected_version)
        chosen = _offered(locked, workflow, outcome)
        at = timezone.now()
        if not isinstance(by, System) and not _allowed(by, locked, workflow, CONFIRM_DECISION):
            # A worker proposes (a system never does: _allowed).
            locked.proposed_outcome, locked.proposed_response = chosen.slug, response
            locked.proposed_by = by
            locked.stage = workflow.decision_stage.slug
            _changed(locked, ["proposed_outcome", "proposed_response", "proposed_by", "stage"], at)
            _event(locked, CaseEvent.Action.PROPOSED, by, at, outcome=chosen.slug)
            record("case.decision_proposed", actor=by, obj=locked.submission, outcome=chosen.slug)
            return locked
        _decide(locked, workflow, chosen, response, by, at)
        return locked


def confirm(
    case: Case,
    by: User,
    *,
    outcome: str | None = None,
    response: str | None = None,
    expected_version: int | None = None,
) -> Case:
    """A manager confirms a proposed decision (perhaps changing its outcome or response)."""
    with transaction.atomic():
        locked, workflow = _locked(case, by, expected_version)
        if not is_manager(by, locked.team):
            raise PermissionDenied("Only a manager can confirm a decision")
        if not locked.proposed_outcome:
            raise NotAllowed("No decision is waiting to be confirmed")
        chosen = _offered(locked, workflow, outcome or locked.proposed_outcome)
        text = (locked.proposed_response if response is None else response).strip()
        _decide(locked, workflow, chosen, text, by, timezone.now())
        return locked


def offered_outcomes(case: Case) -> tuple[Outcome, ...]:
    """The decisions open to the case at its stage (none once it is closed)."""
    if case.closed_at is not None:
        return ()
    return workflow_for(case.team.slug).outcomes_at(case.stage)


def _offered(case: Case, workflow: Workflow, slug: str) -> Outcome:
    if case.closed_at is not None:
        raise NotAllowed("This referral has already been decided and closed")
    chosen = next((o for o in workflow.outcomes_at(case.stage) if o.slug == slug), None)
    if chosen is None:
        raise NotAllowed("Select the decision")
    return chosen


def _decide(
    case: Case,
    workflow: Workflow,
    chosen: Outcome,
    response: str,
    by: User | System,
    at: datetime.datetime,
) -> None:
    # decided_at is the first decision's time: what the timescale measures.
    case.outcome = chosen.slug
    case.decided_by = None if isinstance(by, System) else by
    case.decided_at = case.decided_at or at
    case.proposed_outcome, case.proposed_response, case.proposed_by = "", "", None
    if chosen.closes:
        case.stage, case.closed_at = workflow.closed_stage.slug, at
    else:
        case.stage = chosen.moves_to
    fields = ["outcome", "decided_at", "decided_by", "stage", "closed_at"]
    _changed(case, [*fields, "proposed_outcome", "proposed_response", "proposed_by"], at)
    _event(case, CaseEvent.Action.DECIDED, by, at, outcome=chosen.slug)
    # The referrer's record of it (emailed, reference only): the same for page and API.
    record_outcome(
        case.submission, chosen.slug, response, by, label=chosen.name, final=chosen.closes
    )
    record("case.decided", obj=case.submission, outcome=chosen.slug, **_audit_as(by))


def transfer(
    case: Case, to: Team, reason: str, by: User, *, expected_version: int | None = None
) -> Case:
    """Move the case to another team (MASH to Early Help, say), with its history. The
    first team keeps read-only access; the case starts at the new team's first stage,
    unassigned. The sent submission is never edited."""
    reason = reason.strip()
    with transaction.atomic():
        locked, _ = _locked(case, by, expected_version)
        if to.pk == locked.team_id:
            raise NotAllowed("Select another team")
        if locked.closed_at is not None:
            raise NotAllowed("This referral is closed")
        if not reason:
            raise NotAllowed("Give the reason for the transfer")
        if locked.is_restricted:
            # The people it is restricted to are this team's: the new team would have
            # nobody who could see it, or everybody.
            raise NotAllowed(
                "This referral is restricted: a manager must lift the restriction before it "
                "can be transferred"
            )
        at = timezone.now()
        before = locked.team
        _event(locked, CaseEvent.Action.TRANSFERRED, by, at, to=to.slug, reason=reason)
        locked.former_teams.add(before)
        locked.former_teams.remove(to)
        locked.team = to
        locked.stage = workflow_for(to.slug).first_stage.slug
        locked.assignee = None
        locked.proposed_outcome, locked.proposed_response, locked.proposed_by = "", "", None
        _changed(
            locked,
            ["team", "stage", "assignee", "proposed_outcome", "proposed_response", "proposed_by"],
            at,
        )
        record_outcome(
            locked.submission,
            "transferred",
            "",
            by,
            label=f"Passed to {to.name}",
            final=False,
            tell=False,
        )
        notices.tell_team_of_transfer(locked, before)
        record("case.transferred", actor=by, obj=locked.submission, to=to.slug, before=before.slug)
        return locked


def record_import(case: Case, by: System, external_reference: str, at: datetime.datetime) -> None:
    """The history's line for a case-management system taking the case in as its own case
    `external_reference` (frontdoor.api records the import itself, and calls this inside
    its transaction, the case row locked). Not a change to the referral: neither its
    version nor its updated time moves, and no webhook is raised (docs/api.md)."""
    CaseEvent.objects.create(
        case=case,
        action=CaseEvent.Action.IMPORTED,
        system=by.name,
        at=at,
        team_id=case.team_id,
        detail={"external_reference": external_reference},
    )


# --- Restricting who can see a case ---------------------------------------------------------
#
# A manager of the team a case is in may restrict it to named members of that team (a
# member of staff is the subject, say), change who is named, and lift it. They are always
# among those named. When no manager named is left in the team (closed, moved, or a
# worker now), the team's managers see it and may change or lift it: never nobody. This
# works on a closed case too: closing ends the work, not the need to keep it from
# colleagues (its reading, its repeat links and its export go on).


def _restricting(case: Case, by: User, expected_version: int | None) -> Case:
    locked, _ = _locked(case, by, expected_version)
    if not is_manager(by, locked.team):
        raise PermissionDenied("Only a manager can restrict who can see a referral")
    return locked


def _named(case: Case, people: list[User], by: User) -> list[User]:
    """The people to name: those chosen and the manager restricting, each in the team."""
    chosen = {p.pk: p for p in people}
    chosen[by.pk] = by
    members = set(
        Membership.objects.filter(team_id=case.team_id, user_id__in=chosen).values_list(
            "user_id", flat=True
        )
    )
    if set(chosen) - members:
        raise NotAllowed("Choose people in the team this referral is in")
    # (An assignee whose account is closed cannot be named: a closed case keeps them.)
    assignee = case.assignee
    if assignee is not None and assignee.is_active and assignee.pk not in chosen:
        raise NotAllowed(
            "The person this referral is assigned to must be one of the people who can see "
            "it: include them, or assign it to someone else first"
        )
    return sorted(chosen.values(), key=lambda p: p.pk)


def restrict(
    case: Case, people: list[User], by: User, *, expected_version: int | None = None
) -> Case:
    """Restrict the case to `people` of its team (and the manager restricting): to anyone
    else, in the team or a team that transferred it, it is no longer listed, counted,
    linked as a repeat or opened (404)."""
    with transaction.atomic():
        locked = _restricting(case, by, expected_version)
        if locked.is_restricted:
            raise NotAllowed("This referral is already restricted: change who can see it")
        named = _named(locked, people, by)
        at = timezone.now()
        locked.restricted_at, locked.restricted_by = at, by
        locked.restricted_to.set(named)
        _changed(locked, ["restricted_at", "restricted_by"], at)
        ids = [p.pk for p in named]
        _event(locked, CaseEvent.Action.RESTRICTED, by, at, people=ids)
        record("case.restricted", actor=by, obj=locked.submission, people=ids)
        return locked


def change_restriction(
    case: Case, people: list[User], by: User, *, expected_version: int | None = None
) -> Case:
    """Change who a restricted case is restricted to (the manager changing it stays)."""
    with transaction.atomic():
        locked = _restricting(case, by, expected_version)
        if not locked.is_restricted:
            raise NotAllowed("This referral is not restricted")
        named = _named(locked, people, by)
        before = set(locked.restricted_to.values_list("pk", flat=True))
        ids = {p.pk for p in named}
        if ids == before:
            return locked
        at = timezone.now()
        locked.restricted_to.set(named)
        _changed(locked, [], at)
        added, removed = sorted(ids - before), sorted(before - ids)
        _event(locked, CaseEvent.Action.RESTRICTION_CHANGED, by, at, added=added, removed=removed)
        record(
            "case.restriction_changed",
            actor=by,
            obj=locked.submission,
            added=added,
            removed=removed,
        )
        return locked


def lift_restriction(case: Case, by: User, *, expected_version: int | None = None) -> Case:
    """Lift the restriction: the case is the team's again, as any other."""
    with transaction.atomic():
        locked = _restricting(case, by, expected_version)
        if not locked.is_restricted:
            raise NotAllowed("This referral is not restricted")
        at = timezone.now()
        before = sorted(locked.restricted_to.values_list("pk", flat=True))
        locked.restricted_at, locked.restricted_by = None, None
        locked.restricted_to.clear()
        _changed(locked, ["restricted_at", "restricted_by"], at)
        _event(locked, CaseEvent.Action.UNRESTRICTED, by, at, before=before)
        record("case.restriction_lifted", actor=by, obj=locked.submission, before=before)
        return locked


def restricted_naming(leaver: User) -> QuerySet[Case]:
    """The restricted cases that name the user (open or closed)."""
    return Case.objects.filter(restricted_to=leaver).exclude(restricted_at=None)


def left_to_managers(leaver: User) -> QuerySet[Case]:
    """Of the restricted cases naming the user, those that name no other manager of their
    team who is still there: once the user goes, the team's managers see them."""
    others = held_by_a_manager().exclude(user_id=leaver.pk)
    return restricted_naming(leaver).exclude(pk__in=others)


def unname_leaver(case: Case, leaver: User, by: User) -> Case:
    """An administrator takes a leaver off the people a restricted case names (their
    account is being closed). Not a team action: `by` is an administrator, who cannot see
    the case. If that leaves no manager of the team named, the team's managers see it
    (not_restricted_from); the history and the audit say so (`to_managers`)."""
    if not by.is_staff:
        raise PermissionDenied("Only an administrator takes a leaver off a restriction")
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("submission").get(pk=case.pk)
        if not locked.is_restricted or not locked.restricted_to.filter(pk=leaver.pk).exists():
            return locked
        at = timezone.now()
        locked.restricted_to.remove(leaver)
        _changed(locked, [], at)
        to_managers = not held_by_a_manager().filter(case_id=locked.pk).exists()
        detail: dict[str, Any] = {
            "added": [],
            "removed": [leaver.pk],
            "reason": "leaver",
            "to_managers": to_managers,
        }
        _event(locked, CaseEvent.Action.RESTRICTION_CHANGED, by, at, **detail)
        record("case.restriction_changed", actor=by, obj=locked.submission, **detail)
        return locked


def proposals_of(leaver: User) -> QuerySet[Case]:
    """The open cases whose decision the user proposed, waiting for a manager."""
    return Case.objects.filter(proposed_by=leaver, closed_at=None).exclude(proposed_outcome="")


def keep_proposal_of_leaver(case: Case, leaver: User, by: User) -> None:
    """An administrator closes the account of someone whose proposed decision waits for a
    manager. The proposal stays (it is the team's work: a manager confirms it or changes
    it, as any other, and the page says its proposer has left); this records that it was
    seen to, in the audit, with ids only."""
    if not by.is_staff:
        raise PermissionDenied("Only an administrator closes accounts")
    record(
        "case.proposal_kept",
        actor=by,
        obj=case.submission,
        proposed_by=leaver.pk,
        outcome=case.proposed_outcome,
        reason="leaver",
    )
