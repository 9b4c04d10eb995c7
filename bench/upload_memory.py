"""How much a web worker's memory grows while it takes a 20 MB upload (`make bench`).

The requirement: uploads are streamed to disk, so a 20 MB upload, checks included, must not
grow a web worker's memory by more than 10 MB. This starts what a council runs: gunicorn
with one sync worker, a throwaway SQLite database, a real clamd (the tests' signature
database; VIRUS_SCAN=off when ClamAV is not installed), and sends a PDF just under
DOCUMENT_MAX_MB through the Supporting documentation page as a browser does: a multipart
POST with the session cookie and the page's CSRF token, streamed from a file.

The growth is the worker's peak resident memory during the request (VmHWM, reset just
before it through /proc/PID/clear_refs) minus its resident memory just before (VmRSS), read
from /proc. Both storages are measured: the local folder, and S3 (moto's S3 server).
A download of the same file is measured too, for reference (not part of the requirement).

    .venv/bin/python bench/upload_memory.py [--storage local|s3|both] [--keep]

Exits 1 when an upload grows the worker by more than the limit.
"""

import argparse
import http.client
import logging
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

LIMIT_MB = 10
MB = 1024 * 1024
S3_BUCKET = "frontdoor-bench-documents"
S3_REGION = "eu-west-2"
S3_KEYS = {"AWS_ACCESS_KEY_ID": "bench-access-key", "AWS_SECRET_ACCESS_KEY": "bench-secret-key"}


# --- A PDF of an exact size, written straight to disk --------------------------------------


def pdf_layout(padding: int) -> list[bytes]:
    """A one-page PDF whose page content stream holds `padding` bytes (comments): the parts
    before and after the stream's data, with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << >> /Contents 4 0 R >>",
    ]
    head = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(head))
        head += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    offsets.append(len(head))
    head += b"4 0 obj\n<< /Length %d >>\nstream\n" % padding
    tail = b"\nendstream\nendobj\n"
    xref_at = len(head) + padding + len(tail)
    tail += b"xref\n0 5\n0000000000 65535 f \n"
    tail += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    tail += b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref_at
    return [head, tail]


def write_pdf(path: Path, size: int) -> None:
    """A valid PDF of exactly `size` bytes, written in 1 MB pieces."""
    padding = size
    for _ in range(5):
        head, tail = pdf_layout(padding)
        padding += size - (len(head) + padding + len(tail))
    head, tail = pdf_layout(padding)
    assert len(head) + padding + len(tail) == size
    line = b"% Front Door upload benchmark: padding of an uncompressed content stream\n"
    block = (line * (MB // len(line) + 1))[:MB]
    with path.open("wb") as file:
        file.write(head)
        left = padding
        while left:
            piece = block[: min(left, MB)]
            file.write(piece)
            left -= len(piece)
        file.write(tail)


# --- The worker's memory --------------------------------------------------------------------


def status_kb(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def reset_peak(pid: int) -> bool:
    """Reset the process's VmHWM to its VmRSS (Linux 4.0+: write 5 to clear_refs)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def children_of(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces, so split after its ")".
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


class Sampler(threading.Thread):
    """Polls VmRSS every few milliseconds: a cross-check of VmHWM."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, status_kb(self.pid)["VmRSS"])
            time.sleep(0.002)

    def stop(self) -> int:
        self.running = False
        self.join()
        return self.peak


@dataclass
class Measure:
    before_kb: int = 0
    peak_kb: int = 0
    sampled_kb: int = 0
    seconds: float = 0.0

    @property
    def growth_mb(self) -> float:
        return (self.peak_kb - self.before_kb) / 1024


class Measuring:
    """The worker's memory around one request: `with Measuring(pid) as m: ...`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.result = Measure()
        self.reset = False

    def __enter__(self) -> Measure:
        self.reset = reset_peak(self.pid)
        self.result.before_kb = status_kb(self.pid)["VmRSS"]
        self.sampler = Sampler(self.pid)
        self.sampler.start()
        self.started = time.perf_counter()
        return self.result

    def __exit__(self, *exc: object) -> None:
        self.result.seconds = time.perf_counter() - self.started
        self.result.sampled_kb = self.sampler.stop()
        # Without a reset VmHWM is the peak since the worker started: an overestimate.
        self.result.peak_kb = max(
            status_kb(self.pid)["VmHWM"], self.result.sampled_kb, self.result.before_kb
        )


