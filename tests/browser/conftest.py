"""Browser fixtures: Debian's Chromium driven by Playwright, with axe-core on every page.

Every page a test visits is checked with axe-core (WCAG 2.2 AA rules) and must log no
console error: the pages run under the real Content Security Policy (no bypass_csp), so
a script or style the policy refuses shows up as a console error and fails the test.

Tests drive pages through `CheckedPage` (the `web` fixture, or `open_page(...)` for a
context with other options such as JavaScript off). Its navigating helpers (`goto`,
`follow`, `submit`) check each page they land on; the page's "load" events are counted,
and a test fails if a page was loaded that nobody checked.

The HTML of every distinct page checked is kept and validated by the W3C Nu HTML Checker
(vnu.jar, from npm, on Debian's Java: one JVM for the session, as a web service, checking
as the tests go); at the session's end the run fails naming each page and error.

`assert_contrast` and `assert_reflows` are checks a test asks for on the pages it cares
about (axe-core cannot see every colour).
"""

import hashlib
import json
import os
import re
import socket
import subprocess
import time
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Error,
    Locator,
    Page,
    Playwright,
    Response,
    Route,
    sync_playwright,
)

from tests.coverage_walk import record_axe_check, record_error_page_check

# The sync Playwright API runs an event loop in this thread; Django's ORM (personas,
# the task worker) runs in the same thread, so its async-safety check must be off.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
AXE_RUN = (
    "async (tags) => {"
    " const results = await axe.run(document, {runOnly: {type: 'tag', values: tags}});"
    " return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
    " helpUrl: v.helpUrl, nodes: v.nodes.map(n => ({target: n.target.join(' '),"
    " html: n.html, summary: n.failureSummary}))}));"
    "}"
)
# Long enough for a slow CI machine, short enough that a broken page fails fast.
TIMEOUT_MS = 5_000


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    driver = sync_playwright().start()
    yield driver
    driver.stop()


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    # No skipping: CI must install Chromium (`make test` does, with system-test-deps).
    assert CHROMIUM.exists(), (
        f"{CHROMIUM} is missing: the browser tests need Debian's Chromium "
        "(apt-get install chromium, or `make system-test-deps`)"
    )
    assert AXE.exists(), f"{AXE} is missing: run `npm ci`"
    browser = playwright_driver.chromium.launch(
        executable_path=str(CHROMIUM),
        args=[
            "--no-sandbox",
            "--headless",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
        ],
    )
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    return AXE.read_text()


def run_axe(page: Page, axe_source: str) -> list[dict[str, Any]]:
    # page.evaluate runs through the browser's debugging protocol, outside the page's
    # Content Security Policy: the policy stays on for the page's own scripts.
    page.evaluate(axe_source)
    violations: list[dict[str, Any]] = page.evaluate(AXE_RUN, AXE_TAGS)
    return violations


