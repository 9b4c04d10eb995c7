"""The security headers on every page the URL walk finds, each reached as the person it is
for, with the page itself (200) — never a 404 or a redirect that happens to carry them.

A new route fails `test_every_route_is_reached` until REACH says how to get to it.
"""

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from conftest import make_user, sign_in
from frontdoor.core.tests.test_security import assert_scripts_are_ours, assert_security_headers
from tests.coverage_walk import API, DOWNLOAD, JSON, NOT_PAGES, POST_ONLY, REDIRECT, walk
from tests.test_access import REPEATED_SECTION, documents, owned, partner_check  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db


class Reach:
    """Signed-in and signed-out clients, and the objects the owner's pages name."""

    def __init__(self, people: dict[str, Client], draft: Any, submission: Any, files: Any):
        self.people = people
        self.draft = draft
        self.submission = submission
        self.files = files

    def url(self, name: str, **kwargs: Any) -> str:
        return reverse(name, kwargs=kwargs)


# Each route: (who asks, how to get the page there). "how" gives the URL, after doing
# whatever the page needs first (a step before it, kept in the session). Routes that are
# never a page of their own (POST-only actions, a redirect) are asked for their own answer:
# (who, how, method, where it redirects to).
Get = Callable[[Reach, Client], str]


def _session(client: Client, **values: Any) -> None:
    session = client.session
    session.update(values)
    session.save()


def _register_step2(reach: Reach, client: Client) -> str:
    from frontdoor.accounts.tests.test_registration import STEP1

    assert client.post("/account/register/", STEP1).status_code == 302
    return "/account/register/step-2/"


def _verify(reach: Reach, client: Client) -> str:
    _session(client, verify_email="jo@school.example.org")
    return "/account/register/verify/"


def _sign_in_code(reach: Reach, client: Client) -> str:
    from conftest import PASSWORD

    response = client.post(
        "/account/sign-in/", {"email": "parent@example.net", "password": PASSWORD}
    )
    assert response["Location"] == "/account/sign-in/code/"
    return "/account/sign-in/code/"


def _reset(reach: Reach, client: Client) -> str:
    response = client.post("/account/forgotten-password/", {"email": "parent@example.net"})
    assert response.status_code == 302
    return "/account/forgotten-password/reset/"


def _new_password(reach: Reach, client: Client) -> str:
    from frontdoor.accounts.models import User

    user = User.objects.get(email="parent@example.net")
    _session(client, reset_user={"user": user.pk, "at": time.time()})
    return "/account/forgotten-password/new-password/"


def _confirm_email(reach: Reach, client: Client) -> str:
    _session(client, email_change_to="new@example.net")
    return "/account/details/email/confirm/"


def _remove_item(reach: Reach, client: Client) -> str:
    """The confirmation page for removing a child: there must be one to remove first."""
    from frontdoor.referrals.models import Draft
    from frontdoor.referrals.tests.test_pages import CHILD

    for number in (0, 1):  # the only child is not offered for removal: two
        item = reach.url(
            "referrals:item", draft_id=reach.draft.pk, slug=REPEATED_SECTION, item=number
        )
        revision = Draft.objects.get(pk=reach.draft.pk).revisions.get(REPEATED_SECTION, 0)
        assert client.post(item, {"revision": str(revision), **CHILD}).status_code == 302
    return reach.url(
        "referrals:remove_item", draft_id=reach.draft.pk, slug=REPEATED_SECTION, item=1
    )


def _as_manager(get: Get) -> Get:
    """A page for the team's managers: the team's staff member is made one first."""

    def as_manager(reach: Reach, client: Client) -> str:
        from frontdoor.accounts.models import Membership

        Membership.objects.filter(team__slug=reach.submission.team_slug).update(
            role=Membership.Role.MANAGER
        )
        return get(reach, client)

    return as_manager


def _partner_check(name: str) -> Get:
    """A page of a partner check on the sent form (the check made directly)."""

    def get(reach: Reach, client: Client) -> str:
        return reach.url(name, reference=reach.submission.reference, check_id=partner_check())

    return get


def _restricted(get: Get) -> Get:
    """A page of a restricted referral: the team's staff member, made a manager, restricts
    it (to themselves) first."""

    def restricted(reach: Reach, client: Client) -> str:
        from frontdoor.accounts.models import User
        from frontdoor.cases import services
        from frontdoor.cases.models import Case

        path = _as_manager(get)(reach, client)
        case = Case.objects.get(submission=reach.submission)
        if not case.is_restricted:
            me = User.objects.get(pk=client.session["_auth_user_id"])
            services.restrict(case, [], me)
        return path

    return restricted