# --- A browser, as far as the portal can tell ------------------------------------------------


class Browser:
    def __init__(self, port: int, cookies: dict[str, str]) -> None:
        self.port = port
        self.cookies = dict(cookies)

    def _headers(self) -> dict[str, str]:
        return {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Origin": f"http://127.0.0.1:{self.port}",
        }

    def _keep_cookies(self, response: http.client.HTTPResponse) -> None:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]

    def get(self, path: str, sink: bool = False) -> tuple[int, bytes, int]:
        """Status, body (unless sunk: read in pieces and dropped) and the body's length."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            connection.request("GET", path, headers=self._headers())
            response = connection.getresponse()
            self._keep_cookies(response)
            if not sink:
                body = response.read()
                return response.status, body, len(body)
            length = 0
            while piece := response.read(64 * 1024):
                length += len(piece)
            return response.status, b"", length
        finally:
            connection.close()

    def post_file(
        self, path: str, fields: dict[str, str], field: str, name: str, file: Path
    ) -> tuple[int, str, bytes]:
        """A multipart POST as a browser sends it, the file streamed from disk."""
        boundary = "----FrontDoorBench" + secrets.token_hex(12)
        head = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n'
            f"{value}\r\n".encode()
            for key, value in fields.items()
        )
        head += (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'
        ).encode()
        tail = f"\r\n--{boundary}--\r\n".encode()
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        try:
            connection.putrequest("POST", path)
            headers = {
                **self._headers(),
                "Content-Type": f"multipart/form-data; boundary={boundary}",
                "Content-Length": str(len(head) + file.stat().st_size + len(tail)),
            }
            for key, value in headers.items():
                connection.putheader(key, value)
            connection.endheaders()
            connection.send(head)
            with file.open("rb") as source:
                while piece := source.read(64 * 1024):
                    connection.send(piece)
            connection.send(tail)
            response = connection.getresponse()
            self._keep_cookies(response)
            return response.status, response.headers.get("Location", ""), response.read()
        finally:
            connection.close()


def csrf_token(page: bytes) -> str:
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "no CSRF token on the Supporting documentation page"
    return match.group(1).decode()


# --- The services: clamd, moto's S3, gunicorn ---------------------------------------------


def stop(process: subprocess.Popen[bytes], name: str) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        print(f"{name} did not stop: killed", file=sys.stderr)
        process.kill()
        process.wait()


@dataclass
class Gunicorn:
    process: subprocess.Popen[bytes]
    port: int
    worker: int
    log: Path


def start_gunicorn(env: dict[str, str], workdir: Path, name: str) -> Gunicorn:
    log = workdir / f"gunicorn-{name}.log"
    process = subprocess.Popen(  # noqa: S603 - the venv's gunicorn, our own arguments
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "frontdoor.wsgi",
            "--bind",
            "127.0.0.1:0",
            "--workers",
            "1",
            "--worker-class",
            "sync",
            "--timeout",
            "300",
            "--no-control-socket",
            "--worker-tmp-dir",
            str(workdir / "tmp"),
            "--error-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    port = 0
    workers: list[int] = []
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped:\n{log.read_text() if log.exists() else ''}")
        text = log.read_text() if log.exists() else ""
        found = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", text)
        port = int(found.group(1)) if found else 0
        workers = children_of(process.pid)
        if port and len(workers) == 1 and "Booting worker" in text:
            return Gunicorn(process, port, workers[0], log)
        time.sleep(0.1)
    stop(process, "gunicorn")
    raise RuntimeError(f"gunicorn did not start:\n{log.read_text() if log.exists() else ''}")


@dataclass
class Row:
    storage: str
    what: str
    measure: Measure
    counted: bool  # part of the requirement (uploads), or for reference

    @property
    def verdict(self) -> str:
        if not self.counted:
            return "(reference)"
        return "PASS" if self.measure.growth_mb <= LIMIT_MB else "FAIL"


def run_storage(
    storage: str, env: dict[str, str], workdir: Path, big: Path, small: Path
) -> tuple[list[Row], bool]:
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from frontdoor.accounts.middleware import LAST_ACTIVITY, SIGNED_IN_AT
    from frontdoor.accounts.models import User
    from frontdoor.documents.models import Document
    from frontdoor.referrals import drafts, registry

    # A signed-in professional, as the sign-in code page leaves them, and a new draft.
    user = User.objects.get(email="bench@school.example.org")
    draft = drafts.start(user, registry.get("social-care-referral"))
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT] = session[LAST_ACTIVITY] = time.time()
    session.create()

    server = start_gunicorn(env, workdir, storage)
    rows: list[Row] = []
    reset_works = True
    try:
        from django.conf import settings

        browser = Browser(server.port, {settings.SESSION_COOKIE_NAME: str(session.session_key)})
        page_path = f"/forms/draft/{draft.pk}/documents/"

        def send(file: Path, name: str) -> None:
            status, body, _ = browser.get(page_path)
            assert status == 200, f"GET {page_path}: {status}"
            fields = {"csrfmiddlewaretoken": csrf_token(body), "upload": "1"}
            status, location, body = browser.post_file(page_path, fields, "documents", name, file)
            errors = re.findall(rb'class="govuk-error-summary__list">(.*?)</ul>', body, re.S)
            assert status == 302, f"upload of {name}: {status} {errors or body[:500]!r}"
            assert location == page_path, location

        # Warm up: the page, a small upload and its download (imports, templates, caches).
        send(small, "warm-up.pdf")
        warm = Document.objects.filter(draft=draft).get()
        status, _, length = browser.get(f"/forms/draft/{draft.pk}/file/{warm.pk}/", sink=True)
        assert (status, length) == (200, warm.size)

        size = big.stat().st_size
        measuring = Measuring(server.worker)
        with measuring as upload:
            send(big, "chronology.pdf")
        reset_works = measuring.reset
        document = Document.objects.filter(draft=draft).exclude(pk=warm.pk).get()
        assert document.size == size, (document.size, size)
        rows.append(Row(storage, f"upload {size / MB:.1f} MB PDF", upload, True))

        with Measuring(server.worker) as download:
            status, _, length = browser.get(f"/forms/draft/{draft.pk}/file/{document.pk}/", True)
        assert (status, length) == (200, size)
        rows.append(Row(storage, "download it again", download, False))
        assert children_of(server.process.pid) == [server.worker], "the worker was replaced"
    finally:
        stop(server.process, "gunicorn")
    return rows, reset_works


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--storage", choices=["local", "s3", "both"], default="both")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    options = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="frontdoor-bench-upload-"))
    (workdir / "tmp").mkdir()
    clamd_socket = workdir / "clamd" / "clamd.sock"
    scan = bool(shutil.which("clamd") and shutil.which("sigtool"))
    env = {
        **os.environ,
        # Production settings but for static files served unhashed (no collectstatic here)
        # and cheap password hashing: the upload path is the production one.
        "DJANGO_SETTINGS_MODULE": "frontdoor.settings_test",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "HTTPS": "false",
        "DEBUG": "false",
        "EMAIL_URL": "memory://",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": f"sqlite:///{workdir / 'bench.sqlite3'}",
        "TASKS_BACKEND": "django.tasks.backends.dummy.DummyBackend",
        "DOCUMENTS_STORAGE": "local",
        "DOCUMENTS_FOLDER": str(workdir / "documents"),
        "FILE_UPLOAD_TEMP_DIR": str(workdir / "tmp"),
        "TMPDIR": str(workdir / "tmp"),
        "VIRUS_SCAN": "clamd" if scan else "off",
        "CLAMD_ADDRESS": str(clamd_socket),
        "LOG_LEVEL": "WARNING",
    }
    os.environ.update(env)

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.utils import timezone

    clamd: subprocess.Popen[bytes] | None = None
    moto: Any = None
    try:
        call_command("migrate", verbosity=0)
        call_command("createcachetable", verbosity=0)
        call_command("load_teams", verbosity=0)  # the server refuses to start without them
        from frontdoor.accounts.models import User

        User.objects.create_user(
            email="bench@school.example.org",
            password=secrets.token_urlsafe(16),
            first_name="Bench",
            last_name="Mark",
            is_professional=True,
            organisation="Bench School",
            job_title="DSL",
            email_verified_at=timezone.now(),
        )
        scanning = "off (ClamAV is not installed)"
        if scan:
            try:
                from tests.clamd import start_clamd

                clamd = start_clamd(clamd_socket)
                scanning = "clamd (real, the tests' signatures)"
            except (ImportError, RuntimeError, OSError, subprocess.CalledProcessError) as error:
                env["VIRUS_SCAN"] = "off"
                scanning = f"off (clamd did not start: {type(error).__name__})"

        limit = settings.DOCUMENT_MAX_MB * MB
        big, small = workdir / "big.pdf", workdir / "small.pdf"
        write_pdf(big, limit - 1024)  # just under the limit, which is accepted
        write_pdf(small, 20 * 1024)

        storages = ["local", "s3"] if options.storage == "both" else [options.storage]
        rows: list[Row] = []
        reset_everywhere = True
        for storage in storages:
            storage_env = dict(env)
            if storage == "s3":
                moto = moto or start_moto()
                storage_env.update(
                    DOCUMENTS_STORAGE="s3",
                    DOCUMENTS_S3_BUCKET=S3_BUCKET,
                    DOCUMENTS_S3_ENDPOINT_URL=moto.endpoint,
                    DOCUMENTS_S3_REGION=S3_REGION,
                    **S3_KEYS,
                )
            found, reset = run_storage(storage, storage_env, workdir, big, small)
            rows += found
            reset_everywhere = reset_everywhere and reset

        print_table(rows, scanning, reset_everywhere)
        return 0 if all(row.verdict != "FAIL" for row in rows) else 1
    finally:
        if clamd is not None:
            stop(clamd, "clamd")
        if moto is not None:
            moto.server.stop()
        if options.keep:
            print(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


@dataclass
class Moto:
    server: Any
    endpoint: str


def start_moto() -> Moto:
    import boto3
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per S3 request
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=S3_REGION,
        aws_access_key_id=S3_KEYS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=S3_KEYS["AWS_SECRET_ACCESS_KEY"],
    )
    client.create_bucket(
        Bucket=S3_BUCKET, CreateBucketConfiguration={"LocationConstraint": S3_REGION}
    )
    return Moto(server, endpoint)


def print_table(rows: list[Row], scanning: str, reset: bool) -> None:
    from django.conf import settings

    print()
    print("Web worker memory during one upload (gunicorn, 1 sync worker)")
    print(f"  virus scan: {scanning}; DOCUMENT_MAX_MB={settings.DOCUMENT_MAX_MB}")
    print(f"  growth = peak RSS during the request - RSS before it; limit {LIMIT_MB} MB")
    if not reset:
        print("  (VmHWM could not be reset: the peak is since the worker started, an overestimate)")
    header = (
        f"{'storage':8} {'what':24} {'RSS before':>11} {'peak RSS':>9} {'growth':>8} "
        f"{'time':>7}  result"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        m = row.measure
        print(
            f"{row.storage:8} {row.what:24} {m.before_kb / 1024:9.1f}MB {m.peak_kb / 1024:7.1f}MB "
            f"{m.growth_mb:6.1f}MB {m.seconds:6.2f}s  {row.verdict}"
        )
    print()


if __name__ == "__main__":
    sys.exit(main())
