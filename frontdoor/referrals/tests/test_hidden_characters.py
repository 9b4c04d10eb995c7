"""Control and bidirectional characters through the pages: refused where typed (with what
was typed kept), and shown made visible where old answers already hold them."""

import html

import pytest

from conftest import signed_in
from frontdoor.accounts.models import User
from frontdoor.accounts.tests.test_details import DETAILS
from frontdoor.accounts.tests.test_registration import STEP1
from frontdoor.backoffice.tests.test_backoffice import pdf_text
from frontdoor.referrals import registry
from frontdoor.referrals.models import Draft, StatusChange, Submission
from frontdoor.referrals.services import stored_version
from frontdoor.referrals.signals import submission_sent
from frontdoor.referrals.tests.test_pages import CHILD, start

pytestmark = pytest.mark.django_db

RLO = "\u202e"
BEL = "\x07"
REFUSED = "must not contain invisible or control characters"


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def test_a_right_to_left_override_in_an_answer_is_refused_and_kept_to_correct(
    member_of_public, run_tasks
):
    client = signed_in(member_of_public, run_tasks)
    draft = start(client, "feedback")
    typed = f"The worker said {RLO}kcab llac lliw{BEL}"
    response = client.post(
        f"/forms/draft/{draft}/your-feedback/",
        {"revision": "0", "kind": "complaint", "what_happened": typed},
    )
    page = text_of(response)
    assert response.status_code == 200
    assert (
        "The answer to \u201cWhat happened?\u201d must not contain invisible or control "
        "characters (a right-to-left override was found)"
    ) in page
    saved = Draft.objects.get(pk=draft)
    assert saved.answers["your-feedback"]["what_happened"] == typed  # nothing lost
    assert "your-feedback" not in saved.completed  # so it can never be sent


def test_a_multi_line_answer_from_a_browser_keeps_its_line_breaks(member_of_public, run_tasks):
    client = signed_in(member_of_public, run_tasks)
    draft = start(client, "feedback")
    response = client.post(
        f"/forms/draft/{draft}/your-feedback/",
        {"revision": "0", "kind": "complaint", "what_happened": "First\r\nSecond\tthird"},
    )
    assert response.status_code == 302
    assert "your-feedback" in Draft.objects.get(pk=draft).completed


def test_a_name_in_a_repeating_item_and_an_address_refuse_them(professional, run_tasks):
    client = signed_in(professional, run_tasks)
    draft = start(client, "social-care-referral")
    response = client.post(
        f"/forms/draft/{draft}/children/0/",
        {"revision": "0", **CHILD, "first_name": f"Ava{BEL}", "address_2": f"Road{RLO}"},
    )
    page = text_of(response)
    assert (
        "First name must not contain invisible or control characters "
        "(a control character (U+0007) was found)"
    ) in page
    assert "(a right-to-left override was found)" in page
    item = Draft.objects.get(pk=draft).answers["children"][0]
    assert item["first_name"] == f"Ava{BEL}"
    assert item["_valid"] is False


def test_a_single_line_answer_refuses_a_line_break(professional, run_tasks):
    client = signed_in(professional, run_tasks)
    draft = start(client, "social-care-referral")
    response = client.post(
        f"/forms/draft/{draft}/children/0/", {"revision": "0", **CHILD, "last_name": "Smi\nth"}
    )
    assert "(a line break was found)" in text_of(response)


def test_registration_refuses_them_and_keeps_what_was_typed(client):
    response = client.post("/account/register/", {**STEP1, "first_name": f"Jo{RLO}"})
    page = text_of(response)
    assert response.status_code == 200
    assert (
        "First name must not contain invisible or control characters "
        "(a right-to-left override was found)"
    ) in page
    assert 'value="Riverside Primary School"' in response.content.decode()


def test_your_details_refuses_them(professional, run_tasks):
    client = signed_in(professional, run_tasks)
    response = client.post("/account/details/change/", {**DETAILS, "last_name": f"Sharma{BEL}"})
    assert response.status_code == 200
    assert f"Surname {REFUSED}" in text_of(response)
    professional.refresh_from_db()
    assert professional.last_name == "Patel"


def test_signing_in_with_one_in_the_email_is_a_clear_error(client):
    response = client.post(
        "/account/sign-in/", {"email": f"dsl{RLO}@school.example.org", "password": "x"}
    )
    assert response.status_code == 200
    assert f"Email {REFUSED}" in text_of(response)


def test_the_staff_response_refuses_them(member_of_public, feedback_staff, teams, run_tasks):
    submission = stored_submission(member_of_public, "Plain answer", anonymous="no")
    staff = signed_in(feedback_staff, run_tasks)
    typed = f"We will {RLO}esiruoloc"
    response = staff.post(
        f"/team/{submission.reference}/decide/",
        {"decide-outcome": "responded", "decide-response": typed, "decide-version": "1"},
    )
    assert response.status_code == 200
    assert f"Response for the referrer {REFUSED}" in text_of(response)
    assert submission.history.count() == 1
    assert typed in response.content.decode()  # kept in the box to correct


def stored_submission(
    user: User, what_happened: str, response: str = "", anonymous: str = "yes"
) -> Submission:
    """A submission as stored before these characters were refused (with its case, as
    sending makes one)."""
    definition = registry.get("feedback")
    submission = Submission.objects.create(
        reference="FD-2026-000777",
        owner=user,
        form_version=stored_version(definition),
        team_slug="feedback",
        answers={
            "about-you": {"anonymous": anonymous},
            "your-feedback": {"kind": "complaint", "what_happened": what_happened},
        },
        draft_key=777,
    )
    StatusChange.objects.create(submission=submission, status="received")
    submission_sent.send(Submission, submission=submission, definition=definition)
    if response:
        StatusChange.objects.create(submission=submission, status="completed", response=response)
    return submission


def test_old_answers_with_them_are_shown_made_visible_to_staff_in_the_pdf_and_to_the_referrer(
    member_of_public,
    feedback_staff,
    teams,
    run_tasks,
    run_pdf_tasks,
    tmp_path,
):
    submission = stored_submission(
        member_of_public,
        f"Nobody {RLO}kcab dellac{BEL} at all",
        response=f"Sorry{BEL} {RLO}won",
    )
    staff = signed_in(feedback_staff, run_tasks)
    referrer = signed_in(member_of_public, run_tasks)

    for page in (
        staff.get(f"/team/{submission.reference}/"),
        referrer.get(f"/forms/sent/{submission.reference}/"),
    ):
        text = text_of(page)
        assert "Nobody ⟨U+202E⟩kcab dellac⟨U+0007⟩ at all" in text
        assert "Sorry⟨U+0007⟩ ⟨U+202E⟩won" in text
        assert RLO not in text
        assert BEL not in text

    # Stored as a form sent before copies were kept: the first request queues its copy.
    assert staff.get(f"/team/{submission.reference}/pdf/").status_code == 202
    run_pdf_tasks()
    for pdf in (
        staff.get(f"/team/{submission.reference}/pdf/"),
        referrer.get(f"/forms/sent/{submission.reference}/pdf/"),
    ):
        assert pdf["Content-Type"] == "application/pdf"
        text = pdf_text(b"".join(pdf.streaming_content), tmp_path)
        assert "Nobody ⟨U+202E⟩kcab dellac⟨U+0007⟩ at all" in text
        # The copy holds the form as sent; the response is on the pages (checked above).
        assert "Sorry" not in text
        assert RLO not in text
        assert BEL not in text
