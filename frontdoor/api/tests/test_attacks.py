"""The API as an outside tester attacks it: what a session cookie does to it, bodies
refused before the endpoint runs (each still audited, never with what was sent), and the
problems' titles."""

import base64
import json

import pytest
from django.test import Client

from conftest import signed_in
from frontdoor.api.models import ApiImport
from frontdoor.api.tests.conftest import assert_problem
from frontdoor.audit.models import AuditEvent
from frontdoor.cases.models import Case
from frontdoor.cases.services import RESPONSE_MAX_LENGTH
from tests.sending import send

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals"


def test_a_staff_session_is_not_an_api_client(mash_staff, run_tasks, professional):
    """Signed in to the portal, a browser (or a page that makes it post) is refused: only
    a token authenticates, so there is nothing for a forged cross-site request to use."""
    sent = send(professional, "social-care-referral")
    browser = signed_in(mash_staff, run_tasks)
    assert_problem(browser.get(LIST), 401)
    posted = browser.post(
        f"{LIST}/{sent.reference}/decision",
        {"outcome": "no-further-action", "response": "Nothing more."},
        content_type="application/json",
    )
    assert_problem(posted, 401)
    assert Case.objects.get(submission=sent).outcome == ""


def test_a_call_with_a_token_and_a_session_is_the_clients_alone(
    mash_staff, run_tasks, professional, social_care_system
):
    """The audit names the client, never the person whose session cookie came along."""
    sent = send(professional, "social-care-referral")
    both = signed_in(mash_staff, run_tasks)
    response = both.get(
        f"{LIST}/{sent.reference}",
        headers={"Authorization": f"Bearer {social_care_system.token}"},
    )
    assert response.status_code == 200
    viewed = AuditEvent.objects.get(action="api.referral.viewed")
    assert viewed.actor_id is None
    assert viewed.actor_label == ""
    assert viewed.detail["client"] == social_care_system.client_row.pk


SECRET = "Ava Example lives at 3 Example Lane"


@pytest.mark.parametrize(
    ("path", "body", "action", "why", "fields"),
    [
        (
            "decision",
            {"outcome": "early-help", "response": SECRET + "x" * RESPONSE_MAX_LENGTH},
            "api.referral.decision_refused",
            "invalid",
            ["body.response"],
        ),
        (
            "decision",
            {"outcome": None, "response": SECRET},
            "api.referral.decision_refused",
            "invalid",
            ["body.outcome"],
        ),
        (
            "import",
            {"external_reference": SECRET + "\u202e"},
            "api.referral.import_refused",
            "invalid",
            ["body.external_reference"],
        ),
    ],
)
def test_a_body_refused_before_the_endpoint_is_audited_without_it(
    professional, social_care_system, path, body, action, why, fields
):
    sent = send(professional, "social-care-referral")
    url = f"{LIST}/{sent.reference}/{path}"
    call = social_care_system.post if path == "decision" else social_care_system.put
    problem = assert_problem(call(url, body), 422)
    assert [error["where"] for error in problem["errors"]] == fields
    event = AuditEvent.objects.get(action=action)
    assert event.reference == sent.reference
    assert event.detail["why"] == why
    assert event.detail["fields"] == fields
    assert event.detail["client"] == social_care_system.client_row.pk
    assert "Ava" not in str(event.detail)
    assert Case.objects.get(submission=sent).outcome == ""
    assert not ApiImport.objects.exists()


def test_a_body_that_is_not_json_is_audited(professional, social_care_system):
    sent = send(professional, "social-care-referral")
    response = social_care_system.http.put(
        f"{LIST}/{sent.reference}/import", "[" * 100_000, content_type="application/json"
    )
    assert_problem(response, 400)
    event = AuditEvent.objects.get(action="api.referral.import_refused")
    assert (event.reference, event.detail["why"]) == (sent.reference, "unparsable")


def test_a_query_refused_is_audited(social_care_system):
    problem = assert_problem(social_care_system.get(LIST, {"updated_since": "2026-12-01"}), 422)
    assert problem["errors"][0]["where"] == "query.updated_since"
    event = AuditEvent.objects.get(action="api.request.invalid")
    assert event.detail["operation"] == "referrals"
    assert event.detail["fields"] == ["query.updated_since"]


