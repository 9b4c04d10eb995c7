"""Every action on a referral's page: a small form posting to its own URL, one service
call, the history and the audit; manager-only actions refused to a worker (403) and not
offered; a referral that changed since the page was loaded says so, keeping what was
typed; notes never reach the referrer."""

import pytest
from django.core import mail

from conftest import make_user, signed_in
from frontdoor.accounts.models import Membership
from frontdoor.audit.models import AuditEvent
from frontdoor.backoffice.tests.test_backoffice import sent_feedback
from frontdoor.backoffice.tests.test_referral_page import case_of, referral
from frontdoor.cases import services
from frontdoor.cases.models import CaseEvent, Note
from frontdoor.cases.workflows import workflow_for
from frontdoor.referrals.models import StatusChange

pytestmark = pytest.mark.django_db

CHANGED = "This referral changed since you opened it: check it and try again"


@pytest.fixture
def manager(teams):
    user = make_user("mash.manager@council.example.gov.uk", "Dana", "Hughes", is_professional=True)
    Membership.objects.create(user=user, team=teams["social-care"], role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def colleague(teams):
    user = make_user("second.worker@council.example.gov.uk", "Jamie", "Cole")
    user.teams.add(teams["social-care"])
    return user


def audited(submission, action: str, actor) -> bool:
    return AuditEvent.objects.filter(
        action=action, object_id=str(submission.pk), actor_id=actor.pk
    ).exists()


def url(submission, action: str = "") -> str:
    return f"/team/{submission.reference}/" + (f"{action}/" if action else "")


def test_assign_to_me_and_unassign(professional, mash_staff, run_tasks):
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    version = case_of(submission).version

    response = staff.post(url(submission, "assign"), {"assign-to": "me", "assign-version": version})

    assert response.status_code == 302
    assert response["Location"] == url(submission)
    assert case_of(submission).assignee == mash_staff
    assert audited(submission, "case.assigned", mash_staff)
    page = staff.get(url(submission)).content.decode()
    assert "Assignment saved" in page
    assert "Unassign" in page
    assert "Assign to me" not in page

    case = case_of(submission)
    staff.post(url(submission, "assign"), {"assign-to": "nobody", "assign-version": case.version})
    assert case_of(submission).assignee is None
    assert audited(submission, "case.unassigned", mash_staff)


def test_only_a_manager_assigns_to_a_colleague_or_takes_one_over(
    professional, mash_staff, manager, colleague, run_tasks
):
    submission = referral(professional)
    worker = signed_in(mash_staff, run_tasks)
    page = worker.get(url(submission)).content.decode()
    assert "Choose a colleague" not in page  # not offered
    version = case_of(submission).version

    to_colleague = {"assign-to": str(colleague.pk), "assign-version": version}
    assert worker.post(url(submission, "assign"), to_colleague).status_code == 403
    assert case_of(submission).assignee is None

    boss = signed_in(manager, run_tasks)
    page = boss.get(url(submission)).content.decode()
    assert "Choose a colleague" in page
    # The manager is "Me" in the list, not also a colleague by name.
    assign_list = page.split('<select name="assign-to"')[1].split("</select>")[0]
    assert f'value="{colleague.pk}"' in assign_list
    assert f'value="{manager.pk}"' not in assign_list
    assert manager.get_full_name() not in assign_list
    assert boss.post(url(submission, "assign"), to_colleague).status_code == 302
    assert case_of(submission).assignee == colleague
    assert "Reassign" in boss.get(url(submission)).content.decode()

    # The worker may not take a colleague's referral, nor unassign it.
    version = case_of(submission).version
    for to in ("me", "nobody"):
        taken = worker.post(url(submission, "assign"), {"assign-to": to, "assign-version": version})
        assert taken.status_code == 403
    assert case_of(submission).assignee == colleague


def test_rate_with_a_reason_and_only_a_manager_changes_it(
    professional, mash_staff, manager, run_tasks
):
    submission = referral(professional)
    worker = signed_in(mash_staff, run_tasks)
    version = case_of(submission).version

    missing = worker.post(url(submission, "rate"), {"rate-rating": "red", "rate-version": version})
    assert missing.status_code == 200
    assert "Give the reason for the rating" in missing.content.decode()
    assert 'value="red" checked' in missing.content.decode()  # what was chosen is kept

    rated = worker.post(
        url(submission, "rate"),
        {"rate-rating": "red", "rate-reason": "At risk now", "rate-version": version},
    )
    assert rated.status_code == 302
    assert (case_of(submission).rating, case_of(submission).rating_reason) == ("red", "At risk now")
    assert audited(submission, "case.rated", mash_staff)

    page = worker.get(url(submission)).content.decode()
    assert "Change the rating" not in page
    assert worker.get(url(submission, "rate")).status_code == 403
    change = {
        "rate-rating": "amber",
        "rate-reason": "The school has them safe",
        "rate-version": case_of(submission).version,
    }
    assert worker.post(url(submission, "rate"), change).status_code == 403

    boss = signed_in(manager, run_tasks)
    assert "Change the rating" in boss.get(url(submission)).content.decode()
    assert boss.post(url(submission, "rate"), change).status_code == 302
    assert case_of(submission).rating == "amber"
    rated = CaseEvent.objects.filter(case__pk=submission.pk, action="rated").order_by("at", "id")
    assert [(e.detail["rating"], e.detail["reason"]) for e in rated] == [
        ("red", "At risk now"),
        ("amber", "The school has them safe"),
    ]
    history = boss.get(url(submission)).content.decode().split('data-testid="history"')[1]
    assert "Rated amber (was red)" in history
    assert "At risk now" in history


def test_a_note_is_internal(professional, mash_staff, run_tasks):
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    secret = "Father known to police: do not phone the home"

    empty = staff.post(url(submission, "note"), {"note-text": "  "})
    assert "Enter the note" in empty.content.decode()
    added = staff.post(url(submission, "note"), {"note-text": secret, "note-version": "1"})
    assert added.status_code == 302
    assert Note.objects.get().text == secret
    assert audited(submission, "case.note_added", mash_staff)
    assert secret not in str(AuditEvent.objects.filter(action="case.note_added").get().detail)
    assert secret in staff.get(url(submission)).content.decode()

    # Decided, with the referrer told: still no note anywhere they can see.
    boss = make_user("mash.manager@council.example.gov.uk", "Dana", "Hughes")
    Membership.objects.create(user=boss, team=case_of(submission).team, role="manager")
    services.decide(case_of(submission), "strategy-discussion", "We are meeting today.", boss)
    run_tasks()
    referrer = signed_in(professional, run_tasks)
    seen = referrer.get(f"/forms/sent/{submission.reference}/").content.decode()
    assert "We are meeting today." in seen
    assert secret not in seen
    assert secret not in referrer.get("/forms/sent/").content.decode()
    assert mail.outbox
    for message in mail.outbox:
        assert secret not in message.body
        assert secret not in message.subject
        for alternative, _ in getattr(message, "alternatives", []):
            assert secret not in alternative


def test_move_to_a_stage(professional, mash_staff, run_tasks):
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    page = staff.get(url(submission)).content.decode()
    assert "Closed" not in page.split("Move to a stage")[1].split("</form>")[0]

    moved = staff.post(
        url(submission, "stage"),
        {"stage-stage": "screening", "stage-version": case_of(submission).version},
    )
    assert moved.status_code == 302
    assert case_of(submission).stage == "screening"
    assert audited(submission, "case.stage_changed", mash_staff)
    closed = staff.post(
        url(submission, "stage"),
        {"stage-stage": "closed", "stage-version": case_of(submission).version},
    )
    assert "Select a stage" in closed.content.decode()
    assert case_of(submission).stage == "screening"


def test_a_case_in_a_stage_the_workflow_no_longer_has_is_warned_of_and_can_be_moved(
    professional, mash_staff, run_tasks
):
    from frontdoor.cases.checks import cases_are_in_stages_their_workflow_has

    submission = referral(professional)
    assert cases_are_in_stages_their_workflow_has(None) == []
    # The council renamed "screening" to "triage" after this case was moved to it.
    case = case_of(submission)
    case.stage = "triage"
    case.save(update_fields=["stage"])

    [warning] = cases_are_in_stages_their_workflow_has(None)
    assert warning.id == "cases.W001"
    assert not warning.is_serious()  # warned, never stopped from starting
    assert "1 open referral(s) of the team 'social-care' are in the stage 'triage'" in warning.msg
    assert "received, screening, decision" in (warning.hint or "")

    staff = signed_in(mash_staff, run_tasks)
    page = staff.get(url(submission))
    assert page.status_code == 200
    assert "triage" in page.content.decode()
    moved = staff.post(
        url(submission, "stage"),
        {"stage-stage": "decision", "stage-version": case_of(submission).version},
    )
    assert moved.status_code == 302
    assert case_of(submission).stage == "decision"
    assert cases_are_in_stages_their_workflow_has(None) == []


def test_decide_in_two_steps_without_javascript(professional, manager, run_tasks):
    submission = referral(professional)
    staff = signed_in(manager, run_tasks)
    workflow = workflow_for("social-care")

    choose = staff.get(url(submission, "decide")).content.decode()
    for outcome in workflow.outcomes:
        assert f'value="{outcome.slug}"' in choose
        assert outcome.name in choose
    nothing = staff.get(url(submission, "decide"), {"outcome": ""}).content.decode()
    assert "Select the decision" in nothing

    chosen = workflow.outcome("strategy-discussion")
    step2 = staff.get(
        url(submission, "decide"), {"outcome": "strategy-discussion"}
    ).content.decode()
    assert chosen.name in step2
    assert chosen.response in step2  # pre-written, in the box to edit
    assert 'name="decide-outcome" value="strategy-discussion"' in step2

    version = case_of(submission).version
    too_long = "x" * 5001
    refused = staff.post(
        url(submission, "decide"),
        {
            "decide-outcome": "strategy-discussion",
            "decide-response": too_long,
            "decide-version": version,
        },
    )
    assert "must be 5000 characters or fewer" in refused.content.decode()
    assert too_long in refused.content.decode()  # nothing typed is lost
    assert case_of(submission).decided_at is None

    sent = staff.post(
        url(submission, "decide"),
        {
            "decide-outcome": "strategy-discussion",
            "decide-response": "We are holding a strategy discussion today.",
            "decide-version": version,
        },
    )
    assert sent.status_code == 302
    case = case_of(submission)
    assert case.outcome == "strategy-discussion"
    assert case.decided_by == manager
    told = StatusChange.objects.filter(submission=submission).last()
    assert (told.label, told.response) == (
        chosen.name,
        "We are holding a strategy discussion today.",
    )
    assert audited(submission, "case.decided", manager)
    told = staff.get(url(submission)).content.decode().split('data-testid="told"')[1]
    assert "Email to the referrer: not sent yet" in told.split("</dl>")[0]
    run_tasks()
    told = staff.get(url(submission)).content.decode().split('data-testid="told"')[1]
    assert "Email to the referrer: sent on" in told.split("</dl>")[0]
    email = mail.outbox[-1]
    assert email.to == [professional.email]
    assert submission.reference in email.body
    assert "strategy discussion today" not in email.body
    seen = signed_in(professional, run_tasks).get(f"/forms/sent/{submission.reference}/")
    assert "We are holding a strategy discussion today." in seen.content.decode()
    # Decided once: the decision page is no longer offered.
    page = staff.get(url(submission)).content.decode()
    assert "Continue" not in page
    assert staff.get(url(submission, "decide")).status_code == 302


def test_a_worker_proposes_and_a_manager_confirms(professional, mash_staff, manager, run_tasks):
    submission = referral(professional)
    worker = signed_in(mash_staff, run_tasks)
    assert "Propose a decision" in worker.get(url(submission)).content.decode()
    proposed = worker.post(
        url(submission, "decide"),
        {
            "decide-outcome": "early-help",
            "decide-response": "Early Help will call you.",
            "decide-version": case_of(submission).version,
        },
    )
    assert proposed.status_code == 302
    case = case_of(submission)
    assert (case.proposed_outcome, case.decided_at) == ("early-help", None)
    assert audited(submission, "case.decision_proposed", mash_staff)
    waiting = worker.get(url(submission)).content.decode()
    assert "Waiting for a manager" in waiting
    # Offered again, it says it would replace the one waiting (not as if none were made).
    assert "Propose a different decision" in waiting
    assert ">Propose a decision<" not in waiting
    assert worker.get(url(submission, "confirm")).status_code == 403
    assert (
        worker.post(
            url(submission, "confirm"),
            {"confirm-outcome": "early-help", "confirm-version": case.version},
        ).status_code
        == 403
    )

    boss = signed_in(manager, run_tasks)
    # The inbox says which referrals wait for a manager's confirmation.
    assert "Waiting for a manager</strong>" in boss.get("/team/").content.decode()
    assert "Confirm the proposed decision" in boss.get(url(submission)).content.decode()
    form = boss.get(url(submission, "confirm")).content.decode()
    assert "Early Help will call you." in form
    confirmed = boss.post(
        url(submission, "confirm"),
        {
            "confirm-outcome": "early-help",
            "confirm-response": "Early Help will call you this week.",
            "confirm-version": case.version,
        },
    )
    assert confirmed.status_code == 302
    case = case_of(submission)
    assert (case.outcome, case.decided_by) == ("early-help", manager)
    assert StatusChange.objects.filter(submission=submission).last().response == (
        "Early Help will call you this week."
    )
    assert audited(submission, "case.decided", manager)
    decided = boss.get("/team/?stage=all").content.decode()
    assert submission.reference in decided
    assert "Waiting for a manager" not in decided


def test_each_team_decides_from_its_own_outcomes(member_of_public, feedback_staff, run_tasks):
    submission = sent_feedback(member_of_public, None)
    staff = signed_in(feedback_staff, run_tasks)
    page = staff.get(url(submission)).content.decode()
    assert "Strategy discussion" not in page
    for outcome in workflow_for("feedback").outcomes:
        assert outcome.name in page
    # Sent anonymously: nobody to read a response, so none is asked for.
    step2 = staff.get(url(submission, "decide"), {"outcome": "responded"}).content.decode()
    assert "decide-response" not in step2
    sent = staff.post(
        url(submission, "decide"),
        {"decide-outcome": "responded", "decide-version": case_of(submission).version},
    )
    assert sent.status_code == 302
    assert case_of(submission).outcome == "responded"
    again = staff.post(
        url(submission, "decide"),
        {"decide-outcome": "responded", "decide-version": case_of(submission).version},
    )
    assert "already been decided" in again.content.decode()
    assert StatusChange.objects.filter(submission=submission, final=True).count() == 1
    assert staff.get(url(submission, "decide")).status_code == 302  # not offered any more


def test_transfer_to_another_team(professional, mash_staff, early_help_staff, run_tasks):
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    version = case_of(submission).version
    no_reason = staff.post(
        url(submission, "transfer"), {"transfer-team": "early-help", "transfer-version": version}
    )
    assert "Give the reason for the transfer" in no_reason.content.decode()

    moved = staff.post(
        url(submission, "transfer"),
        {
            "transfer-team": "early-help",
            "transfer-reason": "Needs family support, not social care",
            "transfer-version": version,
        },
    )
    assert moved.status_code == 302
    case = case_of(submission)
    assert case.team.slug == "early-help"
    assert audited(submission, "case.transferred", mash_staff)
    assert signed_in(early_help_staff, run_tasks).get(url(submission)).status_code == 200
    assert staff.get(url(submission)).status_code == 200  # read-only now


def test_a_referral_changed_since_the_page_was_loaded(
    professional, mash_staff, colleague, run_tasks
):
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    seen_version = case_of(submission).version
    services.assign(case_of(submission), colleague, colleague)  # meanwhile

    stale = staff.post(
        url(submission, "rate"),
        {"rate-rating": "amber", "rate-reason": "Typed with care", "rate-version": seen_version},
    )

    assert stale.status_code == 200
    page = stale.content.decode()
    assert CHANGED in page
    assert "Typed with care" in page
    assert 'value="amber" checked' in page
    assert "Jamie Cole" in page  # the referral as it is now
    assert not case_of(submission).rating
    # The page now carries the version it shows: sending it again works.
    current = case_of(submission).version
    assert f'name="rate-version" value="{current}"' in page
    again = staff.post(
        url(submission, "rate"),
        {"rate-rating": "amber", "rate-reason": "Typed with care", "rate-version": current},
    )
    assert again.status_code == 302

    forged = staff.post(url(submission, "stage"), {"stage-stage": "screening"})
    assert CHANGED in forged.content.decode()
    # A note never conflicts: written on a stale page, it is kept.
    kept = staff.post(
        url(submission, "note"), {"note-text": "Still kept", "note-version": seen_version}
    )
    assert kept.status_code == 302
    assert Note.objects.filter(text="Still kept").exists()


def test_staff_see_when_the_decision_email_failed(professional, manager, run_tasks):
    from django.utils import timezone

    from frontdoor.notifications.models import Email

    submission = referral(professional)
    staff = signed_in(manager, run_tasks)
    services.decide(case_of(submission), "no-further-action", "Thank you.", manager)
    change = StatusChange.objects.filter(submission=submission).last()
    assert change.email is not None
    # The worker gave up on it (notifications' own tests drive a refusing mail server).
    Email.objects.filter(pk=change.email_id).update(failed_at=timezone.now(), attempts=6)
    page = staff.get(url(submission)).content.decode()
    told = page.split('data-testid="told"')[1].split("</dl>")[0]
    assert "govuk-tag--red" in told
    assert "so phone them or write to them instead" in told


def test_a_closed_referral_keeps_its_rating(professional, manager, run_tasks):
    """A decided and closed referral offers no rating, and a forged POST changes nothing:
    the rating stays what it was when the decision was made."""
    submission = referral(professional)
    case = services.rate(case_of(submission), "red", "At risk now", manager)
    services.decide(case, services.offered_outcomes(case)[0].slug, "Thank you", manager)
    case = case_of(submission)
    assert case.closed_at is not None
    boss = signed_in(manager, run_tasks)
    assert "Change the rating" not in boss.get(url(submission)).content.decode()
    assert boss.get(url(submission, "rate")).status_code == 302  # back to the referral
    forged = boss.post(
        url(submission, "rate"),
        {"rate-rating": "green", "rate-reason": "Changed after", "rate-version": case.version},
    )
    assert forged.status_code == 200
    assert "This referral is closed" in forged.content.decode()
    assert (case_of(submission).rating, case_of(submission).version) == ("red", case.version)
    with pytest.raises(services.NotAllowed):
        services.rate(case, "green", "Changed after", manager)
    assert not CaseEvent.objects.filter(case=case, action="rated", detail__rating="green").exists()


def test_an_action_page_says_plainly_when_no_child_is_named(
    member_of_public, feedback_staff, run_tasks
):
    # Found in a new-user trial: the page said "About no child named."
    submission = sent_feedback(member_of_public, None)
    staff = signed_in(feedback_staff, run_tasks)
    page = staff.get(url(submission, "rate")).content.decode()
    assert "About no child named" not in page
    assert "This form names no child." in page


def test_the_decide_page_does_not_show_two_rows_called_decision(
    professional, mash_staff, run_tasks
):
    # Found in a new-user trial: "Decision: Not decided yet" (the case) sat right above
    # "Decision: Strategy discussion (s47)" (the one being chosen).
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    page = staff.get(url(submission, "decide"), {"outcome": "strategy-discussion"}).content.decode()
    assert page.count('<dt class="govuk-summary-list__key">Decision</dt>') == 1
    assert "Decision you are making" in page
