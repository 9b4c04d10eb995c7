"""A referral's status history, its outcome with national codes, and ETags (304)."""

import pytest

from frontdoor.accounts.models import Membership
from frontdoor.api.models import ApiImport
from frontdoor.api.tests.conftest import System, assert_problem
from frontdoor.audit.models import AuditEvent
from frontdoor.cases import services
from frontdoor.cases.models import Case
from tests.sending import send

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals"
NOTE = "The uncle is known to police"
REASON = "Early Help knows the family well"


def one(reference: str) -> str:
    return f"{LIST}/{reference}"


@pytest.fixture
def manager(mash_staff):
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    return mash_staff


def test_the_outcome_has_its_name_and_national_codes_in_the_list_and_the_detail(
    professional, manager, social_care_system
):
    sent = send(professional, "social-care-referral")
    case = Case.objects.get(submission=sent)
    services.move_to_stage(case, "decision", manager)
    services.decide(Case.objects.get(pk=case.pk), "strategy-discussion", "We are acting.", manager)

    expected = {
        "slug": "strategy-discussion",
        "name": "Strategy discussion (s47)",
        "national_code": {
            "ssd_contact_outcome": "CP_ENQUIRY_FLAG",
            "ssd_referral_outcome": "STRATEGY_DISCUSSION_FLAG",
        },
    }
    assert social_care_system.get(LIST).json()["items"][0]["outcome"] == expected
    assert social_care_system.get(one(sent.reference)).json()["outcome"] == expected


def test_an_outcome_without_a_published_code_has_null(professional, manager, social_care_system):
    sent = send(professional, "social-care-referral")
    case = Case.objects.get(submission=sent)
    services.move_to_stage(case, "decision", manager)
    services.decide(Case.objects.get(pk=case.pk), "early-help", "Early help.", manager)
    outcome = social_care_system.get(one(sent.reference)).json()["outcome"]
    assert outcome["slug"] == "early-help"
    assert outcome["national_code"] is None


def test_the_history_has_status_changes_only_never_who_notes_or_reasons(
    professional, manager, teams, social_care_system
):
    sent = send(professional, "social-care-referral")
    case = Case.objects.get(submission=sent)
    services.move_to_stage(case, "screening", manager)
    services.assign(Case.objects.get(pk=case.pk), manager, manager)
    services.rate(Case.objects.get(pk=case.pk), "red", "Bruises seen by the teacher", manager)
    services.add_note(Case.objects.get(pk=case.pk), NOTE, manager)
    history = social_care_system.get(one(sent.reference)).json()["history"]
    assert [(h["action"], h["team"], h["stage"]) for h in history] == [
        ("received", "social-care", "received"),
        ("stage_changed", "social-care", "screening"),
    ]

    early_help = System("Early Help system", [teams["early-help"]])
    services.transfer(Case.objects.get(pk=case.pk), teams["early-help"], REASON, manager)
    ApiImport.objects.create(
        client=early_help.client_row,
        case=case,
        team=teams["early-help"],
        external_reference="EH-778",
    )
    response = early_help.get(one(sent.reference))
    history = response.json()["history"]
    assert [(h["action"], h["team"], h["to_team"], h["stage"]) for h in history] == [
        ("received", "social-care", None, "received"),
        ("stage_changed", "social-care", None, "screening"),
        ("transferred", "social-care", "early-help", "received"),
        ("imported", "early-help", None, None),
    ]
    assert all(h["outcome"] is None for h in history)
    # The client's own external reference is the referral's, never in its history.
    assert response.json()["external_reference"] == "EH-778"
    assert "EH-778" not in str(history)
    text = response.content.decode()
    for private in (NOTE, REASON, "Bruises", manager.email, manager.first_name):
        assert private not in text


def test_a_decision_in_the_history_has_its_outcome_and_the_stage_it_led_to(
    professional, manager, social_care_system
):
    sent = send(professional, "social-care-referral")
    case = Case.objects.get(submission=sent)
    services.move_to_stage(case, "decision", manager)
    services.decide(Case.objects.get(pk=case.pk), "no-further-action", "None needed.", manager)
    last = social_care_system.get(one(sent.reference)).json()["history"][-1]
    assert last["action"] == "decided"
    assert last["stage"] == "closed"
    assert last["outcome"] == {
        "slug": "no-further-action",
        "name": "No further action",
        "national_code": {"ssd_contact_outcome": "NFA_FLAG"},
    }
    assert "None needed." not in str(last)


def test_if_none_match_with_the_etag_gives_304_until_the_referral_changes(
    professional, manager, social_care_system
):
    sent = send(professional, "social-care-referral")
    listed = social_care_system.get(LIST).json()["items"][0]["etag"]
    first = social_care_system.get(one(sent.reference))
    assert first["ETag"] == listed == first.json()["etag"]
    assert listed.startswith('"')
    assert listed.endswith('"')

    unchanged = social_care_system.http.get(one(sent.reference), headers={"If-None-Match": listed})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged["ETag"] == listed
    # A list of tags, a weak form of it, or *: the same.
    for asked in (f'"other", {listed}', f"W/{listed}", "*"):
        response = social_care_system.http.get(
            one(sent.reference), headers={"If-None-Match": asked}
        )
        assert response.status_code == 304, asked
    other = social_care_system.http.get(one(sent.reference), headers={"If-None-Match": '"old"'})
    assert other.status_code == 200

    services.move_to_stage(Case.objects.get(submission=sent), "screening", manager)
    changed = social_care_system.http.get(one(sent.reference), headers={"If-None-Match": listed})
    assert changed.status_code == 200
    assert changed["ETag"] != listed
    assert changed["ETag"] == social_care_system.get(LIST).json()["items"][0]["etag"]

    # An import (in the history) is a change, whether or not it touched the case.
    before = changed["ETag"]
    ApiImport.objects.create(
        client=social_care_system.client_row,
        case=Case.objects.get(submission=sent),
        team=Case.objects.get(submission=sent).team,
        external_reference="LCS-12345",
    )
    changed = social_care_system.get(one(sent.reference))
    assert changed["ETag"] != before
    assert changed["ETag"] == social_care_system.get(LIST).json()["items"][0]["etag"]
    assert changed.json()["history"][-1]["action"] == "imported"

    # A note changes nothing the API says, but it is a change to the case: a new ETag
    # costs one fetch, a stale one would hide a change.
    services.add_note(Case.objects.get(submission=sent), NOTE, manager)
    assert social_care_system.get(one(sent.reference))["ETag"] != changed["ETag"]

    actions = list(
        AuditEvent.objects.filter(action__startswith="api.referral.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions.count("api.referral.not_modified") == 4
    assert actions.count("api.referral.viewed") == 5


def test_if_none_match_never_says_anything_of_another_teams_referral(
    professional, social_care_system, lado_system
):
    sent = send(professional, "social-care-referral")
    etag = social_care_system.get(one(sent.reference))["ETag"]
    response = lado_system.http.get(one(sent.reference), headers={"If-None-Match": etag})
    assert_problem(response, 404)
    response = lado_system.http.get(one(sent.reference), headers={"If-None-Match": "*"})
    assert_problem(response, 404)
