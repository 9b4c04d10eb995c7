"""The URL walk (issue 3): the suite fails if a page has no axe check, or if no test
shows that another signed-in user gets 404 for a URL that names someone's object.

How it works
------------
While the tests run, two things are recorded (in `RECORDED`):

- every page checked with axe-core in the browser tests: `CheckedPage.check` (in
  tests/browser/conftest.py) calls `record_axe_check(url)` for a page that loaded without
  an error status, and `check_error_page` calls `record_error_page_check(handler)` for
  each error page (400, 403, 404, 500, CSRF failure: `ERROR_PAGES`);
- every response the Django test `Client` gives a signed-in user (`Client.request` is
  wrapped for the whole session; the app is unchanged), keyed by the request itself:
  method, path, query string and body.

What proves a route keeps its objects to their owners is a pair of requests that differ
only in who asks, or in whose object they name — never a 404 alone (a bad section slug on
someone's draft is a 404 for its owner too):

- another user: the same method, path, query and body that worked for one signed-in
  user (200, or a redirect that is not to signing in) is a 404 for another, while every
  object it names exists;
- an object inside one's own (a document of my draft or of my sent form, and for staff
  of a form sent to their team): the same request as one that worked with the person's
  own document, but naming another's (which exists), is a 404;
- a form or query field (`FIELDS`, e.g. `remove=<document id>` on the documents page):
  the same request as one that worked with the person's own object in that field, but
  naming another's, is a 404 or leaves it where it was. Fields carrying a document's id
  or a sent form's reference are found by their values; one the walk was not told of is
  a failure.

When the session ends, every URL pattern of the project is walked (`walk()`: included
resolvers recursively; the admin and static files are skipped), and:

- every page (a route not in `NOT_PAGES`) and every error page must have been checked
  with axe. Each `NOT_PAGES` entry says what the route is instead (POST only, a redirect,
  JSON, a download), and tests/test_headers.py checks that claim against the
  route's real answer, so an entry cannot silence a page;
- every route with an argument naming an object (`ARGUMENTS`, said route by route: no
  argument is trusted by its name) must have the proofs above;
- a route, or an argument, that `ARGUMENTS` does not know is a failure: say what it
  names, or why it names no one's object, before adding the route.

Anything missing fails the session (exit status 1) with a report in the terminal summary.
Do not add a page to `NOT_PAGES` to silence the walk: write the missing test.

When it is enforced
-------------------
Only when the session ran the whole suite, so a gap is real and not a test left out:

- no path arguments (pytest's `testpaths`), no `-k`, no `--deselect`/`--ignore`, not
  `--collect-only`; every selected test ran (no `-x` stop, no interruption, no xdist
  controller) and none failed (a failing test may stop before its check: fix it first);
- no `-m` (`make test`): both parts are enforced;
- `-m "not browser"` (`make test-fast`): the browser tests are left out, so only the 404
  part is enforced;
- any other selection: nothing is enforced; a one-line note says why.

tests/test_url_walk.py tests the walker and the recorder themselves, on every run.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

# Routes that are not pages a person reads, so axe-core has nothing to check there. Each
# says what it is instead, and tests/test_headers.py asks for every one and checks the
# claim (a POST-only route's GET is 405, a download is an attachment…): an entry here can
# hide no page.
POST_ONLY = "POST only: an action, then a redirect"
REDIRECT = "a redirect, never a page"
JSON = "JSON, for the page's script"
DOWNLOAD = "a download (attachment): tested in documents/test_access, backoffice/test_export"
API = "the REST API for case-management systems (JSON): tested in frontdoor/api/tests"
NOT_PAGE_KINDS = (POST_ONLY, REDIRECT, JSON, DOWNLOAD, API)
NOT_PAGES = {
    "accounts:logout": POST_ONLY,
    "accounts:register_cancel": REDIRECT,
    "accounts:session_status": JSON,
    "accounts:session_extend": POST_ONLY,
    "referrals:send": POST_ONLY,
    "referrals:draft_document": DOWNLOAD,
    "referrals:sent_document": DOWNLOAD,
    "backoffice:document": DOWNLOAD,
    "backoffice:inbox_search": POST_ONLY,
    "backoffice:information_read": POST_ONLY,
    "backoffice:information_document": DOWNLOAD,
    "enquiries:document": DOWNLOAD,
    "backoffice:inbox_export": DOWNLOAD,
    "api:api-root": API,
    "api:openapi-json": API,
    "api:referrals": API,
    "api:referral": API,
    "api:document": DOWNLOAD,
    "api:referral_pdf": DOWNLOAD,
    "api:forms": API,
    "api:form_schema": API,
    "api:referral_import": API,
    "api:referral_decision": API,
}

# The error pages: not URL patterns, but pages people read. Each must be checked with axe
# in the browser (tests/browser/test_error_pages.py calls `record_error_page_check`).
ERROR_PAGES = ("handler400", "handler403", "handler404", "handler500", "CSRF_FAILURE_VIEW")


# --- What a route's arguments name ----------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A kind of object someone owns, and how to tell one exists."""

    name: str
    exists: Callable[[Any], bool]


