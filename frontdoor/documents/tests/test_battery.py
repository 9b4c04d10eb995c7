"""The bad-input battery: files built by the tests (files.py), each uploaded through the
real view, the real examine.py process and the real clamd, and each either refused for
the right reason (the GOV.UK error summary names the file, the audit says why, nothing is
stored) or accepted as the right kind.

That each file really is what its case says is confirmed separately, by tools that are
not the portal's: Debian's `file`, qpdf, Info-ZIP's zipinfo and unzip, oletools (olevba),
msoffcrypto-tool and olefile. So a builder that drifted (a "PDF with JavaScript" whose
JavaScript qpdf cannot find, an "encrypted .doc" msoffcrypto calls plain) fails its
confirmation, and a refusal cannot pass for the wrong reason.
"""

import functools
import html
import io
import json
import os
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msoffcrypto
import olefile
import pytest
from django.conf import settings
from django.test import Client
from oletools.olevba import VBA_Parser
from PIL import Image

from frontdoor.audit.models import AuditEvent
from frontdoor.documents.models import Document
from frontdoor.documents.services import refusal_message
from frontdoor.documents.storage import documents_storage
from frontdoor.documents.tests import files
from frontdoor.documents.tests.conftest import upload
from tests.clamd import EICAR

Check = Callable[[Path], None]
PNG_END = b"\0\0\0\0IEND\xaeB`\x82"


@dataclass(frozen=True)
class Case:
    id: str
    name: str  # the file's name as uploaded
    build: Callable[[], bytes]
    confirm: tuple[Check, ...]  # independent tools agree the file is what `id` says
    kind: str | None = None  # accepted as this kind...
    saved_as: str = ""  # ...and downloaded under this name
    reason: str | None = None  # or refused for this reason
    stored: Check | None = None  # more checks of the stored copy of an accepted file


# --- Independent confirmations -------------------------------------------------------------


def run(*command: str | Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(part) for part in command], capture_output=True, check=False)


def file_says(mime: str, *words: str) -> Check:
    """Debian's `file`: this MIME type, and these words in its description."""

    def check(path: Path) -> None:
        assert run("file", "--mime-type", "-b", path).stdout.decode().strip() == mime
        description = run("file", "-b", path).stdout.decode()
        for word in words:
            assert word in description, description

    check.__name__ = f"file_says_{mime}"
    return check


def qpdf_status(option: str, expected: int) -> Check:
    """qpdf's exit status for --check (0 good, 2 errors), --is-encrypted (0 yes, 2 no) or
    --requires-password (0 yes, 2 not encrypted, 3 encrypted but opens without one)."""

    def check(path: Path) -> None:
        done = run("qpdf", option, path)
        assert done.returncode == expected, (done.stdout + done.stderr).decode()

    check.__name__ = f"qpdf{option}_{expected}"
    return check


QPDF_VALID = (qpdf_status("--check", 0), qpdf_status("--is-encrypted", 2))


def qpdf_objects(path: Path) -> dict[str, Any]:
    done = run("qpdf", "--json=2", "--json-key=qpdf", path)
    assert done.returncode == 0, done.stderr.decode()
    objects: dict[str, Any] = json.loads(done.stdout)["qpdf"][1]
    return objects


def qpdf_finds(*keys: str | int, value: str) -> Check:
    """qpdf parses the file, and following `keys` from the trailer (through indirect
    references) reaches `value`: where an action is, and what kind of action it is."""

    def check(path: Path) -> None:
        objects = qpdf_objects(path)
        here: Any = objects["trailer"]["value"]
        for key in keys:
            if isinstance(here, str) and here.endswith(" R"):
                here = objects[f"obj:{here}"]["value"]
            here = here[key]
        assert here == value

    check.__name__ = "qpdf_finds_" + "_".join(str(key) for key in keys)
    return check


def qpdf_lists_attachment(name: str) -> Check:
    """qpdf finds a file attached inside the PDF."""

    def check(path: Path) -> None:
        done = run("qpdf", "--list-attachments", path)
        assert done.returncode == 0
        assert name in done.stdout.decode()

    check.__name__ = f"qpdf_lists_attachment_{name}"
    return check


