"""After retention has removed a referral, the API answers 410 with its tombstone (its
referral, documents and PDF copy addresses), to a client of the tombstone's team only;
404 to any other, as for a reference never sent. The list is unchanged."""

import pytest

from frontdoor.api.tests.conftest import assert_problem
from frontdoor.audit.models import AuditEvent
from frontdoor.cases import services
from frontdoor.cases.models import Case
from frontdoor.documents.models import Document
from frontdoor.documents.tests import files
from frontdoor.referrals.models import Tombstone
from frontdoor.retention.services import apply_retention
from frontdoor.retention.tests.conftest import DAY, SENT, close_at, import_at, send_at

pytestmark = pytest.mark.django_db

LIST = "/api/v1/referrals"
CLOSED = SENT + 2 * DAY
IMPORTED = SENT + 5 * DAY


@pytest.fixture
def removed(professional, manager, social_care_system):
    sent = send_at(professional, SENT, ("chronology.pdf", files.pdf("A chronology", pages=1)))
    document = Document.objects.get(submission=sent)
    close_at(sent, manager, CLOSED)
    import_at(Case.objects.get(pk=sent.pk), social_care_system, IMPORTED)
    assert apply_retention(now=IMPORTED + 30 * DAY)["referrals"] == 1
    return sent.reference, document.pk


def test_a_removed_referral_answers_410_with_its_tombstone(removed, social_care_system):
    reference, _ = removed
    body = assert_problem(social_care_system.get(f"{LIST}/{reference}"), 410)
    assert "retention" in body["detail"]
    tombstone = body["tombstone"]
    assert tombstone == {
        "reference": reference,
        "form": {"slug": "social-care-referral", "version": tombstone["form"]["version"]},
        "team": "social-care",
        "received": SENT.isoformat(),
        "decided": CLOSED.isoformat(),
        "closed": CLOSED.isoformat(),
        "outcome": {
            "slug": "no-further-action",
            "name": Tombstone.objects.get().outcome_name,
            "national_code": tombstone["outcome"]["national_code"],
        },
        "imported": True,
        "removed": (IMPORTED + 30 * DAY).isoformat(),
    }
    assert isinstance(tombstone["form"]["version"], int)
    viewed = AuditEvent.objects.filter(action="api.referral.removed", reference=reference)
    assert viewed.count() == 1


def test_its_documents_and_pdf_copy_answer_410_too(removed, social_care_system):
    reference, document = removed
    for path, action in (
        (f"{LIST}/{reference}/documents/{document}", "api.document.removed"),
        (f"{LIST}/{reference}/pdf", "api.pdf.removed"),
    ):
        body = assert_problem(social_care_system.get(path), 410)
        assert body["tombstone"]["reference"] == reference
        assert AuditEvent.objects.filter(action=action, reference=reference).exists()


def test_another_teams_client_gets_404_as_for_a_reference_never_sent(removed, lado_system):
    reference, document = removed
    never = assert_problem(lado_system.get(f"{LIST}/FD-2026-999999"), 404)
    for path in (
        f"{LIST}/{reference}",
        f"{LIST}/{reference}/documents/{document}",
        f"{LIST}/{reference}/pdf",
    ):
        body = assert_problem(lado_system.get(path), 404)
        assert "tombstone" not in body
    assert assert_problem(lado_system.get(f"{LIST}/{reference}"), 404) == never


def test_a_restricted_referral_removed_is_404_to_its_teams_client_too(
    professional, manager, social_care_system
):
    sent = send_at(professional, SENT)
    case = Case.objects.get(pk=sent.pk)
    services.restrict(case, [manager], manager)
    close_at(sent, manager, CLOSED)
    import_at(case, social_care_system, IMPORTED)
    apply_retention(now=IMPORTED + 30 * DAY)
    assert Tombstone.objects.get().restricted

    assert_problem(social_care_system.get(f"{LIST}/{sent.reference}"), 404)


def test_the_list_is_unchanged_a_removed_referral_is_not_in_it(
    removed, professional, social_care_system
):
    reference, _ = removed
    kept = send_at(professional, SENT + DAY)
    items = social_care_system.get(LIST).json()["items"]
    assert [item["reference"] for item in items] == [kept.reference]
    assert reference != kept.reference


def test_the_schema_says_410_for_a_referrals_own_addresses(social_care_system):
    paths = social_care_system.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/referrals/{reference}",
        "/api/v1/referrals/{reference}/documents/{document_id}",
        "/api/v1/referrals/{reference}/pdf",
    ):
        assert "410" in paths[path]["get"]["responses"], path
    assert "410" not in paths["/api/v1/referrals"]["get"]["responses"]


def test_marking_it_imported_or_deciding_it_answers_410_too(removed, social_care_system):
    reference, _ = removed
    for response in (
        social_care_system.put(f"{LIST}/{reference}/import", {"external_reference": "LCS-1"}),
        social_care_system.post(
            f"{LIST}/{reference}/decision", {"outcome": "early-help", "response": "Passed on."}
        ),
    ):
        body = assert_problem(response, 410)
        assert body["tombstone"]["reference"] == reference
