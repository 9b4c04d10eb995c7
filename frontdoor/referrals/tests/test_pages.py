import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from conftest import sign_in
from frontdoor.audit.models import AuditEvent
from frontdoor.referrals.models import Draft, Submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def public_client(member_of_public, run_tasks) -> Client:
    client = Client()
    sign_in(client, member_of_public, run_tasks)
    return client


def start(client: Client, slug: str) -> int:
    response = client.post(f"/forms/{slug}/")
    assert response.status_code == 302, response
    match = re.match(r"^/forms/draft/(\d+)/$", response["Location"])
    assert match, response["Location"]
    return int(match.group(1))


CHILD = {
    "first_name": "Ava",
    "last_name": "Smith",
    "is_unborn": "no",
    "date_of_birth_0": "4",
    "date_of_birth_1": "7",
    "date_of_birth_2": "2019",
    "address_0": "",
    "address_1": "12",
    "address_2": "Fictional Road",
    "address_3": "",
    "address_4": "Worcester",
    "address_5": "",
    "address_6": "wr11aa",
    "address_7": "",
}


def test_a_forms_start_page_is_public_and_asks_to_sign_in(client):
    page = client.get("/forms/social-care-referral/").content.decode()
    assert (
        "Children&#x27;s Social Care referral" in page or "Children's Social Care referral" in page
    )
    assert "call 999" in page
    assert "Log in or Register" in page
    assert "/account/sign-in/?next=/forms/social-care-referral/" in page
    response = client.post("/forms/social-care-referral/")
    assert response["Location"].startswith("/account/sign-in/?next=")
    assert not Draft.objects.exists()


def test_an_unknown_form_is_not_found(client):
    assert client.get("/forms/no-such-form/").status_code == 404


def test_a_member_of_the_public_cannot_start_a_lado_referral(public_client):
    page = public_client.get("/forms/lado-referral/").content.decode()
    assert "Start now" not in page
    assert public_client.post("/forms/lado-referral/").status_code == 404
    choose = public_client.get("/forms/").content.decode()
    assert "LADO referral" not in choose
    assert "Feedback" in choose