class CheckedPage:
    """A Playwright page whose every loaded document is checked by axe-core."""

    def __init__(
        self,
        page: Page,
        axe_source: str,
        inspector: Page | None = None,
        html_pages: "HtmlPages | None" = None,
    ) -> None:
        self.page = page
        self.html_pages = html_pages
        self.document: Response | None = None  # the response that brought the page shown
        self.axe_source = axe_source
        # With JavaScript off, axe-core runs on a copy of each page in `inspector`.
        self.inspector = inspector
        self.javascript = inspector is None
        self.errors: list[str] = []
        self.loads: list[str] = []
        self.checked = 0
        self.status = 0  # the HTTP status of the document shown (for the URL walk)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", self._page_error)
        page.on("load", lambda loaded: self.loads.append(loaded.url))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            location = message.location
            where = f" ({location['url']}:{location['lineNumber']})" if location else ""
            self.errors.append(f"console error on {self.page.url}: {message.text}{where}")

    def _response(self, response: Response) -> None:
        if response.request.is_navigation_request() and response.frame == self.page.main_frame:
            self.status = response.status
            self.document = response

    def _page_error(self, error: Error) -> None:
        self.errors.append(f"uncaught exception on {self.page.url}: {error}")

    # --- Checks ------------------------------------------------------------------------

    def assert_no_errors(self) -> None:
        assert not self.errors, "The browser reported errors:\n" + "\n".join(self.errors)

    def check(self) -> None:
        """Run axe-core on the page as it is now (a dialog may be open) and check the console."""
        self.page.wait_for_load_state("load")
        if self.javascript:
            violations = run_axe(self.page, self.axe_source)
        else:
            violations = self._run_axe_on_copy()
        self.checked = len(self.loads)
        if self.status < 400:  # an error page is no check of the page it stands for
            record_axe_check(self.page.url)
        self._keep_html()
        assert not violations, f"axe-core found violations on {self.page.url}:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>\n"
            + "\n".join(f"    {n['target']}: {n['summary']}" for n in v["nodes"])
            for v in violations
        )
        self.assert_no_errors()

    def _keep_html(self) -> None:
        """Keep the HTML the server sent for this page, for the W3C checker (HtmlPages)."""
        document = self.document
        shown = urlsplit(self.page.url)._replace(fragment="").geturl()
        if self.html_pages is None or document is None or document.url != shown:
            return
        if document.headers.get("content-type", "").startswith("text/html"):
            self.html_pages.add(document.url, document.text())

    def _run_axe_on_copy(self) -> list[dict[str, Any]]:
        """axe-core on a copy of a page that has JavaScript off.

        With JavaScript off, Chromium runs no timers, so axe-core (which needs them) never
        finishes there. The page's DOM is served, at the same address, to a page with
        JavaScript on whose policy lets no script of the page run: the copy looks exactly
        like the page without JavaScript (same DOM, same stylesheet) and axe-core can run.
        """
        assert self.inspector is not None
        url, html = self.page.url, self.page.content()

        def serve_copy(route: Route) -> None:
            route.fulfill(
                status=200,
                body=html,
                headers={
                    "Content-Type": "text/html; charset=utf-8",
                    "Content-Security-Policy": "script-src 'none'",
                },
            )

        self.inspector.route(url, serve_copy)
        try:
            self.inspector.goto(url, wait_until="load")
            return run_axe(self.inspector, self.axe_source)
        finally:
            self.inspector.unroute(url, serve_copy)

    def assert_all_checked(self) -> None:
        unchecked = self.loads[self.checked :]
        assert not unchecked, f"Pages loaded but not checked with axe-core: {unchecked}"

    # --- Navigating (each checks the page it lands on) ----------------------------------

    def goto(self, path: str) -> None:
        self.assert_all_checked()
        self.page.goto(path)
        self.check()

    def _navigate_by(self, action: Callable[[], None]) -> None:
        self.assert_all_checked()
        with self.page.expect_navigation():
            action()
        self.check()

    @property
    def header(self) -> Locator:
        return self.page.get_by_role("banner")

    @property
    def main(self) -> Locator:
        return self.page.get_by_role("main")

    def follow(self, link: str | re.Pattern[str], within: Locator | None = None) -> None:
        """Follow the link with this exact accessible name, or the one name matching a
        pattern (in `within`, if given)."""
        scope = within or self.page
        self._navigate_by(lambda: scope.get_by_role("link", name=link, exact=True).click())

    def submit(self, button: str, within: Locator | None = None) -> None:
        """Press the button with this exact accessible name and check the page it leads to."""
        scope = within or self.page
        self._navigate_by(lambda: scope.get_by_role("button", name=button, exact=True).click())

    # --- Filling in (no navigation) -----------------------------------------------------

    def fill(self, label: str, value: str) -> None:
        """Type into the field labelled `label` (a required field's label adds a star)."""
        self.field(label).fill(value)

    def field(self, label: str) -> Locator:
        # A required field's label ends with a star (hidden from screen readers), which
        # Playwright's label matching still sees.
        return self.page.get_by_label(re.compile(rf"^\s*{re.escape(label)}(\s*\*)?\s*$"))

    def choose(self, label: str, group: str | None = None) -> None:
        scope = self.page.get_by_role("group", name=group) if group else self.page
        scope.get_by_role("radio", name=label, exact=True).check()


