"""Every URL naming someone's object is a 404 to anyone else (issue 3).

The routes come from the URL walk (tests/coverage_walk.py), so a new route with a draft id
or a reference is tested here as soon as it exists. Another signed-in account (a referrer,
or council staff of another team) gets exactly what it gets for an object that does not
exist: it cannot tell whether the object is there, and changes nothing.
"""

import datetime
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.http import QueryDict
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from conftest import make_user, signed_in
from frontdoor.cases.models import Case, PartnerCheck
from frontdoor.documents.models import Document
from frontdoor.documents.storage import documents_storage
from frontdoor.enquiries.models import Enquiry, EnquiryDocument
from frontdoor.referrals import drafts, registry
from frontdoor.referrals.models import Draft, Submission
from frontdoor.referrals.submissions import submit
from tests.coverage_walk import walk

pytestmark = pytest.mark.django_db

OBJECT_ROUTES = [route for route in walk() if route.owned_objects]
REPEATED_SECTION = "children"  # a repeated section of the Social Care referral


@pytest.fixture
def owned(member_of_public):
    """A draft (with a repeated section) and a sent form, both the member of the public's."""
    draft = drafts.start(member_of_public, registry.get("social-care-referral"))
    feedback = registry.get("feedback")
    to_send = drafts.start(member_of_public, feedback)
    for slug, data in (
        ("about-you", "anonymous=yes"),
        ("your-feedback", "kind=complaint&what_happened=Nobody+called+back"),
    ):
        drafts.save_section(to_send, feedback.section(slug), QueryDict(data), loaded_revision=0)
    return draft, submit(to_send.pk, member_of_public)


@pytest.fixture
def documents(owned, member_of_public):
    """A stored document on the draft and one on the sent form (made here directly: the
    upload rules are tested in frontdoor/documents)."""
    draft, submission = owned
    made = {}
    for key, place in (("draft", {"draft": draft}), ("sent", {"submission": submission})):
        stored_as = documents_storage().save(f"test/{key}", ContentFile(b"%PDF-1.4 test"))
        made[key] = Document.objects.create(
            owner=member_of_public,
            name=f"{key}.pdf",
            kind="pdf",
            size=13,
            sha256="0" * 64,
            stored_as=stored_as,
            scanned=True,
            **place,
        )
    # Information the referrer added to the sent form, with a document (as if sent through
    # frontdoor.enquiries, whose own tests say who may add it).
    stored_as = documents_storage().save("test/answer", ContentFile(b"%PDF-1.4 answer"))
    made["answer"] = Document.objects.create(
        owner=member_of_public,
        name="answer.pdf",
        kind="pdf",
        size=15,
        sha256="3" * 64,
        stored_as=stored_as,
        scanned=True,
    )
    case = Case.objects.get(submission=submission)
    enquiry = Enquiry.objects.create(
        case=case,
        kind=Enquiry.Kind.OFFERED,
        team_id=case.team_id,
        answer="More",
        answered_at=timezone.now(),
    )
    EnquiryDocument.objects.create(enquiry=enquiry, document=made["answer"])
    made["enquiry"] = enquiry  # type: ignore[assignment]
    return made


def partner_check() -> int:
    """A partner check on the sent form (made directly: its pages are tested in backoffice)."""
    case = Case.objects.order_by("pk").first()
    assert case is not None
    check, _ = PartnerCheck.objects.get_or_create(
        case=case,
        defaults={
            "team_id": case.team_id,
            "agency": "police",
            "contact": "PPU",
            "asked_on": datetime.date(2026, 11, 25),
            "due_on": datetime.date(2026, 11, 26),
        },
    )
    return check.pk


def url(route, draft_id: int, reference: str, documents=None) -> str:
    known = {"draft_id": draft_id, "reference": reference, "slug": REPEATED_SECTION, "item": 0}
    if "check_id" in route.parameters:
        known["check_id"] = partner_check()
    if documents:
        known["document_id"] = documents["draft" if "draft_id" in route.parameters else "sent"].pk
        if {"pk", "enquiry_id"} & set(route.parameters):
            known["pk"] = known["enquiry_id"] = documents["enquiry"].pk
            known["document_id"] = documents["answer"].pk
    missing = set(route.parameters) - set(known)
    assert not missing, f"Say here what to put in {route.name}'s {missing}"
    return reverse(route.name, kwargs={p: known[p] for p in route.parameters})


