import pytest
from django.core import mail
from django.test import Client

from conftest import PASSWORD, last_code, sign_in
from frontdoor.accounts.models import User
from frontdoor.accounts.tests.test_sign_in import NEW_PASSWORD
from frontdoor.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

DETAILS = {
    "first_name": "Priya",
    "last_name": "Sharma",
    "organisation": "Hillside Academy",
    "job_title": "Deputy head",
    "telephone": "07700 900982",
    "house": "3",
    "street": "New Street",
    "town": "Malvern",
    "postcode": "wr14 1aa",
}


@pytest.fixture
def signed_in(professional: User, run_tasks) -> Client:
    client = Client()
    sign_in(client, professional, run_tasks)
    return client


def test_your_details_needs_sign_in(client):
    response = client.get("/account/details/")
    assert response.headers["Location"] == "/account/sign-in/?next=/account/details/"


def test_your_details_shows_the_account(signed_in):
    page = signed_in.get("/account/details/").content.decode()
    for text in (
        "Priya Patel",
        "Riverside Primary School",
        "Designated safeguarding lead",
        "WR1 1AA",
    ):
        assert text in page


def test_changing_details_updates_the_account(signed_in, professional):
    response = signed_in.post("/account/details/change/", DETAILS)

    assert response.headers["Location"] == "/account/details/"
    professional.refresh_from_db()
    assert professional.last_name == "Sharma"
    assert professional.organisation == "Hillside Academy"
    assert professional.address.postcode == "WR14 1AA"
    assert professional.address.town == "Malvern"
    assert AuditEvent.objects.filter(action="account.details_changed").exists()


def test_changing_details_cannot_make_an_account_professional(member_of_public, run_tasks):
    client = Client()
    sign_in(client, member_of_public, run_tasks)
    response = client.post("/account/details/change/", {**DETAILS, "professional": "yes"})

    # The change itself went through (a refused form would prove nothing)…
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/details/"
    member_of_public.refresh_from_db()
    assert member_of_public.last_name == "Sharma"
    assert member_of_public.address.postcode == "WR14 1AA"
    # …but not the parts only a professional's account has.
    assert not member_of_public.is_professional
    assert member_of_public.organisation == ""


def test_a_professional_must_keep_an_organisation(signed_in):
    response = signed_in.post("/account/details/change/", {**DETAILS, "organisation": ""})
    assert "Enter your organisation" in response.content.decode()


def test_changing_email_needs_the_password_and_a_code_sent_to_the_new_address(
    signed_in, professional, run_tasks
):
    response = signed_in.post(
        "/account/details/email/",
        {"email": "priya@hillside.example.org", "password": "Wrong-9-Pass"},
    )
    assert "Your password is not correct" in response.content.decode()

    response = signed_in.post(
        "/account/details/email/", {"email": "priya@hillside.example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/account/details/email/confirm/"
    run_tasks()
    code = last_code("priya@hillside.example.org")
    professional.refresh_from_db()
    assert professional.email == "dsl@school.example.org"  # not until the code is entered

    response = signed_in.post("/account/details/email/confirm/", {"code": code})

    assert response.headers["Location"] == "/account/details/"
    professional.refresh_from_db()
    assert professional.email == "priya@hillside.example.org"
    run_tasks()
    assert mail.outbox[-1].to == ["dsl@school.example.org"]
    assert "has been changed" in mail.outbox[-1].body


def test_changing_to_an_address_that_has_an_account_tells_that_address_instead(
    signed_in, professional, second_professional, run_tasks
):
    signed_in.post(
        "/account/details/email/", {"email": second_professional.email, "password": PASSWORD}
    )
    run_tasks()
    assert mail.outbox[-1].to == [second_professional.email]
    assert "already has an account" in mail.outbox[-1].body
    assert not any(
        m.to == [second_professional.email] and "verification code" in m.body for m in mail.outbox
    )
    professional.refresh_from_db()
    assert professional.email == "dsl@school.example.org"


def test_a_professional_cannot_change_to_a_personal_email(signed_in):
    response = signed_in.post(
        "/account/details/email/", {"email": "priya@hotmail.com", "password": PASSWORD}
    )
    assert "Enter your work email address" in response.content.decode()


def test_changing_password_applies_the_policy_and_history(signed_in, professional, run_tasks):
    def change(current: str, new: str):
        return signed_in.post(
            "/account/details/password/",
            {"current_password": current, "new_password": new, "confirm_password": new},
        )

    assert (
        "Your current password is not correct"
        in change("Wrong-9-Pass", NEW_PASSWORD).content.decode()
    )
    assert "You have used this password recently" in change(PASSWORD, PASSWORD).content.decode()
    assert "at least 12 characters" in change(PASSWORD, "Short-1A").content.decode()

    response = change(PASSWORD, NEW_PASSWORD)

    assert response.headers["Location"] == "/account/details/"
    assert signed_in.get("/account/details/").status_code == 200  # this session goes on
    professional.refresh_from_db()
    assert professional.check_password(NEW_PASSWORD)
    run_tasks()
    assert "has just been changed" in mail.outbox[-1].body


def test_changing_password_ends_other_sessions(professional, run_tasks):
    first, second = Client(), Client()
    sign_in(first, professional, run_tasks)
    sign_in(second, professional, run_tasks)
    first.post(
        "/account/details/password/",
        {
            "current_password": PASSWORD,
            "new_password": NEW_PASSWORD,
            "confirm_password": NEW_PASSWORD,
        },
    )
    assert second.get("/account/details/").status_code == 302
    assert first.get("/account/details/").status_code == 200
