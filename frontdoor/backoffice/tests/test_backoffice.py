import pytest
from django.core import mail
from django.test import Client

from conftest import sign_in
from frontdoor.audit.models import AuditEvent
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import StatusChange, Submission
from frontdoor.referrals.submissions import submit

pytestmark = pytest.mark.django_db


def sent_feedback(user, teams) -> Submission:
    """A Feedback form sent to the feedback team (any team's form works the same)."""
    from django.http import QueryDict

    draft = drafts.start(user, registry.get("feedback"))
    definition = registry.get("feedback")
    for slug, data in (
        ("about-you", "anonymous=yes"),
        ("your-feedback", "kind=complaint&what_happened=Nobody+called+back"),
    ):
        drafts.save_section(draft, definition.section(slug), QueryDict(data), loaded_revision=0)
    return submit(draft.pk, user)


@pytest.fixture
def feedback_staff(teams, run_tasks):
    from conftest import make_user

    user = make_user("feedback.team@council.example.gov.uk", "Fran", "Lee", is_professional=True)
    user.teams.add(teams["feedback"])
    return user


def signed_in(user, run_tasks) -> Client:
    client = Client()
    sign_in(client, user, run_tasks)
    return client


def test_staff_see_their_teams_submissions_and_record_an_outcome(
    member_of_public, feedback_staff, teams, run_tasks
):
    submission = sent_feedback(member_of_public, teams)
    staff = signed_in(feedback_staff, run_tasks)

    inbox = staff.get("/team/").content.decode()
    assert submission.reference in inbox
    page = staff.get(f"/team/{submission.reference}/").content.decode()
    assert "Nobody called back" in page
    assert AuditEvent.objects.filter(
        action="submission.viewed", actor_id=feedback_staff.pk, object_id=str(submission.pk)
    ).exists()

    response = staff.post(
        f"/team/{submission.reference}/",
        {"status": "completed", "response": "We have spoken to the team and apologise."},
    )
    assert response.status_code == 302
    latest = submission.history.last()
    assert latest.status == StatusChange.Status.COMPLETED
    assert latest.by == feedback_staff
    run_tasks()
    email = mail.outbox[-1]
    assert email.to == [member_of_public.email]
    assert submission.reference in email.body
    assert "apologise" not in email.body

    referrer = signed_in(member_of_public, run_tasks)
    seen = referrer.get(f"/forms/sent/{submission.reference}/").content.decode()
    assert "We have spoken to the team and apologise." in seen
    assert "Completed" in seen


def test_staff_of_another_team_and_referrers_get_404(
    member_of_public, professional, mash_staff, teams, run_tasks
):
    submission = sent_feedback(member_of_public, teams)
    other_team = signed_in(mash_staff, run_tasks)
    assert other_team.get(f"/team/{submission.reference}/").status_code == 404
    assert (
        other_team.post(f"/team/{submission.reference}/", {"status": "completed"}).status_code
        == 404
    )
    assert submission.reference not in other_team.get("/team/").content.decode()
    not_staff = signed_in(professional, run_tasks)
    assert not_staff.get("/team/").status_code == 404
    assert not_staff.get(f"/team/{submission.reference}/").status_code == 404
    assert submission.history.count() == 1


def test_a_status_is_required(member_of_public, feedback_staff, teams, run_tasks):
    submission = sent_feedback(member_of_public, teams)
    staff = signed_in(feedback_staff, run_tasks)
    response = staff.post(f"/team/{submission.reference}/", {"response": "x"})
    assert "Select the status" in response.content.decode()
    assert submission.history.count() == 1
