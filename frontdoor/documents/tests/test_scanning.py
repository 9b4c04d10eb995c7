"""The virus scanner: required in production, fail closed when it does not answer, and said
out loud when it is switched off."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from frontdoor.accounts.tests.test_sessions import production_settings, random_key
from frontdoor.audit.models import AuditEvent
from frontdoor.backoffice.tests.test_backoffice import pdf_text
from frontdoor.documents import scanning
from frontdoor.documents.models import Document
from frontdoor.documents.tests import files
from frontdoor.documents.tests.conftest import UPLOAD_URL, upload
from frontdoor.documents.tests.test_access import client_for, send, stored_files
from tests.clamd import EICAR

ROOT = Path(__file__).resolve().parents[3]


def manage(tmp_path: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    """`manage.py` in a clean process with the production settings: clamd's address given
    only if `extra` says so, a throwaway SQLite database."""
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": random_key(),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "EMAIL_URL": "memory://",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_the_settings_load_without_clamd_and_refuse_a_wrong_virus_scan():
    loaded = production_settings(random_key(), "s.VIRUS_SCAN", CLAMD_ADDRESS="")
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "clamd"
    wrong = production_settings(random_key(), "1", VIRUS_SCAN="sometimes")
    assert "VIRUS_SCAN must be clamd or off" in wrong.stderr


def test_admin_commands_run_without_clamd(tmp_path: Path):
    """create_staff and load_teams never touch an upload: the README's commands need no
    clamd and no VIRUS_SCAN."""
    assert manage(tmp_path, "migrate", "--no-input", "-v", "0").returncode == 0
    teams = manage(tmp_path, "load_teams")
    assert teams.returncode == 0, teams.stderr
    staff = manage(
        tmp_path,
        "create_staff",
        "--email=morgan.reid@council.example",
        "--first-name=Morgan",
        "--last-name=Reid",
        "--team=social-care",
        "--no-input",
        FRONTDOOR_STAFF_PASSWORD="Kettle-Orbit-Lantern7",
    )
    assert staff.returncode == 0, staff.stderr
    assert "Created the staff account morgan.reid@council.example" in staff.stdout


def python(code: str, **extra: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "SECRET_KEY": random_key(),
        # A server's other requirement (docs/configuring.md), so only clamd is missing.
        "WEBHOOK_SECRET_KEY": "kJ3p0nH1y2Q9Yw8Zr5mV7xT4bC6dE0fG1hI2jK3lM4o=",
        **extra,
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_web_server_and_the_worker_refuse_to_start_without_clamd_unless_switched_off(
    tmp_path: Path,
):
    for refused in (python("import frontdoor.wsgi"), manage(tmp_path, "worker")):
        assert refused.returncode != 0
        assert "CLAMD_ADDRESS is not set" in refused.stderr
    deploy = manage(tmp_path, "check", "--deploy", HTTPS="true")
    assert deploy.returncode != 0
    assert "documents.E001" in deploy.stderr
    started = python("import frontdoor.wsgi; print('started')", VIRUS_SCAN="off")
    assert started.returncode == 0, started.stderr
    assert started.stdout.strip() == "started"
    with_clamd = python("import frontdoor.wsgi; print('started')", CLAMD_ADDRESS="/run/x.ctl")
    assert with_clamd.stdout.strip() == "started", with_clamd.stderr
    deploy = manage(tmp_path, "check", "--deploy", HTTPS="true", CLAMD_ADDRESS="/run/x.ctl")
    assert "documents.E001" not in deploy.stderr


def test_the_scanner_finds_eicar_alone_in_a_pdf_and_in_a_docx(tmp_path: Path):
    for name, data in (
        ("eicar.com", EICAR),
        ("eicar.pdf", files.eicar_pdf()),
        ("eicar.docx", files.docx(extra_entries={"word/media/note.txt": EICAR})),
    ):
        path = tmp_path / name
        path.write_bytes(data)
        with path.open("rb") as file:
            assert scanning.scan(file) is not None, name
    clean = tmp_path / "clean.pdf"
    clean.write_bytes(files.pdf())
    with clean.open("rb") as file:
        assert scanning.scan(file) is None


@pytest.mark.django_db
def test_an_unreachable_clamd_refuses_the_upload_and_stores_nothing(
    professional_client, draft, settings, tmp_path
):
    settings.CLAMD_ADDRESS = str(tmp_path / "nobody-listens.sock")
    response = upload(professional_client, draft, ("chronology.pdf", files.pdf()))
    page = response.content.decode()
    assert (
        "‘chronology.pdf’ could not be checked for viruses at the moment. Try again later" in page
    )
    assert not Document.objects.exists()
    assert stored_files() == []
    refused = AuditEvent.objects.get(action="document.refused")
    assert refused.detail["reason"] == "scan_unavailable"


@pytest.mark.django_db
def test_a_clamd_that_hangs_up_is_unavailable_too(professional_client, draft, settings):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    settings.CLAMD_ADDRESS = f"127.0.0.1:{listener.getsockname()[1]}"
    settings.CLAMD_TIMEOUT_SECONDS = 1
    try:
        response = upload(professional_client, draft, ("chronology.pdf", files.pdf()))
    finally:
        listener.close()
    assert "could not be checked for viruses at the moment" in response.content.decode()
    assert not Document.objects.exists()


@pytest.mark.django_db
def test_infected_files_are_refused_and_audited_with_the_signature(professional_client, draft):
    response = upload(
        professional_client, draft, ("letter.docx", files.docx(extra_entries={"word/x.txt": EICAR}))
    )
    assert "‘letter.docx’ contains a virus. It has not been attached" in response.content.decode()
    refused = AuditEvent.objects.get(action="document.refused")
    assert refused.detail["reason"] == "virus"
    assert "EICAR" in refused.detail["finding"]


@pytest.mark.django_db
def test_with_scanning_off_the_pages_say_so(
    professional_client, draft, settings, mash_staff, run_tasks, run_pdf_tasks, tmp_path
):
    settings.VIRUS_SCAN = "off"
    page = professional_client.get(UPLOAD_URL.format(draft=draft)).content.decode()
    assert "Virus scanning is switched off on this copy of Front Door" in page
    assert (
        "has been uploaded"
        in upload(professional_client, draft, ("chronology.pdf", files.pdf())).content.decode()
    )
    assert Document.objects.get().scanned is False
    submission = send(professional_client, draft)
    staff_page = (
        client_for(mash_staff, run_tasks).get(f"/team/{submission.reference}/").content.decode()
    )
    assert "Virus scanning is switched off" in staff_page
    # The PDF copy of the sent form lists the documents by name.
    run_pdf_tasks()
    pdf = professional_client.get(f"/forms/sent/{submission.reference}/pdf/")
    assert "chronology.pdf" in pdf_text(b"".join(pdf.streaming_content), tmp_path)


def test_check_deploy_warns_when_scanning_is_off(settings):
    settings.VIRUS_SCAN = "off"
    with pytest.raises(SystemCheckError, match=r"documents\.W001"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")


@pytest.mark.django_db
def test_a_file_that_would_exhaust_memory_ends_the_checking_process_not_the_worker(
    professional_client, draft, settings
):
    # With the pixel limit lifted, decoding this PNG would need about 30 GB: the checking
    # process hits its own memory limit and the upload is refused; this process carries on.
    settings.DOCUMENT_MAX_PIXELS = 10**11
    response = upload(
        professional_client, draft, ("scan.png", files.png_claiming(100_000, 100_000))
    )
    assert "‘scan.png’ could not be checked" in response.content.decode()
    assert not Document.objects.exists()
    assert AuditEvent.objects.get(action="document.refused").detail["reason"] in (
        "too_complex",
        "damaged",
    )
