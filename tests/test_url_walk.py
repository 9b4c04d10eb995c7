"""The URL walk itself (tests/coverage_walk.py): tested on every run, whole suite or not."""

import pytest
from django.test import Client
from django.urls import path

from conftest import sign_in
from frontdoor.accounts.middleware import LAST_ACTIVITY
from tests import coverage_walk
from tests.coverage_walk import (
    ARGUMENTS,
    NOT_PAGE_KINDS,
    NOT_PAGES,
    Proofs,
    Recorder,
    Route,
    gaps,
    walk,
)


def by_name() -> dict[str, Route]:
    return {route.name: route for route in walk()}


def test_the_walk_finds_the_projects_routes_and_classifies_them():
    routes = by_name()

    task_list = routes["referrals:task_list"]
    assert task_list.path == "forms/draft/<int:draft_id>/"
    assert task_list.is_page
    assert task_list.owned_objects == ("draft_id",)

    item = routes["referrals:item"]
    assert item.parameters == ("draft_id", "slug", "item")
    assert item.owned_objects == ("draft_id",)
    assert item.unknown_parameters == ()

    submission = routes["backoffice:submission"]
    assert submission.path == "team/<slug:reference>/"
    assert submission.is_page
    assert submission.owned_objects == ("reference",)

    # A PDF copy, or while it is being made a page saying so: a page, and someone's.
    pdf = routes["backoffice:submission_pdf"]
    assert pdf.is_page
    assert pdf.owned_objects == ("reference",)

    download = routes["backoffice:document"]
    assert not download.is_page
    assert download.owned_objects == ("reference", "document_id")  # not a page, but someone's

    start = routes["referrals:start"]
    assert start.is_page
    assert start.owned_objects == ()  # a form's slug names no one's object

    assert not routes["accounts:session_status"].is_page
    assert routes["pages:home"].is_page


def test_the_walk_leaves_out_the_admin():
    assert not [name for name in by_name() if name.startswith("admin:")]


def test_every_route_said_not_to_be_a_page_exists():
    assert set(NOT_PAGES) <= set(by_name())


def test_every_route_whose_arguments_are_said_exists():
    assert set(ARGUMENTS) <= set(by_name())


def test_every_routes_arguments_are_known():
    assert not [route for route in walk() if route.unknown_parameters]


def test_every_route_said_not_to_be_a_page_says_what_it_is():
    # Each claim is checked against the route's real answer in tests/test_headers.py.
    assert set(NOT_PAGES.values()) <= set(NOT_PAGE_KINDS)


def test_no_argument_is_trusted_by_its_name():
    # A "slug" of a route the walk has not been told about is unknown, not public.
    assert Route("things:thing", "things/<slug:slug>/", ("slug",)).unknown_parameters == ("slug",)
    assert all(set(arguments) for arguments in ARGUMENTS.values())


def test_the_report_names_what_is_missing(monkeypatch):
    monkeypatch.setitem(
        coverage_walk.ARGUMENTS, "referrals:task_list", {"draft_id": coverage_walk.DRAFT}
    )
    # One declared field, whatever the project's list holds today.
    monkeypatch.setattr(
        coverage_walk, "FIELDS", {("referrals:section", "remove"): coverage_walk.DOCUMENT}
    )
    routes = [
        Route("pages:home", "", ()),
        Route("referrals:task_list", "forms/draft/<int:draft_id>/", ("draft_id",)),
        Route("referrals:send", "forms/draft/<int:draft_id>/send/", ("draft_id",)),
        Route("things:thing", "things/<int:thing_id>/", ("thing_id",)),
        Route(
            "referrals:sent_document",
            "forms/sent/<str:reference>/file/<uuid:document_id>/",
            ("reference", "document_id"),
        ),
    ]
    proofs = Proofs(
        axe_checked={"pages:home", "handler404"},
        error_pages_checked={"handler400", "handler403", "handler404", "handler500"},
        not_found_to_others={"referrals:send", "referrals:sent_document"},
        fields_seen={("referrals:check", "which"): "a document"},
    )

    report = gaps(routes, proofs)

    assert report == [
        "These routes have an argument the URL walk does not know: say in "
        "tests/coverage_walk.py ARGUMENTS what it names (a Kind of object) or why it "
        "names no one's object:",
        "  things:thing (things/<int:thing_id>/): thing_id",
        "These form or query fields carried an object's id: add them to "
        "tests/coverage_walk.py FIELDS (and test them):",
        "  referrals:check field 'which': a document",
        "These pages were never checked with axe:",
        "  referrals:task_list (forms/draft/<int:draft_id>/)",
        "  things:thing (things/<int:thing_id>/)",
        "  the error page of CSRF_FAILURE_VIEW",
        "No test shows another signed-in user gets 404 for a request its owner got "
        "200 or a redirect for (the same URL, query and form):",
        "  referrals:task_list (forms/draft/<int:draft_id>/)",
        "No test shows 404 for someone else's object inside one's own (the same "
        "request as one that worked, but for this argument):",
        "  referrals:sent_document (forms/sent/<str:reference>/file/<uuid:document_id>/): "
        "document_id",
        "No test shows these fields refuse someone else's object (the same request "
        "as one that worked, but this field naming another's):",
        "  referrals:section field 'remove'",
    ]
    without_axe = gaps(routes, Proofs(), check_axe=False)
    assert not [line for line in without_axe if "axe" in line]