def _draft_exists(value: Any) -> bool:
    from frontdoor.referrals.models import Draft

    return Draft.objects.filter(pk=value).exists()


def _submission_exists(value: Any) -> bool:
    from frontdoor.referrals.models import Submission

    return Submission.objects.filter(reference=value).exists()


def _document_exists(value: Any) -> bool:
    from frontdoor.documents.models import Document

    try:
        return Document.objects.filter(pk=uuid.UUID(str(value))).exists()
    except ValueError:
        return False


def _enquiry_exists(value: Any) -> bool:
    from frontdoor.enquiries.models import Enquiry

    return Enquiry.objects.filter(pk=value).exists()


DRAFT = Kind("a draft", _draft_exists)
ENQUIRY = Kind("a question to a referrer, or information added", _enquiry_exists)
SUBMISSION = Kind("a sent form", _submission_exists)
DOCUMENT = Kind("a document", _document_exists)


def _partner_check_exists(value: Any) -> bool:
    from frontdoor.cases.models import PartnerCheck

    return PartnerCheck.objects.filter(pk=value).exists()


PARTNER_CHECK = Kind("a partner check", _partner_check_exists)

# Every route's every argument, by route: the object it names (a Kind), or why it names
# no one's object (a string). Nothing is trusted by the argument's name: a new route, or
# a new argument, fails the walk until it is said here.
A_SECTION = "public: a section of the draft's form (the draft is named by draft_id)"
AN_ITEM = "public: the number of an item in a repeated section of that draft"
A_TEAM = "public: a team's slug (another team's inbox is a 404: backoffice/tests/test_inbox)"
ARGUMENTS: dict[str, dict[str, Kind | str]] = {
    "referrals:start": {"slug": "public: a form's slug"},
    "referrals:without_account": {"slug": "public: a form's slug"},
    "referrals:sent": {"reference": SUBMISSION},
    "referrals:sent_pdf": {"reference": SUBMISSION},
    "referrals:sent_document": {"reference": SUBMISSION, "document_id": DOCUMENT},
    "referrals:task_list": {"draft_id": DRAFT},
    "referrals:check": {"draft_id": DRAFT},
    "referrals:send": {"draft_id": DRAFT},
    "referrals:delete": {"draft_id": DRAFT},
    "referrals:draft_document": {"draft_id": DRAFT, "document_id": DOCUMENT},
    "referrals:section": {"draft_id": DRAFT, "slug": A_SECTION},
    "referrals:item": {"draft_id": DRAFT, "slug": A_SECTION, "item": AN_ITEM},
    "referrals:remove_item": {"draft_id": DRAFT, "slug": A_SECTION, "item": AN_ITEM},
    "backoffice:team_inbox": {"team": A_TEAM},
    "backoffice:inbox_search": {"team": A_TEAM},
    "backoffice:inbox_export": {"team": A_TEAM},
    "backoffice:submission": {"reference": SUBMISSION},
    "backoffice:submission_pdf": {"reference": SUBMISSION},
    "backoffice:document": {"reference": SUBMISSION, "document_id": DOCUMENT},
    # A referral's actions: each a page (its form, shown again on a problem) posting to itself.
    "backoffice:assign": {"reference": SUBMISSION},
    "backoffice:rate": {"reference": SUBMISSION},
    "backoffice:note": {"reference": SUBMISSION},
    "backoffice:stage": {"reference": SUBMISSION},
    "backoffice:decide": {"reference": SUBMISSION},
    "backoffice:confirm": {"reference": SUBMISSION},
    "backoffice:transfer": {"reference": SUBMISSION},
    # Questions to the referrer (frontdoor.enquiries): staff's pages, and the referrer's.
    "backoffice:ask": {"reference": SUBMISSION},
    "backoffice:information_read": {"reference": SUBMISSION},
    "backoffice:information_document": {
        "reference": SUBMISSION,
        "enquiry_id": ENQUIRY,
        "document_id": DOCUMENT,
    },
    "enquiries:add": {"reference": SUBMISSION},
    "enquiries:answer": {"reference": SUBMISSION, "pk": ENQUIRY},
    "enquiries:document": {"reference": SUBMISSION, "pk": ENQUIRY, "document_id": DOCUMENT},
    "backoffice:check_ask": {"reference": SUBMISSION},
    "backoffice:check_chase": {"reference": SUBMISSION, "check_id": PARTNER_CHECK},
    "backoffice:check_reply": {"reference": SUBMISSION, "check_id": PARTNER_CHECK},
    "backoffice:dashboard": {"team": A_TEAM},
    "backoffice:restrict": {"reference": SUBMISSION},
    "backoffice:lift_restriction": {"reference": SUBMISSION},
    # The API: who asks is an API client (its token), scoped to its teams.
    "api:referral": {"reference": SUBMISSION},
    "api:document": {"reference": SUBMISSION, "document_id": DOCUMENT},
    "api:referral_pdf": {"reference": SUBMISSION},
    "api:referral_import": {"reference": SUBMISSION},
    "api:referral_decision": {"reference": SUBMISSION},
    "api:form_schema": {
        "slug": "public: a form's slug (another team's form is a 404: api/tests/test_forms)",
        "version": "public: a version number of that form",
    },
}

