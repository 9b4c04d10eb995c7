"""A small case-management system's side of Front Door's API: the worked example of
docs/api.md ("A worked example").

It takes new referrals in, as a council's system would:

    export FRONTDOOR_URL=http://127.0.0.1:8000 FRONTDOOR_TOKEN=fdk_...
    python examples/case_system.py poll --out imported --state state.json
    python examples/case_system.py decide FD-2026-000123 strategy-discussion "We are ..."
    FRONTDOOR_WEBHOOK_SECRET=whsec_... python examples/case_system.py receive --port 9000 --poll

- `poll` lists the referrals that changed since its last run (the cursor is kept in the
  state file), and for each one not imported yet: fetches it (typed answers, people,
  documents), downloads each document and the PDF copy, checks every file's SHA-256
  against the listing and the `Repr-Digest` header, writes them under `--out`, and only
  then marks it imported with the system's own case number (`LCS-12345`), sending an
  `Idempotency-Key` so that a run that stopped half way and runs again gets the same
  answer, never a second number.
- `decide` posts a decision (one of the team's outcomes) with the response the referrer
  reads: the portal emails them, as when a worker decides on its pages.
- `receive` is a webhook endpoint: it verifies each delivery with the `standardwebhooks`
  package (Standard Webhooks: signature and timestamp), does each `webhook-id` once, and
  with `--poll` takes the new referrals in when told of one.

Only the standard library, and `standardwebhooks` for `receive` (pip install
standardwebhooks). The token is sent only to the portal's own API (`FRONTDOOR_URL` and
/api/v1/): a link that points anywhere else is refused. A 429 or 503 is asked again after
its Retry-After; a decision whose answer was lost is not sent again. It prints
references and case numbers only: never a name or an answer.
"""

import argparse
import base64
import hashlib
import http.server
import json
import os
import re
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from email.message import Message
from pathlib import Path
from typing import Any

API = "/api/v1/"
USER_AGENT = "frontdoor-example-case-system/1"
RETRIES = 5  # for 429, 503 and a connection that failed
MAX_WAIT = 120  # seconds: the longest Retry-After it waits for


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer, never followed: it would take the token with it."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


OPENER = urllib.request.build_opener(NoRedirects)


class ApiError(Exception):
    """The API said no (a problem+json answer), or could not be reached."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail


class Answer:
    def __init__(self, status: int, headers: Message, body: bytes) -> None:
        self.status, self.headers, self.body = status, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


class Portal:
    """Front Door's API, with the client's token."""

    def __init__(self, url: str, token: str, sleep: Callable[[float], None] = time.sleep) -> None:
        parts = urllib.parse.urlsplit(url.rstrip("/"))
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise SystemExit(f"FRONTDOOR_URL must be the portal's address: {url!r}")
        self.base = f"{parts.scheme}://{parts.netloc}{parts.path}"
        self.token = token
        self.sleep = sleep

    def address(self, path_or_url: str) -> str:
        """An absolute address in the portal's API. The token goes nowhere else: a
        document's download link that named another host would be refused here."""
        url = path_or_url if "://" in path_or_url else self.base + API + path_or_url
        path = urllib.parse.urlsplit(url).path
        dots = any(urllib.parse.unquote(part) in (".", "..") for part in path.split("/"))
        if not url.startswith(self.base + API) or dots:  # /api/v1/../ leaves it
            raise ApiError(0, f"Refused to send the token outside the portal's API: {url}")
        return url

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        headers: dict[str, str] | None = None,
        ok: tuple[int, ...] = (200,),
    ) -> Answer:
        url = self.address(path)
        sent = {"Authorization": f"Bearer {self.token}", "User-Agent": USER_AGENT}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            sent["Content-Type"] = "application/json"
        sent.update(headers or {})
        for attempt in range(RETRIES + 1):
            # http(s) only: the scheme was checked (Portal), and address() keeps to the API.
            request = urllib.request.Request(url, data=data, method=method, headers=sent)  # noqa: S310
            try:
                with OPENER.open(request, timeout=60) as response:
                    answer = Answer(response.status, response.headers, response.read())
            except urllib.error.HTTPError as error:
                answer = Answer(error.code, error.headers, error.read())
            except (urllib.error.URLError, OSError) as error:
                refused = isinstance(getattr(error, "reason", error), ConnectionRefusedError)
                if method == "POST" and not refused:
                    # It may have reached the portal and been acted on, its answer lost: a
                    # decision is not idempotent (one that does not close could be made
                    # twice). Look at the referral before deciding again.
                    raise ApiError(
                        0, f"No answer to {method} {url}: not sent again ({error})"
                    ) from error
                if attempt == RETRIES:
                    raise ApiError(0, f"The portal could not be reached: {error}") from error
                self.sleep(min(2**attempt, MAX_WAIT))
                continue
            if answer.status in (429, 503) and attempt < RETRIES:
                self.sleep(retry_after(answer.headers, default=2**attempt))
                continue
            if answer.status in ok:
                return answer
            raise ApiError(answer.status, problem_detail(answer))
        raise AssertionError("unreachable")

    def pages(self, cursor: str | None) -> Iterator[tuple[list[dict[str, Any]], str | None]]:
        """Each page of referrals after the cursor, with the cursor after it."""
        while True:
            query = urllib.parse.urlencode({"cursor": cursor} if cursor else {})
            page = self.call("GET", "referrals" + (f"?{query}" if query else "")).json()
            cursor = page["next_cursor"] or cursor
            yield page["items"], cursor
            if not page["more"]:
                return


