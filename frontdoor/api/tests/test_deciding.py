"""Posting a decision (POST /referrals/{reference}/decision): the same service function
as the staff page, so the same email to the referrer, what the referrer reads, the
history staff read (naming the client), the audit (naming the client), the webhook; and
its errors."""

import pytest

from conftest import signed_in
from frontdoor.accounts.models import Membership
from frontdoor.api import clients, webhooks
from frontdoor.api.models import ApiToken, WebhookDelivery
from frontdoor.api.tests.conftest import System, assert_problem
from frontdoor.audit.models import AuditEvent
from frontdoor.cases import services
from frontdoor.cases.models import Case, CaseEvent
from frontdoor.cases.services import RESPONSE_MAX_LENGTH
from frontdoor.referrals.models import StatusChange
from tests.sending import send

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals"
RESPONSE = "We are holding a strategy discussion with the police today."


def decision(reference: str) -> str:
    return f"{LIST}/{reference}/decision"


def decide(system: System, reference: str, outcome: str, response: str = RESPONSE):
    return system.post(decision(reference), {"outcome": outcome, "response": response})


@pytest.fixture
def manager(mash_staff):
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    return mash_staff


def test_a_decision_by_the_api_is_the_staff_pages_decision_by_the_client(
    professional,
    mash_staff,
    administrator,
    social_care_system,
    run_tasks,
    smtp_server,
    settings,
    loopback_allowed,
):
    referrer = signed_in(professional, run_tasks)
    staff = signed_in(mash_staff, run_tasks)
    admin = signed_in(administrator, run_tasks)
    settings.MAILERS = smtp_server.mailers()  # after signing in: codes come by locmem
    webhooks.register(social_care_system.client_row, "http://127.0.0.1:9/h", webhooks.EVENTS)
    sent = send(professional, "social-care-referral")
    run_tasks()
    smtp_server.messages.clear()

    response = decide(social_care_system, sent.reference, "strategy-discussion")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reference"] == sent.reference
    assert body["stage"] == "closed"
    assert body["outcome"]["slug"] == "strategy-discussion"
    assert body["outcome"]["national_code"]["ssd_referral_outcome"] == "STRATEGY_DISCUSSION_FLAG"
    assert body == social_care_system.get(LIST).json()["items"][0]  # a list item, as it is now
    # Decided at once, as the team's system (social care keeps confirming for managers):
    # no user made up, none recorded.
    case = Case.objects.get(submission=sent)
    assert (case.outcome, case.proposed_outcome, case.decided_by) == (
        "strategy-discussion",
        "",
        None,
    )
    assert case.closed_at is not None
    event = CaseEvent.objects.get(case=case, action=CaseEvent.Action.DECIDED)
    assert (event.actor, event.system) == (None, "Social care system")
    told = StatusChange.objects.get(submission=sent, label="Strategy discussion (s47)")
    assert (told.response, told.by) == (RESPONSE, None)

    # The referrer is emailed (reference only) and reads the response.
    run_tasks()
    [email] = [m for m in smtp_server.messages if m["To"] == professional.email]
    assert sent.reference in email.get_body(("plain",)).get_content()
    assert RESPONSE not in email.as_string()
    page = referrer.get(f"/forms/sent/{sent.reference}/").content.decode()
    assert RESPONSE in page
    assert "Strategy discussion (s47)" in page

    # The staff's history names the client as who decided.
    html = staff.get(f"/team/{sent.reference}/").content.decode()
    history = html[html.index('data-testid="history"') :]
    history = history[: history.index("</dl>")]
    assert "<strong>Social care system</strong>: Decided: Strategy discussion (s47)" in history

    # The audit: case.decided and the referrer's record of it, by the client, no user.
    decided = AuditEvent.objects.get(action="case.decided")
    assert decided.actor_id is None
    assert decided.reference == sent.reference
    assert decided.detail == {
        "outcome": "strategy-discussion",
        "client": social_care_system.client_row.pk,
        "client_name": "Social care system",
    }
    recorded = AuditEvent.objects.get(action="submission.outcome_recorded")
    assert recorded.detail["client_name"] == "Social care system"
    log = admin.get("/admin/audit/auditevent/log/", {"action": "case.decided"}).content.decode()
    assert "API client: Social care system" in log

    # referral.updated and referral.decided are raised, as for a decision on the page.
    events = sorted(WebhookDelivery.objects.filter(reference=sent.reference).values_list("event"))
    assert ("referral.decided",) in events
    assert ("referral.updated",) in events


def test_a_closed_referral_is_a_409(professional, social_care_system):
    sent = send(professional, "social-care-referral")
    assert decide(social_care_system, sent.reference, "no-further-action").status_code == 200
    body = assert_problem(decide(social_care_system, sent.reference, "early-help"), 409)
    assert "already been decided and closed" in body["detail"]
    assert Case.objects.get(submission=sent).outcome == "no-further-action"
    refused = AuditEvent.objects.get(action="api.referral.decision_refused")
    assert (refused.detail["why"], refused.reference) == ("closed", sent.reference)