def test_the_walk_gives_the_object_routes():
    assert {"referrals:item", "referrals:task_list", "backoffice:submission"} <= {
        route.name for route in OBJECT_ROUTES
    }


def test_every_object_url_is_404_to_other_accounts_as_if_it_did_not_exist(
    owned,
    documents,
    member_of_public,
    second_professional,
    early_help_staff,
    teams,
    run_tasks,
    run_pdf_tasks,
):
    draft, submission = owned
    answers, history = dict(draft.answers), submission.history.count()
    feedback_staff = make_user(
        "feedback.team@council.example.gov.uk", "Fran", "Lee", is_professional=True
    )
    # A manager: confirming a proposed decision is a manager's page.
    feedback_staff.teams.add(teams["feedback"], through_defaults={"role": "manager"})
    outsiders = {
        "another referrer": signed_in(second_professional, run_tasks),
        "staff of another team": signed_in(early_help_staff, run_tasks),
    }
    # On the API, who asks is a case-management system: one of another team's.
    api_outsiders = {"another team's API client": api_client(teams["early-help"])}

    for route in OBJECT_ROUTES:
        theirs = url(route, draft.pk, submission.reference, documents)
        nobodys = url(route, draft.pk + 1000, "FD-0000-000000", documents)
        asking = api_outsiders if route.name.startswith("api:") else outsiders
        for who, client in asking.items():
            # Even a POST that would change the object is answered as for no object.
            data = {"revision": "0", "status": "completed", "response": "x", "remove": "0"}
            answers_to_theirs = [
                client.get(theirs).status_code,
                client.post(theirs).status_code,
                client.post(theirs, data).status_code,
                *api_write(client, route.name, theirs),
            ]
            answers_to_nobodys = [
                client.get(nobodys).status_code,
                client.post(nobodys).status_code,
                client.post(nobodys, data).status_code,
                *api_write(client, route.name, nobodys),
            ]
            assert answers_to_theirs == answers_to_nobodys, (who, theirs)
            # A 404 (a GET-only page answers a POST with 405; a POST-only action, a GET).
            assert 404 in answers_to_theirs, (who, theirs, answers_to_theirs)

    draft.refresh_from_db()
    assert draft.answers == answers
    assert Draft.objects.filter(pk=draft.pk).exists()
    assert Submission.objects.filter(pk=submission.pk, owner=member_of_public).exists()
    assert submission.history.count() == history

    # The same addresses work for the people they belong to: the 404s above are no accident.
    run_pdf_tasks()  # the sent form's PDF copy is made, so its address streams it
    insiders = {
        "referrals": signed_in(member_of_public, run_tasks),
        "backoffice": signed_in(feedback_staff, run_tasks),
    }
    insiders["enquiries"] = insiders["referrals"]  # the referrer's answers
    insiders["api"] = api_client(teams["feedback"])
    for route in OBJECT_ROUTES:
        if route.name in API_WRITES:
            continue  # below, last: the decision closes the referral
        client = insiders[route.name.split(":")[0]]
        address = url(route, draft.pk, submission.reference, documents)
        response = client.get(address)
        if response.status_code == 405:  # a POST-only action: the same POST as above
            response = client.post(address)
        assert works_for_its_owner(response), (route.name, response)
    for route in [route for route in OBJECT_ROUTES if route.name in API_WRITES]:
        address = url(route, draft.pk, submission.reference, documents)
        assert api_write(insiders["api"], route.name, address) == [200], route.name


# The API's writes, with a valid body: the body is checked before the referral is looked
# up (a 422 for anyone), so only a valid one shows the 404 (the rest of the matrix is in
# frontdoor/api/tests/test_importing.py and test_deciding.py).
API_WRITES = {
    "api:referral_import": ("put", {"external_reference": "CS-1"}),
    "api:referral_decision": ("post", {"outcome": "acknowledged", "response": "Thank you."}),
}