def retry_after(headers: Message, default: float) -> float:
    """Retry-After in seconds (a number or an HTTP date), at most MAX_WAIT."""
    value = headers.get("Retry-After", "")
    if value.isdigit():
        return min(int(value), MAX_WAIT)
    try:
        from email.utils import parsedate_to_datetime

        return min(max(parsedate_to_datetime(value).timestamp() - time.time(), 0), MAX_WAIT)
    except (TypeError, ValueError):
        return min(default, MAX_WAIT)


def problem_detail(answer: Answer) -> str:
    try:
        return str(answer.json().get("detail", "")) or f"HTTP {answer.status}"
    except ValueError:
        return f"HTTP {answer.status}"


def checked(answer: Answer, sha256_hex: str | None = None) -> bytes:
    """The file's bytes, once its Repr-Digest (and the listing's SHA-256) match them."""
    digest = hashlib.sha256(answer.body).digest()
    algorithm, _, value = answer.headers.get("Repr-Digest", "").partition("=")
    if algorithm != "sha-256" or base64.b64decode(value.strip(":")) != digest:
        raise ApiError(answer.status, "The file's Repr-Digest does not match its bytes")
    if sha256_hex is not None and digest.hex() != sha256_hex:
        raise ApiError(answer.status, "The file's SHA-256 does not match the listing")
    return answer.body