def _made_copy(get: Get) -> Get:
    """The PDF copy of the sent form, made first (the API streams it, or answers 202)."""

    def made(reach: Reach, client: Client) -> str:
        from frontdoor.referrals import pdf

        pdf.copy_of(reach.submission)
        pdf.make_copy.call(reach.submission.pk)
        return get(reach, client)

    return made


def _fixed(path: str) -> Get:
    return lambda reach, client: path


def _draft(name: str, **extra: Any) -> Get:
    return lambda reach, client: reach.url(name, draft_id=reach.draft.pk, **extra)


def _sent(name: str, **extra: Any) -> Get:
    return lambda reach, client: reach.url(name, reference=reach.submission.reference, **extra)


def _another_sent(name: str) -> Get:
    """A new sent form of the owner's (feedback, the API client's team): for the API's
    decision, which closes it, so that the pages after find theirs open."""

    def get(reach: Reach, client: Client) -> str:
        from tests.test_access import make_sent_form

        sent = make_sent_form(reach.submission.owner)
        return reach.url(name, reference=sent.reference)

    return get


def _file(name: str, place: str) -> Get:
    def get(reach: Reach, client: Client) -> str:
        document = reach.files[place].pk
        if place == "draft":
            return reach.url(name, draft_id=reach.draft.pk, document_id=document)
        return reach.url(name, reference=reach.submission.reference, document_id=document)

    return get


def _enquiry(name: str) -> Get:
    def get(reach: Reach, client: Client) -> str:
        return reach.url(name, reference=reach.submission.reference, pk=reach.files["enquiry"].pk)

    return get


def _answer_file(name: str) -> Get:
    def get(reach: Reach, client: Client) -> str:
        enquiry, document = reach.files["enquiry"].pk, reach.files["answer"].pk
        kwargs = {"reference": reach.submission.reference, "document_id": document}
        kwargs["enquiry_id" if name.startswith("backoffice") else "pk"] = enquiry
        return reach.url(name, **kwargs)

    return get