def test_feedback_from_start_to_sent(public_client, member_of_public, run_tasks, teams):
    draft = start(public_client, "feedback")
    task_list = public_client.get(f"/forms/draft/{draft}/").content.decode()
    assert "About you" in task_list
    assert "Not started" in task_list
    assert "Check your answers" not in task_list

    response = public_client.post(
        f"/forms/draft/{draft}/your-feedback/",
        {"revision": "0", "kind": "", "what_happened": "The worker was kind."},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "The worker was kind." in page  # kept
    assert "In progress" in public_client.get(f"/forms/draft/{draft}/").content.decode()

    response = public_client.post(
        f"/forms/draft/{draft}/your-feedback/",
        {"revision": "1", "kind": "compliment", "what_happened": "The worker was kind."},
    )
    assert response["Location"] == f"/forms/draft/{draft}/"
    public_client.post(f"/forms/draft/{draft}/about-you/", {"revision": "0", "anonymous": "yes"})

    check = public_client.get(f"/forms/draft/{draft}/check/").content.decode()
    assert "The worker was kind." in check
    assert "Compliment" in check
    assert "Send Report to Local Authority" in check

    response = public_client.post(f"/forms/draft/{draft}/send/")
    submission = Submission.objects.get()
    assert response["Location"] == f"/forms/sent/{submission.reference}/"
    confirmation = public_client.get(response["Location"]).content.decode()
    assert "Form sent" in confirmation
    assert submission.reference in confirmation
    assert AuditEvent.objects.filter(action="submission.viewed").exists()

    again = public_client.post(f"/forms/draft/{draft}/send/")  # a double click
    assert again["Location"] == f"/forms/sent/{submission.reference}/"
    assert Submission.objects.count() == 1

    listed = public_client.get("/forms/sent/").content.decode()
    assert submission.reference in listed
    assert "Received" in listed
    run_tasks()
    assert any(
        submission.reference in m.body for m in mail.outbox if m.to == [member_of_public.email]
    )


def test_a_social_care_referral_with_two_children(professional_client, professional):
    draft = start(professional_client, "social-care-referral")
    details = professional_client.get(f"/forms/draft/{draft}/your-details/").content.decode()
    assert 'value="Priya"' in details  # pre-filled from the account
    assert 'value="WR1 1AA"' in details

    first = professional_client.get(f"/forms/draft/{draft}/children/")
    assert first["Location"] == f"/forms/draft/{draft}/children/0/"
    response = professional_client.post(
        f"/forms/draft/{draft}/children/0/", {"revision": "0", **CHILD}
    )
    assert response["Location"] == f"/forms/draft/{draft}/children/"
    response = professional_client.post(f"/forms/draft/{draft}/children/", {"add": "1"})
    assert response["Location"] == f"/forms/draft/{draft}/children/1/"
    professional_client.post(
        f"/forms/draft/{draft}/children/1/", {"revision": "1", **CHILD, "first_name": "Ben"}
    )
    summary = professional_client.get(f"/forms/draft/{draft}/children/").content.decode()
    assert "Ava Smith" in summary
    assert "Ben Smith" in summary
    stored = Draft.objects.get(pk=draft).answers["children"]
    assert stored[0]["address"][6] == "wr11aa"  # kept as typed
    check = professional_client.get(f"/forms/draft/{draft}/check/").content.decode()
    assert "WR1 1AA" in check  # shown normalised


def test_a_yes_to_significant_harm_now_says_who_to_phone(professional_client):
    draft = start(professional_client, "social-care-referral")
    page = professional_client.get(f"/forms/draft/{draft}/").content.decode()
    slug = next(s for s in re.findall(r"/forms/draft/\d+/([a-z-]+)/", page) if "risk" in s)
    response = professional_client.post(
        f"/forms/draft/{draft}/{slug}/", {"revision": "0", "at_risk_now": "yes"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "01632 960002" in text  # the emergency duty team
    assert "Phone now" in text
    assert f'href="/forms/draft/{draft}/"' in text  # then carry on with the form
    assert Draft.objects.get(pk=draft).answers[slug]["at_risk_now"] == "yes"


def test_save_and_come_back_later_emails_without_personal_data(
    public_client, member_of_public, run_tasks
):
    draft = start(public_client, "feedback")
    response = public_client.post(
        f"/forms/draft/{draft}/your-feedback/",
        {"revision": "0", "what_happened": "Private details", "later": "1"},
    )
    assert response["Location"] == "/forms/recover/"
    recover = public_client.get("/forms/recover/").content.decode()
    assert "Recover a Feedback Form" in recover
    assert f"{(timezone.now() + timezone.timedelta(days=30)):%-d %B %Y}" in recover
    run_tasks()
    message = mail.outbox[-1]
    assert message.to == [member_of_public.email]
    assert "Private details" not in message.body


def test_deleting_a_draft(public_client):
    draft = start(public_client, "feedback")
    assert "Are you sure" in public_client.get(f"/forms/draft/{draft}/delete/").content.decode()
    response = public_client.post(f"/forms/draft/{draft}/delete/")
    assert response["Location"] == "/forms/recover/"
    assert not Draft.objects.filter(pk=draft).exists()
    assert AuditEvent.objects.filter(action="draft.deleted").exists()


def test_every_draft_and_submission_page_is_404_to_anyone_else(
    public_client, professional_client, member_of_public
):
    draft = start(public_client, "feedback")
    public_client.post(f"/forms/draft/{draft}/about-you/", {"revision": "0", "anonymous": "yes"})
    public_client.post(
        f"/forms/draft/{draft}/your-feedback/",
        {"revision": "0", "kind": "comment", "what_happened": "x"},
    )
    other = start(public_client, "feedback")
    public_client.post(f"/forms/draft/{other}/send/")  # not ready: stays a draft
    sent = Submission.objects.filter(owner=member_of_public).first()
    assert sent is None
    public_client.post(f"/forms/draft/{draft}/send/")
    sent = Submission.objects.get()

    for url in (
        f"/forms/draft/{other}/",
        f"/forms/draft/{other}/about-you/",
        f"/forms/draft/{other}/check/",
        f"/forms/draft/{other}/delete/",
        f"/forms/sent/{sent.reference}/",
    ):
        assert professional_client.get(url).status_code == 404, url
    for url in (
        f"/forms/draft/{other}/send/",
        f"/forms/draft/{other}/delete/",
        f"/forms/draft/{other}/about-you/",
    ):
        assert professional_client.post(url, {"revision": "0"}).status_code == 404, url
    assert Draft.objects.filter(pk=other).exists()
    assert professional_client.get("/forms/draft/999999/").status_code == 404
    assert sent.reference not in professional_client.get("/forms/sent/").content.decode()
    assert (
        "Recover a Feedback Form" not in professional_client.get("/forms/recover/").content.decode()
    )


def test_pages_behind_sign_in_send_anonymous_people_to_sign_in(client):
    for url in ("/forms/", "/forms/recover/", "/forms/sent/", "/forms/draft/1/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/account/sign-in/")


def test_a_section_posted_after_a_time_out_is_saved_once_the_same_person_signs_in(
    public_client, member_of_public, run_tasks
):
    import time_machine

    draft = start(public_client, "feedback")
    url = f"/forms/draft/{draft}/your-feedback/"
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=61)):
        response = public_client.post(
            url, {"revision": "0", "kind": "comment", "what_happened": "Typed before time-out"}
        )
        assert response["Location"] == "/account/timed-out/"
        page = public_client.get("/account/timed-out/").content.decode()
        assert "will be saved to your form when you sign in again" in page
        assert f"/account/sign-in/?next={url}" in page
        assert "your-feedback" not in Draft.objects.get(pk=draft).answers

        response = sign_in(public_client, member_of_public, run_tasks, next_url=url)
        assert response["Location"] == url
        response = public_client.get(url)
        assert response["Location"] == f"/forms/draft/{draft}/"
    saved = Draft.objects.get(pk=draft).answers["your-feedback"]
    assert saved["what_happened"] == "Typed before time-out"


def test_kept_answers_are_not_saved_for_someone_else(
    public_client, member_of_public, professional, run_tasks
):
    import time_machine

    draft = start(public_client, "feedback")
    url = f"/forms/draft/{draft}/your-feedback/"
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=61)):
        public_client.post(url, {"revision": "0", "what_happened": "Not for anyone else"})
        sign_in(public_client, professional, run_tasks)
        assert public_client.get(url).status_code == 404
    assert "your-feedback" not in Draft.objects.get(pk=draft).answers