def test_the_walk_follows_includes_and_regex_patterns():
    from django.urls import include, re_path

    def view(request):  # pragma: no cover - never called
        raise AssertionError

    class Urls:
        urlpatterns = [
            path("a/<int:draft_id>/", include(([path("b/<slug:slug>/", view, name="b")], "ns"))),
            re_path(r"^c/(?P<reference>\w+)/$", view, name="c"),
        ]

    from django.urls import get_resolver

    assert walk(get_resolver(Urls)) == [
        Route("ns:b", "a/<int:draft_id>/b/<slug:slug>/", ("draft_id", "slug")),
        Route("c", "^c/(?P<reference>\\w+)/$", ("reference",)),
    ]


@pytest.fixture
def recorded(monkeypatch) -> Recorder:
    """A recorder of its own, so this test counts for no route of the real walk."""
    recorder = Recorder()
    monkeypatch.setattr(coverage_walk, "RECORDED", recorder)
    return recorder


def draft_of(user):
    from frontdoor.referrals import drafts, registry

    return drafts.start(user, registry.get("social-care-referral"))


@pytest.mark.django_db
def test_a_404_counts_only_against_the_same_request_that_worked_for_its_owner(
    recorded, member_of_public, professional, run_tasks
):
    draft = draft_of(member_of_public)
    owner, other = Client(), Client()
    sign_in(owner, member_of_public, run_tasks)
    sign_in(other, professional, run_tasks)
    assert Client().get(f"/forms/draft/{draft.pk}/").status_code == 302  # signed out
    assert other.get(f"/forms/draft/{draft.pk + 1000}/").status_code == 404  # no such
    assert other.get("/forms/no-such-form/").status_code == 404  # names no one's object
    # A bad section of another's draft is a 404 for its owner too: it proves nothing.
    assert other.get(f"/forms/draft/{draft.pk}/no-such-section/").status_code == 404
    assert owner.get(f"/forms/draft/{draft.pk}/no-such-section/").status_code == 404
    # Another's 404 for the page, without its owner ever getting it: nothing either.
    assert other.get(f"/forms/draft/{draft.pk}/check/").status_code == 404
    assert other.get(f"/forms/draft/{draft.pk}/", {"x": "1"}).status_code == 404
    assert recorded.proofs().not_found_to_others == set()

    assert owner.get(f"/forms/draft/{draft.pk}/").status_code == 200
    assert recorded.proofs().not_found_to_others == set()  # its query differed
    assert other.get(f"/forms/draft/{draft.pk}/").status_code == 404
    assert recorded.proofs().not_found_to_others == {"referrals:task_list"}


@pytest.mark.django_db
def test_the_owners_own_404_does_not_count(recorded, member_of_public, run_tasks):
    draft = draft_of(member_of_public)
    owner = Client()
    sign_in(owner, member_of_public, run_tasks)
    assert owner.get(f"/forms/draft/{draft.pk}/").status_code == 200
    assert owner.get(f"/forms/draft/{draft.pk}/no-such-section/").status_code == 404
    assert recorded.proofs().not_found_to_others == set()


@pytest.mark.django_db
def test_a_redirect_to_sign_in_is_not_the_owner_getting_the_page(
    recorded, member_of_public, professional, run_tasks, settings
):
    draft = draft_of(member_of_public)
    other = Client()
    sign_in(other, professional, run_tasks)
    owner = Client()
    sign_in(owner, member_of_public, run_tasks)
    session = owner.session
    session[LAST_ACTIVITY] = 0  # long timed out: the owner is sent to sign in
    session.save()
    response = owner.get(f"/forms/draft/{draft.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/account/timed-out/")
    assert other.get(f"/forms/draft/{draft.pk}/").status_code == 404
    assert recorded.proofs().not_found_to_others == set()


def test_an_axe_check_records_the_pages_route(recorded):
    coverage_walk.record_axe_check("http://localhost:8001/forms/draft/7/check/?x=1")
    coverage_walk.record_axe_check("http://localhost:8001/no/such/page/")
    assert recorded.axe_checked == {"referrals:check"}


