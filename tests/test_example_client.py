"""The worked example (examples/case_system.py), run as a council's integrator would run it:
a separate process talking HTTP to the running portal (the live server), with nothing but
its token and the webhook's secret.

It verifies the signed `referral.received` the real worker sends it, takes the referral in
(typed answers, both documents and the PDF copy, every digest checked), waits when the PDF
copy is not made yet and takes it in on the next run, marks it imported as LCS-12345 once
(a rerun imports nothing more), and posts the decision the referrer then reads and is
emailed about. It prints references and case numbers, never a name.
"""

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from frontdoor.api import clients, webhooks
from frontdoor.api.models import ApiImport
from frontdoor.api.tests.test_documents import send_with
from frontdoor.audit.models import AuditEvent
from frontdoor.cases.models import Case
from frontdoor.documents.tests import files
from frontdoor.referrals.models import PdfCopy, StatusChange
from tests.browser.test_back_office_journey import emails_to
from tests.smtp_server import SMTPServer, free_port

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "case_system.py"
RESPONSE = "A strategy discussion is being held today; the social worker will call you."


class Example:
    def __init__(self, url: str, token: str, folder: Path) -> None:
        self.folder = folder
        self.env = {
            "PATH": os.environ["PATH"],
            "FRONTDOOR_URL": url,
            "FRONTDOOR_TOKEN": token,
        }

    def args(self, command: str, *more: str) -> list[str]:
        taking = ["--state", str(self.folder / "state.json"), "--out", str(self.folder / "in")]
        if command in ("poll", "receive"):
            more = (*taking, "--first-number", "12345", *more)
        return [sys.executable, str(EXAMPLE), command, *more]

    def receive(self, port: int, secret: str) -> subprocess.Popen[str]:
        """`receive --once` started, and listening on the port."""
        process = subprocess.Popen(
            self.args("receive", "--port", str(port), "--once"),
            env={**self.env, "FRONTDOOR_WEBHOOK_SECRET": secret},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        assert process.stdout.readline().startswith(f"listening on http://127.0.0.1:{port}/")
        return process

    def run(self, command: str, *more: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.args(command, *more),
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )


@pytest.fixture
def example(live_server: Any, transactional_db: None, teams, tmp_path: Path) -> Example:
    client, token = clients.create_client("Liquidlogic LCS", [teams["social-care"]])
    example = Example(live_server.url, token, tmp_path)
    example.client = client  # type: ignore[attr-defined]
    return example


@pytest.fixture
def listening(example: Example, settings: Any) -> Iterator[tuple[subprocess.Popen[str], str, str]]:
    """`receive --once` running, with a webhook registered to it: (process, url, secret)."""
    settings.WEBHOOKS_ALLOW_LOOPBACK = True  # http://127.0.0.1, as in development
    port = free_port()
    url = f"http://127.0.0.1:{port}/hooks"
    _, secret = webhooks.register(example.client, url, webhooks.EVENTS)  # type: ignore[attr-defined]
    process = example.receive(port, secret)
    try:
        yield process, url, secret
    finally:
        process.kill()
        process.wait()


def test_the_example_system_takes_a_referral_in_and_decides_it(
    example, listening, professional, smtp_server: SMTPServer, settings, run_tasks, run_pdf_tasks
):
    settings.MAILERS = smtp_server.mailers()
    chronology, photo = files.pdf("A chronology", pages=2), files.image("PNG")
    sent = send_with(
        professional,
        "social-care-referral",
        ("chronology.pdf", chronology),
        ("photo.png", photo),
    )

    # The worker sends referral.received; the example verifies it (standardwebhooks).
    run_tasks()
    receiving, _, _ = listening
    out, err = receiving.communicate(timeout=30)
    assert receiving.returncode == 0, err
    assert out.strip() == f"received referral.received for {sent.reference}"

    # The PDF copy is not made yet: nothing is marked imported, and it says why.
    first = example.run("poll", "--pdf-wait", "0")
    assert first.returncode == 0, first.stderr
    assert first.stdout == ""
    assert f"{sent.reference} not imported: The PDF copy is not ready yet" in first.stderr
    assert not ApiImport.objects.exists()

    run_pdf_tasks()
    second = example.run("poll")
    assert second.returncode == 0, second.stderr
    assert second.stdout == (
        f"{sent.reference} imported as LCS-12345 (2 documents and the PDF copy)\n"
    )
    folder = example.folder / "in" / sent.reference
    assert (folder / "documents" / "01-chronology.pdf").read_bytes() == chronology
    assert (folder / "documents" / "02-photo.png").read_bytes() == photo
    copy = (folder / f"{sent.reference}.pdf").read_bytes()
    assert copy.startswith(b"%PDF-")
    assert hashlib.sha256(copy).hexdigest() == PdfCopy.objects.get(submission=sent).sha256
    taken = json.loads((folder / "referral.json").read_text())
    assert taken["reference"] == sent.reference
    assert taken["people"][0]["first_name"] == "Ava"  # the typed answers came through
    [imported] = ApiImport.objects.all()
    assert (imported.external_reference, imported.client) == ("LCS-12345", example.client)

    # Run again (and again): nothing more is imported, the number is not given twice.
    third = example.run("poll")
    assert (third.returncode, third.stdout, third.stderr) == (0, "", "")
    assert ApiImport.objects.count() == 1
    assert json.loads((example.folder / "state.json").read_text())["next_number"] == 12346

    decided = example.run("decide", sent.reference, "strategy-discussion", RESPONSE)
    assert decided.returncode == 0, decided.stderr
    assert decided.stdout == (
        f"{sent.reference} decided: Strategy discussion (s47) (stage closed)\n"
    )
    case = Case.objects.get(submission=sent)
    assert (case.outcome, case.closed_at is not None) == ("strategy-discussion", True)
    told = StatusChange.objects.filter(submission=sent).latest("at")
    assert told.response == RESPONSE
    run_tasks()
    assert emails_to(smtp_server, professional.email)[-1]["Subject"]

    # What it printed names no one; every call it made is in the audit, as the client.
    said = "".join(p.stdout + p.stderr for p in (first, second, third, decided)) + out
    for private in ("Ava", "Example", professional.first_name, professional.email):
        assert private not in said
    audited = set(
        AuditEvent.objects.filter(reference=sent.reference).values_list("action", flat=True)
    )
    assert {"api.referral.viewed", "api.document.downloaded", "api.pdf.downloaded"} <= audited


def test_a_token_is_never_sent_outside_the_portals_api(example):
    """A link pointing elsewhere is refused before anything is sent (the example's guard)."""
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        import case_system
    finally:
        sys.path.remove(str(EXAMPLE.parent))
    portal = case_system.Portal(example.env["FRONTDOOR_URL"], example.env["FRONTDOOR_TOKEN"])
    for elsewhere in (
        "http://attacker.example/api/v1/referrals",
        example.env["FRONTDOOR_URL"] + "/accounts/",
        example.env["FRONTDOOR_URL"] + ".attacker.example/api/v1/referrals",
    ):
        with pytest.raises(case_system.ApiError, match="Refused to send the token"):
            portal.call("GET", elsewhere)


def _example_module() -> Any:
    sys.path.insert(0, str(EXAMPLE.parent))
    try:
        import case_system
    finally:
        sys.path.remove(str(EXAMPLE.parent))
    return case_system


class Dropping:
    """A server that reads each request whole, then closes the connection unanswered: the
    portal acted, say, and the answer was lost on the way."""

    def __init__(self) -> None:
        import socket
        import threading

        self.requests: list[bytes] = []
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            with connection:
                connection.settimeout(5)
                self.requests.append(connection.recv(65536).split(b"\r\n", 1)[0])


def test_the_example_never_sends_a_decision_twice():
    """A POST whose answer was lost is not sent again (a decision that does not close, as
    the LADO's, would be made twice); a GET, which changes nothing, is asked again."""
    case_system = _example_module()
    server = Dropping()
    try:
        portal = case_system.Portal(server.url, "fdk_x", sleep=lambda seconds: None)
        with pytest.raises(case_system.ApiError, match="not sent again"):
            case_system.decide(portal, "FD-2026-000001", "early-help", "Passed to Early Help.")
        assert server.requests == [b"POST /api/v1/referrals/FD-2026-000001/decision HTTP/1.1"]
        with pytest.raises(case_system.ApiError, match="could not be reached"):
            portal.call("GET", "referrals")
        assert len(server.requests) == 1 + case_system.RETRIES + 1
    finally:
        server.socket.close()


def test_the_token_never_follows_dot_segments_out_of_the_api():
    """/api/v1/../../accounts/ starts like the API; a proxy that resolves the dots would
    send the token to the portal's pages."""
    case_system = _example_module()
    portal = case_system.Portal("http://127.0.0.1:9", "fdk_x")
    for elsewhere in (
        "http://127.0.0.1:9/api/v1/../../accounts/",
        "http://127.0.0.1:9/api/v1/%2e%2e/%2E%2E/accounts/",
        "http://127.0.0.1:9/api/v1/referrals/./../../admin/",
    ):
        with pytest.raises(case_system.ApiError, match="Refused to send the token"):
            portal.call("GET", elsewhere)
