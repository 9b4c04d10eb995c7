"""The referrals endpoints: scope (the access matrix), what a referral says, cursor
pagination, filters, problem details, audit and query counts."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from frontdoor.api import reading
from frontdoor.api.tests.conftest import System, assert_problem
from frontdoor.audit.models import AuditEvent
from frontdoor.cases import services
from frontdoor.cases.models import Case
from tests.bulk_referrals import copies
from tests.sending import CHILD, send

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals"
NOTE = "Internal: the uncle is known to police (never to leave the portal)"


def one(reference: str) -> str:
    return f"{LIST}/{reference}"


def references(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["reference"] for item in response.json()["items"]]


def test_a_client_lists_and_reads_only_its_teams_referrals(
    professional, social_care_system, lado_system
):
    social = send(professional, "social-care-referral")
    lado = send(professional, "lado-referral")

    assert references(social_care_system.get(LIST)) == [social.reference]
    assert references(lado_system.get(LIST)) == [lado.reference]
    assert social_care_system.get(one(social.reference)).status_code == 200
    assert lado_system.get(one(lado.reference)).status_code == 200

    # Another team's referral answers exactly as one never sent.
    theirs = lado_system.get(one(social.reference))
    nobodys = lado_system.get(one("FD-2026-999999"))
    assert_problem(theirs, 404)
    assert theirs.content == nobodys.content
    assert social.reference not in theirs.content.decode()


def test_a_client_of_two_teams_sees_both(professional, teams):
    social = send(professional, "social-care-referral")
    lado = send(professional, "lado-referral")
    both = System("Both", [teams["social-care"], teams["lado"]])
    assert sorted(references(both.get(LIST))) == sorted([social.reference, lado.reference])


def test_a_restricted_referral_is_not_listed_and_is_404(
    professional, mash_staff, social_care_system
):
    from frontdoor.accounts.models import Membership

    sent = send(professional, "social-care-referral")
    Membership.objects.filter(user=mash_staff).update(role=Membership.Role.MANAGER)
    assert social_care_system.get(one(sent.reference)).status_code == 200
    services.restrict(Case.objects.get(submission=sent), [], mash_staff)

    assert references(social_care_system.get(LIST)) == []
    assert_problem(social_care_system.get(one(sent.reference)), 404)


def test_a_transferred_referral_belongs_to_the_new_teams_client(
    professional, mash_staff, teams, social_care_system
):
    sent = send(professional, "social-care-referral")
    early_help = System("Early Help system", [teams["early-help"]])
    case = Case.objects.get(submission=sent)
    services.transfer(case, teams["early-help"], "Early Help fits better", mash_staff)

    assert references(early_help.get(LIST)) == [sent.reference]
    assert early_help.get(one(sent.reference)).json()["team"] == "early-help"
    assert references(social_care_system.get(LIST)) == []
    assert_problem(social_care_system.get(one(sent.reference)), 404)


def test_a_referral_says_who_sent_it_who_it_names_every_answer_and_its_flags(
    professional, mash_staff, social_care_system
):
    child = {**CHILD, "nhs_number": "943 476 5919"}
    sent = send(
        professional,
        "social-care-referral",
        children=[child],
        immediate_risk={"at_risk_now": "yes", "unsafe_tonight": "no"},
        your_details={
            "completing_as": "professional",
            "first_name": "Priya",
            "last_name": "Patel",
            "email": "dsl@school.example.org",
            "telephone": "01632 960983",
        },
        # Changed for this form from the account's "Designated safeguarding lead".
        your_work={"organisation": "Riverside Primary School", "job_title": "Deputy DSL"},
    )
    services.add_note(Case.objects.get(submission=sent), NOTE, mash_staff)

    response = social_care_system.get(one(sent.reference))

    assert response.status_code == 200
    body = response.json()
    assert body["reference"] == sent.reference
    assert body["form"] == {"slug": "social-care-referral", "version": sent.form_version.version}
    assert body["team"] == "social-care"
    assert body["stage"] == "received"
    assert body["outcome"] is None
    assert body["urgent"] is True
    assert body["urgency_flags"] == ["At risk of significant harm now"]
    assert body["referrer"] == {
        "name": "Priya Patel",
        "organisation": "Riverside Primary School",
        "role": "Deputy DSL",
        "email": "dsl@school.example.org",
        "telephone": "01632 960983",
    }
    children = [p for p in body["people"] if p["role"] == "child"]
    assert len(children) == 1
    assert children[0]["first_name"] == "Ava"
    assert children[0]["last_name"] == "Example"
    assert children[0]["date_of_birth"] == "2016-03-27"
    assert children[0]["nhs_number"] == "9434765919"
    assert children[0]["postcode"] == "WR1 2AB"
    # Every typed answer, by section and question id, with the question's text.
    risk = body["answers"]["immediate-risk"]
    assert risk["at_risk_now"] == {
        "question": "Is the child at risk of significant harm now?",
        "value": "yes",
    }
    first_child = body["answers"]["children"][0]
    assert first_child["date_of_birth"]["value"] == "2016-03-27"
    assert first_child["address"]["value"]["postcode"] == "WR1 2AB"
    for section, typed in sent.typed.items():
        items = typed if isinstance(typed, list) else [typed]
        answered = body["answers"][section]
        answered = answered if isinstance(answered, list) else [answered]
        assert [{k: v["value"] for k, v in a.items()} for a in answered] == items
    # Never the internal case notes.
    assert NOTE not in response.content.decode()
    assert "notes" not in body


def test_a_referral_sent_anonymously_names_no_referrer(member_of_public, teams):
    from tests.test_access import make_sent_form

    sent = make_sent_form(member_of_public)  # feedback "without your name"
    feedback = System("Feedback system", [teams["feedback"]])
    assert feedback.get(one(sent.reference)).json()["referrer"] is None


def test_pages_follow_the_cursor_while_new_referrals_arrive(
    professional, mash_staff, social_care_system, monkeypatch
):
    monkeypatch.setattr(reading, "PAGE_SIZE", 2)
    first = [send(professional, "social-care-referral") for _ in range(3)]

    page = social_care_system.get(LIST).json()
    assert [i["reference"] for i in page["items"]] == [s.reference for s in first[:2]]
    assert page["more"] is True

    # Two arrive before the next page is asked for: they come after, none is skipped.
    arrived = [send(professional, "social-care-referral") for _ in range(2)]
    seen = [i["reference"] for i in page["items"]]
    cursor = page["next_cursor"]
    while True:
        page = social_care_system.get(LIST, {"cursor": cursor}).json()
        seen += [i["reference"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not page["more"]:
            break
    assert seen == [s.reference for s in first + arrived]

    # Polling with the last cursor: nothing new, the same cursor back; then a change.
    page = social_care_system.get(LIST, {"cursor": cursor}).json()
    assert page == {"items": [], "next_cursor": cursor, "more": False}
    services.move_to_stage(Case.objects.get(submission=first[0]), "screening", mash_staff)
    page = social_care_system.get(LIST, {"cursor": cursor}).json()
    assert [(i["reference"], i["stage"]) for i in page["items"]] == [
        (first[0].reference, "screening")
    ]


def test_referrals_sharing_an_updated_time_are_each_listed_once(
    professional, social_care_system, monkeypatch
):
    monkeypatch.setattr(reading, "PAGE_SIZE", 2)
    template = send(professional, "social-care-referral")
    made = copies(template, 4)
    at = timezone.now() - datetime.timedelta(minutes=5)
    Case.objects.filter(pk__in=[c.pk for c in made]).update(updated_at=at)

    seen, cursor = [], None
    for _ in range(5):
        page = social_care_system.get(LIST, {"cursor": cursor} if cursor else {}).json()
        seen += [i["reference"] for i in page["items"]]
        cursor = page["next_cursor"]
        if not page["more"]:
            break
    assert sorted(seen) == sorted([template.reference, *(c.submission.reference for c in made)])
    assert len(seen) == len(set(seen)) == 5


def test_updated_since_and_stage_filter_the_list(professional, mash_staff, social_care_system):
    old, moved = (send(professional, "social-care-referral") for _ in range(2))
    since = timezone.now()
    services.move_to_stage(Case.objects.get(submission=moved), "screening", mash_staff)

    assert references(social_care_system.get(LIST, {"updated_since": since.isoformat()})) == [
        moved.reference
    ]
    # Any offset ISO 8601 allows, even one PostgreSQL does not (found by schemathesis).
    far = since.astimezone(datetime.timezone(datetime.timedelta(hours=20, minutes=56)))
    assert references(social_care_system.get(LIST, {"updated_since": far.isoformat()})) == [
        moved.reference
    ]
    assert references(social_care_system.get(LIST, {"stage": "received"})) == [old.reference]
    assert references(social_care_system.get(LIST, {"stage": "screening"})) == [moved.reference]


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ({"updated_since": "yesterday"}, "updated_since"),
        ({"updated_since": "2026-12-01T09:00:00"}, "updated_since"),  # no time zone
        ({"stage": "x" * 41}, "stage"),
        ({"updated_since": "0001-01-01T00:00:00+01:00"}, "updated_since"),  # before year 1
    ],
)
def test_a_bad_filter_is_a_422_problem_saying_which(social_care_system, query, where):
    body = assert_problem(social_care_system.get(LIST, query), 422)
    assert where in body["detail"]
    assert body["errors"][0]["where"].endswith(where)


def test_a_cursor_the_api_did_not_give_is_a_422_problem(social_care_system):
    import base64

    naive = base64.urlsafe_b64encode(b'["2026-12-01T09:00:00", 1]').decode()
    for cursor in ("nonsense!", "eyJhIjogMX0", naive, "W10"):  # W10: []
        body = assert_problem(social_care_system.get(LIST, {"cursor": cursor}), 422)
        assert "cursor" in body["detail"]


def test_every_error_is_a_problem(social_care_system):
    assert_problem(social_care_system.get("/api/v1/no-such-thing"), 404)
    assert_problem(social_care_system.http.post(LIST), 405)
    assert_problem(Client().get(LIST), 401)


def test_the_schema_is_openapi_3_1_and_needs_no_token():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.1")
    assert {"/api/v1/referrals", "/api/v1/referrals/{reference}"} <= set(schema["paths"])
    schemes = schema["components"]["securitySchemes"]
    assert [s["scheme"] for s in schemes.values()] == ["bearer"]
    listing = schema["paths"]["/api/v1/referrals"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "updated_since",
        "stage",
        "imported",
        "cursor",
    }
    assert {"200", "401", "422"} <= set(listing["responses"])
    assert Client().get("/api/v1/").json()["openapi"] == "http://testserver/api/v1/openapi.json"


def test_every_call_is_audited_with_its_client_and_no_personal_data(
    professional, social_care_system, lado_system
):
    sent = send(professional, "social-care-referral")
    social_care_system.get(LIST)
    social_care_system.get(one(sent.reference))
    lado_system.get(one(sent.reference))

    events = list(AuditEvent.objects.filter(action__startswith="api.referral").order_by("id"))
    assert [(e.action, e.reference) for e in events] == [
        ("api.referrals.listed", ""),
        ("api.referral.viewed", sent.reference),
        ("api.referral.not_found", sent.reference),
    ]
    system = social_care_system.client_row
    assert events[1].detail == {"client": system.pk, "client_name": system.name}
    assert events[1].object_type == "api.apiclient"
    assert events[1].object_id == str(system.pk)
    assert events[1].actor_id is None  # no user is made up for a system
    assert events[0].detail["count"] == 1
    assert events[2].detail["client"] == lado_system.client_row.pk
    text = str([e.detail for e in events])
    for personal in ("Ava", "Priya", "dsl@school", "WR1"):
        assert personal not in text


def queries(system: System, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert system.get(path).status_code == 200
    return len(captured)


def test_the_lists_queries_do_not_grow_with_the_page(professional, social_care_system):
    template = send(professional, "social-care-referral", children=[CHILD, CHILD])
    copies(template, 4)
    social_care_system.get(LIST)  # the token's last use is noted once a minute: not here
    few = queries(social_care_system, LIST)
    copies(template, 45)
    assert len(social_care_system.get(LIST).json()["items"]) == 50
    assert queries(social_care_system, LIST) == few
