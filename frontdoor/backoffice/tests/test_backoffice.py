import pytest
from django.core import mail

from conftest import signed_in
from frontdoor.audit.models import AuditEvent
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import Submission
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


def test_staff_see_their_teams_submissions_and_decide(
    member_of_public, feedback_staff, teams, run_tasks
):
    submission = sent_feedback(member_of_public, teams)
    staff = signed_in(feedback_staff, run_tasks)

    inbox = staff.get("/team/").content.decode()
    assert submission.reference in inbox
    page = staff.get(f"/team/{submission.reference}/").content.decode()
    assert "Nobody called back" in page
    # Sent "without your name and contact details": the team is not shown who sent it.
    assert member_of_public.email not in page
    assert "Sam Jones" not in page
    assert AuditEvent.objects.filter(
        action="submission.viewed", actor_id=feedback_staff.pk, object_id=str(submission.pk)
    ).exists()

    response = staff.post(
        f"/team/{submission.reference}/decide/",
        {"decide-outcome": "responded", "decide-version": submission.case.version},
    )
    assert response.status_code == 302
    latest = submission.history.last()
    assert (latest.status, latest.label, latest.by) == ("responded", "Responded", feedback_staff)
    run_tasks()
    email = mail.outbox[-1]
    assert email.to == [member_of_public.email]
    assert submission.reference in email.body

    referrer = signed_in(member_of_public, run_tasks)
    seen = referrer.get(f"/forms/sent/{submission.reference}/").content.decode()
    assert "Responded" in seen


def test_staff_of_another_team_and_referrers_get_404(
    member_of_public, professional, mash_staff, teams, run_tasks
):
    submission = sent_feedback(member_of_public, teams)
    other_team = signed_in(mash_staff, run_tasks)
    assert other_team.get(f"/team/{submission.reference}/").status_code == 404
    decide = {"decide-outcome": "responded", "decide-version": "1"}
    assert other_team.post(f"/team/{submission.reference}/decide/", decide).status_code == 404
    assert submission.reference not in other_team.get("/team/").content.decode()
    not_staff = signed_in(professional, run_tasks)
    assert not_staff.get("/team/").status_code == 404
    assert not_staff.get(f"/team/{submission.reference}/").status_code == 404
    assert submission.history.count() == 1


def test_a_decision_is_required(member_of_public, feedback_staff, teams, run_tasks):
    submission = sent_feedback(member_of_public, teams)
    staff = signed_in(feedback_staff, run_tasks)
    response = staff.post(f"/team/{submission.reference}/decide/", {"decide-version": "1"})
    assert "Select the decision" in response.content.decode()
    assert submission.history.count() == 1


def pdf_text(content: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "copy.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def structure_tree_size(content: bytes) -> int:
    """How many structure elements the PDF's tag tree has (read with pypdf)."""
    import io

    from pypdf import PdfReader

    root = PdfReader(io.BytesIO(content)).trailer["/Root"]
    count = 0
    stack = [root["/StructTreeRoot"].get_object()]
    while stack:
        node = stack.pop()
        kids = node.get("/K") if hasattr(node, "get") else None
        if kids is None:
            continue
        kids = kids.get_object()
        for kid in kids if isinstance(kids, list) else [kids]:
            kid = kid.get_object() if hasattr(kid, "get_object") else kid
            if hasattr(kid, "get") and "/S" in kid:
                count += 1
                stack.append(kid)
    return count


def pdf_info(content: bytes, tmp_path) -> str:
    import subprocess

    path = tmp_path / "info.pdf"
    path.write_bytes(content)
    return subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout


def test_a_pdf_copy_for_the_referrer_and_the_team_only(
    member_of_public,
    feedback_staff,
    mash_staff,
    professional,
    teams,
    run_tasks,
    run_pdf_tasks,
    tmp_path,
):
    submission = sent_feedback(member_of_public, teams)
    run_pdf_tasks()
    referrer = signed_in(member_of_public, run_tasks)

    response = referrer.get(f"/forms/sent/{submission.reference}/pdf/")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="{submission.reference}.pdf"'
    content = b"".join(response.streaming_content)  # the stored copy, streamed
    text = pdf_text(content, tmp_path)
    assert submission.reference in text
    assert "Nobody called back" in text
    assert "Tagged:          yes" in pdf_info(content, tmp_path)  # for screen readers
    assert structure_tree_size(content) > 20  # headings, lists, rows: a real tree
    assert AuditEvent.objects.filter(
        action="submission.pdf_downloaded", actor_id=member_of_public.pk
    ).exists()

    team = signed_in(feedback_staff, run_tasks)
    assert team.get(f"/team/{submission.reference}/pdf/").status_code == 200
    for outsider in (mash_staff, professional):
        client = signed_in(outsider, run_tasks)
        assert client.get(f"/team/{submission.reference}/pdf/").status_code == 404
        assert client.get(f"/forms/sent/{submission.reference}/pdf/").status_code == 404


def test_an_old_submission_still_shows_with_its_own_version_after_the_form_changes(
    member_of_public, feedback_staff, teams, run_tasks, tmp_path, settings
):
    import yaml

    from frontdoor.referrals import registry

    submission = sent_feedback(member_of_public, teams)
    source = yaml.safe_load((registry.FOLDER / "feedback.yaml").read_text())
    source["version"] += 1
    source["sections"][1]["questions"][2]["label"] = "Tell us what happened"
    (tmp_path / "feedback.yaml").write_text(yaml.safe_dump(source))
    settings.FORMS_FOLDER = str(tmp_path)
    try:
        registry.load()
        assert registry.get("feedback").version == source["version"]
        page = signed_in(feedback_staff, run_tasks).get(f"/team/{submission.reference}/")
        text = page.content.decode()
        assert "What happened?" in text  # the question as it was answered
        assert "Tell us what happened" not in text
    finally:
        settings.FORMS_FOLDER = ""
        registry.load()
