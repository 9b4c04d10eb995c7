from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from conftest import PASSWORD, last_code
from frontdoor.accounts.models import OneTimeCode, User
from frontdoor.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

STEP1 = {
    "first_name": "Jo",
    "last_name": "Bloggs",
    "professional": "yes",
    "organisation": "Riverside Primary School",
    "job_title": "Teacher",
    "telephone": "01905 765765",
    "property_name": "",
    "house": "12",
    "street": "Fictional Road",
    "area": "",
    "town": "Worcester",
    "county": "",
    "postcode": "wr52np",
}


def register(client: Client, email: str = "jo@school.example.org", **step1: str) -> None:
    response = client.post("/account/register/", {**STEP1, **step1})
    assert response.status_code == 302, response.content.decode()
    response = client.post(
        "/account/register/step-2/",
        {"email": email, "new_password": PASSWORD, "confirm_password": PASSWORD},
    )
    assert response.headers["Location"] == "/account/register/verify/"


def test_registration_emails_a_code_and_the_account_cannot_sign_in_until_it_is_entered(
    client, run_tasks
):
    register(client)
    run_tasks()
    user = User.objects.get(email="jo@school.example.org")
    assert user.email_verified_at is None
    assert user.is_professional
    assert user.address.postcode == "WR5 2NP"
    code = last_code(user.email)

    response = client.post("/account/register/verify/", {"code": code})

    assert response.headers["Location"] == "/account/register/done/"
    user.refresh_from_db()
    assert user.email_verified_at is not None
    assert AuditEvent.objects.filter(action="account.verified", actor_id=user.pk).exists()


def test_the_code_email_greets_by_first_name_and_carries_no_other_personal_data(client, run_tasks):
    register(client)
    run_tasks()
    message = mail.outbox[-1]
    body = message.body + message.alternatives[0][0]
    assert "Dear Jo" in body
    for personal in ("Bloggs", "Fictional Road", "WR5 2NP", "01905 765765", "Riverside"):
        assert personal not in body


def test_step_1_answers_are_kept_when_going_back_from_step_2(client):
    client.post("/account/register/", STEP1)

    page = client.get("/account/register/").content.decode()

    assert 'value="Fictional Road"' in page
    assert 'value="WR5 2NP"' in page
    assert 'value="yes" checked' in page


def test_step_1_refuses_missing_mandatory_answers_with_an_error_summary(client):
    response = client.post("/account/register/", {"professional": "yes"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    for message in (
        "Enter your first name",
        "Enter your surname",
        "Enter the street",
        "Enter the town or city",
        "Enter the postcode",
        "Enter your organisation",
        "Enter your job title",
    ):
        assert message in page
    assert page.startswith("<!DOCTYPE html>")
    assert "<title>Error: " in page


def test_a_member_of_the_public_needs_no_organisation(client):
    response = client.post(
        "/account/register/", {**STEP1, "professional": "no", "organisation": "", "job_title": ""}
    )
    assert response.status_code == 302


def test_an_invalid_postcode_is_refused(client):
    response = client.post("/account/register/", {**STEP1, "postcode": "WR5 ZZZ"})
    assert "Enter a real postcode, like WR5 2NP" in response.content.decode()


def test_an_address_over_512_characters_is_refused(client):
    response = client.post(
        "/account/register/",
        {
            **STEP1,
            "property_name": "P" * 100,
            "house": "H" * 100,
            "street": "S" * 150,
            "area": "A" * 100,
            "town": "T" * 100,
            "county": "C" * 100,
        },
    )
    assert "The address must be 512 characters or fewer" in response.content.decode()


def test_a_professional_with_a_personal_email_is_refused(client):
    client.post("/account/register/", STEP1)

    response = client.post(
        "/account/register/step-2/",
        {"email": "jo.bloggs@gmail.com", "new_password": PASSWORD, "confirm_password": PASSWORD},
    )

    assert "Enter your work email address" in response.content.decode()
    assert not User.objects.exists()


def test_a_member_of_the_public_may_use_a_personal_email(client):
    client.post("/account/register/", {**STEP1, "professional": "no"})
    response = client.post(
        "/account/register/step-2/",
        {"email": "jo.bloggs@gmail.com", "new_password": PASSWORD, "confirm_password": PASSWORD},
    )
    assert response.status_code == 302
    assert not User.objects.get().is_professional


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Kettle-Orb7", "at least 12 characters"),
        ("kettle-orbit-lantern7", "upper-case letter"),
        ("Kettle-Orbit-Lantern", "digit"),
        ("Password12345", "too easy to guess"),
        ("Jobloggs-Kettle7", "your name"),
    ],
)
def test_step_2_applies_the_password_policy(client, password, message):
    client.post("/account/register/", STEP1)
    response = client.post(
        "/account/register/step-2/",
        {"email": "jo@school.example.org", "new_password": password, "confirm_password": password},
    )
    assert message in response.content.decode()
    assert not User.objects.exists()


def test_mismatched_confirmation_is_refused(client):
    client.post("/account/register/", STEP1)
    response = client.post(
        "/account/register/step-2/",
        {"email": "jo@school.example.org", "new_password": PASSWORD, "confirm_password": "x"},
    )
    assert "The passwords do not match" in response.content.decode()