# Form and query fields that name an object: (route, field) -> its kind. The walk finds
# such fields itself when their value is a document's id or a sent form's reference (a
# draft's number looks like any number: declare those by hand), and fails until they are
# declared here; each then needs a test where the same person, on the same page, names
# another's object and is refused (404, or nothing done to it).
FIELDS: dict[tuple[str, str], Kind] = {
    ("referrals:section", "remove"): DOCUMENT,
    ("enquiries:answer", "remove"): DOCUMENT,
}

# Fields that take any text (a search box): a reference typed there is a search term, not
# an object the request acts on, and the walk does not ask for the proof above. Each says
# where a test shows the search finds only what the asker may see.
FREE_TEXT: dict[tuple[str, str], str] = {
    ("backoffice:inbox_search", "q"): "the inbox's search finds only its team's referrals "
    "(backoffice/tests/test_inbox.py: test_a_search_only_finds_the_teams_referrals)",
    ("admin:audit_auditevent_log", "reference"): "the audit viewer's filter: the whole log is "
    "the administrators', and the page a 404 to anyone else (administration/tests/"
    "test_audit_log.py: test_the_viewer_is_404_to_anyone_but_an_administrator)",
}

# Namespaces the walk leaves out: Django's admin (tested in accounts/tests/test_staff.py).
SKIPPED_NAMESPACES = {"admin"}
# Views serving static files (django.conf.urls.static, when DEBUG is on): no pages.
STATIC_VIEWS = ("django.views.static.", "django.contrib.staticfiles.")


# --- The walker ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    name: str  # the view name, as resolve() gives it: "referrals:task_list"
    path: str  # "forms/draft/<int:draft_id>/"
    parameters: tuple[str, ...]

    @property
    def is_page(self) -> bool:
        return self.name not in NOT_PAGES

    @property
    def owned_objects(self) -> tuple[str, ...]:
        said = ARGUMENTS.get(self.name, {})
        return tuple(p for p in self.parameters if isinstance(said.get(p), Kind))

    @property
    def unknown_parameters(self) -> tuple[str, ...]:
        said = ARGUMENTS.get(self.name, {})
        return tuple(p for p in self.parameters if p not in said)

    @property
    def inner_objects(self) -> tuple[str, ...]:
        """The objects named within another (a document of a draft or of a sent form):
        each needs its own proof, the container being the person's own."""
        return self.owned_objects[1:]


