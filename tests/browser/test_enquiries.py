"""Asking the referrer for more information, in a real browser with the real worker: a MASH
worker asks, the referrer is emailed (the reference only), answers in the portal with a
document, the inbox shows "Information received", and the answer is on the referral. Every
page checked by axe-core, reflowing at 320 px, the main steps done with the keyboard;
"Add information" without JavaScript. Screenshots in SCREENSHOTS (default /tmp/shots)."""

import re
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.conf import LazySettings
from django.core import mail
from playwright.sync_api import expect

from frontdoor.accounts.models import User
from frontdoor.backoffice.tests.test_referral_page import referral
from frontdoor.documents.tests import files
from frontdoor.enquiries import services
from frontdoor.enquiries.models import Enquiry
from tests.browser.conftest import CheckedPage
from tests.browser.test_documents import chosen
from tests.browser.test_referral_forms import heading, sign_in
from tests.browser.test_referral_page import press_by_keyboard, shot

pytestmark = pytest.mark.browser

QUESTION = "Which school does Ava attend now, and since when?"
ANSWER = "Riverside Primary, since September. Her plan is attached."


def test_a_worker_asks_and_the_referrer_answers_with_a_document(
    web: CheckedPage,
    open_page: Callable[..., CheckedPage],
    professional: User,
    mash_staff: User,
    run_tasks: Callable[[], None],
):
    submission = referral(professional)
    page_url = f"/team/{submission.reference}/"

    web.goto("/")
    sign_in(web, mash_staff.email, run_tasks)
    web.goto(page_url)
    expect(web.main).to_contain_text("No questions asked")
    # The question, with the keyboard: the details are open while nothing has been asked.
    web.page.get_by_label("Your question for the referrer").focus()
    web.page.keyboard.type(QUESTION)
    press_by_keyboard(web, "Send the question")
    expect(web.main).to_contain_text("Question sent to the referrer")
    expect(web.page.get_by_test_id("enquiry")).to_contain_text(QUESTION)
    expect(web.page.get_by_test_id("enquiry")).to_contain_text("Waiting for an answer")
    shot(web, "enquiry-referral-asked")

    # An empty question on the action's own page: the error summary, nothing sent.
    web.goto(f"{page_url}ask/")
    heading(web, "Ask the referrer for more information")
    web.submit("Send the question")
    expect(web.page.locator(".govuk-error-summary")).to_contain_text(
        "Enter your question for the referrer"
    )
    shot(web, "enquiry-ask-error")

    # The referrer's email: the reference and a link through sign-in, nothing else.
    run_tasks()
    [email] = [m for m in mail.outbox if m.subject.startswith("A question about your form")]
    assert email.to == [professional.email]
    assert QUESTION not in email.body
    link = re.search(r"http://\S+/forms/sent/\S+/", email.body).group(0)

    referrer = open_page()
    referrer.goto("/")
    sign_in(referrer, professional.email, run_tasks)
    referrer.goto("/forms/sent/")
    expect(referrer.main).to_contain_text("Question waiting for your answer")
    shot(referrer, "enquiry-submitted-list")
    referrer.goto(urlsplit(link).path)
    expect(referrer.page.get_by_test_id("waiting-question")).to_contain_text(QUESTION)
    shot(referrer, "enquiry-sent-question")
    press_by_keyboard(referrer, "Answer this question")
    heading(referrer, "Answer the team’s question")
    expect(referrer.page.get_by_test_id("question")).to_contain_text(QUESTION)
    referrer.page.get_by_label("Your answer").fill(ANSWER)
    referrer.page.get_by_label("Upload a file (optional)").set_input_files(
        [chosen("plan.pdf", files.pdf("Ava's plan"))]
    )
    referrer.submit("Upload Document")
    expect(referrer.page.get_by_role("alert")).to_contain_text("‘plan.pdf’ has been uploaded")
    expect(referrer.page.get_by_label("Your answer")).to_have_value(ANSWER)  # kept
    shot(referrer, "enquiry-answer")
    press_by_keyboard(referrer, "Send to the team")
    expect(referrer.main).to_contain_text("Your answer has been sent to the team")
    expect(referrer.page.get_by_test_id("sent-information")).to_contain_text("1 document")
    shot(referrer, "enquiry-sent-answered")

    # The team: told, the inbox row says so, the answer and its document on the referral.
    run_tasks()
    assert any(m.to == ["mash@council.example"] for m in mail.outbox if "answer" in m.subject)
    web.goto("/team/")
    row = web.page.locator("tr", has_text=submission.reference)
    expect(row).to_contain_text("Information received")
    shot(web, "enquiry-inbox")
    web.follow(submission.reference, within=row)
    expect(web.page.get_by_test_id("answer")).to_contain_text(ANSWER)
    expect(web.page.get_by_test_id("information-received")).to_be_visible()
    document = web.page.get_by_test_id("enquiry").get_by_role("link", name="plan.pdf")
    expect(document).to_be_visible()
    shot(web, "enquiry-referral-answered")
    with web.page.expect_download() as download:
        document.click()
    assert download.value.suggested_filename == "plan.pdf"
    press_by_keyboard(web, "Mark as read")
    expect(web.main).to_contain_text("Marked as read")
    web.goto("/team/")
    expect(web.page.locator("tr", has_text=submission.reference)).not_to_contain_text(
        "Information received"
    )
    assert Enquiry.objects.get().seen_by == mash_staff