def test_autosave_answers_with_the_new_revision(public_client):
    draft = start(public_client, "feedback")
    url = f"/forms/draft/{draft}/your-feedback/"
    response = public_client.post(
        url, {"revision": "0", "what_happened": "Half typed"}, HTTP_X_AUTOSAVE="1"
    )
    assert response.status_code == 200
    assert response.json() == {"saved": True, "revision": 1}
    assert Draft.objects.get(pk=draft).answers["your-feedback"]["what_happened"] == "Half typed"
    stale = public_client.post(
        url, {"revision": "0", "what_happened": "Old tab"}, HTTP_X_AUTOSAVE="1"
    )
    assert stale.status_code == 409
    assert Draft.objects.get(pk=draft).answers["your-feedback"]["what_happened"] == "Half typed"


@pytest.fixture
def gazetteer(db):
    from django.core.management import call_command

    call_command("load_gazetteer", "--sample", verbosity=0)


def child_page(client: Client) -> tuple[int, str]:
    draft = start(client, "social-care-referral")
    return draft, f"/forms/draft/{draft}/children/0/"


def test_find_address_lists_the_postcodes_addresses_and_fills_the_chosen_one(
    professional_client, gazetteer
):
    draft, url = child_page(professional_client)
    typed = {"revision": "0", "first_name": "Ava", "address__find_postcode": "wr52np"}
    page = professional_client.post(url, {**typed, "find": "address"}).content.decode()
    assert "Please select an address or enter the details manually." in page
    assert "County Hall" in page
    assert 'value="Ava"' in page  # what was typed stays
    uprn = re.search(r'<option value="(\d+)">[^<]*County Hall', page).group(1)

    page = professional_client.post(
        url, {**typed, "revision": "1", "address__choice": uprn, "choose": "address"}
    ).content.decode()
    stored = Draft.objects.get(pk=draft).answers["children"][0]["address"]
    assert stored[6] == "WR5 2NP"
    assert stored[7] == uprn  # the UPRN is kept with the address
    assert "Spetchley Road" in page

    professional_client.post(url, {**typed, "revision": "2", "reset": "address"})
    assert not any(Draft.objects.get(pk=draft).answers["children"][0]["address"])


