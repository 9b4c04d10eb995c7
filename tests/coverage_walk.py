"""The URL walk (issue 3): the suite fails if a page has no axe check, or if no test shows
that another signed-in user gets 404 for a URL that names someone's object.

How it works
------------
While the tests run, two things are recorded (in `RECORDED`):

- every page checked with axe-core in the browser tests: `CheckedPage.check` (in
  tests/browser/conftest.py) calls `record_axe_check(url)`, which stores the route name
  (`resolve(path).view_name`, e.g. "referrals:task_list") of a page that loaded without an
  error status;
- every 404 the Django test `Client` gives a signed-in user for a URL whose arguments name
  an object that exists and is *someone else's* (a draft of another account, a submission
  another account sent). A 404 for an id that does not exist does not count: it proves
  nothing about another person's object. `Client.request` is wrapped for the whole session
  (test harness only; the app is unchanged).

When the session ends, every URL pattern of the project is walked (`walk()`: included
resolvers recursively; the admin and static files are skipped, and the error handlers are
no patterns), and:

- every page (a route not in `NOT_PAGES`: JSON and POST-only endpoints, redirects, PDFs)
  must have been checked with axe;
- every route with an argument in `OWNED_OBJECTS` (`<int:draft_id>`, `<str:reference>`)
  must have a 404 recorded as above;
- a route argument the walk does not know (neither in `OWNED_OBJECTS` nor in
  `PUBLIC_PARAMETERS`) is a failure too: say which it is before adding the route.

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
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest

# Routes that are not pages a person reads, so axe-core has nothing to check there.
NOT_PAGES = {
    "accounts:logout": "POST only: signs out, then redirects to signed_out",
    "accounts:register_cancel": "redirects to the sign-in page",
    "accounts:session_status": "JSON for the time-out warning",
    "accounts:session_extend": "POST only: 'Stay signed in' (JSON or a redirect)",
    "referrals:send": "POST only: sends the form, then redirects",
    "referrals:draft_document": "a download (attachment): tested in documents/test_access",
    "referrals:sent_document": "a download (attachment): tested in documents/test_access",
    "backoffice:document": "a download (attachment): tested in documents/test_access",
}

# Route arguments that do not name anyone's object: a form's or a section's slug, the
# number of an item in a repeated section (its draft is named by draft_id).
PUBLIC_PARAMETERS = {"slug", "item"}

# Namespaces the walk leaves out: Django's admin (tested in accounts/tests/test_staff.py).
SKIPPED_NAMESPACES = {"admin"}
# Views serving static files (django.conf.urls.static, when DEBUG is on): no pages.
STATIC_VIEWS = ("django.views.static.", "django.contrib.staticfiles.")


def _someone_elses_draft(value: Any, user: Any) -> bool:
    from frontdoor.referrals.models import Draft

    return Draft.objects.filter(pk=value).exclude(owner=user).exists()


def _someone_elses_submission(value: Any, user: Any) -> bool:
    from frontdoor.referrals.models import Submission

    return Submission.objects.filter(reference=value).exclude(owner=user).exists()


def _someone_elses_document(value: Any, user: Any) -> bool:
    from frontdoor.documents.models import Document

    return Document.objects.filter(pk=value).exclude(owner=user).exists()


# Route arguments that name an object belonging to someone: for each, whether a value names
# an object that exists and is not `user`'s.
OWNED_OBJECTS: dict[str, Callable[[Any, Any], bool]] = {
    "draft_id": _someone_elses_draft,
    "reference": _someone_elses_submission,
    "document_id": _someone_elses_document,
}


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
        return tuple(p for p in self.parameters if p in OWNED_OBJECTS)

    @property
    def unknown_parameters(self) -> tuple[str, ...]:
        return tuple(
            p for p in self.parameters if p not in OWNED_OBJECTS and p not in PUBLIC_PARAMETERS
        )


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


def gaps(
    routes: list[Route],
    axe_checked: set[str],
    not_found_to_others: set[str],
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
            "tests/coverage_walk.py whether it names someone's object (OWNED_OBJECTS) "
            "or not (PUBLIC_PARAMETERS):",
            *unknown,
        ]
    if check_axe:
        unchecked = [
            f"  {r.name} ({r.path})" for r in routes if r.is_page and r.name not in axe_checked
        ]
        if unchecked:
            lines += ["These pages were never checked with axe:", *unchecked]
    if check_not_found:
        unproven = [
            f"  {r.name} ({r.path})"
            for r in routes
            if r.owned_objects and r.name not in not_found_to_others
        ]
        if unproven:
            lines += [
                "No test shows another signed-in user gets 404 (for an object that exists) for:",
                *unproven,
            ]
    return lines


# --- Recording ----------------------------------------------------------------------------


@dataclass
class Recorder:
    axe_checked: set[str] = field(default_factory=set)
    not_found_to_others: set[str] = field(default_factory=set)


RECORDED = Recorder()


def record_axe_check(url: str) -> None:
    """A page at `url` was checked with axe-core (called by CheckedPage.check)."""
    from django.urls import Resolver404, resolve

    with contextlib.suppress(Resolver404):
        RECORDED.axe_checked.add(resolve(urlsplit(url).path).view_name)


def record_response(response: Any) -> None:
    """Note a 404 given to a signed-in user for someone else's object (test Client)."""
    if response.status_code != 404:
        return
    from django.urls import Resolver404

    try:
        match = response.resolver_match
        view_name, kwargs = match.view_name, match.kwargs
    except Resolver404:
        return
    objects = {k: v for k, v in kwargs.items() if k in OWNED_OBJECTS}
    if not objects:
        return
    try:
        user = response.wsgi_request.user
        if not user.is_authenticated:
            return
        if any(OWNED_OBJECTS[name](value, user) for name, value in objects.items()):
            RECORDED.not_found_to_others.add(view_name)
    except Exception:  # noqa: S110 - e.g. a test without database access: nothing to learn
        pass


@pytest.fixture(scope="session", autouse=True)
def _record_not_found_responses() -> Iterator[None]:
    from django.test.client import Client

    original = Client.request

    def request(self: Client, **kwargs: Any) -> Any:
        response = original(self, **kwargs)
        record_response(response)
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
        walk(),
        RECORDED.axe_checked,
        RECORDED.not_found_to_others,
        check_axe=check_axe,
        check_not_found=check_not_found,
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