@pytest.fixture
def open_page(
    browser: Browser,
    axe_source: str,
    html_pages: "HtmlPages",
    live_server: Any,
    transactional_db: None,
) -> Iterator[Callable[..., CheckedPage]]:
    """Open a page in a fresh browser context; keyword arguments go to new_context."""
    opened: list[CheckedPage] = []
    contexts: list[BrowserContext] = []

    def open_(**options: Any) -> CheckedPage:
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        inspector = None
        if not options.get("java_script_enabled", True):
            inspecting = browser.new_context()
            inspecting.set_default_timeout(TIMEOUT_MS)
            contexts.append(inspecting)
            inspector = inspecting.new_page()
        checked = CheckedPage(context.new_page(), axe_source, inspector, html_pages)
        opened.append(checked)
        return checked

    yield open_
    try:
        for checked in opened:
            checked.assert_all_checked()
            checked.assert_no_errors()
    finally:
        for context in contexts:
            context.close()


@pytest.fixture
def web(open_page: Callable[..., CheckedPage]) -> CheckedPage:
    """A page with JavaScript on (the default)."""
    return open_page()


@pytest.fixture
def page(web: CheckedPage) -> Page:
    """The plain Playwright page of `web`, for tests that only need Playwright's API."""
    return web.page


# --- The W3C Nu HTML Checker, over every distinct page the session was shown ----------------

# What changes on every request and says nothing about the markup: the CSRF token and the
# Content Security Policy's nonce. Pages equal but for these are one page to the checker.
PER_REQUEST = re.compile(r'(name="csrfmiddlewaretoken" value=|nonce=)"[^"]*"')
TITLE = re.compile(r"<title>([^<]*)</title>")
# The JVM takes half a minute to start on a busy machine; a busy checker a second a page.
VNU_START_TIMEOUT_S = 180
VNU_JAVA = ["java", "-Xss1m", "-Xmx512m", "-Dnu.validator.servlet.bind-address=127.0.0.1"]
VNU_PAGE_TIMEOUT_S = 60