def walk(resolver: Any = None) -> list[Route]:
    """Every URL pattern of the project (or of `resolver`), outside SKIPPED_NAMESPACES."""
    from django.urls import URLPattern, URLResolver, get_resolver

    routes: list[Route] = []

    def visit(resolver: Any, prefix: str, namespaces: tuple[str, ...], params: tuple) -> None:
        for entry in resolver.url_patterns:
            pattern = entry.pattern
            here = params + tuple(_parameters(pattern))
            if isinstance(entry, URLResolver):
                spaces = namespaces + ((entry.namespace,) if entry.namespace else ())
                if entry.namespace in SKIPPED_NAMESPACES:
                    continue
                visit(entry, prefix + str(pattern), spaces, here)
            elif isinstance(entry, URLPattern):
                if entry.lookup_str.startswith(STATIC_VIEWS):
                    continue
                name = entry.name or entry.lookup_str
                routes.append(Route(":".join((*namespaces, name)), prefix + str(pattern), here))

    visit(resolver or get_resolver(), "", (), ())
    return routes


def _parameters(pattern: Any) -> list[str]:
    # path("<int:x>/") and re_path(r"(?P<x>\d+)/") both compile to named groups, in order.
    return list(pattern.regex.groupindex)


@dataclass
class Proofs:
    """What the tests showed (see Recorder.proofs)."""

    axe_checked: set[str] = field(default_factory=set)
    error_pages_checked: set[str] = field(default_factory=set)
    not_found_to_others: set[str] = field(default_factory=set)  # routes
    not_found_inside_own: set[tuple[str, str]] = field(default_factory=set)  # route, arg
    fields_refused: set[tuple[str, str]] = field(default_factory=set)  # route, field
    fields_seen: dict[tuple[str, str], str] = field(default_factory=dict)  # -> kind name
    sessions_holding_others: set[str] = field(default_factory=set)


def gaps(
    routes: list[Route],
    proofs: Proofs,
    *,
    check_axe: bool = True,
    check_not_found: bool = True,
) -> list[str]:
    """The report's lines: empty when nothing is missing."""
    lines: list[str] = []
    unknown = [
        f"  {r.name} ({r.path}): {', '.join(r.unknown_parameters)}"
        for r in routes
        if r.unknown_parameters
    ]
    if unknown:
        lines += [
            "These routes have an argument the URL walk does not know: say in "
            "tests/coverage_walk.py ARGUMENTS what it names (a Kind of object) or why it "
            "names no one's object:",
            *unknown,
        ]
    undeclared = [
        f"  {route} field {name!r}: {kind}"
        for (route, name), kind in sorted(proofs.fields_seen.items())
        if (route, name) not in FIELDS
    ]
    if undeclared:
        lines += [
            "These form or query fields carried an object's id: add them to "
            "tests/coverage_walk.py FIELDS (and test them):",
            *undeclared,
        ]
    if proofs.sessions_holding_others:
        lines += [
            "A referrer's session held someone else's object (a session is read as the "
            "person's own: it must only ever hold their ids):",
            *(f"  {line}" for line in sorted(proofs.sessions_holding_others)),
        ]
    if check_axe:
        unchecked = [
            f"  {r.name} ({r.path})"
            for r in routes
            if r.is_page and r.name not in proofs.axe_checked
        ]
        unchecked += [
            f"  the error page of {e}" for e in ERROR_PAGES if e not in proofs.error_pages_checked
        ]
        if unchecked:
            lines += ["These pages were never checked with axe:", *unchecked]
    if check_not_found:
        unproven = [
            f"  {r.name} ({r.path})"
            for r in routes
            if r.owned_objects and r.name not in proofs.not_found_to_others
        ]
        if unproven:
            lines += [
                "No test shows another signed-in user gets 404 for a request its owner got "
                "200 or a redirect for (the same URL, query and form):",
                *unproven,
            ]
        inside = [
            f"  {r.name} ({r.path}): {arg}"
            for r in routes
            for arg in r.inner_objects
            if (r.name, arg) not in proofs.not_found_inside_own
        ]
        if inside:
            lines += [
                "No test shows 404 for someone else's object inside one's own (the same "
                "request as one that worked, but for this argument):",
                *inside,
            ]
        fields = [
            f"  {route} field {name!r}"
            for route, name in sorted(FIELDS)
            if (route, name) not in proofs.fields_refused
        ]
        if fields:
            lines += [
                "No test shows these fields refuse someone else's object (the same request "
                "as one that worked, but this field naming another's):",
                *fields,
            ]
    return lines