def test_an_outcome_not_offered_is_a_422_listing_those_offered(professional, social_care_system):
    sent = send(professional, "social-care-referral")
    for outcome in ("unheard-of", "threshold-not-met"):  # the second is the LADO's
        body = assert_problem(decide(social_care_system, sent.reference, outcome), 422)
        assert "no-further-action, advice-and-signposting, early-help" in body["detail"]
        assert "strategy-discussion" in body["detail"]
    assert Case.objects.get(submission=sent).outcome == ""


@pytest.mark.parametrize(
    ("response", "said"),
    [
        ("", "Enter the response for the referrer"),
        ("   \n ", "Enter the response for the referrer"),
        ("x" * (RESPONSE_MAX_LENGTH + 1), "response"),
        ("We will call\u202e today", "right-to-left override"),
    ],
)
def test_a_bad_response_is_a_422(professional, social_care_system, response, said):
    sent = send(professional, "social-care-referral")
    body = assert_problem(decide(social_care_system, sent.reference, "early-help", response), 422)
    assert said in body["detail"]
    assert Case.objects.get(submission=sent).outcome == ""


def test_a_response_with_line_breaks_is_kept(professional, social_care_system):
    sent = send(professional, "social-care-referral")
    text = "Thank you.\n\nWe have passed it to Early Help."
    assert decide(social_care_system, sent.reference, "early-help", text).status_code == 200
    assert StatusChange.objects.get(submission=sent, label="Early Help").response == text


def test_without_anyone_to_read_a_response_none_is_needed(member_of_public, teams):
    from tests.test_access import make_sent_form

    sent = make_sent_form(member_of_public)  # feedback "without your name"
    feedback = System("Feedback system", [teams["feedback"]])
    response = decide(feedback, sent.reference, "acknowledged", "")
    assert response.status_code == 200, response.content
    assert Case.objects.get(submission=sent).outcome == "acknowledged"


def test_another_teams_restricted_or_no_referral_is_404_and_a_bad_token_401(
    professional, manager, teams, social_care_system, lado_system
):
    sent = send(professional, "social-care-referral")
    theirs = decide(lado_system, sent.reference, "no-further-action")
    assert_problem(theirs, 404)
    assert theirs.content == decide(lado_system, "FD-2026-999999", "no-further-action").content

    restricted = send(professional, "social-care-referral")
    services.restrict(Case.objects.get(submission=restricted), [], manager)
    assert_problem(decide(social_care_system, restricted.reference, "no-further-action"), 404)

    clients.revoke_token(ApiToken.objects.get(client=social_care_system.client_row))
    assert_problem(decide(social_care_system, sent.reference, "no-further-action"), 401)
    assert not Case.objects.exclude(outcome="").exists()
    # The very request refused to the LADO's system, by its team's (the URL walk's pair).
    live = System("Live social care system", [teams["social-care"]])
    assert decide(live, sent.reference, "no-further-action").status_code == 200


def test_a_system_never_acts_outside_its_teams_even_when_called_directly(
    professional, manager, teams, lado_system
):
    """The service function's own check (the API's 404 comes first)."""
    from django.core.exceptions import PermissionDenied

    from frontdoor.api.writing import system_of

    sent = send(professional, "social-care-referral")
    with pytest.raises(PermissionDenied):
        services.decide(
            Case.objects.get(submission=sent),
            "no-further-action",
            "x",
            system_of(lado_system.client_row),
        )


def test_a_proposal_waiting_for_a_manager_is_replaced_by_the_systems_decision(
    professional, mash_staff, social_care_system
):
    sent = send(professional, "social-care-referral")
    services.decide(Case.objects.get(submission=sent), "early-help", "Early Help.", mash_staff)
    assert Case.objects.get(submission=sent).proposed_outcome == "early-help"  # a worker's

    assert decide(social_care_system, sent.reference, "no-further-action").status_code == 200
    case = Case.objects.get(submission=sent)
    assert (case.outcome, case.proposed_outcome, case.stage) == ("no-further-action", "", "closed")


def test_the_schema_gives_the_workflows_outcomes_as_examples(client):
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/referrals/{reference}/decision"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    examples = body["properties"]["outcome"]["examples"]
    assert examples[0] == "no-further-action"
    assert {"strategy-discussion", "threshold-not-met", "agree-to-assess"} <= set(examples)
    assert {"200", "409", "404", "422"} <= set(operation["responses"])
    put = schema["paths"]["/api/v1/referrals/{reference}/import"]["put"]
    assert [p["name"] for p in put["parameters"] if p["in"] == "header"] == ["Idempotency-Key"]