class HtmlChecker:
    """vnu.jar as a web service on this machine: one JVM for the whole session."""

    def __init__(self, log: Path) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.address = f"http://127.0.0.1:{port}/"
        self.log = log
        with log.open("wb") as output:
            self.process = subprocess.Popen(
                [*VNU_JAVA, "-cp", str(VNU), "nu.validator.servlet.Main", str(port)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
            )
        self.ready = False

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + VNU_START_TIMEOUT_S
        while not self.ready:
            if self.process.poll() is not None:
                raise RuntimeError(f"vnu.jar stopped: {self.log.read_text()[-2000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"vnu.jar did not start in {VNU_START_TIMEOUT_S}s")
            try:
                with urllib.request.urlopen(self.address, timeout=5):  # noqa: S310 - ours
                    self.ready = True
            except OSError:
                time.sleep(0.5)

    def errors(self, html: str) -> list[dict[str, Any]]:
        """The checker's errors in this page (its warnings, "info", are left out)."""
        self._wait_until_ready()
        request = urllib.request.Request(  # noqa: S310 - our own checker, on this machine
            self.address + "?out=json",
            data=html.encode(),
            headers={"Content-Type": "text/html; charset=utf-8"},
        )
        with urllib.request.urlopen(request, timeout=VNU_PAGE_TIMEOUT_S) as response:  # noqa: S310
            messages: list[dict[str, Any]] = json.load(response)["messages"]
        return [m for m in messages if m.get("type") != "info"]

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class HtmlPages:
    """The HTML of each distinct page shown, checked by vnu.jar while the tests go on.

    A page is kept once per content (named by the first address, and URL pattern, it was
    seen at) and sent to the checker in a thread of its own, so checking overlaps the tests.
    """

    def __init__(self, checker: HtmlChecker) -> None:
        self.checker = checker
        self.pages: dict[str, tuple[str, Future[list[dict[str, Any]]]]] = {}
        self.work = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vnu")

    def add(self, url: str, html: str) -> None:
        digest = hashlib.sha256(PER_REQUEST.sub(r'\1""', html).encode()).hexdigest()
        if digest not in self.pages:
            title = TITLE.search(html)
            shown = f'"{unescape(title.group(1).strip())}" at ' if title else ""
            name = f"{shown}{url} ({url_pattern(url)})"
            self.pages[digest] = (name, self.work.submit(self.checker.errors, html))

    def errors(self) -> list[str]:
        """Every error in every page kept, one line each, naming the page it is on."""
        found = []
        for name, checked in self.pages.values():
            try:
                messages = checked.result()
            except Exception as error:  # reported as the page's error, whatever it is
                found.append(f"{name}: could not be checked: {error}")
                continue
            found.extend(
                f"{name} line {m.get('lastLine', '?')}: {m.get('message', '')} "
                f"[{m.get('extract', '').strip()}]"
                for m in messages
            )
        self.work.shutdown()
        return found


HTML_CHECKED: list[str] = []  # what the checker did, for the end of pytest's report


def pytest_terminal_summary(terminalreporter: Any) -> None:
    for line in HTML_CHECKED:
        terminalreporter.line(line)


def url_pattern(url: str) -> str:
    from django.urls import Resolver404, resolve

    path = urlsplit(url).path
    try:
        return "/" + resolve(path).route
    except Resolver404:
        return path


@pytest.fixture(scope="session")
def html_checker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HtmlChecker]:
    assert VNU.exists(), f"{VNU} is missing: run `npm ci`"
    checker = HtmlChecker(tmp_path_factory.mktemp("vnu") / "vnu.log")
    yield checker
    checker.stop()


@pytest.fixture(scope="session")
def html_pages(html_checker: HtmlChecker) -> Iterator[HtmlPages]:
    """Every distinct page the browser tests were shown; 0 HTML errors at the session's end."""
    pages = HtmlPages(html_checker)
    yield pages
    started = time.monotonic()
    errors = pages.errors()
    HTML_CHECKED.append(
        f"W3C HTML checker: {len(pages.pages)} distinct pages, {len(errors)} errors "
        f"({time.monotonic() - started:.1f}s spent waiting for it at the end)"
    )
    assert not errors, (
        f"The W3C HTML checker found {len(errors)} errors in {len(pages.pages)} distinct pages:\n"
        + "\n".join(f"- {error}" for error in errors)
    )


# --- Colour contrast of everything that can be pressed ----------------------------------------

# JavaScript shared by the checks below: `parse` reads a CSS colour, `over` blends one over
# another, `background(e)` is the colour behind an element: its own background or, while
# that is transparent, its ancestors' (then the canvas, white), blended by their alpha;
# {unknown: why} where it cannot be measured (a background image).
COLOUR_FUNCTIONS = """
  const parse = (value) => {
    const m = /^rgba?\\(([^)]*)\\)$/.exec(value.trim());
    if (!m) return null;
    const p = m[1].split(/[\\s,\\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => [0, 1, 2].map(
    (i) => top[i] * top[3] + under[i] * (1 - top[3])).concat([1]);
  const background = (element) => {
    const layers = [];
    for (let e = element; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== 'none') return {unknown: 'a background image on ' + e.tagName};
      const colour = parse(style.backgroundColor);
      if (!colour) return {unknown: 'background ' + style.backgroundColor};
      layers.push(colour);
      if (colour[3] === 1) break;
    }
    return {colour: layers.reduceRight((under, top) => over(top, under), [255, 255, 255, 1])};
  };
"""

# Each visible text of each link and button, with its colour and the colour behind it.
CONTROL_COLOURS = (
    """() => {
"""
    + COLOUR_FUNCTIONS
    + """  const shown = (e) => {
    const box = e.getBoundingClientRect();
    return box.width > 1 && box.height > 1
      && e.checkVisibility({opacityProperty: true, visibilityProperty: true});
  };
  const found = [];
  const controls = document.querySelectorAll(
    'a[href], button, input[type=submit], input[type=button], input[type=reset], summary,'
    + ' [role=button]');
  for (const control of controls) {
    if (!shown(control)) continue;
    const name = (control.innerText || control.value || '').trim().replace(/\\s+/g, ' ');
    const texts = new Set();
    if (control.tagName === 'INPUT') texts.add(control);
    const walker = document.createTreeWalker(control, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (node.textContent.trim() && shown(node.parentElement)) texts.add(node.parentElement);
    }
    for (const element of texts) {
      const behind = background(element);
      const text = parse(getComputedStyle(element).color);
      found.push({
        control: control.tagName.toLowerCase() + ' "' + name + '"',
        text: text && behind.colour ? over(text, behind.colour) : null,
        background: behind.colour || null,
        unknown: behind.unknown || (text ? null : 'text colour ' + getComputedStyle(element).color),
      });
    }
  }
  return found;
}"""
)


def relative_luminance(rgb: list[float]) -> float:
    """WCAG 2's relative luminance of an sRGB colour (0-255 channels)."""

    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(first: list[float], second: list[float]) -> float:
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def contrast_failures(page: Page, minimum: float = 4.5) -> list[str]:
    """Each link's and button's text on the page whose contrast is under `minimum`:1."""
    failures = []
    for found in page.evaluate(CONTROL_COLOURS):
        if found["unknown"]:
            failures.append(f"{found['control']}: cannot measure ({found['unknown']})")
            continue
        ratio = contrast_ratio(found["text"], found["background"])
        if ratio < minimum:
            text = "rgb({:.0f}, {:.0f}, {:.0f})".format(*found["text"])
            behind = "rgb({:.0f}, {:.0f}, {:.0f})".format(*found["background"])
            failures.append(f"{found['control']}: {text} on {behind} is {ratio:.2f}:1")
    return failures


# Each visible button with a background of its own and no visible border, with its colour
# and the colour behind it.
BUTTON_BACKGROUNDS = (
    """() => {
"""
    + COLOUR_FUNCTIONS
    + """  const found = [];
  for (const button of document.querySelectorAll('button, input[type=submit], .govuk-button')) {
    const box = button.getBoundingClientRect();
    if (box.width < 2 || box.height < 2 || !button.checkVisibility({visibilityProperty: true})) {
      continue;
    }
    const style = getComputedStyle(button);
    const own = parse(style.backgroundColor);
    const border = parse(style.borderTopColor);  // GOV.UK's is transparent (for forced colours)
    if (!own || own[3] < 1 || (parseFloat(style.borderTopWidth) > 0 && border && border[3] > 0)) {
      continue;
    }
    const around = background(button.parentElement).colour;
    if (!around) continue;
    const name = (button.innerText || button.value || '').trim().replace(/\\s+/g, ' ');
    found.push({button: name, own: own, around: around});
  }
  return found;
}"""
)


def button_failures(page: Page, minimum: float = 1.05) -> list[str]:
    """Each visible button whose background is the colour of what is behind it: a grey
    secondary button on a grey panel reads as plain text, whatever its text's contrast.
    (A GOV.UK secondary button on white is 1.1:1 with its shadow beneath: the least.)"""
    failures = []
    for found in page.evaluate(BUTTON_BACKGROUNDS):
        ratio = contrast_ratio(found["own"], found["around"])
        if ratio < minimum:
            own = "rgb({:.0f}, {:.0f}, {:.0f})".format(*found["own"])
            failures.append(f'button "{found["button"]}": {own} on the same is {ratio:.2f}:1')
    return failures


def assert_contrast(page: Page, minimum: float = 4.5) -> None:
    """Every visible link and button on the page has text in contrast ≥ `minimum`:1, and
    every button stands out from what is behind it."""
    failures = contrast_failures(page, minimum) + button_failures(page)
    assert not failures, f"Text in too little contrast on {page.url}:\n" + "\n".join(
        f"- {failure}" for failure in failures
    )


def screenshots(web: "CheckedPage", directory: Path, name: str) -> None:
    """Keep a screenshot at 1024 px and at 320 px, checking the page's controls are in
    contrast and that it reflows at 320 px."""
    directory.mkdir(parents=True, exist_ok=True)
    web.page.set_viewport_size({"width": 1024, "height": 800})
    web.page.screenshot(path=str(directory / f"{name}.png"), full_page=True)
    assert_contrast(web.page)
    assert_reflows(web.page, 320)
    web.page.screenshot(path=str(directory / f"{name}-320.png"), full_page=True)
    web.page.set_viewport_size({"width": 1024, "height": 800})


# --- Reflow (WCAG 1.4.10): no sideways scrolling at 320 CSS pixels -----------------------------

OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [];
  for (const e of document.body.querySelectorAll('*')) {
    const box = e.getBoundingClientRect();
    // The outermost elements that stick out: their children would only repeat them.
    if (box.right > root.clientWidth + 0.5 && e.parentElement.getBoundingClientRect().right
        <= root.clientWidth + 0.5) {
      const classes = String(e.className || '').trim().split(/\\s+/).filter(Boolean);
      wide.push([e.tagName.toLowerCase(), ...classes].join('.')
        + ' (right edge ' + Math.round(box.right) + 'px)');
    }
  }
  return {scrollWidth: root.scrollWidth, width: root.clientWidth, wide: wide};
}"""


def assert_reflows(page: Page, width: int = 320) -> None:
    """At `width` CSS pixels the page does not scroll sideways (WCAG 1.4.10 Reflow)."""
    page.set_viewport_size(
        {"width": width, "height": page.viewport_size["height"] if page.viewport_size else 720}
    )
    measured = page.evaluate(OVERFLOW)
    assert measured["width"] <= width, measured
    assert measured["scrollWidth"] <= measured["width"], (
        f"{page.url} scrolls sideways at {width}px: {measured['scrollWidth']}px wide "
        f"for a {measured['width']}px viewport; sticking out: {measured['wide']}"
    )


def check_error_page(
    web: CheckedPage, handler: str, status: int, *, path: str = "", button: str = ""
) -> None:
    """Go to `path`, or press `button`, to reach an error page; check it with axe-core as
    every page; then tell the URL walk the page of `handler` (ERROR_PAGES) was checked.

    Chromium reports the document's own error status on the console: that one line, for
    this page, is what was asked for, and is let through. Any other console error fails.
    """
    said = f"the server responded with a status of {status} "

    def own_status(message: ConsoleMessage) -> bool:
        return message.type == "error" and said in message.text

    web.assert_all_checked()
    with web.page.expect_console_message(own_status):
        if path:
            web.page.goto(path)
        else:
            with web.page.expect_navigation():
                web.page.get_by_role("button", name=button, exact=True).click()
    web.page.wait_for_load_state("load")
    assert web.status == status, f"{web.page.url} answered {web.status}, not {status}"
    line = f"console error on {web.page.url}: Failed to load resource: {said}"
    mine = [e for e in web.errors if e.startswith(line)]
    assert len(mine) == 1, web.errors
    web.errors.remove(mine[0])
    web.check()
    record_error_page_check(handler)
