"""The pages: staff ask from the referral's page; the referrer answers under View Submitted
Forms (text, and a professional's documents through the usual checks); the team reads the
answer and marks it read. Anyone else gets 404; every POST needs its CSRF token; a POST
after a time-out is kept and saved as a draft once the referrer signs in again."""

import re
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from conftest import sign_in, signed_in
from frontdoor.accounts.middleware import LAST_ACTIVITY
from frontdoor.audit.models import AuditEvent
from frontdoor.backoffice.tests.test_backoffice import sent_feedback
from frontdoor.backoffice.tests.test_referral_page import case_of, referral
from frontdoor.core.templatetags.govuk import govuk_datetime
from frontdoor.documents.tests import files
from frontdoor.enquiries import services
from frontdoor.enquiries.models import Enquiry, EnquiryDocument

pytestmark = pytest.mark.django_db


def ask(staff: Client, submission, question: str = "Which school does Ava attend?"):
    return staff.post(f"/team/{submission.reference}/ask/", {"ask-question": question})


def answer_url(enquiry: Enquiry) -> str:
    return f"/forms/information/{enquiry.case.submission.reference}/{enquiry.pk}/"


def test_staff_ask_from_the_referral_page_and_the_referrer_sees_it(
    professional, mash_staff, run_tasks
):
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    page = staff.get(f"/team/{submission.reference}/").content.decode()
    assert "Ask the referrer for more information" in page

    response = ask(staff, submission)

    assert response.status_code == 302
    assert response["Location"] == f"/team/{submission.reference}/"
    page = staff.get(f"/team/{submission.reference}/").content.decode()
    assert "Question sent to the referrer" in page
    assert "Which school does Ava attend?" in page
    assert "Waiting for an answer" in page
    referrer = signed_in(professional, run_tasks)
    listed = referrer.get("/forms/sent/").content.decode()
    assert "Question waiting for your answer" in listed
    sent = referrer.get(f"/forms/sent/{submission.reference}/").content.decode()
    assert "Which school does Ava attend?" in sent
    assert "Answer this question" in sent
    # When it is due, where the question is listed, not only on the answer's page.
    due = Enquiry.objects.get(case_id=submission.pk).due_at
    assert due is not None
    assert f"Please answer by {govuk_datetime(due)}." in sent


def test_an_empty_question_is_an_error_with_the_summary(professional, mash_staff, run_tasks):
    submission = referral(professional)
    staff = signed_in(mash_staff, run_tasks)
    response = ask(staff, submission, "")
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Enter your question for the referrer" in page
    assert not Enquiry.objects.exists()


def test_a_referral_whose_sender_cannot_be_asked_says_so(
    member_of_public, feedback_staff, teams, run_tasks
):
    submission = sent_feedback(member_of_public, teams)
    staff = signed_in(feedback_staff, run_tasks)
    page = staff.get(f"/team/{submission.reference}/").content.decode()
    assert "You cannot ask the referrer for more information" in page
    assert 'name="ask-question"' not in page
    assert "without the sender" in staff.get(f"/team/{submission.reference}/ask/").content.decode()
    response = ask(staff, submission, "Who?")
    assert "You cannot ask the referrer" in response.content.decode()
    assert not Enquiry.objects.exists()


def test_the_page_says_a_closed_accounts_sender_cannot_be_asked(
    professional, mash_staff, run_tasks
):
    submission = referral(professional)
    professional.is_active = False
    professional.save()
    staff = signed_in(mash_staff, run_tasks)
    page = staff.get(f"/team/{submission.reference}/").content.decode()
    assert "You cannot ask the referrer for more information" in page
    assert "account is closed" in page
    assert 'name="ask-question"' not in page