def test_a_bad_token_is_still_refused_before_anything_and_not_audited():
    response = Client(headers={"Authorization": "Bearer fdk_000000000000_" + "a" * 43}).put(
        f"{LIST}/FD-2026-000001/import", "not json", content_type="application/json"
    )
    assert_problem(response, 401)
    assert not AuditEvent.objects.exists()


def test_problem_titles_are_rfc_9110s_whatever_the_python(professional, social_care_system):
    """Python 3.12 calls 422 "Unprocessable Entity", 3.13 "Unprocessable Content" (RFC
    9110's): the API says RFC 9110's, as docs/api.md shows, on either."""
    sent = send(professional, "social-care-referral")
    refused = social_care_system.put(f"{LIST}/{sent.reference}/import", {})
    assert assert_problem(refused, 422)["title"] == "Unprocessable Content"


def cursor_of(raw: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(raw).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "raw",
    [
        ["2026-01-01T00:00:00+00:00", 10**23],  # beyond a 64-bit id: was a 500
        ["2026-01-01T00:00:00+00:00", -1],
        ["2026-01-01T00:00:00+00:00", True],
        ["0001-01-01T00:00:00+23:59", 1],  # before the year 1 in UTC
        ["9999-12-31T23:59:59-23:59", 1],  # after 9999 in UTC
    ],
)
def test_a_forged_cursor_is_a_422_never_a_500(social_care_system, raw):
    body = assert_problem(social_care_system.get(LIST, {"cursor": cursor_of(raw)}), 422)
    assert "cursor" in body["detail"]


def test_a_cursor_with_an_offset_postgresql_refuses_is_taken_in_utc(
    professional, social_care_system
):
    """PostgreSQL refuses an offset beyond ±15:59, which fromisoformat takes (a 500)."""
    sent = send(professional, "social-care-referral")
    page = social_care_system.get(LIST, {"cursor": cursor_of(["2000-01-01T00:00:00-23:59", 0])})
    assert page.status_code == 200, page.content
    assert [item["reference"] for item in page.json()["items"]] == [sent.reference]


@pytest.mark.parametrize(
    "path",
    [
        f"{LIST}/FD-2026-000001%00",
        f"{LIST}/%00/pdf",
        f"{LIST}/FD-2026-000001%0A",
        f"{LIST}/%00/documents/3b9c1538-acf2-4b72-bcb4-24cfad27ad7e",
    ],
)
def test_a_reference_with_a_nul_is_a_404_not_a_500(social_care_system, path):
    """PostgreSQL refuses NUL in a text parameter (a DataError: a 500)."""
    assert_problem(social_care_system.get(path), 404)
    assert AuditEvent.objects.get(action__endswith=".not_found").reference == ""


def test_a_write_to_a_reference_with_a_nul_is_a_404(social_care_system):
    refused = social_care_system.put(f"{LIST}/%00/import", {"external_reference": "LCS-1"})
    assert_problem(refused, 404)
    refused = social_care_system.post(f"{LIST}/%00/decision", {"outcome": "early-help"})
    assert_problem(refused, 404)


@pytest.mark.parametrize("stage", ["\x00", "a\x00b", "Closed", "closed "])
def test_a_stage_that_is_not_a_slug_is_a_422(social_care_system, stage):
    problem = assert_problem(social_care_system.get(LIST, {"stage": stage}), 422)
    assert problem["errors"][0]["where"] == "query.stage"


def test_a_reference_past_a_million_a_year_is_still_found(professional, social_care_system):
    sent = send(professional, "social-care-referral")
    type(sent).objects.filter(pk=sent.pk).update(reference="FD-2026-1000000")
    assert social_care_system.get(f"{LIST}/FD-2026-1000000").status_code == 200


@pytest.mark.parametrize("key", ["a\x00b", "\x1b[2J", "caf\u00e9"])
def test_an_idempotency_key_is_printable_ascii(professional, social_care_system, key):
    """gunicorn refuses a NUL in a header; a server that passed it on made a 500."""
    sent = send(professional, "social-care-referral")
    body = {"external_reference": "LCS-1"}
    refused = social_care_system.put(
        f"{LIST}/{sent.reference}/import", body, {"Idempotency-Key": key}
    )
    assert assert_problem(refused, 422)["errors"][0]["where"] == "header.Idempotency-Key"
    assert not ApiImport.objects.exists()