def qpdf_page_content_has_eicar(path: Path) -> None:
    objects = qpdf_objects(path)
    root = objects[f"obj:{objects['trailer']['value']['/Root']}"]["value"]
    pages = objects[f"obj:{root['/Pages']}"]["value"]
    page = objects[f"obj:{pages['/Kids'][0]}"]["value"]
    number = page["/Contents"].split()[0]
    done = run("qpdf", f"--show-object={number}", "--filtered-stream-data", path)
    assert done.returncode == 0
    assert EICAR in done.stdout


def zipinfo_totals(path: Path) -> tuple[int, int, int]:
    """Entries, bytes when unpacked and bytes packed, by Info-ZIP's zipinfo."""
    done = run("zipinfo", "-t", path)
    match = re.search(
        rb"(\d+) files?, (\d+) bytes uncompressed, (\d+) bytes compressed", done.stdout
    )
    assert match, done.stdout + done.stderr
    entries, unpacked, packed = (int(group) for group in match.groups())
    return entries, unpacked, packed


def zip_unpacks_to_more_than(megabytes: int, ratio: int) -> Check:
    def check(path: Path) -> None:
        _, unpacked, packed = zipinfo_totals(path)
        assert unpacked > megabytes * 1024 * 1024
        assert unpacked > ratio * packed

    return check


def zip_has_more_entries_than(count: int) -> Check:
    def check(path: Path) -> None:
        assert zipinfo_totals(path)[0] > count

    return check


def unzip_shows(entry: str, text: str) -> Check:
    """Info-ZIP's unzip prints this entry, and it holds `text`."""

    def check(path: Path) -> None:
        done = run("unzip", "-p", path, entry)
        assert done.returncode == 0
        assert text in done.stdout.decode()

    check.__name__ = f"unzip_shows_{text}"
    return check


def ole_has_storage(name: str) -> Check:
    def check(path: Path) -> None:
        import olefile

        with olefile.OleFileIO(str(path)) as ole:
            assert any(name in entry for entry in ole.listdir(streams=True, storages=True))

    check.__name__ = f"ole_has_storage_{name}"
    return check


def mpo_pictures(path: Path) -> None:
    assert (
        "MPO" in run("file", "-b", path).stdout.decode()
        or path.read_bytes().count(b"\xff\xd8") >= 2
    )
    with Image.open(path) as picture:
        assert picture.format == "MPO"
        assert picture.n_frames == 2


def has_icc_payload(path: Path) -> None:
    with Image.open(path) as picture:
        assert picture.info["icc_profile"].startswith(b"ICCSECRET")


def no_icc_profile(path: Path) -> None:
    assert b"ICCSECRET" not in path.read_bytes()
    with Image.open(path) as picture:
        assert "icc_profile" not in picture.info


def zip_lists(name: str, present: bool = True) -> Check:
    def check(path: Path) -> None:
        names = run("zipinfo", "-1", path).stdout.decode().split()
        assert (name in names) is present, names

    check.__name__ = f"zip_lists_{name}_{present}"
    return check


def unzip_gives_eicar(entry: str) -> Check:
    def check(path: Path) -> None:
        assert run("unzip", "-p", path, entry).stdout == EICAR

    return check


def olevba_macros(expected: bool) -> Check:
    def check(path: Path) -> None:
        parser = VBA_Parser(str(path))
        try:
            assert parser.detect_vba_macros() is expected
        finally:
            parser.close()

    check.__name__ = f"olevba_macros_{expected}"
    return check


def msoffcrypto_encrypted(expected: bool) -> Check:
    def check(path: Path) -> None:
        with path.open("rb") as file:
            assert msoffcrypto.OfficeFile(file).is_encrypted() is expected

    check.__name__ = f"msoffcrypto_encrypted_{expected}"
    return check