def document_of(user, **place):
    import uuid

    from django.core.files.base import ContentFile

    from frontdoor.documents.models import Document
    from frontdoor.documents.storage import documents_storage

    stored_as = documents_storage().save(f"test/{uuid.uuid4().hex}", ContentFile(b"%PDF-1.4"))
    return Document.objects.create(
        owner=user, name="x.pdf", kind="pdf", size=8, sha256="0" * 64, stored_as=stored_as,
        scanned=True, **place,
    )  # fmt: skip


@pytest.mark.django_db
def test_a_document_inside_ones_own_draft_needs_its_own_proof(
    recorded, member_of_public, professional, run_tasks
):
    mine, theirs = draft_of(member_of_public), draft_of(professional)
    my_document, their_document = (
        document_of(member_of_public, draft=mine),
        document_of(professional, draft=theirs),
    )
    owner = Client()
    sign_in(owner, member_of_public, run_tasks)
    assert owner.get(f"/forms/draft/{mine.pk}/file/{my_document.pk}/").status_code == 200
    # Another draft and its document: the draft differs too, so it proves nothing here.
    assert owner.get(f"/forms/draft/{theirs.pk}/file/{their_document.pk}/").status_code == 404
    assert recorded.proofs().not_found_inside_own == set()

    assert owner.get(f"/forms/draft/{mine.pk}/file/{their_document.pk}/").status_code == 404
    assert recorded.proofs().not_found_inside_own == {("referrals:draft_document", "document_id")}


@pytest.mark.django_db
def test_a_field_naming_someone_elses_document_needs_the_same_request_to_work_for_ones_own(
    recorded, professional, second_professional, run_tasks
):
    mine, theirs = draft_of(professional), draft_of(second_professional)
    my_document = document_of(professional, draft=mine)
    their_document = document_of(second_professional, draft=theirs)
    owner = Client()
    sign_in(owner, professional, run_tasks)
    page = f"/forms/draft/{mine.pk}/documents/"

    assert owner.post(page, {"remove": str(their_document.pk)}).status_code == 302
    assert recorded.proofs().fields_refused == set()
    assert recorded.proofs().fields_seen == {("referrals:section", "remove"): "a document"}
    another_of_mine = document_of(professional, draft=mine)
    owner.post(page, {"remove": str(another_of_mine.pk), "other": "1"})  # not the same request
    assert recorded.proofs().fields_refused == set()
    assert owner.post(page, {"remove": str(my_document.pk)}).status_code == 302
    assert recorded.proofs().fields_refused == {("referrals:section", "remove")}


@pytest.mark.django_db
def test_an_id_in_a_field_the_walk_was_not_told_of_is_reported(
    recorded, member_of_public, run_tasks
):
    mine = draft_of(member_of_public)
    my_document = document_of(member_of_public, draft=mine)
    owner = Client()
    sign_in(owner, member_of_public, run_tasks)
    owner.get(f"/forms/draft/{mine.pk}/check/", {"which": str(my_document.pk)})
    report = gaps(walk(), recorded.proofs(), check_axe=False)
    assert "  referrals:check field 'which': a document" in report


@pytest.mark.django_db
def test_a_reference_typed_in_a_search_box_names_no_object(
    recorded, professional, mash_staff, run_tasks
):
    from tests.sending import send

    sent = send(professional, "social-care-referral")
    staff = Client()
    sign_in(staff, mash_staff, run_tasks)
    staff.post("/team/in/social-care/search/", {"q": sent.reference})
    assert recorded.proofs().fields_seen == {}
    assert ("backoffice:inbox_search", "q") in coverage_walk.FREE_TEXT


@pytest.mark.django_db
def test_a_session_holding_someone_elses_object_is_reported(
    recorded, member_of_public, professional, run_tasks
):
    theirs = document_of(professional, draft=draft_of(professional))
    owner = Client()
    sign_in(owner, member_of_public, run_tasks)
    owner.get("/forms/")
    assert recorded.proofs().sessions_holding_others == set()
    session = owner.session
    session["upload_result"] = {"uploaded": [str(theirs.pk)]}
    session.save()
    owner.get("/forms/")
    assert recorded.proofs().sessions_holding_others == {
        "referrals:choose: 'upload_result' holds a document"
    }


@pytest.mark.django_db
def test_on_the_api_who_asks_is_the_api_client(recorded, professional, teams):
    from frontdoor.api import clients
    from tests.sending import send

    sent = send(professional, "social-care-referral")
    systems = {}
    for slug in ("social-care", "lado"):
        _, token = clients.create_client(slug, [teams[slug]])
        systems[slug] = Client(headers={"Authorization": f"Bearer {token}"})
    url = f"/api/v1/referrals/{sent.reference}"
    assert Client().get(url).status_code == 401  # nobody: proves nothing
    assert systems["lado"].get(url).status_code == 404
    assert recorded.proofs().not_found_to_others == set()
    assert systems["social-care"].get(url).status_code == 200
    assert recorded.proofs().not_found_to_others == {"api:referral"}
