"""Probing the back office as an outside tester would: another team's referral and a
referrer get what a referral that does not exist gets, at every URL and method; odd
filters and inputs are never a 500; a team that transferred a referral cannot act on it."""

import pytest
from django.test import Client

from conftest import signed_in
from frontdoor.backoffice.inbox import SEARCH_KEY
from frontdoor.backoffice.tests.test_referral_actions import manager  # noqa: F401
from frontdoor.backoffice.tests.test_referral_page import case_of
from tests.sending import send

pytestmark = pytest.mark.django_db

ACTIONS = [
    "",
    "pdf/",
    "assign/",
    "rate/",
    "note/",
    "stage/",
    "decide/",
    "confirm/",
    "transfer/",
    "restrict/",
    "restrict/lift/",
]


def test_probing_the_back_office(professional, mash_staff, early_help_staff, teams, run_tasks):
    s = send(professional, "social-care-referral")
    other = signed_in(early_help_staff, run_tasks)
    for a in ACTIONS:
        for m in ("get", "post"):
            r = getattr(other, m)(f"/team/{s.reference}/{a}")
            r2 = getattr(other, m)(f"/team/FD-2026-999999/{a}")
            assert r.status_code == r2.status_code, (a, m)
            assert r.status_code in (404, 405), (a, m, r.status_code)
    ref = signed_in(professional, run_tasks)
    for a in ACTIONS:
        assert ref.get(f"/team/{s.reference}/{a}").status_code == 404
    mash = signed_in(mash_staff, run_tasks)
    for q in [
        "page=-1",
        "page=abc",
        "page=99999999999999999999",
        "stage=nope",
        "assigned=zz",
        "rating=x",
        "form=zz",
        "received_after_0=31&received_after_1=2&received_after_2=2026",
        "received_after_0=aa&received_after_1=&received_after_2=99999999",
        "overdue=maybe",
        "team=x",
    ]:
        r = mash.get(f"/team/in/social-care/?{q}")
        assert r.status_code in (200, 302), (q, r.status_code)
    r = mash.post("/team/in/social-care/search/", {"q": "x" * 100000})
    assert r.status_code in (200, 302)
    for a in ACTIONS[2:]:
        r = mash.post(
            f"/team/{s.reference}/{a}",
            {"assign-version": "abc", "rate-version": "-1", "note-text": "\u202e" + "y" * 2000000},
        )
        assert r.status_code in (200, 302, 403, 405), (a, r.status_code)
    # transfer away then act as former team
    from frontdoor.cases import services

    services.transfer(s.case, teams["early-help"], "reason", mash_staff)
    assert mash.get(f"/team/{s.reference}/").status_code == 200
    for a in ACTIONS[2:]:
        r = mash.post(f"/team/{s.reference}/{a}", {"note-text": "hello"})
        assert r.status_code in (403, 404, 302), (a, r.status_code)
    s.case.refresh_from_db()
    assert not s.case.notes.exists()


def test_every_action_post_needs_the_csrf_token(professional, manager, run_tasks):  # noqa: F811
    """With Django's CSRF checks on (as in production), a POST without the page's token is
    refused at every action and at the search, and changes nothing; with it, it works."""
    s = send(professional, "social-care-referral")
    signed = signed_in(manager, run_tasks)
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = signed.cookies
    version = case_of(s).version
    forged = {
        "assign-to": "me",
        "assign-version": version,
        "rate-rating": "red",
        "rate-reason": "Forged",
        "rate-version": version,
        "note-text": "Forged",
        "stage-stage": "screening",
        "stage-version": version,
        "transfer-team": "early-help",
        "transfer-reason": "Forged",
        "transfer-version": version,
        "q": "Example",
    }
    for action in [*ACTIONS[2:], "decide/", "confirm/"]:
        assert browser.post(f"/team/{s.reference}/{action}", forged).status_code == 403, action
    assert browser.post("/team/in/social-care/search/", forged).status_code == 403
    case = case_of(s)
    assert (case.version, case.assignee, case.rating, case.team.slug) == (
        version,
        None,
        "",
        "social-care",
    )
    assert not case.notes.exists()
    assert not browser.session.get(SEARCH_KEY)

    assert browser.get(f"/team/{s.reference}/note/").status_code == 200
    token = browser.cookies["csrftoken"].value
    posted = browser.post(
        f"/team/{s.reference}/note/", {"note-text": "With the token", "csrfmiddlewaretoken": token}
    )
    assert posted.status_code == 302
    assert case_of(s).notes.get().text == "With the token"


@pytest.mark.parametrize(
    "path",
    [
        "/team/{ref}%00/",
        "/team/{ref}%00/pdf/",
        "/team/{ref}%00/ask/",
        "/team/{ref}%00/checks/new/",
        "/team/{ref}%00/restrict/",
        "/team/{ref}%00/information/1/file/00000000-0000-0000-0000-000000000000/",
        "/forms/sent/{ref}%00/",
        "/forms/sent/{ref}%00/pdf/",
        "/forms/information/{ref}%00/add/",
        "/forms/information/{ref}%00/1/",
    ],
)
def test_a_nul_in_a_reference_is_a_404_not_a_500(professional, mash_staff, run_tasks, path):
    # PostgreSQL text holds no NUL: looking the reference up would fail, not find nothing.
    sent = send(professional, "social-care-referral")
    for who in (mash_staff, professional):
        asking = signed_in(who, run_tasks)
        for method in ("get", "post"):
            response = getattr(asking, method)(path.format(ref=sent.reference))
            assert response.status_code in (404, 405), (who, method, response.status_code)