ANYONE, OWNER, TEAM = "signed out", "the owner", "the team's staff"
SYSTEM = "the team's API client (its case-management system)"
REACH: dict[str, tuple[str, Get] | tuple[str, Get, str, str | dict[str, str]]] = {
    "pages:home": (ANYONE, _fixed("/")),
    "pages:help": (ANYONE, _fixed("/help/")),
    "pages:accessibility": (ANYONE, _fixed("/accessibility/")),
    "pages:privacy": (ANYONE, _fixed("/privacy/")),
    "pages:cookies": (ANYONE, _fixed("/cookies/")),
    "pages:contact": (ANYONE, _fixed("/contact/")),
    "accounts:register": (ANYONE, _fixed("/account/register/")),
    "accounts:register_step2": (ANYONE, _register_step2),
    "accounts:register_cancel": (
        ANYONE,
        _fixed("/account/register/cancel/"),
        "get",
        "/account/sign-in/",
    ),
    "accounts:verify_email": (ANYONE, _verify),
    "accounts:registered": (ANYONE, _fixed("/account/register/done/")),
    "accounts:login": (ANYONE, _fixed("/account/sign-in/")),
    "accounts:sign_in_code": (ANYONE, _sign_in_code),
    "accounts:logout": (OWNER, _fixed("/account/sign-out/"), "post", "/account/signed-out/"),
    "accounts:signed_out": (ANYONE, _fixed("/account/signed-out/")),
    "accounts:timed_out": (ANYONE, _fixed("/account/timed-out/")),
    "accounts:session_status": (OWNER, _fixed("/account/session/")),
    "accounts:session_extend": (OWNER, _fixed("/account/session/extend/"), "post", "/"),
    "accounts:forgotten_password": (ANYONE, _fixed("/account/forgotten-password/")),
    "accounts:reset_password": (ANYONE, _reset),
    "accounts:new_password": (ANYONE, _new_password),
    "accounts:details": (OWNER, _fixed("/account/details/")),
    "accounts:change_details": (OWNER, _fixed("/account/details/change/")),
    "accounts:change_email": (OWNER, _fixed("/account/details/email/")),
    "accounts:confirm_email": (OWNER, _confirm_email),
    "accounts:change_password": (OWNER, _fixed("/account/details/password/")),
    "referrals:choose": (OWNER, _fixed("/forms/")),
    "referrals:recover": (OWNER, _fixed("/forms/recover/")),
    "referrals:submitted": (OWNER, _fixed("/forms/sent/")),
    "referrals:sent": (OWNER, _sent("referrals:sent")),
    "referrals:sent_pdf": (OWNER, _sent("referrals:sent_pdf")),
    "referrals:sent_document": (OWNER, _file("referrals:sent_document", "sent")),
    "referrals:task_list": (OWNER, _draft("referrals:task_list")),
    "referrals:check": (OWNER, _draft("referrals:check")),
    "referrals:send": (OWNER, _draft("referrals:send"), "post", "CHECK"),
    "referrals:delete": (OWNER, _draft("referrals:delete")),
    "referrals:draft_document": (OWNER, _file("referrals:draft_document", "draft")),
    "referrals:section": (OWNER, _draft("referrals:section", slug="your-details")),
    "referrals:item": (OWNER, _draft("referrals:item", slug=REPEATED_SECTION, item=0)),
    "referrals:remove_item": (OWNER, _remove_item),
    "referrals:start": (OWNER, _fixed("/forms/social-care-referral/")),
    "referrals:without_account": (ANYONE, _fixed("/forms/feedback/without-an-account/")),
    # Before the referral is restricted (lift_restriction): the API then has it no more.
    "api:api-root": (ANYONE, _fixed("/api/v1/")),
    "api:openapi-json": (ANYONE, _fixed("/api/v1/openapi.json")),
    "api:reference": (ANYONE, _fixed("/api/v1/docs")),
    "api:referrals": (SYSTEM, _fixed("/api/v1/referrals")),
    "api:referral": (SYSTEM, _sent("api:referral")),
    "api:document": (SYSTEM, _file("api:document", "sent")),
    "api:forms": (SYSTEM, _fixed("/api/v1/forms")),
    "api:form_schema": (SYSTEM, _fixed("/api/v1/forms/feedback/versions/3/schema")),
    # The API's writes: a JSON body in, a JSON answer (200) out.
    "api:referral_import": (
        SYSTEM,
        _sent("api:referral_import"),
        "put",
        {"external_reference": "CS-1"},
    ),
    "api:referral_decision": (
        SYSTEM,
        _another_sent("api:referral_decision"),
        "post",
        {"outcome": "acknowledged", "response": "Thank you for telling us."},
    ),
    "backoffice:inbox": (TEAM, _fixed("/team/")),
    "backoffice:team_inbox": (TEAM, _fixed("/team/in/feedback/")),
    "backoffice:inbox_search": (
        TEAM,
        _fixed("/team/in/feedback/search/"),
        "post",
        "/team/in/feedback/",
    ),
    "backoffice:inbox_export": (TEAM, _fixed("/team/in/feedback/export/")),
    "backoffice:submission": (TEAM, _sent("backoffice:submission")),
    "backoffice:submission_pdf": (TEAM, _sent("backoffice:submission_pdf")),
    # The copy is made for the API's (the referrer's and the staff's, asked before, are 202),
    # before the referral is restricted.
    "api:referral_pdf": (SYSTEM, _made_copy(_sent("api:referral_pdf"))),
    "backoffice:document": (TEAM, _file("backoffice:document", "sent")),
    "backoffice:assign": (TEAM, _sent("backoffice:assign")),
    "backoffice:rate": (TEAM, _sent("backoffice:rate")),
    "backoffice:note": (TEAM, _sent("backoffice:note")),
    "backoffice:stage": (TEAM, _sent("backoffice:stage")),
    "backoffice:decide": (TEAM, _sent("backoffice:decide")),
    "backoffice:confirm": (TEAM, _as_manager(_sent("backoffice:confirm"))),
    "backoffice:transfer": (TEAM, _sent("backoffice:transfer")),
    "backoffice:ask": (TEAM, _sent("backoffice:ask")),
    "backoffice:information_read": (
        TEAM,
        _sent("backoffice:information_read"),
        "post",
        "INFORMATION",
    ),
    "backoffice:information_document": (TEAM, _answer_file("backoffice:information_document")),
    "enquiries:add": (OWNER, _sent("enquiries:add")),
    "enquiries:answer": (OWNER, _enquiry("enquiries:answer")),
    "enquiries:document": (OWNER, _answer_file("enquiries:document")),
    "backoffice:check_ask": (TEAM, _sent("backoffice:check_ask")),
    "backoffice:check_chase": (TEAM, _partner_check("backoffice:check_chase")),
    "backoffice:check_reply": (TEAM, _partner_check("backoffice:check_reply")),
    "backoffice:dashboard": (TEAM, _as_manager(_fixed("/team/in/feedback/dashboard/"))),
    "backoffice:restrict": (TEAM, _as_manager(_sent("backoffice:restrict"))),
    "backoffice:lift_restriction": (TEAM, _restricted(_sent("backoffice:lift_restriction"))),
}


