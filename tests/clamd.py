"""A real ClamAV clamd for the tests, with a local test signature database.

Debian's ClamAV ships no signatures and freshclam cannot fetch any here, so the database
is made from the EICAR test file: its SHA-256 (the file on its own) and a body signature
for its middle part (the string inside a PDF, or inside a .docx once clamd unzips it).
The EICAR string is put together at run time so that no scanner flags this repository.
"""

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

EICAR_BODY = "EICAR-STANDARD-ANTIVIRUS-TEST-FILE"
EICAR = ("X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + EICAR_BODY + "!$H+H*").encode()
assert len(EICAR) == 68


def start_clamd(socket_path: Path) -> subprocess.Popen[bytes]:
    folder = socket_path.parent
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "db").mkdir(parents=True)
    eicar = folder / "eicar.com"
    eicar.write_bytes(EICAR)
    hash_line = subprocess.run(
        ["sigtool", "--sha256", str(eicar)], capture_output=True, check=True, text=True
    ).stdout
    eicar.unlink()
    (folder / "db" / "test.hsb").write_text(hash_line)
    (folder / "db" / "test.ndb").write_text(f"Test.EICAR.Body:0:*:{EICAR_BODY.encode().hex()}\n")
    config = folder / "clamd.conf"
    config.write_text(
        f"DatabaseDirectory {folder / 'db'}\n"
        f"LocalSocket {socket_path}\n"
        "Foreground true\n"
        f"StreamMaxLength {settings.DOCUMENT_MAX_MB + 5}M\n"
        f"LogFile {folder / 'clamd.log'}\n"
    )
    process = subprocess.Popen(
        ["clamd", "-c", str(config)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not socket_path.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            log = (folder / "clamd.log").read_text() if (folder / "clamd.log").exists() else ""
            process.kill()
            raise RuntimeError(f"clamd did not start:\n{log}")
        time.sleep(0.1)
    return process


@pytest.fixture(scope="session", autouse=True)
def clamd() -> Iterator[str]:
    """clamd listening on settings.CLAMD_ADDRESS for the whole run; stored documents are
    removed at the end."""
    if shutil.which("clamd") is None:
        pytest.exit("The tests need ClamAV: apt-get install clamav clamav-daemon", returncode=1)
    socket_path = Path(settings.CLAMD_ADDRESS)
    process = start_clamd(socket_path)
    try:
        yield settings.CLAMD_ADDRESS
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(socket_path.parent, ignore_errors=True)
        documents = settings.STORAGES["documents"]
        if documents["BACKEND"].endswith("PrivateFileSystemStorage"):
            shutil.rmtree(documents["OPTIONS"]["location"], ignore_errors=True)