# --- Recording ----------------------------------------------------------------------------

SIGN_IN_ROUTES = {"accounts:login", "accounts:sign_in_code", "accounts:timed_out"}
_REFERENCE = re.compile(r"^FD-\d{4}-\d{6}$")


def _worked(response: Any) -> bool:
    """200, or a redirect somewhere other than signing in."""
    from django.urls import Resolver404, resolve

    if response.status_code == 200:
        return True
    if response.status_code != 302:
        return False
    try:
        target = resolve(urlsplit(response["Location"]).path).view_name
    except Resolver404:
        return True
    return target not in SIGN_IN_ROUTES


def _names(value: str) -> Kind | None:
    """The kind of object `value` names, when it is an id no other thing looks like."""
    if _REFERENCE.match(value) and _submission_exists(value):
        return SUBMISSION
    with contextlib.suppress(ValueError):
        uuid.UUID(value)
        if _document_exists(value):
            return DOCUMENT
    return None


def _owner_of(kind: Kind, value: Any) -> Any:
    from frontdoor.documents.models import Document
    from frontdoor.referrals.models import Draft, Submission

    with contextlib.suppress(Exception):
        if kind is DOCUMENT:
            return (
                Document.objects.filter(pk=uuid.UUID(str(value)))
                .values_list("owner", flat=True)
                .first()
            )
        if kind is DRAFT:
            return Draft.objects.filter(pk=value).values_list("owner", flat=True).first()
        if kind is SUBMISSION:
            return (
                Submission.objects.filter(reference=value).values_list("owner", flat=True).first()
            )
    return None


@dataclass
class Recorder:
    axe_checked: set[str] = field(default_factory=set)
    error_pages_checked: set[str] = field(default_factory=set)
    # (method, path, query, body) -> users it worked for / users it was a 404 for (with
    # every object it names there).
    worked: dict[tuple, set[Any]] = field(default_factory=lambda: defaultdict(set))
    not_found: dict[tuple, set[Any]] = field(default_factory=lambda: defaultdict(set))
    route_of: dict[tuple, str] = field(default_factory=dict)
    # (route, argument, user, method, the other arguments, query, body) -> values.
    inner_worked: dict[tuple, set[Any]] = field(default_factory=lambda: defaultdict(set))
    inner_not_found: dict[tuple, set[Any]] = field(default_factory=lambda: defaultdict(set))
    # (route, field, user, method, path, the other fields) -> values
    field_worked: dict[tuple, set[str]] = field(default_factory=lambda: defaultdict(set))
    field_refused: dict[tuple, set[str]] = field(default_factory=lambda: defaultdict(set))
    fields_seen: dict[tuple[str, str], str] = field(default_factory=dict)
    # "route: session key holds kind" for a session holding another person's object.
    sessions_holding_others: set[str] = field(default_factory=set)

    def proofs(self) -> Proofs:
        proofs = Proofs(set(self.axe_checked), set(self.error_pages_checked))
        for key, owners in self.worked.items():
            others = self.not_found.get(key, set())
            if any(a != b for a in owners for b in others):
                proofs.not_found_to_others.add(self.route_of[key])
        for key, values in self.inner_worked.items():
            if self.inner_not_found.get(key, set()) - values:
                proofs.not_found_inside_own.add((key[0], key[1]))
        for key, values in self.field_worked.items():
            if self.field_refused.get(key, set()) - values:
                proofs.fields_refused.add((key[0], key[1]))
        proofs.fields_seen = dict(self.fields_seen)
        proofs.sessions_holding_others = set(self.sessions_holding_others)
        return proofs


RECORDED = Recorder()


def record_axe_check(url: str) -> None:
    """A page at `url` was checked with axe-core (called by CheckedPage.check)."""
    from django.urls import Resolver404, resolve

    with contextlib.suppress(Resolver404):
        RECORDED.axe_checked.add(resolve(urlsplit(url).path).view_name)