LAST = ("referrals:send", "accounts:logout")


PDF_COPIES = {"referrals:sent_pdf", "backoffice:submission_pdf"}

# The people's own files (the PDF copies are ours, and carry the pages' policy).
DOCUMENTS = {
    "referrals:draft_document",
    "referrals:sent_document",
    "backoffice:document",
    "backoffice:information_document",
    "enquiries:document",
    # The API's: a referrer's file, and the PDF copy, to a case-management system.
    "api:document",
    "api:referral_pdf",
}


def assert_download_headers(response: Any) -> None:
    """A stored document is someone's file, never run as a page: nothing loads, nothing
    runs (sandbox), and it is not framed or sniffed."""
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def assert_is_what_the_walk_says(name: str, response: Any, client: Client, path: str) -> None:
    """A page is HTML (so the URL walk wants axe to check it); a route in NOT_PAGES is
    what its entry says it is, so an entry cannot hide a page."""
    kind = NOT_PAGES.get(name)
    content_type = response.get("Content-Type", "")
    if kind is None:
        assert response.status_code == (202 if name in PDF_COPIES else 200), name
        assert content_type.startswith("text/html"), (name, content_type)
    elif kind == POST_ONLY:
        assert client.get(path).status_code == 405, name
        assert response.status_code == 302, name
    elif kind == REDIRECT:
        assert response.status_code == 302, name
    elif kind == JSON:
        assert content_type == "application/json", (name, content_type)
    elif kind == API:
        # JSON; a form version's JSON Schema as application/schema+json.
        assert content_type.split(";")[0] in ("application/json", "application/schema+json"), (
            name,
            content_type,
        )
    else:
        assert kind == DOWNLOAD, (name, kind)
        assert response["Content-Disposition"].startswith("attachment"), name


def test_every_route_is_reached():
    missing = sorted({route.name for route in walk()} - set(REACH))
    assert not missing, f"Say in tests/test_headers.py REACH how to reach: {missing}"
    assert set(REACH) <= {route.name for route in walk()}


@pytest.fixture
def reach(owned, documents, member_of_public, teams, run_tasks):  # noqa: F811 - fixtures
    draft, submission = owned
    staff = make_user("feedback.team@council.example.gov.uk", "Fran", "Lee", is_professional=True)
    staff.teams.add(teams["feedback"])
    from frontdoor.api import clients

    _, token = clients.create_client("Case system", [teams["feedback"]])
    people = {
        OWNER: Client(),
        TEAM: Client(),
        SYSTEM: Client(headers={"Authorization": f"Bearer {token}"}),
    }
    sign_in(people[OWNER], member_of_public, run_tasks)
    sign_in(people[TEAM], staff, run_tasks)
    return Reach(people, draft, submission, documents)


def test_every_page_sends_the_security_headers_to_the_person_it_is_for(reach):
    checked = []
    # Sending (or trying to) and signing out end other pages, so they come last.
    for name in sorted(REACH, key=lambda name: LAST.index(name) if name in LAST else -1):
        who, get, *answer = REACH[name]
        client = Client() if who == ANYONE else reach.people[who]
        path = get(reach, client)
        method, to = answer or ("get", None)
        if isinstance(to, dict):  # an API write: its JSON body, answered 200
            response = getattr(client, method)(path, to, content_type="application/json")
            to = None
        else:
            response = getattr(client, method)(path)
        if to is None:
            # A PDF copy not made yet is its waiting page (202), HTML like any page.
            wanted = 202 if name in PDF_COPIES else 200
            assert response.status_code == wanted, (name, path, response)
        else:  # a redirect, to exactly where this action goes
            to = to.replace("CHECK", reach.url("referrals:check", draft_id=reach.draft.pk))
            reference = reach.submission.reference
            to = to.replace("INFORMATION", f"/team/{reference}/#questions")
            assert (response.status_code, response["Location"]) == (302, to), (name, response)
        assert response.resolver_match.view_name == name, (name, path)
        if name in DOCUMENTS:
            assert response["Content-Disposition"].startswith("attachment"), name
            assert_download_headers(response)
        else:
            assert_security_headers(response)
            if response["Content-Type"].startswith("text/html"):
                assert_scripts_are_ours(response)
        assert_is_what_the_walk_says(name, response, client, path)
        checked.append(name)
    assert len(checked) == len(REACH)