def test_registering_an_existing_email_looks_the_same_and_tells_the_owner(
    client, professional, run_tasks
):
    before = professional.password
    register(client, email=professional.email.upper())
    run_tasks()

    professional.refresh_from_db()
    assert professional.password == before
    assert professional.first_name == "Priya"
    assert mail.outbox[-1].to == [professional.email]
    assert "already have one" in mail.outbox[-1].body
    assert not OneTimeCode.objects.filter(user=professional).exists()


def test_registering_again_with_an_unverified_email_sends_a_fresh_code(client, run_tasks):
    register(client)
    run_tasks()
    first = last_code("jo@school.example.org")

    sent = len(mail.outbox)

    # Within a minute: no new email (nobody can flood an inbox); the first code still works.
    register(Client())
    run_tasks()
    assert len(mail.outbox) == sent
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        register(Client())
        run_tasks()
        second = last_code("jo@school.example.org")
        assert len(mail.outbox) == sent + 1
        if first != second:
            response = client.post("/account/register/verify/", {"code": first})
            assert "The code is not correct or has expired" in response.content.decode()
    assert OneTimeCode.objects.filter(used_at=None, cancelled_at=None).count() == 1
    assert User.objects.count() == 1


def test_a_code_expires_after_five_minutes(client, run_tasks):
    register(client)
    run_tasks()
    code = last_code("jo@school.example.org")

    with time_machine.travel(timezone.now() + timedelta(minutes=5, seconds=1)):
        response = client.post("/account/register/verify/", {"code": code})

    assert "The code is not correct or has expired" in response.content.decode()
    assert User.objects.get().email_verified_at is None


def test_a_code_works_only_once(client, run_tasks):
    register(client)
    run_tasks()
    code = last_code("jo@school.example.org")
    client.post("/account/register/verify/", {"code": code})

    again = Client()
    register(again, email="other@school.example.org")
    session = again.session
    session["verify_email"] = "jo@school.example.org"
    session.save()
    response = again.post("/account/register/verify/", {"code": code})

    # Refused on the page itself (a 302 would be the code accepted), and nothing verified.
    assert response.status_code == 200
    assert "The code is not correct or has expired" in response.content.decode()
    assert AuditEvent.objects.filter(action="account.verified").count() == 1
    assert again.session.get("verify_email") == "jo@school.example.org"


def test_a_sixth_wrong_try_is_refused_even_with_the_right_code(client, run_tasks):
    register(client)
    run_tasks()
    code = last_code("jo@school.example.org")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = client.post("/account/register/verify/", {"code": wrong})
        assert "The code is not correct or has expired" in response.content.decode()

    response = client.post("/account/register/verify/", {"code": code})

    assert "The code is not correct or has expired" in response.content.decode()
    assert User.objects.get().email_verified_at is None


def test_a_new_code_cancels_the_old_and_is_limited_to_one_a_minute(client, run_tasks):
    register(client)
    run_tasks()
    old = last_code("jo@school.example.org")
    sent = len(mail.outbox)

    # Registering sent the first code: a new one only after a minute.
    response = client.post("/account/register/verify/", {"resend": "1"}, follow=True)
    run_tasks()
    assert "Wait a minute" in response.content.decode()
    assert len(mail.outbox) == sent

    later = time_machine.travel(timezone.now() + timedelta(seconds=61))
    later.start()
    response = client.post("/account/register/verify/", {"resend": "1"}, follow=True)
    run_tasks()
    assert "We have sent you a new code" in response.content.decode()
    assert len(mail.outbox) == sent + 1
    new = last_code("jo@school.example.org")

    response = client.post("/account/register/verify/", {"resend": "1"}, follow=True)
    run_tasks()
    assert "Wait a minute" in response.content.decode()
    assert len(mail.outbox) == sent + 1

    if old != new:
        response = client.post("/account/register/verify/", {"code": old})
        # The old code is refused on the page (accepted, it would be a 302 to "done").
        assert response.status_code == 200
        assert "The code is not correct or has expired" in response.content.decode()
        assert User.objects.get(email="jo@school.example.org").email_verified_at is None
    response = client.post("/account/register/verify/", {"code": new})
    later.stop()
    assert response.headers["Location"] == "/account/register/done/"


def test_codes_are_stored_hashed(client, run_tasks):
    register(client)
    run_tasks()
    code = last_code("jo@school.example.org")
    stored = OneTimeCode.objects.get()
    assert code not in stored.code_hash
    assert stored.matches(code)


def test_unverified_accounts_are_deleted_after_seven_days(client, run_tasks, professional):
    register(client)
    run_tasks()

    with time_machine.travel(timezone.now() + timedelta(days=6, hours=23)):
        call_command("delete_unverified_accounts", verbosity=0)
    assert User.objects.filter(email="jo@school.example.org").exists()

    with time_machine.travel(timezone.now() + timedelta(days=7, minutes=1)):
        call_command("delete_unverified_accounts", verbosity=0)
    assert not User.objects.filter(email="jo@school.example.org").exists()
    assert User.objects.filter(pk=professional.pk).exists()
    assert AuditEvent.objects.filter(action="account.unverified_deleted").get().detail == {
        "count": 1
    }