def ole_word_fib(encrypted: bool) -> Check:
    """olefile finds a WordDocument stream whose FIB starts with wIdent 0xA5EC and whose
    fEncrypted flag (bit 8 of the flags at offset 10) is as expected."""

    def check(path: Path) -> None:
        with olefile.OleFileIO(str(path)) as ole:
            assert ole.root.clsid == files.WORD_CLSID.upper()
            fib = ole.openstream("WordDocument").read(12)
        assert int.from_bytes(fib[0:2], "little") == 0xA5EC
        assert bool(int.from_bytes(fib[10:12], "little") & 0x0100) is encrypted

    return check


def ole_without_word_document(path: Path) -> None:
    with olefile.OleFileIO(str(path)) as ole:
        assert not ole.exists("WordDocument")
        assert ole.exists("Workbook")
        assert ole.root.clsid == files.EXCEL_CLSID.upper()


def exif_with_gps(path: Path) -> None:
    with Image.open(path) as picture:
        exif = picture.getexif()
        assert exif.get_ifd(0x8825)  # GPS
        assert exif[0x0112] == 6


def unzip_lists_html(path: Path) -> None:
    done = run("unzip", "-l", path)
    assert b"index.html" in done.stdout, done.stdout + done.stderr


# --- Checks of what was stored -------------------------------------------------------------


def no_metadata(path: Path) -> None:
    data = path.read_bytes()
    assert "Exif" not in run("file", "-b", path).stdout.decode()
    for marker in (b"Exif", b"GPS", b"xmpmeta", b"Front Door Test Camera"):
        assert marker not in data
    with Image.open(path) as picture:
        assert not picture.getexif()
        assert "xmp" not in picture.info
        assert picture.size == (48, 64)  # turned upright: it was taken on its side


def nothing_after_iend(path: Path) -> None:
    data = path.read_bytes()
    assert data.endswith(PNG_END)
    assert data.count(b"IEND") == 1
    assert b"PK\x03\x04" not in data
    assert run("unzip", "-l", path).returncode != 0  # no zip in it any more


# --- The battery ---------------------------------------------------------------------------