def test_the_referrer_answers_with_a_document_and_the_team_reads_it(
    professional, mash_staff, run_tasks
):
    submission = referral(professional)
    enquiry = services.ask_referrer(case_of(submission), "A plan?", mash_staff)
    referrer = signed_in(professional, run_tasks)
    url = answer_url(enquiry)
    assert "A plan?" in referrer.get(url).content.decode()

    # Uploading saves the text typed too, and comes back to the page.
    response = referrer.post(
        url,
        {
            "answer": "The plan is attached",
            "upload": "1",
            "documents": [SimpleUploadedFile("plan.pdf", files.pdf())],
        },
        follow=True,
    )
    page = response.content.decode()
    assert "‘plan.pdf’ has been uploaded." in page
    assert "The plan is attached" in page
    refused = referrer.post(
        url,
        {
            "answer": "The plan is attached",
            "upload": "1",
            "documents": [SimpleUploadedFile("virus.pdf", files.eicar_pdf())],
        },
        follow=True,
    ).content.decode()
    assert "There is a problem" in refused
    assert "contains a virus" in refused

    response = referrer.post(url, {"answer": "The plan is attached", "send": "1"})
    assert response["Location"] == f"/forms/sent/{submission.reference}/"
    assert Enquiry.objects.get(pk=enquiry.pk).answered_at is not None

    staff = signed_in(mash_staff, run_tasks)
    page = staff.get(f"/team/{submission.reference}/").content.decode()
    assert "The plan is attached" in page
    assert "Information received" in page
    document = EnquiryDocument.objects.get().document
    link = f"/team/{submission.reference}/information/{enquiry.pk}/file/{document.pk}/"
    assert link in page
    download = staff.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert download["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert AuditEvent.objects.filter(
        action="document.downloaded", actor_id=mash_staff.pk, object_id=str(document.pk)
    ).exists()

    response = staff.post(f"/team/{submission.reference}/information-read/")
    assert response.status_code == 302
    page = staff.get(f"/team/{submission.reference}/").content.decode()
    assert "Marked as read" in page
    assert 'name="remove"' not in referrer.get(url).content.decode()  # sent: kept as sent