def record_error_page_check(handler: str) -> None:
    """The error page of `handler` (one of ERROR_PAGES) was checked with axe-core."""
    assert handler in ERROR_PAGES, handler
    RECORDED.error_pages_checked.add(handler)


def _fields(request: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    # The form only if the view read it: parsing it here would store uploads anew.
    forms = (request.GET, request._post) if hasattr(request, "_post") else (request.GET,)
    with contextlib.suppress(Exception):
        for data in forms:
            pairs += [(k, v) for k, values in data.lists() for v in values]
    return pairs


_ID = re.compile(
    rb"FD-\d{4}-\d{6}|[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}", re.I
)


def owners_before(environ: dict[str, Any], body: bytes) -> dict[str, Any]:
    """Who owned each document or sent form a request's query or body names, before it
    ran (a request that works may remove what it names)."""
    text = environ.get("QUERY_STRING", "").encode() + b" " + body
    found: dict[str, Any] = {}
    with contextlib.suppress(Exception):
        for token in {m.group(0).decode() for m in _ID.finditer(text)}:
            kind = SUBMISSION if token.startswith("FD-") else DOCUMENT
            found[token] = _owner_of(kind, token)
    return found


def record_response(response: Any, body: bytes = b"", before: dict[str, Any] | None = None) -> None:
    """Note what a request proves about who may have which object (test Client)."""
    from django.urls import Resolver404

    try:
        match = response.resolver_match
        route, kwargs = match.view_name, match.kwargs
    except (Resolver404, AttributeError):
        return
    if match is None:
        return
    request = response.wsgi_request
    user = getattr(request, "user", None)
    # On the API, who asks is the API client its token is (frontdoor/api: request.auth).
    client = getattr(request, "auth", None)
    if user is not None and user.is_authenticated:
        who: Any = user.pk
    elif client is not None and client.pk is not None:
        who = ("api client", client.pk)
    else:
        return
    # e.g. a test without database access: nothing to learn
    with contextlib.suppress(Exception):
        _record(route, kwargs, request, response, who, body, before or {})


def _record(
    route: str, kwargs: dict, request: Any, response: Any, who: Any, body: bytes, before: dict
) -> None:
    said = ARGUMENTS.get(route, {})
    objects = {
        name: kind for name, kind in said.items() if isinstance(kind, Kind) and name in kwargs
    }
    query = request.META.get("QUERY_STRING", "")
    digest = hashlib.sha256(body).hexdigest()
    worked = _worked(response)
    missing = response.status_code == 404
    all_exist = all(kind.exists(kwargs[name]) for name, kind in objects.items())

    if objects:
        key = (request.method, request.path, query, digest)
        RECORDED.route_of[key] = route
        if worked:
            RECORDED.worked[key].add(who)
        elif missing and all_exist:
            RECORDED.not_found[key].add(who)
        for inner in list(objects)[1:]:
            others = tuple(sorted((k, str(v)) for k, v in kwargs.items() if k != inner))
            inner_key = (route, inner, who, request.method, others, query, digest)
            value = str(kwargs[inner])
            if worked:  # theirs, or (for staff) their team's: it worked
                RECORDED.inner_worked[inner_key].add(value)
            elif missing and all_exist:
                RECORDED.inner_not_found[inner_key].add(value)

    _check_session(route, request, who)
    pairs = _fields(request)
    for number, (name, value) in enumerate(pairs):
        if (route, name) in FREE_TEXT:
            continue
        kind = (
            FIELDS.get((route, name))
            or _names(value)
            or (DOCUMENT if before.get(value) is not None else None)
        )
        if kind is None:
            continue
        RECORDED.fields_seen[(route, name)] = kind.name
        rest = tuple(sorted(pair for i, pair in enumerate(pairs) if i != number))
        field_key = (route, name, who, request.method, request.path, rest)
        owner = before[value] if value in before else _owner_of(kind, value)
        if worked and owner == who:
            RECORDED.field_worked[field_key].add(value)
        else:
            # Someone else's object, named here: refused if a 404, or if it is still
            # there (just checked) after an answer that is no error.
            refused = missing or response.status_code < 400
            if refused and owner not in (None, who) and kind.exists(value):
                RECORDED.field_refused[field_key].add(value)


def _check_session(route: str, request: Any, who: Any) -> None:
    """A referrer's session holds only their own documents and sent forms (staff see their
    teams' forms, so theirs are not checked)."""
    import json

    data = getattr(getattr(request, "session", None), "_session_cache", None)
    if not data or not request.user.is_authenticated or request.user.teams.exists():
        return
    for key, value in data.items():
        text = json.dumps(value, default=str).encode()
        for token in {m.group(0).decode() for m in _ID.finditer(text)}:
            kind = SUBMISSION if token.startswith("FD-") else DOCUMENT
            owner = _owner_of(kind, token)
            if owner not in (None, who):
                RECORDED.sessions_holding_others.add(f"{route}: {key!r} holds {kind.name}")


def _body(environ: dict[str, Any]) -> bytes:
    payload = environ.get("wsgi.input")
    content = getattr(payload, "_FakePayload__content", None)
    return content.getvalue() if content is not None else b""


@pytest.fixture(scope="session", autouse=True)
def _record_not_found_responses() -> Iterator[None]:
    from django.test.client import Client

    original = Client.request

    def request(self: Client, **kwargs: Any) -> Any:
        body = _body(kwargs)
        before = owners_before(kwargs, body)
        response = original(self, **kwargs)
        record_response(response, body, before)
        return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "request", request)
        yield