PNG_OVER_LIMIT = (10_000, settings.DOCUMENT_MAX_PIXELS // 10_000 + 1)
WORD_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ROOT_PAGE = ("/Root", "/Pages", "/Kids", 0)

CASES = [
    # PDF
    Case(
        "good-pdf",
        "chronology.pdf",
        files.pdf,
        (file_says("application/pdf", "PDF document"), *QPDF_VALID),
        kind="pdf",
        saved_as="chronology.pdf",
    ),
    Case(
        "pdf-needs-a-password",
        "locked.pdf",
        lambda: files.encrypted_pdf("Riverside-1", "owner-secret"),
        (file_says("application/pdf"), qpdf_status("--requires-password", 0)),
        reason="encrypted",
    ),
    Case(
        # Only an owner password (permissions: print only): it opens without a password,
        # so the council can read it. Decided: accepted, kept as it is.
        "pdf-owner-password-only-aes256",
        "permissions.pdf",
        lambda: files.encrypted_pdf("", "owner-secret"),
        (
            qpdf_status("--is-encrypted", 0),
            qpdf_status("--requires-password", 3),
            qpdf_status("--check", 0),
        ),
        kind="pdf",
        saved_as="permissions.pdf",
    ),
    Case(
        "pdf-owner-password-only-rc4",
        "permissions-rc4.pdf",
        lambda: files.encrypted_pdf("", "owner-secret", algorithm="RC4-128"),
        (
            qpdf_status("--is-encrypted", 0),
            qpdf_status("--requires-password", 3),
            qpdf_status("--check", 0),
        ),
        kind="pdf",
        saved_as="permissions-rc4.pdf",
    ),
    Case(
        "pdf-with-an-attached-executable",
        "care-plan.pdf",
        lambda: files.pdf_with_attachment("setup.exe", b"MZ" + bytes(100)),
        (*QPDF_VALID, qpdf_lists_attachment("setup.exe")),
        reason="active_content",
    ),
    Case(
        "pdf-javascript-open-action",
        "referral-form.pdf",
        lambda: files.pdf_with_action("open"),
        (*QPDF_VALID, qpdf_finds("/Root", "/OpenAction", "/S", value="/JavaScript")),
        reason="active_content",
    ),
    Case(
        "pdf-javascript-chained-after-go-to",
        "referral-form.pdf",
        lambda: files.pdf_with_action("open_next"),
        (
            *QPDF_VALID,
            qpdf_finds("/Root", "/OpenAction", "/S", value="/GoTo"),
            qpdf_finds("/Root", "/OpenAction", "/Next", "/S", value="/JavaScript"),
        ),
        reason="active_content",
    ),
    Case(
        "pdf-document-javascript",
        "referral-form.pdf",
        lambda: files.pdf_with_action("names"),
        (
            *QPDF_VALID,
            qpdf_finds("/Root", "/Names", "/JavaScript", "/Names", 1, "/S", value="/JavaScript"),
        ),
        reason="active_content",
    ),
    Case(
        "pdf-link-launches-program",
        "referral-form.pdf",
        lambda: files.pdf_with_action("launch"),
        (*QPDF_VALID, qpdf_finds(*ROOT_PAGE, "/Annots", 0, "/A", "/S", value="/Launch")),
        reason="active_content",
    ),
    Case(
        "pdf-javascript-bookmark",
        "referral-form.pdf",
        lambda: files.pdf_with_action("bookmark"),
        (
            *QPDF_VALID,
            qpdf_finds("/Root", "/Outlines", "/First", "/A", "/S", value="/JavaScript"),
        ),
        reason="active_content",
    ),
    Case(
        "pdf-form-field-script",
        "referral-form.pdf",
        lambda: files.pdf_with_action("form_field"),
        (
            *QPDF_VALID,
            qpdf_finds("/Root", "/AcroForm", "/Fields", 0, "/AA", "/C", "/S", value="/JavaScript"),
        ),
        reason="active_content",
    ),
    Case(
        "pdf-page-open-script",
        "referral-form.pdf",
        lambda: files.pdf_with_action("page_aa"),
        (*QPDF_VALID, qpdf_finds(*ROOT_PAGE, "/AA", "/O", "/S", value="/JavaScript")),
        reason="active_content",
    ),
    Case(
        "pdf-page-open-sends-form",
        "referral-form.pdf",
        lambda: files.pdf_with_action("page_aa_submit"),
        (*QPDF_VALID, qpdf_finds(*ROOT_PAGE, "/AA", "/O", "/S", value="/SubmitForm")),
        reason="active_content",
    ),
    Case(
        "pdf-header-only",
        "chronology.pdf",
        lambda: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        (file_says("application/pdf", "PDF document, version 1.7"), qpdf_status("--check", 2)),
        reason="damaged",
    ),
    Case(
        "pdf-cut-in-half",
        "chronology.pdf",
        files.pdf_cut_in_half,
        (file_says("application/pdf", "PDF document"), qpdf_status("--check", 2)),
        reason="damaged",
    ),
    Case(
        # The EICAR test file on its own is 68 ASCII characters, text to libmagic (examine
        # would say "type"), but clamd is asked first (services.attach), so it is named as
        # the virus it stands for. The next two hide it inside files that are otherwise good.
        "eicar-named-pdf",
        "letter.pdf",
        lambda: EICAR,
        (file_says("text/plain", "EICAR virus test files"),),
        reason="virus",
    ),
    Case(
        "eicar-inside-valid-pdf",
        "letter.pdf",
        files.eicar_pdf,
        (*QPDF_VALID, qpdf_page_content_has_eicar),
        reason="virus",
    ),
    Case(
        "windows-executable-named-pdf",
        "invoice.pdf",
        files.windows_executable,
        (
            file_says(
                "application/vnd.microsoft.portable-executable",
                "PE32 executable (console) Intel 80386, for MS Windows",
            ),
        ),
        reason="type",
    ),
    Case(
        "linux-executable-named-pdf",
        "invoice.pdf",
        files.elf_executable,
        (file_says("application/x-executable", "ELF 64-bit LSB executable, x86-64"),),
        reason="type",
    ),
    Case("empty", "notes.pdf", lambda: b"", (file_says("inode/x-empty"),), reason="empty"),
    Case(
        "svg-named-png",
        "photo.png",
        files.svg,
        (file_says("image/svg+xml", "SVG Scalable Vector Graphics image"),),
        reason="type",
    ),
    Case(
        "html-named-pdf",
        "report.pdf",
        files.html,
        (file_says("text/html", "HTML document"),),
        reason="type",
    ),
    Case(
        "png-named-pdf",
        "scan.pdf",
        files.image,
        (file_says("image/png", "PNG image data, 64 x 48"),),
        kind="png",
        saved_as="scan.pdf.png",
    ),
    # Word 2007+ (.docx)
    Case(
        "good-docx",
        "assessment.docx",
        files.docx,
        (file_says(WORD_MIME, "Microsoft Word 2007+"), olevba_macros(False)),
        kind="docx",
        saved_as="assessment.docx",
    ),
    Case(
        "docm-named-docx",
        "assessment.docx",
        files.docm,
        (
            file_says(WORD_MIME, "Microsoft Word 2007+"),
            zip_lists("word/vbaProject.bin"),
            olevba_macros(True),
        ),
        reason="macros",
    ),
    Case(
        "docx-embedding-doc-with-macros",
        "assessment.docx",
        files.docx_with_embedded_macros,
        (
            file_says(WORD_MIME, "Microsoft Word 2007+"),
            zip_lists("word/vbaProject.bin", present=False),
            olevba_macros(True),
        ),
        reason="macros",
    ),
    Case(
        "docx-with-password",
        "assessment.docx",
        lambda: files.encrypted_docx("Riverside-1"),
        (file_says("application/encrypted", "CDFV2 Encrypted"), msoffcrypto_encrypted(True)),
        reason="encrypted",
    ),
    Case(
        "docx-zip-bomb-400mb",
        "assessment.docx",
        lambda: files.docx_with_zeros(400),
        (
            file_says(WORD_MIME, "Microsoft Word 2007+"),
            zip_unpacks_to_more_than(300, ratio=500),
        ),
        reason="zip_bomb",
    ),
    Case(
        # Under the 300 MB a document may unpack to, but one entry is 1000 to 1.
        "docx-zip-bomb-ratio",
        "assessment.docx",
        lambda: files.docx_with_zeros(20),
        (file_says(WORD_MIME, "Microsoft Word 2007+"), zip_unpacks_to_more_than(20, ratio=500)),
        reason="zip_bomb",
    ),
    Case(
        # 310 entries of exactly 1 MB each: none is big enough for the ratio rule, all
        # together unpack to more than 300 MB.
        "docx-zip-bomb-310-entries-of-1mb",
        "assessment.docx",
        lambda: files.docx_with_zeros(1, entries=310),
        (
            file_says(WORD_MIME, "Microsoft Word 2007+"),
            zip_unpacks_to_more_than(300, ratio=500),
            zip_has_more_entries_than(310),
        ),
        reason="zip_bomb",
    ),
    Case(
        "docx-2001-entries",
        "assessment.docx",
        lambda: files.docx_with_many_entries(2001),
        (file_says(WORD_MIME, "Microsoft Word 2007+"), zip_has_more_entries_than(2000)),
        reason="zip_bomb",
    ),
    Case(
        "zip-named-docx",
        "assessment.docx",
        files.plain_zip,
        (file_says("application/zip", "Zip archive data"), zip_lists("word/document.xml", False)),
        reason="type",
    ),
    Case(
        "eicar-inside-docx",
        "assessment.docx",
        lambda: files.docx(extra_entries={"word/media/note.txt": EICAR}),
        (file_says(WORD_MIME, "Microsoft Word 2007+"), unzip_gives_eicar("word/media/note.txt")),
        reason="virus",
    ),
    Case(
        "text-named-docx",
        "assessment.docx",
        lambda: b"An assessment, typed in Notepad.\n",
        (file_says("text/plain", "ASCII text"),),
        reason="type",
    ),
    # Word 97-2003 (.doc)
    Case(
        "good-doc",
        "old-assessment.doc",
        files.doc,
        (
            file_says("application/msword", "CDFV2 Microsoft Word"),
            ole_word_fib(encrypted=False),
            olevba_macros(False),
            msoffcrypto_encrypted(False),
        ),
        kind="doc",
        saved_as="old-assessment.doc",
    ),
    Case(
        "docx-external-template",
        "assessment.docx",
        lambda: files.docx_with_relationship("attachedTemplate", "http://example.invalid/t.dotm"),
        (
            file_says(WORD_MIME, "Microsoft Word 2007+"),
            unzip_shows("word/_rels/document.xml.rels", "attachedTemplate"),
        ),
        reason="active_content",
    ),
    Case(
        "docx-remote-ole-object",
        "assessment.docx",
        lambda: files.docx_with_relationship("oleObject", "mhtml:http://example.invalid/x!x"),
        (
            file_says(WORD_MIME, "Microsoft Word 2007+"),
            unzip_shows("word/_rels/document.xml.rels", "oleObject"),
        ),
        reason="active_content",
    ),
    Case(
        "docx-carrying-a-program",
        "assessment.docx",
        files.docx_with_program,
        (file_says(WORD_MIME, "Microsoft Word 2007+"), zip_lists("word/embeddings/setup.exe")),
        reason="active_content",
    ),
    Case(
        "docx-with-a-web-link",
        "assessment.docx",
        lambda: files.docx_with_relationship("hyperlink", "https://www.example.gov.uk/"),
        (
            file_says(WORD_MIME, "Microsoft Word 2007+"),
            unzip_shows("word/_rels/document.xml.rels", "hyperlink"),
        ),
        kind="docx",
        saved_as="assessment.docx",
    ),
    Case(
        "doc-with-an-embedded-object",
        "old-assessment.doc",
        files.doc_with_ole_object,
        (file_says("application/msword", "CDFV2 Microsoft Word"), ole_has_storage("ObjectPool")),
        reason="active_content",
    ),
    Case(
        "doc-with-macros",
        "old-assessment.doc",
        lambda: files.doc(macros=True),
        (file_says("application/msword", "CDFV2 Microsoft Word"), olevba_macros(True)),
        reason="macros",
    ),
    Case(
        "doc-with-password",
        "old-assessment.doc",
        lambda: files.doc(encrypted=True),
        (
            file_says("application/msword", "CDFV2 Microsoft Word"),
            ole_word_fib(encrypted=True),
            msoffcrypto_encrypted(True),
        ),
        reason="encrypted",
    ),
    Case(
        "excel-named-doc",
        "old-assessment.doc",
        files.excel_workbook,
        (file_says("application/vnd.ms-excel", "CDFV2 Microsoft Excel"), ole_without_word_document),
        reason="type",
    ),
    Case(
        "rtf-named-doc",
        "old-assessment.doc",
        files.rtf,
        (file_says("text/rtf", "Rich Text Format data"),),
        reason="type",
    ),
    # Images
    Case(
        "good-jpg",
        "photo.jpg",
        lambda: files.image("JPEG"),
        (file_says("image/jpeg", "JPEG image data"),),
        kind="jpeg",
        saved_as="photo.jpg",
    ),
    Case(
        "good-png",
        "photo.png",
        files.image,
        (file_says("image/png", "PNG image data, 64 x 48"),),
        kind="png",
        saved_as="photo.png",
    ),
    Case(
        "camera-jpg-with-a-second-picture",
        "photo.jpg",
        files.mpo_photo,
        (mpo_pictures,),
        kind="jpeg",
        saved_as="photo.jpg",
    ),
    Case(
        "jpg-with-a-colour-profile-carrying-data",
        "photo.jpg",
        files.jpeg_with_icc_payload,
        (file_says("image/jpeg", "JPEG image data"), has_icc_payload),
        kind="jpeg",
        saved_as="photo.jpg",
        stored=no_icc_profile,
    ),
    Case(
        "jpg-with-gps-location",
        "photo.jpg",
        files.jpeg_with_location,
        (file_says("image/jpeg", "Exif Standard", "GPS-Data"), exif_with_gps),
        kind="jpeg",
        saved_as="photo.jpg",
        stored=no_metadata,
    ),
    Case(
        "png-with-zip-after-iend",
        "photo.png",
        files.png_with_trailer,
        (file_says("image/png", "PNG image data, 64 x 48"), unzip_lists_html),
        kind="png",
        saved_as="photo.png",
        stored=nothing_after_iend,
    ),
    Case(
        "png-claiming-100000x100000",
        "photo.png",
        lambda: files.png_claiming(100_000, 100_000),
        (file_says("image/png", "PNG image data, 100000 x 100000"),),
        reason="too_many_pixels",
    ),
    Case(
        "png-just-over-pixel-limit",
        "photo.png",
        lambda: files.png_claiming(*PNG_OVER_LIMIT),
        (file_says("image/png", "PNG image data, {} x {}".format(*PNG_OVER_LIMIT)),),
        reason="too_many_pixels",
    ),
    Case(
        "gif",
        "drawing.gif",
        lambda: files.image("GIF"),
        (file_says("image/gif", "GIF image data"),),
        reason="type",
    ),
]


@functools.cache
def built(case: Case) -> bytes:
    return case.build()


def test_the_battery_is_big_enough_and_each_case_decided() -> None:
    assert len(CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)
    for case in CASES:
        assert (case.kind is None) != (case.reason is None), case.id
        assert bool(case.saved_as) is (case.kind is not None), case.id
        assert case.confirm, case.id


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_file_is_what_it_claims(case: Case, tmp_path: Path) -> None:
    path = tmp_path / case.name
    path.write_bytes(built(case))
    for check in case.confirm:
        check(path)


def stored_files() -> set[str]:
    """Every file in the documents storage folder, as storage names."""
    root = Path(settings.STORAGES["documents"]["OPTIONS"]["location"])
    return {
        Path(folder, name).relative_to(root).as_posix()
        for folder, _, names in os.walk(root)
        for name in names
    }


def error_summary(page: str) -> list[str]:
    summary = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', page, re.S)
    assert summary, page[:3000]
    return [html.unescape(item) for item in re.findall(r"<a [^>]*>(.*?)</a>", summary.group(1))]


@pytest.mark.django_db
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
def test_each_file_is_refused_for_the_right_reason_or_accepted(
    case: Case, professional_client: Client, draft: int, tmp_path: Path
) -> None:
    data = built(case)
    before = stored_files()
    response = upload(professional_client, draft, (case.name, data))
    if case.reason is not None:
        # The section page again (after the redirect), with the error summary.
        assert response.status_code == 200, response.content.decode()[:3000]
        errors = error_summary(response.content.decode())
        assert errors == [refusal_message(case.name, case.reason)]
        assert f"‘{case.name}’" in errors[0]
        event = AuditEvent.objects.get(action="document.refused")
        assert event.detail["reason"] == case.reason
        assert case.name not in json.dumps(event.detail)  # the name may name a child
        if case.reason == "virus":
            assert "EICAR" in event.detail["finding"]  # clamd found it, and said what
        assert Document.objects.count() == 0
        assert stored_files() == before
        return
    assert f"‘{case.name}’ has been uploaded." in response.content.decode(), error_summary(
        response.content.decode()
    )
    assert not AuditEvent.objects.filter(action="document.refused").exists()
    document = Document.objects.get()
    assert (document.kind, document.name) == (case.kind, case.name)
    assert stored_files() == before | {document.stored_as}
    with documents_storage().open(document.stored_as, "rb") as file:
        stored = file.read()
    if case.kind in ("jpeg", "png"):
        # The re-encoded copy is kept: only its pixels (checked further by `case.stored`).
        with Image.open(io.BytesIO(stored)) as picture:
            assert picture.format == {"jpeg": "JPEG", "png": "PNG"}[case.kind]
            picture.load()
    else:
        assert stored == data
    download = professional_client.get(f"/forms/draft/{draft}/file/{document.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == stored
    assert download["Content-Type"] == document.mime_type
    assert download["Content-Disposition"].endswith(f"filename*=UTF-8''{case.saved_as}")
    if case.stored is not None:
        path = tmp_path / "stored"
        path.write_bytes(stored)
        case.stored(path)
