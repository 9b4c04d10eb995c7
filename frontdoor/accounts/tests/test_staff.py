"""Council staff and administrators: teams, create_staff, signing in, the admin site, audit."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from conftest import PASSWORD, last_code, sign_in
from frontdoor.accounts.models import Team, User
from frontdoor.audit.models import AuditEvent
from frontdoor.audit.services import record

pytestmark = pytest.mark.django_db

TEAM_SLUGS = {"social-care", "early-help", "lado", "send", "feedback"}
STAFF_EMAIL = "new.worker@council.example.gov.uk"
STAFF_PASSWORD = "Harbour-Violet-Quiz84"


def signed_in_user(client):
    return client.get("/account/session/").wsgi_request.user


def create_staff(*extra: str) -> None:
    call_command(
        "create_staff",
        "--email",
        STAFF_EMAIL,
        "--first-name",
        "Robin",
        "--last-name",
        "Hale",
        "--no-input",
        *extra,
        verbosity=0,
    )


# --- Teams --------------------------------------------------------------------------------


def test_load_teams_creates_the_five_teams_each_with_a_mailbox(db):
    call_command("load_teams", verbosity=0)

    teams = list(Team.objects.all())
    assert {team.slug for team in teams} == TEAM_SLUGS
    for team in teams:
        assert team.name
        assert "@" in team.mailbox
        assert team.forms


def test_load_teams_twice_changes_nothing(db):
    call_command("load_teams", verbosity=0)
    before = list(Team.objects.order_by("pk").values())

    call_command("load_teams", verbosity=0)

    assert list(Team.objects.order_by("pk").values()) == before
    assert len(before) == 5


def test_load_teams_keeps_an_administrators_change_to_a_team(db):
    call_command("load_teams", verbosity=0)
    Team.objects.filter(slug="lado").update(mailbox="lado.changed@council.example.gov.uk")

    call_command("load_teams", verbosity=0)

    assert Team.objects.count() == 5
    assert Team.objects.get(slug="lado").mailbox == "lado.changed@council.example.gov.uk"


# --- create_staff -------------------------------------------------------------------------


def test_create_staff_makes_a_verified_team_account_that_is_not_an_administrator(
    teams, monkeypatch
):
    monkeypatch.setenv("FRONTDOOR_STAFF_PASSWORD", STAFF_PASSWORD)

    create_staff("--team", "social-care")

    user = User.objects.get(email=STAFF_EMAIL)
    assert user.is_verified
    assert user.is_active
    assert list(user.teams.values_list("slug", flat=True)) == ["social-care"]
    assert user.is_council_staff
    assert not user.is_staff
    assert not user.is_superuser
    assert user.check_password(STAFF_PASSWORD)
    assert AuditEvent.objects.filter(
        action="account.staff_created", object_id=str(user.pk)
    ).exists()


def test_create_staff_with_admin_makes_an_administrator(teams, monkeypatch):
    monkeypatch.setenv("FRONTDOOR_STAFF_PASSWORD", STAFF_PASSWORD)

    create_staff("--admin")

    user = User.objects.get(email=STAFF_EMAIL)
    assert user.is_staff
    assert user.is_verified


@pytest.mark.parametrize(
    "password", ["password", "Password1234", "Robin-Hale-2024", "", "Kettle Orbit"]
)
def test_create_staff_refuses_a_weak_password(teams, monkeypatch, password):
    monkeypatch.setenv("FRONTDOOR_STAFF_PASSWORD", password)

    with pytest.raises(CommandError):
        create_staff("--team", "social-care")

    assert not User.objects.filter(email=STAFF_EMAIL).exists()


def test_create_staff_refuses_an_unknown_team(teams, monkeypatch):
    monkeypatch.setenv("FRONTDOOR_STAFF_PASSWORD", STAFF_PASSWORD)

    with pytest.raises(CommandError, match="no-such-team"):
        create_staff("--team", "no-such-team")

    assert not User.objects.filter(email=STAFF_EMAIL).exists()


def test_create_staff_refuses_an_existing_email(teams, monkeypatch, professional):
    monkeypatch.setenv("FRONTDOOR_STAFF_PASSWORD", STAFF_PASSWORD)

    with pytest.raises(CommandError):
        call_command(
            "create_staff",
            "--email",
            professional.email.upper(),
            "--first-name",
            "Robin",
            "--last-name",
            "Hale",
            "--team",
            "lado",
            "--no-input",
            verbosity=0,
        )

    professional.refresh_from_db()
    assert not professional.teams.exists()


def test_staff_sign_in_with_password_and_code(client, teams, monkeypatch, run_tasks):
    monkeypatch.setenv("FRONTDOOR_STAFF_PASSWORD", STAFF_PASSWORD)
    create_staff("--team", "early-help")
    staff = User.objects.get(email=STAFF_EMAIL)

    response = client.post("/account/sign-in/", {"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert response["Location"] == "/account/sign-in/code/"
    assert not signed_in_user(client).is_authenticated

    run_tasks()
    client.post("/account/sign-in/code/", {"code": last_code(STAFF_EMAIL)})

    assert signed_in_user(client) == staff


# --- The administration site --------------------------------------------------------------


def test_anonymous_admin_goes_to_the_portal_sign_in(client):
    response = client.get("/admin/", follow=True)

    assert response.redirect_chain[-1][0] == "/account/sign-in/?next=/admin/"
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="login-form"' not in html  # not Django's admin login form
    assert "Secure login" in html


def test_django_admin_login_form_cannot_sign_anyone_in(client, administrator):
    response = client.post("/admin/login/", {"username": administrator.email, "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"].startswith("/account/sign-in/")
    assert not signed_in_user(client).is_authenticated
    assert client.get("/admin/").status_code == 302


def test_admin_login_next_cannot_point_offsite(client, administrator, run_tasks):
    client.get("/admin/login/", {"next": "https://evil.example/"})
    response = client.post(
        "/account/sign-in/",
        {"email": administrator.email, "password": PASSWORD, "next": "https://evil.example/"},
    )
    run_tasks()
    response = client.post("/account/sign-in/code/", {"code": last_code(administrator.email)})

    assert response["Location"] == "/"


@pytest.mark.parametrize("path", ["/admin/", "/admin/login/", "/admin/accounts/user/"])
def test_admin_does_not_exist_for_a_signed_in_non_administrator(
    client, professional, run_tasks, path
):
    sign_in(client, professional, run_tasks)

    response = client.get(path, follow=True)

    assert response.status_code == 404
    assert signed_in_user(client).is_authenticated


def test_administrator_signed_in_through_the_code_reaches_the_admin(
    client, administrator, run_tasks
):
    response = client.post(
        "/account/sign-in/?next=/admin/",
        {"email": administrator.email, "password": PASSWORD, "next": "/admin/"},
    )
    assert client.get("/admin/").status_code == 302  # the password alone is not enough
    run_tasks()
    response = client.post("/account/sign-in/code/", {"code": last_code(administrator.email)})
    assert response["Location"] == "/admin/"

    assert client.get("/admin/").status_code == 200
    users = client.get("/admin/accounts/user/")
    assert users.status_code == 200
    assert administrator.email in users.content.decode()


def test_audit_log_in_the_admin_lists_events_and_cannot_be_added_to_or_deleted(
    client, administrator, run_tasks
):
    sign_in(client, administrator, run_tasks)
    event = AuditEvent.objects.filter(action="signin.succeeded").get()

    listing = client.get("/admin/audit/auditevent/")

    assert listing.status_code == 200
    html = listing.content.decode()
    assert "signin.succeeded" in html
    assert 'value="delete_selected"' not in html
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    response = client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    response = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"action": "rewritten"})
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk, action="signin.succeeded").exists()


def test_admin_closes_a_leavers_account_which_ends_it_and_is_audited(
    client, administrator, professional, run_tasks
):
    theirs = Client()
    sign_in(theirs, professional, run_tasks)
    assert signed_in_user(theirs).is_authenticated
    sign_in(client, administrator, run_tasks)

    chosen = client.post(
        "/admin/accounts/user/",
        {"action": "close_account", "_selected_action": [str(professional.pk)]},
    )
    # The action leads to the leaver's page, which is the confirmation.
    assert chosen["Location"] == f"/admin/accounts/user/{professional.pk}/leaver/"
    professional.refresh_from_db()
    assert professional.is_active
    response = client.post(chosen["Location"], {"drafts_to": ""})

    assert response.status_code == 302
    professional.refresh_from_db()
    assert not professional.is_active
    event = AuditEvent.objects.get(action="account.deactivated")
    assert event.object_id == str(professional.pk)
    assert event.actor_id == administrator.pk
    assert not signed_in_user(theirs).is_authenticated
    administrator.refresh_from_db()
    assert administrator.is_active


def test_non_administrator_cannot_use_admin_actions(
    client, professional, second_professional, run_tasks
):
    sign_in(client, professional, run_tasks)

    response = client.post(
        "/admin/accounts/user/",
        {"action": "close_account", "_selected_action": [str(second_professional.pk)]},
    )

    assert response.status_code in (302, 404)
    second_professional.refresh_from_db()
    assert second_professional.is_active
    assert not AuditEvent.objects.filter(action="account.deactivated").exists()


# --- The audit log is append-only -----------------------------------------------------------


def test_audit_events_cannot_be_changed_through_the_model(professional):
    event = record("test.event", actor=professional)

    event.action = "test.rewritten"
    with pytest.raises(PermissionError):
        event.save()

    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


def test_audit_events_cannot_be_deleted_through_the_model(professional):
    event = record("test.event", actor=professional)

    with pytest.raises(PermissionError):
        event.delete()

    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_the_admins_own_password_page_leads_to_the_portals(client, administrator, run_tasks):
    sign_in(client, administrator, run_tasks)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302
    assert response["Location"] == "/account/details/password/"


def test_signing_out_of_the_admin_is_the_portals_audited_sign_out(client, administrator, run_tasks):
    sign_in(client, administrator, run_tasks)
    response = client.post("/admin/logout/")
    assert response["Location"] == "/account/signed-out/"
    assert AuditEvent.objects.filter(action="signout", actor_id=administrator.pk).exists()
    assert client.get("/admin/").status_code == 302


def test_the_admin_refuses_an_email_that_differs_only_in_case(
    client, administrator, professional, second_professional, run_tasks
):
    sign_in(client, administrator, run_tasks)
    response = client.post(
        f"/admin/accounts/user/{second_professional.pk}/change/",
        {
            "email": professional.email.upper(),
            "first_name": "Gareth",
            "last_name": "Owen",
            "is_professional": "on",
            "organisation": "Elm Street Surgery",
            "job_title": "GP",
            "telephone": "",
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "An account with this email address already exists." in response.content.decode()
    second_professional.refresh_from_db()
    assert second_professional.email == "gp@surgery.example.nhs.uk"


def test_accounts_cannot_be_deleted_in_the_admin(client, administrator, professional, run_tasks):
    sign_in(client, administrator, run_tasks)
    assert client.get(f"/admin/accounts/user/{professional.pk}/delete/").status_code == 403
    assert "delete_selected" not in client.get("/admin/accounts/user/").content.decode()


# --- Roles in a team ------------------------------------------------------------------------


def test_create_staff_with_manager_makes_a_manager_of_the_teams_given(teams, monkeypatch):
    monkeypatch.setenv("FRONTDOOR_STAFF_PASSWORD", STAFF_PASSWORD)
    create_staff("--team", "social-care", "--team", "lado", "--manager")
    user = User.objects.get(email=STAFF_EMAIL)
    assert user.is_manager_of(teams["social-care"])
    assert user.is_manager_of(teams["lado"])
    assert not user.is_manager_of(teams["early-help"])
    event = AuditEvent.objects.get(action="account.staff_created", object_id=str(user.pk))
    assert sorted(event.detail["manager_of"]) == ["lado", "social-care"]


def test_create_staff_without_manager_makes_a_worker(teams, monkeypatch):
    monkeypatch.setenv("FRONTDOOR_STAFF_PASSWORD", STAFF_PASSWORD)
    create_staff("--team", "social-care")
    user = User.objects.get(email=STAFF_EMAIL)
    assert user.is_council_staff
    assert not user.is_manager_of(teams["social-care"])


def test_create_staff_refuses_manager_without_a_team(teams, monkeypatch):
    monkeypatch.setenv("FRONTDOOR_STAFF_PASSWORD", STAFF_PASSWORD)
    with pytest.raises(CommandError, match="--manager needs"):
        create_staff("--admin", "--manager")


def test_the_admin_creates_a_manager_and_shows_roles_and_each_teams_forms(
    client, administrator, teams, run_tasks
):
    sign_in(client, administrator, run_tasks)
    form = {
        "email": STAFF_EMAIL,
        "first_name": "Robin",
        "last_name": "Hale",
        "password1": STAFF_PASSWORD,
        "password2": STAFF_PASSWORD,
    }
    refused = client.post("/admin/accounts/user/add/", {**form, "manager_of": [teams["lado"].pk]})
    assert "A manager of a team must be in the team" in refused.content.decode()
    assert not User.objects.filter(email=STAFF_EMAIL).exists()
    response = client.post(
        "/admin/accounts/user/add/",
        {
            **form,
            "member_of": [teams["social-care"].pk, teams["lado"].pk],
            "manager_of": [teams["social-care"].pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email=STAFF_EMAIL)
    assert user.is_manager_of(teams["social-care"])
    assert user.teams.filter(slug="lado").exists()
    assert not user.is_manager_of(teams["lado"])
    change = client.get(f"/admin/accounts/user/{user.pk}/change/").content.decode()
    assert "team membership" in change.lower()
    assert 'value="manager" selected' in change
    team_page = client.get(f"/admin/accounts/team/{teams['social-care'].pk}/change/")
    assert "Children&#x27;s Social Care referral" in team_page.content.decode()
