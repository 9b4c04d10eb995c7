"""Marking a referral imported (PUT /referrals/{reference}/import): the answer, safe to
repeat, 409 for another external reference, Idempotency-Key, scope, after a transfer,
what the list and the referral say of it, the history staff read, the audit."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from conftest import signed_in
from frontdoor.accounts.models import Membership
from frontdoor.api import clients, webhooks
from frontdoor.api.models import ApiImport, ApiToken, WebhookDelivery
from frontdoor.api.tests.conftest import System, assert_problem
from frontdoor.audit.models import AuditEvent
from frontdoor.cases import services
from frontdoor.cases.models import Case, CaseEvent
from tests.bulk_referrals import copies
from tests.sending import send

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals"


def one(reference: str) -> str:
    return f"{LIST}/{reference}"


def mark(reference: str) -> str:
    return f"{LIST}/{reference}/import"


def imported(system: System, reference: str, external: str, key: str = ""):
    headers = {"Idempotency-Key": key} if key else None
    return system.put(mark(reference), {"external_reference": external}, headers)


@pytest.fixture
def manager(mash_staff):
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    return mash_staff


def test_marking_imported_answers_with_the_import_and_the_referral_says_so(
    professional, social_care_system
):
    sent = send(professional, "social-care-referral")
    before = social_care_system.get(one(sent.reference)).json()
    assert (before["imported"], before["external_reference"]) == (False, None)

    response = imported(social_care_system, sent.reference, "LCS-12345")

    assert response.status_code == 200, response.content
    body = response.json()
    made = ApiImport.objects.get()
    assert body == {
        "reference": sent.reference,
        "external_reference": "LCS-12345",
        "team": "social-care",
        "imported_at": body["imported_at"],
    }
    said = datetime.datetime.fromisoformat(body["imported_at"])  # to the millisecond
    assert abs(said - made.imported_at) < datetime.timedelta(milliseconds=1)
    assert (made.client, made.team.slug) == (social_care_system.client_row, "social-care")
    after = social_care_system.get(one(sent.reference)).json()
    assert (after["imported"], after["external_reference"]) == (True, "LCS-12345")
    item = social_care_system.get(LIST).json()["items"][0]
    assert (item["imported"], item["external_reference"]) == (True, "LCS-12345")
    # A change to what the API says (the ETag), not to the referral (its updated time).
    assert after["etag"] != before["etag"]
    assert after["updated"] == before["updated"]
    # One line in its history (the import's; its CaseEvent is the staff's history only).
    assert [h["action"] for h in after["history"]] == ["received", "imported"]


def test_the_same_external_reference_again_gives_the_same_answer(professional, social_care_system):
    sent = send(professional, "social-care-referral")
    first = imported(social_care_system, sent.reference, "LCS-12345")
    again = imported(social_care_system, sent.reference, " LCS-12345 ")  # spaces trimmed
    assert again.status_code == 200
    assert again.json() == first.json()  # imported_at unchanged
    assert ApiImport.objects.count() == 1
    assert CaseEvent.objects.filter(action=CaseEvent.Action.IMPORTED).count() == 1
    actions = list(
        AuditEvent.objects.filter(action__startswith="api.referral.im")
        .order_by("id")
        .values_list("action", "reference")
    )
    assert actions == [
        ("api.referral.imported", sent.reference),
        ("api.referral.import_repeated", sent.reference),
    ]


def test_another_external_reference_once_imported_is_a_409(professional, social_care_system):
    sent = send(professional, "social-care-referral")
    imported(social_care_system, sent.reference, "LCS-12345")

    body = assert_problem(imported(social_care_system, sent.reference, "LCS-99999"), 409)

    assert "already marked imported" in body["detail"]
    assert "LCS-12345" not in body["detail"]  # the client can read it; not said here
    assert ApiImport.objects.get().external_reference == "LCS-12345"
    refused = AuditEvent.objects.get(action="api.referral.import_refused")
    assert refused.detail["why"] == "already_imported"
    assert refused.detail["client_name"] == "Social care system"


def test_the_same_idempotency_key_gives_the_first_answer_or_a_422_for_another_request(
    professional, social_care_system
):
    sent, other = (send(professional, "social-care-referral") for _ in range(2))
    key = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"
    first = imported(social_care_system, sent.reference, "LCS-1", key)
    assert first.status_code == 200
    assert ApiImport.objects.get().idempotency_key == key

    assert imported(social_care_system, sent.reference, "LCS-1", key).json() == first.json()
    body = assert_problem(imported(social_care_system, sent.reference, "LCS-2", key), 422)
    assert "Idempotency-Key" in body["detail"]
    # Another referral with the same key: a different request, not a new import.
    assert_problem(imported(social_care_system, other.reference, "LCS-1", key), 422)
    assert ApiImport.objects.count() == 1
    # Another client's keys are its own.
    both = System("Second social care system", [Case.objects.get(submission=sent).team])
    assert imported(both, other.reference, "LCS-1", key).status_code == 200


@pytest.mark.parametrize(
    ("body", "headers", "where"),
    [
        ({"external_reference": ""}, {}, "external_reference"),
        ({"external_reference": "   "}, {}, "external_reference"),
        ({"external_reference": "x" * 101}, {}, "external_reference"),
        ({"external_reference": "LCS\u202e54321"}, {}, "external_reference"),
        ({"external_reference": "LCS\n1"}, {}, "external_reference"),
        ({}, {}, "external_reference"),
        ({"external_reference": "LCS-1"}, {"Idempotency-Key": "k" * 256}, "Idempotency-Key"),
    ],
)
def test_a_bad_request_is_a_422_problem_saying_what(
    professional, social_care_system, body, headers, where
):
    sent = send(professional, "social-care-referral")
    response = social_care_system.put(mark(sent.reference), body, headers)
    problem = assert_problem(response, 422)
    assert where in problem["detail"]
    assert not ApiImport.objects.exists()


def test_the_hidden_character_is_named(professional, social_care_system):
    sent = send(professional, "social-care-referral")
    body = assert_problem(imported(social_care_system, sent.reference, "LCS\u202e1"), 422)
    assert "right-to-left override" in body["detail"]


def test_another_teams_a_restricted_or_no_referral_is_404_and_a_bad_token_401(
    professional, manager, social_care_system, lado_system
):
    sent = send(professional, "social-care-referral")
    theirs = imported(lado_system, sent.reference, "LADO-1")
    nobodys = imported(lado_system, "FD-2026-999999", "LADO-1")
    assert_problem(theirs, 404)
    assert theirs.content == nobodys.content

    token = ApiToken.objects.get(client=social_care_system.client_row)
    clients.revoke_token(token)
    assert_problem(imported(social_care_system, sent.reference, "LCS-1"), 401)
    anonymous = Client().put(mark(sent.reference), {"external_reference": "X"}, "application/json")
    assert_problem(anonymous, 401)

    restricted = send(professional, "social-care-referral")
    services.restrict(Case.objects.get(submission=restricted), [], manager)
    live = System("Live social care system", [Case.objects.get(submission=sent).team])
    assert_problem(imported(live, restricted.reference, "LCS-1"), 404)
    assert not ApiImport.objects.exists()
    # The very request refused to the LADO's system, by its team's (the URL walk's pair).
    assert imported(live, sent.reference, "LADO-1").status_code == 200


def test_after_a_transfer_the_new_teams_system_imports_it(
    professional, manager, teams, social_care_system
):
    sent = send(professional, "social-care-referral")
    imported(social_care_system, sent.reference, "LCS-12345")
    early_help = System("Early Help system", [teams["early-help"]])
    services.transfer(Case.objects.get(submission=sent), teams["early-help"], "EH fits", manager)

    assert_problem(imported(social_care_system, sent.reference, "LCS-12345"), 404)
    item = early_help.get(LIST).json()["items"][0]
    assert (item["imported"], item["external_reference"]) == (False, None)
    response = imported(early_help, sent.reference, "EHM-77")
    assert response.status_code == 200
    assert response.json()["team"] == "early-help"
    item = early_help.get(LIST).json()["items"][0]
    assert (item["imported"], item["external_reference"]) == (True, "EHM-77")

    # A system of both teams: imported for the team it was in counts no more after a move.
    both = System("Both", [teams["social-care"], teams["early-help"]])
    second = send(professional, "social-care-referral")
    imported(both, second.reference, "X-1")
    services.transfer(Case.objects.get(submission=second), teams["early-help"], "EH", manager)
    moved = both.get(one(second.reference)).json()
    assert (moved["imported"], moved["external_reference"]) == (False, None)
    assert imported(both, second.reference, "X-2").status_code == 200
    assert ApiImport.objects.filter(client=both.client_row).count() == 2


def test_the_list_filters_on_imported(professional, social_care_system):
    done, waiting = (send(professional, "social-care-referral") for _ in range(2))
    imported(social_care_system, done.reference, "LCS-1")

    def listed(flag: str) -> list[str]:
        page = social_care_system.get(LIST, {"imported": flag}).json()
        return [i["reference"] for i in page["items"]]

    assert listed("true") == [done.reference]
    assert listed("false") == [waiting.reference]
    # Imported by another client is not imported by this one.
    other = System("Other social care system", [Case.objects.get(submission=done).team])
    assert sorted(
        i["reference"] for i in other.get(LIST, {"imported": "false"}).json()["items"]
    ) == sorted([done.reference, waiting.reference])
    assert_problem(social_care_system.get(LIST, {"imported": "perhaps"}), 422)


@pytest.mark.parametrize("size", [1, 20])
def test_the_lists_queries_stay_the_same_with_imports(
    professional, social_care_system, django_assert_max_num_queries, size
):
    template = send(professional, "social-care-referral")
    made = copies(template, size - 1)
    for case in [Case.objects.get(submission=template), *made]:
        ApiImport.objects.create(
            client=social_care_system.client_row,
            case=case,
            team=case.team,
            external_reference=f"LCS-{case.pk}",
        )
    social_care_system.get(LIST)  # the token's last use is noted once a minute: not below
    # The token, the rate limit (the cache: a table in these tests), one query of the
    # cases (imports by subquery) and the audit: the same for 1 and for 20.
    with django_assert_max_num_queries(15):
        page = social_care_system.get(LIST).json()
    assert len(page["items"]) == size
    assert all(item["imported"] for item in page["items"])


def test_importing_raises_no_webhook(professional, social_care_system, loopback_allowed):
    webhooks.register(social_care_system.client_row, "http://127.0.0.1:9/hook", webhooks.EVENTS)
    sent = send(professional, "social-care-referral")
    queued = WebhookDelivery.objects.count()
    assert imported(social_care_system, sent.reference, "LCS-1").status_code == 200
    assert WebhookDelivery.objects.count() == queued


def test_the_back_office_history_says_which_system_imported_it_as_what(
    professional, mash_staff, social_care_system, run_tasks
):
    sent = send(professional, "social-care-referral")
    imported(social_care_system, sent.reference, "LCS-12345")
    page = signed_in(mash_staff, run_tasks).get(f"/team/{sent.reference}/").content.decode()
    history = page[page.index('data-testid="history"') :]
    history = history[: history.index("</dl>")]
    assert "Imported into Social care system as LCS-12345" in history


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("refs", "statuses"), [(("LCS-1", "LCS-1"), [200, 200]), (("LCS-1", "LCS-2"), [200, 409])]
)
def test_two_marks_at_once_make_one_import(professional, social_care_system, refs, statuses):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks: run with DATABASE_URL on PostgreSQL")
    sent = send(professional, "social-care-referral")
    barrier = threading.Barrier(2)
    answers: list = []

    def call(external: str) -> None:
        try:
            barrier.wait()
            answers.append(imported(social_care_system, sent.reference, external))
        finally:
            connection.close()

    threads = [threading.Thread(target=call, args=(ref,)) for ref in refs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == statuses
    if statuses == [200, 200]:
        assert answers[0].json() == answers[1].json()
    assert ApiImport.objects.count() == 1
    assert CaseEvent.objects.filter(action=CaseEvent.Action.IMPORTED).count() == 1
    assert timezone.now() >= ApiImport.objects.get().imported_at