def test_find_address_says_clearly_when_it_finds_nothing(professional_client, gazetteer):
    _, url = child_page(professional_client)
    bad = professional_client.post(
        url, {"revision": "0", "address__find_postcode": "not a postcode", "find": "address"}
    )
    assert "Enter a real postcode, like WR5 2NP" in bad.content.decode()
    none = professional_client.post(
        url, {"revision": "1", "address__find_postcode": "ZE1 0AA", "find": "address"}
    )
    assert "No addresses were found for that postcode" in none.content.decode()


def test_a_required_address_holds_the_section_until_found_entered_or_explained(
    professional_client,
):
    draft, url = child_page(professional_client)
    no_address = {**CHILD, "address_1": "", "address_2": "", "address_4": "", "address_6": ""}
    page = professional_client.post(url, {"revision": "0", **no_address}).content.decode()
    assert "Find the address by its postcode, enter it yourself, or say why it is not known" in page
    response = professional_client.post(
        url,
        {
            "revision": "1",
            **no_address,
            "address__unknown_reason": "The family is homeless at the moment",
        },
    )
    assert response.status_code == 302
    check = professional_client.get(f"/forms/draft/{draft}/check/").content.decode()
    assert "Address not known" in check


def test_an_address_over_512_characters_is_refused(professional_client):
    _, url = child_page(professional_client)
    long = {
        **CHILD,
        "address_0": "P" * 150,
        "address_2": "S" * 150,
        "address_3": "A" * 150,
        "address_5": "C" * 150,
    }
    page = professional_client.post(url, {"revision": "0", **long}).content.decode()
    assert "Address must be 512 characters or fewer" in page


