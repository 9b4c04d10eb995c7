"""API clients and tokens: stored hashed, shown once, revocable, rotatable (two live at
once), last use noted; the command and the administration pages."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client

from conftest import signed_in
from frontdoor.api import clients
from frontdoor.api.models import ApiClient, ApiToken
from frontdoor.api.tests.conftest import assert_problem
from frontdoor.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals"


def status(token: str) -> int:
    return Client(headers={"Authorization": f"Bearer {token}"}).get(LIST).status_code


def test_a_token_is_stored_only_as_a_digest(teams):
    client, token = clients.create_client("LCS", [teams["social-care"]])
    stored = ApiToken.objects.get(client=client)
    assert re.fullmatch(r"fdk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", token)
    assert token not in str(list(ApiToken.objects.values()))
    assert stored.digest == clients.digest_of(token)
    assert token not in str(list(AuditEvent.objects.values()))
    assert status(token) == 200


@pytest.mark.parametrize(
    "header",
    [
        None,
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "Bearer not-a-token",
        "Bearer fdk_000000000000_" + "A" * 43,  # the shape of one, but no such token
    ],
)
def test_no_or_a_wrong_token_is_a_401_problem(teams, header):
    clients.create_client("LCS", [teams["social-care"]])
    headers = {"Authorization": header} if header else {}
    response = Client(headers=headers).get(LIST)
    body = assert_problem(response, 401)
    assert "Bearer" in body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_with_a_changed_secret_is_refused(teams):
    _, token = clients.create_client("LCS", [teams["social-care"]])
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert status(forged) == 401
    assert status(token) == 200


def test_rotation_two_tokens_work_until_the_old_is_revoked(teams, administrator):
    client, old = clients.create_client("LCS", [teams["social-care"]])
    new = clients.issue_token(client, by=administrator)
    assert status(old) == status(new) == 200
    with pytest.raises(clients.Refused, match="two live tokens"):
        clients.issue_token(client)

    clients.revoke_token(ApiToken.objects.get(client=client, prefix=old[4:16]), by=administrator)
    assert status(old) == 401
    assert status(new) == 200
    assert clients.issue_token(client)  # one live again: room for the next
    actions = list(AuditEvent.objects.filter(object_type="api.apiclient").values_list("action"))
    assert ("api.token.revoked",) in actions


def test_a_revoked_client_is_refused_with_every_token(teams):
    client, token = clients.create_client("LCS", [teams["social-care"]])
    second = clients.issue_token(client)
    clients.revoke_client(client)
    assert status(token) == status(second) == 401
    with pytest.raises(clients.Refused):
        clients.issue_token(client)


def test_last_use_is_noted(teams):
    client, token = clients.create_client("LCS", [teams["social-care"]])
    assert ApiToken.objects.get(client=client).last_used_at is None
    status(token)
    assert ApiToken.objects.get(client=client).last_used_at is not None


def test_the_command_creates_a_client_and_prints_its_token_once(teams):
    out = io.StringIO()
    call_command(
        "create_api_client", "--name", "Mosaic", "--team", "social-care", "--team", "lado",
        stdout=out,
    )  # fmt: skip
    client = ApiClient.objects.get(name="Mosaic")
    assert sorted(t.slug for t in client.teams.all()) == ["lado", "social-care"]
    token = out.getvalue().strip().splitlines()[-1]
    assert status(token) == 200

    with pytest.raises(CommandError, match="No team with the slug nowhere"):
        call_command("create_api_client", "--name", "X", "--team", "nowhere")
    with pytest.raises(CommandError, match="already an API client called Mosaic"):
        call_command("create_api_client", "--name", "Mosaic", "--team", "lado")


@pytest.fixture
def admin_client(administrator, run_tasks):
    return signed_in(administrator, run_tasks)


def test_the_admin_lists_clients_with_teams_last_use_and_live_tokens(admin_client, teams):
    client, token = clients.create_client("Liquidlogic LCS", [teams["social-care"]])
    status(token)
    html = admin_client.get("/admin/api/apiclient/").content.decode()
    assert "Liquidlogic LCS" in html
    assert "social-care" in html
    assert "Never" not in html  # it has been used
    assert f"/admin/api/apiclient/{client.pk}/tokens/" in html
    assert "1 (tokens)" in html


def test_the_admin_issues_a_token_shown_once_and_revokes(admin_client, teams):
    client, first = clients.create_client("LCS", [teams["social-care"]])
    page = f"/admin/api/apiclient/{client.pk}/tokens/"

    response = admin_client.post(page, {"action": "issue"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    issued = re.search(r"fdk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}", response.content.decode())
    assert issued is not None
    assert status(issued.group(0)) == 200
    # Shown once: never again on the page.
    assert issued.group(0) not in admin_client.get(page).content.decode()

    refused = admin_client.post(page, {"action": "issue"})  # a third live one
    assert refused.status_code == 200
    assert "There is a problem" in refused.content.decode()
    assert "revoke the older one first" in refused.content.decode()
    assert ApiToken.objects.filter(client=client, revoked_at=None).count() == 2

    old = ApiToken.objects.get(client=client, prefix=first[4:16])
    assert admin_client.post(page, {"action": "revoke", "token": old.pk}).status_code == 200
    assert status(first) == 401
    assert status(issued.group(0)) == 200

    # Revoking the client asks first, and asking revokes nothing.
    asked = admin_client.get(page, {"confirm": "revoke"}).content.decode()
    assert "Yes, revoke this API client" in asked
    assert status(issued.group(0)) == 200
    admin_client.post(page, {"action": "revoke_client"})
    assert status(issued.group(0)) == 401
    assert ApiClient.objects.get(pk=client.pk).revoked_at is not None


def test_the_admin_cannot_revoke_another_clients_token(admin_client, teams):
    mine, _ = clients.create_client("LCS", [teams["social-care"]])
    _, theirs = clients.create_client("Other", [teams["lado"]])
    other = ApiToken.objects.get(prefix=theirs[4:16])
    page = f"/admin/api/apiclient/{mine.pk}/tokens/"
    assert admin_client.post(page, {"action": "revoke", "token": other.pk}).status_code == 404
    assert admin_client.post(page, {"action": "revoke", "token": "x"}).status_code == 404
    assert status(theirs) == 200


def test_adding_a_client_in_the_admin_leads_to_its_tokens_page(admin_client, teams):
    response = admin_client.post(
        "/admin/api/apiclient/add/", {"name": "Eclipse", "teams": [teams["lado"].pk]}
    )
    client = ApiClient.objects.get(name="Eclipse")
    assert response.status_code == 302
    assert response["Location"] == f"/admin/api/apiclient/{client.pk}/tokens/"
    assert "No tokens yet" in admin_client.get(response["Location"]).content.decode()


def test_the_tokens_page_is_404_to_anyone_but_an_administrator(teams, mash_staff, run_tasks):
    client, _ = clients.create_client("LCS", [teams["social-care"]])
    page = f"/admin/api/apiclient/{client.pk}/tokens/"
    staff = signed_in(mash_staff, run_tasks)
    assert staff.get(page).status_code == 404
    assert staff.post(page, {"action": "issue"}).status_code == 404
    assert ApiToken.objects.filter(client=client).count() == 1
    assert Client().get(page).status_code == 302  # to the portal's sign-in


def test_the_tokens_page_gives_dates_in_words(admin_client, teams):
    client, token = clients.create_client("LCS", [teams["social-care"]])
    at = datetime.datetime(2026, 11, 30, 14, 5, tzinfo=datetime.UTC)  # 2:05pm GMT
    ApiToken.objects.filter(client=client).update(created_at=at)
    with time_machine.travel(at + datetime.timedelta(hours=1), tick=False):
        status(token)
    html = admin_client.get(f"/admin/api/apiclient/{client.pk}/tokens/").content.decode()
    assert "30 November 2026 at 2:05pm" in html
    assert "30 November 2026 at 3:05pm" in html  # last used
