"""The URL walk itself (tests/coverage_walk.py): tested on every run, whole suite or not."""

import pytest
from django.test import Client
from django.urls import path

from conftest import sign_in
from tests import coverage_walk
from tests.coverage_walk import NOT_PAGES, Recorder, Route, gaps, walk


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
    assert submission.path == "team/<str:reference>/"
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


def test_every_routes_arguments_are_known():
    assert not [route for route in walk() if route.unknown_parameters]


def test_the_report_names_what_is_missing():
    routes = [
        Route("pages:home", "", ()),
        Route("referrals:task_list", "forms/draft/<int:draft_id>/", ("draft_id",)),
        Route("referrals:send", "forms/draft/<int:draft_id>/send/", ("draft_id",)),
        Route("things:thing", "things/<int:thing_id>/", ("thing_id",)),
    ]

    report = gaps(routes, axe_checked={"pages:home"}, not_found_to_others={"referrals:send"})

    assert report == [
        "These routes have an argument the URL walk does not know: say in "
        "tests/coverage_walk.py whether it names someone's object (OWNED_OBJECTS) "
        "or not (PUBLIC_PARAMETERS):",
        "  things:thing (things/<int:thing_id>/): thing_id",
        "These pages were never checked with axe:",
        "  referrals:task_list (forms/draft/<int:draft_id>/)",
        "  things:thing (things/<int:thing_id>/)",
        "No test shows another signed-in user gets 404 (for an object that exists) for:",
        "  referrals:task_list (forms/draft/<int:draft_id>/)",
    ]
    without_axe = gaps(routes, set(), {"referrals:task_list", "referrals:send"}, check_axe=False)
    assert without_axe[-1] == "  things:thing (things/<int:thing_id>/): thing_id"


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


@pytest.mark.django_db
def test_a_404_counts_only_for_another_signed_in_users_existing_object(
    recorded, member_of_public, professional, run_tasks
):
    from frontdoor.referrals import drafts, registry

    draft = drafts.start(member_of_public, registry.get("feedback"))
    anonymous = Client()
    assert anonymous.get(f"/forms/draft/{draft.pk}/").status_code == 302
    other = Client()
    sign_in(other, professional, run_tasks)
    assert other.get(f"/forms/draft/{draft.pk + 1000}/check/").status_code == 404  # no such
    assert other.get("/forms/no-such-form/").status_code == 404  # names no one's object
    assert recorded.not_found_to_others == set()

    assert other.get(f"/forms/draft/{draft.pk}/").status_code == 404
    assert recorded.not_found_to_others == {"referrals:task_list"}


@pytest.mark.django_db
def test_the_owners_own_404_does_not_count(recorded, member_of_public, run_tasks):
    from frontdoor.referrals import drafts, registry

    draft = drafts.start(member_of_public, registry.get("feedback"))
    owner = Client()
    sign_in(owner, member_of_public, run_tasks)
    assert owner.get(f"/forms/draft/{draft.pk}/no-such-section/").status_code == 404
    assert recorded.not_found_to_others == set()


def test_an_axe_check_records_the_pages_route(recorded):
    coverage_walk.record_axe_check("http://localhost:8001/forms/draft/7/check/?x=1")
    coverage_walk.record_axe_check("http://localhost:8001/no/such/page/")
    assert recorded.axe_checked == {"referrals:check"}