def test_sending_nothing_is_an_error_that_keeps_the_page(professional, mash_staff, run_tasks):
    enquiry = services.ask_referrer(case_of(referral(professional)), "Which?", mash_staff)
    referrer = signed_in(professional, run_tasks)
    response = referrer.post(answer_url(enquiry), {"answer": "  ", "send": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Enter your answer" in page
    assert "<title>Error: Answer the team’s question - " in page  # "Error:" once
    too_long = "x" * (services.ANSWER_MAX_LENGTH + 1)
    response = referrer.post(answer_url(enquiry), {"answer": too_long, "send": "1"})
    assert response.status_code == 200
    assert too_long in response.content.decode()  # what was typed is shown again
    assert Enquiry.objects.get(pk=enquiry.pk).answered_at is None


def test_save_and_come_back_later_keeps_a_draft(professional, mash_staff, run_tasks):
    enquiry = services.ask_referrer(case_of(referral(professional)), "Which?", mash_staff)
    referrer = signed_in(professional, run_tasks)
    response = referrer.post(answer_url(enquiry), {"answer": "Half an answer", "later": "1"})
    assert response.status_code == 302
    enquiry.refresh_from_db()
    assert (enquiry.answer, enquiry.answered_at) == ("Half an answer", None)
    assert "Half an answer" in referrer.get(answer_url(enquiry)).content.decode()
    sent = referrer.get(f"/forms/sent/{enquiry.case.submission.reference}/").content.decode()
    assert "Continue your answer" in sent
    staff = signed_in(mash_staff, run_tasks)
    page = staff.get(f"/team/{enquiry.case.submission.reference}/").content.decode()
    assert "Half an answer" not in page  # a draft is the referrer's until sent


def test_adding_information_on_ones_own(professional, mash_staff, run_tasks):
    submission = referral(professional)
    referrer = signed_in(professional, run_tasks)
    sent = referrer.get(f"/forms/sent/{submission.reference}/").content.decode()
    assert f'href="/forms/information/{submission.reference}/add/"' in sent
    add = f"/forms/information/{submission.reference}/add/"
    assert referrer.get(add).status_code == 200
    assert not Enquiry.objects.exists()  # looking starts nothing
    empty = referrer.post(add, {"answer": "", "send": "1"}).content.decode()
    assert "<title>Error: Add information - " in empty  # "Error:" once
    Enquiry.objects.all().delete()

    response = referrer.post(add, {"answer": "Ava has moved house", "later": "1"})
    enquiry = Enquiry.objects.get()
    assert response.status_code == 302
    assert referrer.get(add)["Location"] == answer_url(enquiry)  # the draft already started
    referrer.post(answer_url(enquiry), {"answer": "Ava has moved house", "send": "1"})

    staff = signed_in(mash_staff, run_tasks)
    page = staff.get(f"/team/{submission.reference}/").content.decode()
    assert "The referrer added information" in page
    assert "Ava has moved house" in page


def test_a_referrer_cannot_add_to_a_form_sent_without_their_name(
    member_of_public, teams, run_tasks
):
    submission = sent_feedback(member_of_public, teams)
    referrer = signed_in(member_of_public, run_tasks)
    add = f"/forms/information/{submission.reference}/add/"
    page = referrer.get(add).content.decode()
    assert "You cannot add information to this form" in page
    referrer.post(add, {"answer": "x", "send": "1"})
    assert not Enquiry.objects.exists()


def test_someone_elses_question_is_404_to_anyone_else(
    professional, second_professional, mash_staff, early_help_staff, run_tasks
):
    submission = referral(professional)
    enquiry = services.ask_referrer(case_of(submission), "Which?", mash_staff)
    theirs = services.ask_referrer(case_of(referral(second_professional)), "Theirs?", mash_staff)
    mine = signed_in(professional, run_tasks)
    assert mine.get(answer_url(enquiry)).status_code == 200
    # My sent form, their question: as if it did not exist.
    inside = f"/forms/information/{submission.reference}/{theirs.pk}/"
    assert mine.get(inside).status_code == 404
    assert mine.post(inside, {"answer": "x", "send": "1"}).status_code == 404
    other = signed_in(second_professional, run_tasks)
    assert other.get(answer_url(enquiry)).status_code == 404
    assert other.post(answer_url(enquiry), {"answer": "x", "send": "1"}).status_code == 404
    assert other.get(f"/forms/information/{submission.reference}/add/").status_code == 404
    other_team = signed_in(early_help_staff, run_tasks)
    for path in ("", "ask/"):
        assert other_team.get(f"/team/{submission.reference}/{path}").status_code == 404
    assert (
        other_team.post(f"/team/{submission.reference}/ask/", {"ask-question": "x"}).status_code
        == 404
    )
    assert other_team.post(f"/team/{submission.reference}/information-read/").status_code == 404
    assert Enquiry.objects.get(pk=enquiry.pk).answered_at is None
    assert Enquiry.objects.count() == 2


def test_staff_download_only_a_sent_answers_documents_of_that_referral(
    professional, second_professional, mash_staff, early_help_staff, run_tasks
):
    made = {}
    for who in (professional, second_professional):
        submission = referral(who)
        enquiry = services.ask_referrer(case_of(submission), "A plan?", mash_staff)
        enquiry = Enquiry.objects.select_related("case__submission").get(pk=enquiry.pk)
        document = services.attach(
            enquiry, who, SimpleUploadedFile("plan.pdf", files.pdf(who.email))
        )
        made[who.pk] = (submission, enquiry, document)
    submission, enquiry, document = made[professional.pk]
    _, their_enquiry, their_document = made[second_professional.pk]
    staff = signed_in(mash_staff, run_tasks)
    url = f"/team/{submission.reference}/information/{enquiry.pk}/file/{document.pk}/"
    assert staff.get(url).status_code == 404  # not sent yet: the referrer's draft
    services.send_answer(enquiry, "", professional)
    services.send_answer(their_enquiry, "", second_professional)
    assert staff.get(url).status_code == 200
    base = f"/team/{submission.reference}/information/"
    assert staff.get(f"{base}{their_enquiry.pk}/file/{document.pk}/").status_code == 404
    assert staff.get(f"{base}{enquiry.pk}/file/{their_document.pk}/").status_code == 404
    assert signed_in(early_help_staff, run_tasks).get(url).status_code == 404
    # The referrer downloads their own, and not another's.
    mine = signed_in(professional, run_tasks)
    own = f"/forms/information/{submission.reference}/{enquiry.pk}/file/{document.pk}/"
    assert mine.get(own).status_code == 200
    other = f"/forms/information/{submission.reference}/{enquiry.pk}/file/{their_document.pk}/"
    assert mine.get(other).status_code == 404
    their_pk = f"/forms/information/{submission.reference}/{their_enquiry.pk}/file/{document.pk}/"
    assert mine.get(their_pk).status_code == 404


def test_removing_someone_elses_document_does_nothing(
    professional, second_professional, mash_staff, run_tasks
):
    documents = []
    for who in (professional, second_professional):
        enquiry = services.ask_referrer(case_of(referral(who)), "A plan?", mash_staff)
        enquiry = Enquiry.objects.select_related("case__submission").get(pk=enquiry.pk)
        documents.append(
            (
                enquiry,
                services.attach(enquiry, who, SimpleUploadedFile("p.pdf", files.pdf(who.email))),
            )
        )
    (mine, my_document), (_, their_document) = documents
    referrer = signed_in(professional, run_tasks)
    referrer.post(answer_url(mine), {"answer": "", "remove": str(their_document.pk)})
    assert EnquiryDocument.objects.filter(document=their_document).exists()
    referrer.post(answer_url(mine), {"answer": "", "remove": str(my_document.pk)})
    assert not EnquiryDocument.objects.filter(document=my_document).exists()


def strict(user, run_tasks) -> Client:
    """A browser signed in as `user` whose POSTs are checked for their CSRF token."""
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = signed_in(user, run_tasks).cookies
    return browser


def test_every_post_needs_its_csrf_token(professional, mash_staff, run_tasks):
    submission = referral(professional)
    enquiry = services.ask_referrer(case_of(submission), "Which?", mash_staff)
    referrer = strict(professional, run_tasks)
    assert referrer.post(answer_url(enquiry), {"answer": "x", "send": "1"}).status_code == 403
    add = f"/forms/information/{submission.reference}/add/"
    assert referrer.post(add, {"answer": "x", "send": "1"}).status_code == 403
    staff = strict(mash_staff, run_tasks)
    assert (
        staff.post(f"/team/{submission.reference}/ask/", {"ask-question": "x"}).status_code == 403
    )
    assert staff.post(f"/team/{submission.reference}/information-read/").status_code == 403
    assert Enquiry.objects.count() == 1
    assert Enquiry.objects.get().answered_at is None


def _time_out(client: Client) -> None:
    session = client.session
    session[LAST_ACTIVITY] = time.time() - 61 * 60
    session.save()


def test_an_answer_posted_after_a_time_out_is_kept_and_saved_after_signing_in(
    professional, mash_staff, run_tasks
):
    enquiry = services.ask_referrer(case_of(referral(professional)), "Which?", mash_staff)
    referrer = strict(professional, run_tasks)
    page = referrer.get(answer_url(enquiry)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    _time_out(referrer)

    response = referrer.post(
        answer_url(enquiry),
        {"csrfmiddlewaretoken": token, "answer": "Typed before the time-out", "send": "1"},
    )
    assert response["Location"] == "/account/timed-out/"
    assert Enquiry.objects.get(pk=enquiry.pk).answer == ""

    referrer.handler.enforce_csrf_checks = False  # signing in again, on the same browser
    sign_in(referrer, professional, run_tasks)
    page = referrer.get(answer_url(enquiry), follow=True).content.decode()

    enquiry.refresh_from_db()
    assert enquiry.answer == "Typed before the time-out"
    assert enquiry.answered_at is None  # kept as a draft, never sent unseen
    assert "We have saved what you typed just before you were signed out" in page


def test_a_forged_post_after_a_time_out_is_refused(professional, mash_staff, run_tasks):
    enquiry = services.ask_referrer(case_of(referral(professional)), "Which?", mash_staff)
    referrer = strict(professional, run_tasks)
    _time_out(referrer)
    response = referrer.post(answer_url(enquiry), {"answer": "Forged", "send": "1"})
    assert response.status_code == 403
    referrer.handler.enforce_csrf_checks = False
    sign_in(referrer, professional, run_tasks)
    referrer.get(answer_url(enquiry))
    assert Enquiry.objects.get(pk=enquiry.pk).answer == ""


def test_a_kept_post_the_form_would_refuse_is_shown_with_the_error_not_a_500(
    professional, mash_staff, run_tasks
):
    enquiry = services.ask_referrer(case_of(referral(professional)), "Which?", mash_staff)
    referrer = strict(professional, run_tasks)
    page = referrer.get(answer_url(enquiry)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    _time_out(referrer)
    typed = "Riverside\x00 Primary \u202e"  # a NUL (PostgreSQL stores none), an override
    referrer.post(answer_url(enquiry), {"csrfmiddlewaretoken": token, "answer": typed, "send": "1"})

    referrer.handler.enforce_csrf_checks = False
    sign_in(referrer, professional, run_tasks)
    response = referrer.get(answer_url(enquiry), follow=True)

    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "must not contain invisible or control characters" in page
    assert "Riverside" in page  # what was typed, to put right
    enquiry.refresh_from_db()
    assert (enquiry.answer, enquiry.answered_at) == ("", None)  # nothing refused is stored


@pytest.mark.parametrize(
    ("button", "status", "said"),
    [
        ("later", 302, None),
        ("send", 200, "Enter the information you want to add"),
        ("upload", 200, "Select a file to upload"),
    ],
)
def test_adding_nothing_starts_no_draft(professional, run_tasks, button, status, said):
    """ "Add information" pressed and left with nothing typed leaves no draft behind (to
    show as begun on the sent form): saving says nothing was saved, sending and uploading
    say what is missing, with the error summary."""
    submission = referral(professional)
    referrer = signed_in(professional, run_tasks)
    add = f"/forms/information/{submission.reference}/add/"

    response = referrer.post(add, {"answer": "   ", button: "1"})

    assert response.status_code == status
    assert not Enquiry.objects.exists()
    if said:
        html = response.content.decode()
        assert "There is a problem" in html
        assert said in html
    else:
        assert response["Location"] == f"/forms/sent/{submission.reference}/"
        sent = referrer.get(response["Location"]).content.decode()
        assert "Nothing has been saved: you had not entered anything." in sent
        assert f'href="{add}"' in sent
        assert "Continue adding information" not in sent
    assert not AuditEvent.objects.filter(action="enquiry.started").exists()


def test_a_draft_emptied_and_saved_is_deleted_but_one_with_a_document_is_kept(
    professional, run_tasks
):
    submission = referral(professional)
    referrer = signed_in(professional, run_tasks)
    add = f"/forms/information/{submission.reference}/add/"
    referrer.post(add, {"answer": "Ava has moved house", "later": "1"})
    enquiry = Enquiry.objects.get()

    # Everything typed taken out, and saved: nothing is left to keep.
    response = referrer.post(answer_url(enquiry), {"answer": "", "later": "1"})

    assert response.status_code == 302
    assert not Enquiry.objects.exists()
    sent = referrer.get(response["Location"]).content.decode()
    assert "there was nothing in it, so it was deleted" in sent
    assert "Continue adding information" not in sent
    gone = AuditEvent.objects.get(action="enquiry.discarded")
    assert gone.detail == {"enquiry": enquiry.pk}
    assert gone.reference == submission.reference

    # A document and no text is something: kept, until the document is removed too.
    referrer.post(
        add,
        {"answer": "", "upload": "1", "documents": [SimpleUploadedFile("plan.pdf", files.pdf())]},
    )
    enquiry = Enquiry.objects.get()
    [document] = services.documents_of(enquiry)
    referrer.post(answer_url(enquiry), {"answer": "", "later": "1"})
    assert Enquiry.objects.filter(pk=enquiry.pk).exists()
    assert (
        "Continue adding information"
        in referrer.get(f"/forms/sent/{submission.reference}/").content.decode()
    )
    response = referrer.post(answer_url(enquiry), {"answer": "", "remove": str(document.pk)})
    assert response["Location"] == add
    assert not Enquiry.objects.exists()
    assert "‘plan.pdf’ has been removed." in referrer.get(add).content.decode()


def test_an_empty_draft_left_from_before_is_not_shown_as_begun(professional, run_tasks):
    submission = referral(professional)
    services.start_adding(submission, professional)  # as the old pages left them
    referrer = signed_in(professional, run_tasks)
    sent = referrer.get(f"/forms/sent/{submission.reference}/").content.decode()
    assert "Continue adding information" not in sent
    assert f'href="/forms/information/{submission.reference}/add/"' in sent
