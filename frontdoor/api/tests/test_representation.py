"""The list and the referral are rendered as reading.py builds them, without ninja
validating them against their schemas again (views._as_documented: it was a third of a
page's CPU). So what they say must be exactly what the schema would have made of the
same data: every field, its type and format, nothing more. Checked on referrals with all
there is to say: documents, people, an outcome with national codes, an import, a
transfer, a decision, a referral sent anonymously."""

import json
from typing import Any

import pytest
from ninja.responses import NinjaJSONEncoder

from frontdoor.accounts.models import Team
from frontdoor.api import reading
from frontdoor.api.tests.conftest import System
from frontdoor.api.tests.test_documents import send_with
from frontdoor.api.views import ReferralDetail, ReferralPage
from frontdoor.cases import services
from frontdoor.cases.models import Case
from frontdoor.documents.tests import files
from tests.sending import CHILD, send

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals"


def as_ninja_would(schema: Any, data: Any) -> Any:
    """What ninja's own path gives for `data`: validated by the schema, dumped, rendered
    by its encoder, and read back."""
    dumped = schema.model_validate(data).model_dump()
    return json.loads(json.dumps(dumped, cls=NinjaJSONEncoder))


@pytest.fixture
def system(teams: dict[str, Team]) -> System:
    return System("Liquidlogic LCS", [teams["social-care"], teams["early-help"]])


@pytest.fixture
def referrals(professional, member_of_public, mash_staff, teams, system) -> list[str]:
    with_all = send_with(
        professional,
        "social-care-referral",
        ("chronology.pdf", files.pdf("A chronology")),
        ("photo.png", files.image("PNG")),
    )
    decided = send(professional, "social-care-referral", children=[CHILD, CHILD])
    moved = send(professional, "social-care-referral")
    plain = send(member_of_public, "social-care-referral")
    marked = system.put(f"{LIST}/{with_all.reference}/import", {"external_reference": "LCS-1"})
    assert marked.status_code == 200
    outcome = system.post(
        f"{LIST}/{decided.reference}/decision",
        {"outcome": "strategy-discussion", "response": "We are meeting today."},
    )
    assert outcome.status_code == 200, outcome.content
    services.transfer(
        Case.objects.get(submission=moved), teams["early-help"], "For Early Help", mash_staff
    )
    return [r.reference for r in (with_all, decided, moved, plain)]


def test_the_list_says_what_its_schema_would(system, referrals):
    answer = system.get(LIST)
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    said = answer.json()
    assert {item["reference"] for item in said["items"]} == set(referrals)

    items, cursor, more = reading.page(system.client_row)
    assert said == as_ninja_would(
        ReferralPage, {"items": items, "next_cursor": cursor, "more": more}
    )
    imported = next(i for i in said["items"] if i["reference"] == referrals[0])
    assert (imported["imported"], imported["external_reference"]) == (True, "LCS-1")
    decided = next(i for i in said["items"] if i["reference"] == referrals[1])
    assert decided["outcome"]["national_code"]["ssd_referral_outcome"]
    assert said["items"][0]["updated"].endswith("Z")


@pytest.mark.parametrize("which", range(4))
def test_a_referral_says_what_its_schema_would(system, referrals, which):
    reference = referrals[which]
    answer = system.get(f"{LIST}/{reference}")
    assert answer.status_code == 200
    assert answer["Content-Type"] == "application/json; charset=utf-8"
    assert answer["ETag"]
    said = answer.json()

    case = reading.case_of(system.client_row, reference)
    assert case is not None
    reference_of = case.submission.reference

    def link(document: Any) -> str:
        return f"http://testserver{LIST}/{reference_of}/documents/{document.pk}"

    assert said == as_ninja_would(ReferralDetail, reading.detail(case, link))
    assert said["etag"] == answer["ETag"]