# --- Whole suite or not -------------------------------------------------------------------


@dataclass
class _Session:
    deselected: list[pytest.Item] = field(default_factory=list)
    finished: int = 0
    report: list[str] = field(default_factory=list)
    note: str = ""


_SESSION = _Session()


def pytest_sessionstart() -> None:
    # A fresh start, should pytest run twice in one process (pytest.main).
    _SESSION.__init__()  # type: ignore[misc]
    RECORDED.__init__()  # type: ignore[misc]


def pytest_deselected(items: list[pytest.Item]) -> None:
    _SESSION.deselected.extend(items)


def pytest_runtest_logfinish() -> None:
    _SESSION.finished += 1


def scope(session: pytest.Session) -> tuple[bool, bool, str]:
    """(check axe, check 404s, why not) for this session."""
    config = session.config
    option = config.option
    if option.collectonly:
        return False, False, "only collecting"
    if option.keyword:
        return False, False, "tests were selected with -k"
    if getattr(option, "deselect", None) or option.ignore or option.ignore_glob:
        return False, False, "tests were left out with --deselect or --ignore"
    if not _whole_paths(config):
        return False, False, "only part of the suite was given"
    if session.shouldstop or session.shouldfail or _SESSION.finished < len(session.items):
        return False, False, "not every selected test ran"
    if session.testsfailed:
        return False, False, "tests failed (fix them first)"
    markexpr = re.sub(r"\s+", " ", (option.markexpr or "").strip())
    if markexpr == "":
        if _SESSION.deselected:
            return False, False, "tests were deselected"
        return True, True, ""
    if markexpr == "not browser":
        if any(item.get_closest_marker("browser") is None for item in _SESSION.deselected):
            return False, False, "tests other than the browser tests were deselected"
        return False, True, ""
    return False, False, f"tests were selected with -m {option.markexpr!r}"


def _whole_paths(config: pytest.Config) -> bool:
    testpaths = config.getini("testpaths")
    if config.args_source == pytest.Config.ArgsSource.TESTPATHS:
        return True
    root = config.rootpath
    wanted = {(root / p).resolve() for p in testpaths} if testpaths else {root.resolve()}
    given = {(config.invocation_params.dir / a).resolve() for a in config.args if "::" not in a}
    return len(given) == len(config.args) and given == wanted


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    check_axe, check_not_found, why = scope(session)
    if not (check_axe or check_not_found):
        _SESSION.note = f"URL walk not checked: {why}."
        return
    _SESSION.report = gaps(
        walk(), RECORDED.proofs(), check_axe=check_axe, check_not_found=check_not_found
    )
    if not check_axe:
        _SESSION.note = "URL walk: axe checks not checked (browser tests deselected)."
    if _SESSION.report and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _SESSION.report:
        terminalreporter.section("URL walk (tests/coverage_walk.py)", sep="=", red=True)
        for line in _SESSION.report:
            terminalreporter.line(line, red=not line.startswith("  "))
    if _SESSION.note:
        terminalreporter.line(_SESSION.note)