def test_a_referrer_adds_information_without_javascript(
    open_page: Callable[..., CheckedPage],
    professional: User,
    run_tasks: Callable[[], None],
):
    submission = referral(professional)
    referrer = open_page(java_script_enabled=False)
    referrer.goto("/")
    sign_in(referrer, professional.email, run_tasks)
    referrer.goto(f"/forms/sent/{submission.reference}/")
    referrer.follow("Add information")
    heading(referrer, "Add information")
    shot(referrer, "enquiry-add")
    referrer.submit("Send to the team")  # nothing typed: the error, on the same page
    expect(referrer.page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the information you want to add"
    )
    shot(referrer, "enquiry-add-error")
    assert not Enquiry.objects.exists()  # nothing typed: no draft begun
    referrer.submit("Save and come back later")
    expect(referrer.main).to_contain_text("Nothing has been saved: you had not entered anything.")
    expect(referrer.main).not_to_contain_text("Continue adding information")
    shot(referrer, "enquiry-add-nothing-saved")
    assert not Enquiry.objects.exists()
    referrer.follow("Add information")
    referrer.page.get_by_label("The information you want to add").fill("Ava has moved house")
    referrer.submit("Save and come back later")
    expect(referrer.main).to_contain_text("It has not been sent yet")
    referrer.follow("Continue adding information")
    expect(referrer.page.get_by_label("The information you want to add")).to_have_value(
        "Ava has moved house"
    )
    referrer.submit("Send to the team")
    expect(referrer.main).to_contain_text("The information has been sent to the team")
    referrer.follow(re.compile(r"^View"))
    expect(referrer.page.get_by_test_id("answer")).to_contain_text("Ava has moved house")
    shot(referrer, "enquiry-added-sent")


def test_past_the_days_additions_the_pages_say_when_and_keep_the_draft(
    web: CheckedPage,
    professional: User,
    run_tasks: Callable[[], None],
    settings: LazySettings,
):
    settings.ENQUIRY_ADDITIONS_PER_DAY = 1
    submission = referral(professional)
    first = services.start_adding(submission, professional)
    services.send_answer(first, "Ava has moved house", professional)
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    web.goto(f"/forms/sent/{submission.reference}/")
    limit = web.page.get_by_test_id("additions-limit")
    expect(limit).to_contain_text("You can add more from")
    expect(web.main.get_by_role("link", name="Add information")).to_have_count(0)
    shot(web, "enquiry-additions-limit-sent")
    web.goto(f"/forms/information/{submission.reference}/add/")
    heading(web, "You cannot add more information yet")
    expect(web.page.get_by_test_id("additions-limit")).to_contain_text("If it is urgent, phone us")
    shot(web, "enquiry-additions-limit")

    # A draft begun in another tab: kept, and refused with the GOV.UK error when sent.
    draft = services.start_adding(submission, professional)
    services.save_answer(draft, "Her father is back", professional)
    web.goto(f"/forms/information/{submission.reference}/{draft.pk}/")
    expect(web.page.get_by_test_id("additions-limit")).to_contain_text(
        "You cannot send more information yet"
    )
    press_by_keyboard(web, "Send to the team")
    expect(web.page.locator(".govuk-error-summary")).to_contain_text("You can send this from")
    expect(web.page.locator(".govuk-error-summary")).to_contain_text("1 time in the last 24")
    expect(web.page.get_by_label("The information you want to add")).to_have_value(
        "Her father is back"
    )
    shot(web, "enquiry-additions-limit-error")
    assert Enquiry.objects.get(pk=draft.pk).answered_at is None