def test_an_address_outside_the_council_gets_a_warning_not_an_error(professional_client):
    draft, url = child_page(professional_client)
    response = professional_client.post(url, {"revision": "0", **CHILD, "address_6": "SW1A 1AA"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "outside Exampleshire County Council" in page
    assert "https://www.gov.uk/find-local-council" in page
    assert f'href="/forms/draft/{draft}/children/"' in page  # carry on
    assert Draft.objects.get(pk=draft).completed == ["children"]  # saved, and complete


def test_the_second_child_can_take_the_first_childs_address(professional_client):
    draft, url = child_page(professional_client)
    professional_client.post(url, {"revision": "0", **CHILD})
    second = f"/forms/draft/{draft}/children/1/"
    page = professional_client.get(second).content.decode()
    assert "Same address as the first child" in page
    professional_client.post(
        second, {"revision": "1", "first_name": "Ben", "same_as_first": "address"}
    )
    stored = Draft.objects.get(pk=draft).answers["children"][1]
    assert stored["first_name"] == "Ben"
    assert stored["address"][2] == "Fictional Road"


def test_a_sixth_form_added_as_a_file_is_completed_end_to_end(
    settings, tmp_path, public_client, teams
):
    import shutil

    import yaml

    from frontdoor.referrals import registry
    from frontdoor.referrals.tests.test_versions import SIXTH

    for path in registry.FOLDER.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    (tmp_path / "library-card.yaml").write_text(yaml.safe_dump(SIXTH), encoding="utf-8")
    settings.FORMS_FOLDER = str(tmp_path)
    try:
        registry.load()
        assert "Library card request" in public_client.get("/forms/").content.decode()
        draft = start(public_client, "library-card")
        page = public_client.post(
            f"/forms/draft/{draft}/reader/", {"revision": "0", "has_card": "yes"}
        ).content.decode()
        assert "Enter first name" in page  # its own questions, its own rules
        public_client.post(
            f"/forms/draft/{draft}/reader/",
            {"revision": "1", "first_name": "Ava", "has_card": "yes", "card_number": "X1"},
        )
        response = public_client.post(f"/forms/draft/{draft}/send/")
        submission = Submission.objects.get()
        assert response["Location"] == f"/forms/sent/{submission.reference}/"
        assert submission.answers == {
            "reader": {"first_name": "Ava", "has_card": "yes", "card_number": "X1"}
        }
        assert submission.team_slug == "feedback"
    finally:
        settings.FORMS_FOLDER = ""
        registry.load()


def test_the_expired_drafts_command_for_cron(public_client, run_tasks):
    from datetime import timedelta

    import time_machine
    from django.core.management import call_command

    draft = start(public_client, "feedback")
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        call_command("delete_expired_drafts", verbosity=0)
    assert not Draft.objects.filter(pk=draft).exists()


def test_change_from_check_your_answers_returns_there(public_client):
    draft = start(public_client, "feedback")
    url = f"/forms/draft/{draft}/your-feedback/?return=check"
    response = public_client.post(
        url, {"revision": "0", "kind": "comment", "what_happened": "Changed"}
    )
    assert response["Location"] == f"/forms/draft/{draft}/check/"


def test_the_sent_confirmation_shows_once_then_the_record(public_client, teams):
    draft = start(public_client, "feedback")
    public_client.post(f"/forms/draft/{draft}/about-you/", {"revision": "0", "anonymous": "yes"})
    public_client.post(
        f"/forms/draft/{draft}/your-feedback/",
        {
            "revision": "0",
            "kind": "comment",
            "what_happened": "x",
            "when_0": "14",
            "when_1": "3",
            "when_2": "2026",
        },
    )
    sent = public_client.post(f"/forms/draft/{draft}/send/")["Location"]
    first = public_client.get(sent).content.decode()
    later = public_client.get(sent).content.decode()
    assert "Form sent" in first
    assert "Form sent" not in later
    assert "14 March 2026" in later  # a date reads as words


def test_two_answers_with_the_same_advice_say_it_once(professional_client):
    draft = start(professional_client, "social-care-referral")
    response = professional_client.post(
        f"/forms/draft/{draft}/immediate-risk/",
        {"revision": "0", "at_risk_now": "yes", "unsafe_tonight": "yes"},
    )
    text = response.content.decode()
    assert "Phone now" in text
    assert text.count("Phone the Multi-Agency Safeguarding Hub now.") == 1


def test_a_section_with_errors_still_says_to_act_now(professional_client):
    draft = start(professional_client, "social-care-referral")
    response = professional_client.post(
        f"/forms/draft/{draft}/immediate-risk/",
        {"revision": "0", "at_risk_now": "yes", "unsafe_tonight": "perhaps"},
    )
    text = response.content.decode()
    assert "There is a problem" in text
    assert text.count(">Act now</h2>") == 1
    assert "Phone the Multi-Agency Safeguarding Hub now." in text