def api_write(client: Client, name: str, address: str) -> list[int]:
    """The status of the route's write with a valid JSON body; [] for another route."""
    if name not in API_WRITES:
        return []
    method, body = API_WRITES[name]
    return [getattr(client, method)(address, body, content_type="application/json").status_code]


def api_client(team) -> Client:
    """A test client with the token of a new API client for the team."""
    from frontdoor.api import clients

    _, token = clients.create_client(f"System of {team.slug}", [team])
    return Client(headers={"Authorization": f"Bearer {token}"})


def test_someone_elses_document_inside_ones_own_draft_or_sent_form_is_404(
    owned, documents, member_of_public, second_professional, teams, run_tasks
):
    """My draft or sent form, your document: as if the document did not exist. The same
    requests with my own document work (the URL walk checks that they differ only there)."""
    theirs = drafts.start(second_professional, registry.get("social-care-referral"))
    stored_as = documents_storage().save("test/theirs", ContentFile(b"%PDF-1.4 theirs"))
    their_document = Document.objects.create(
        owner=second_professional,
        name="theirs.pdf",
        kind="pdf",
        size=15,
        sha256="1" * 64,
        stored_as=stored_as,
        scanned=True,
        draft=theirs,
    )
    their_submission = make_sent_form(second_professional)
    their_sent = Document.objects.create(
        owner=second_professional,
        name="their-sent.pdf",
        kind="pdf",
        size=15,
        sha256="2" * 64,
        stored_as=documents_storage().save("test/their-sent", ContentFile(b"%PDF-1.4 sent")),
        scanned=True,
        submission=their_submission,
    )
    draft, submission = owned
    feedback_staff = make_user(
        "feedback.team@council.example.gov.uk", "Fran", "Lee", is_professional=True
    )
    feedback_staff.teams.add(teams["feedback"])
    mine = signed_in(member_of_public, run_tasks)
    team = signed_in(feedback_staff, run_tasks)
    cases = [
        (mine, "referrals:draft_document", {"draft_id": draft.pk}, "draft", their_document),
        (mine, "referrals:sent_document", {"reference": submission.reference}, "sent", their_sent),
        # Staff of the team: a document of another form sent to the same team.
        (team, "backoffice:document", {"reference": submission.reference}, "sent", their_sent),
    ]
    for client, name, place, own, other in cases:
        own_url = reverse(name, kwargs={**place, "document_id": documents[own].pk})
        other_url = reverse(name, kwargs={**place, "document_id": other.pk})
        assert client.get(own_url).status_code == 200, name
        assert client.get(other_url).status_code == 404, name
    assert their_submission.team_slug == submission.team_slug  # the team sees both forms


def make_sent_form(user):
    feedback = registry.get("feedback")
    to_send = drafts.start(user, feedback)
    for slug, data in (
        ("about-you", "anonymous=yes"),
        ("your-feedback", "kind=comment&what_happened=It+was+fine"),
    ):
        drafts.save_section(to_send, feedback.section(slug), QueryDict(data), loaded_revision=0)
    return submit(to_send.pk, user)


# Where a redirect must not lead for an owner's own object: asked to sign in (again).
SIGN_IN_ROUTES = {"accounts:login", "accounts:sign_in_code", "accounts:timed_out"}


def works_for_its_owner(response) -> bool:
    """The page itself (200), a POST-only action's 405, or a redirect somewhere other than
    signing in, with the owner still signed in."""
    if response.status_code in (200, 405):
        return True
    if response.status_code != 302:
        return False
    target = resolve(urlsplit(response["Location"]).path).view_name
    return target not in SIGN_IN_ROUTES and response.wsgi_request.user.is_authenticated


def test_a_redirect_to_sign_in_does_not_count_as_working(member_of_public, run_tasks):
    client = signed_in(member_of_public, run_tasks)
    assert works_for_its_owner(client.get("/forms/"))
    assert not works_for_its_owner(Client().get("/forms/"))  # signed out: to sign in
    assert not works_for_its_owner(client.get("/forms/draft/999999/"))  # 404