def write(path: Path, data: bytes) -> None:
    """Whole or not at all: written beside it, then renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as out:
        out.write(data)
    os.replace(out.name, path)


def safe_name(index: int, name: str) -> str:
    """A file name that is only a name (the portal made it safe; trust nothing)."""
    stem = re.sub(r"[^A-Za-z0-9._ -]+", "_", Path(name).name).strip(" .") or "document"
    return f"{index:02d}-{stem[:100]}"


# --- Taking referrals in ------------------------------------------------------------------


class State:
    """What the system keeps between runs: the cursor, its next case number, and the
    referrals it has numbered (a number is kept once given, so a rerun reuses it)."""

    def __init__(self, path: Path, first_number: int, prefix: str) -> None:
        self.path = path
        self.data: dict[str, Any] = {"cursor": None, "next_number": first_number, "cases": {}}
        if path.exists():
            self.data.update(json.loads(path.read_text()))
        self.prefix = prefix

    def number_for(self, reference: str) -> dict[str, Any]:
        cases = self.data["cases"]
        if reference in cases and cases[reference]["imported"]:
            # Imported, and now listed as not: it moved to another of the client's teams,
            # whose copy is imported afresh (under the same case number, a new key).
            cases[reference].update(idempotency_key=str(uuid.uuid4()), imported=False)
            self.save()
        if reference not in cases:
            number = self.data["next_number"]
            self.data["next_number"] = number + 1
            cases[reference] = {
                "external_reference": f"{self.prefix}{number}",
                "idempotency_key": str(uuid.uuid4()),
                "imported": False,
            }
            self.save()  # before the portal hears of the number
        case: dict[str, Any] = cases[reference]
        return case

    def save(self) -> None:
        write(self.path, json.dumps(self.data, indent=2).encode())


def take_in(portal: Portal, reference: str, out: Path, pdf_wait: float) -> int:
    """Fetch the referral, its documents and PDF copy into out/REFERENCE/, every file
    checked. Returns how many documents. Raises ApiError if any is not right (or the PDF
    copy is not ready in time): the referral is then not marked imported."""
    detail = portal.call("GET", f"referrals/{reference}").json()
    folder = out / reference
    for index, document in enumerate(detail["documents"], start=1):
        answer = portal.call("GET", document["download"])
        write(
            folder / "documents" / safe_name(index, document["name"]),
            checked(answer, document["sha256"]),
        )
    waited = 0.0
    while True:
        answer = portal.call("GET", f"referrals/{reference}/pdf", ok=(200, 202))
        if answer.status == 200:
            break
        pause = retry_after(answer.headers, default=5)
        if waited + pause > pdf_wait:
            raise ApiError(202, "The PDF copy is not ready yet: it is taken in on a later run")
        portal.sleep(pause)
        waited += pause
    write(folder / f"{reference}.pdf", checked(answer))
    write(folder / "referral.json", json.dumps(detail, indent=2).encode())  # last: all is there
    return len(detail["documents"])


def poll(portal: Portal, state: State, out: Path, pdf_wait: float) -> int:
    """Take in every referral listed since the last run that is not imported yet.
    Returns how many were imported; failures are said and tried again next run."""
    imported = 0
    for items, cursor in portal.pages(state.data["cursor"]):
        for item in items:
            reference = item["reference"]
            if item.get("imported"):
                continue  # taken in already (it changed since: a decision, say)
            case = state.number_for(reference)
            try:
                count = take_in(portal, reference, out, pdf_wait)
                marked = portal.call(
                    "PUT",
                    f"referrals/{reference}/import",
                    {"external_reference": case["external_reference"]},
                    headers={"Idempotency-Key": case["idempotency_key"]},
                ).json()
            except ApiError as error:
                print(f"{reference} not imported: {error.detail}", file=sys.stderr)
                state.save()
                return imported  # keep the cursor: it is listed again next run
            case["imported"] = True
            imported += 1
            print(
                f"{reference} imported as {marked['external_reference']} "
                f"({count} document{'s' if count != 1 else ''} and the PDF copy)"
            )
        state.data["cursor"] = cursor
        state.save()
    return imported


def decide(portal: Portal, reference: str, outcome: str, response: str) -> dict[str, Any]:
    answer = portal.call(
        "POST", f"referrals/{reference}/decision", {"outcome": outcome, "response": response}
    ).json()
    return dict(answer)


# --- Webhooks -----------------------------------------------------------------------------


def receiver(
    secret: str, on_event: Callable[[dict[str, Any]], None], once: bool = False
) -> type[http.server.BaseHTTPRequestHandler]:
    """A request handler that verifies Standard Webhooks deliveries and hands each new one
    (by webhook-id) to on_event after answering (answer quickly, work afterwards)."""
    from standardwebhooks import Webhook
    from standardwebhooks.webhooks import WebhookVerificationError

    verifier = Webhook(secret)
    seen: set[str] = set()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 1_000_000))
            try:
                payload = verifier.verify(body, dict(self.headers.items()))
            except WebhookVerificationError:
                self.answer(400, b"signature not verified")
                print("refused a delivery: its signature did not verify", file=sys.stderr)
                return
            message_id = self.headers.get("webhook-id", "")
            self.answer(204, b"")
            if message_id in seen:
                return  # a retry of one done already
            seen.add(message_id)
            print(f"received {payload['type']} for {payload['data']['reference']}", flush=True)
            on_event(payload)
            if once:
                self.server.shutdown_after = True  # type: ignore[attr-defined]

        def answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass  # the addresses and paths are not worth a line each

    return Handler


def serve(port: int, handler: type[http.server.BaseHTTPRequestHandler]) -> None:
    server = http.server.HTTPServer(("127.0.0.1", port), handler)
    server.shutdown_after = False  # type: ignore[attr-defined]
    print(f"listening on http://127.0.0.1:{server.server_address[1]}/", flush=True)
    with server:
        while not server.shutdown_after:  # type: ignore[attr-defined]
            server.handle_request()


# --- Command line -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=os.environ.get("FRONTDOOR_URL", "http://127.0.0.1:8000"))
    commands = parser.add_subparsers(dest="command", required=True)
    taking = argparse.ArgumentParser(add_help=False)
    taking.add_argument("--state", type=Path, default=Path("case_system_state.json"))
    taking.add_argument("--out", type=Path, default=Path("imported"))
    taking.add_argument("--prefix", default="LCS-", help="of the system's case numbers")
    taking.add_argument("--first-number", type=int, default=10000)
    taking.add_argument("--pdf-wait", type=float, default=180, help="seconds")
    commands.add_parser("poll", parents=[taking], help="take new referrals in")
    deciding = commands.add_parser("decide", help="post a decision with a response")
    deciding.add_argument("reference")
    deciding.add_argument("outcome", help="the outcome's slug, as the team's workflow has it")
    deciding.add_argument("response", help="what the referrer is told")
    receiving = commands.add_parser("receive", parents=[taking], help="verify webhooks")
    receiving.add_argument("--port", type=int, default=9000)
    receiving.add_argument("--poll", action="store_true", help="take referrals in when told")
    receiving.add_argument("--once", action="store_true", help="stop after one delivery")
    args = parser.parse_args(argv)

    token = os.environ.get("FRONTDOOR_TOKEN", "")
    if not token:
        parser.error("set FRONTDOOR_TOKEN to the API client's token (never on the command line)")
    portal = Portal(args.url, token)
    try:
        if args.command == "poll":
            poll(portal, State(args.state, args.first_number, args.prefix), args.out, args.pdf_wait)
        elif args.command == "decide":
            decided = decide(portal, args.reference, args.outcome, args.response)
            outcome = decided["outcome"]["name"] if decided.get("outcome") else "proposed"
            print(f"{decided['reference']} decided: {outcome} (stage {decided['stage']})")
        else:
            secret = os.environ.get("FRONTDOOR_WEBHOOK_SECRET", "")
            if not secret.startswith("whsec_"):
                parser.error("set FRONTDOOR_WEBHOOK_SECRET to the endpoint's whsec_ secret")

            def on_event(payload: dict[str, Any]) -> None:
                if args.poll and payload["type"] == "referral.received":
                    poll(
                        portal,
                        State(args.state, args.first_number, args.prefix),
                        args.out,
                        args.pdf_wait,
                    )

            serve(args.port, receiver(secret, on_event, once=args.once))
    except ApiError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
