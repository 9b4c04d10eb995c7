"""Supporting documents in a real browser: attach, remove, come back later, send, and the
team opens them; refusals named in the error summary; the public never see the section.

Every page visited is checked by axe-core (conftest.py). Files are built by the tests.
"""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from frontdoor.accounts.models import User
from frontdoor.documents.models import Document
from frontdoor.documents.tests import files
from tests.browser.conftest import CheckedPage
from tests.browser.test_referral_forms import (
    SOCIAL_CARE,
    SOCIAL_CARE_SECTIONS,
    continue_draft,
    error_summary,
    heading,
    send_and_find,
    sign_in,
    start_form,
    status_of,
    task_list,
)
from tests.clamd import EICAR

pytestmark = pytest.mark.browser

PDF_MIME = "application/pdf"


def chosen(name: str, data: bytes, mime: str = PDF_MIME) -> dict[str, Any]:
    return {"name": name, "mimeType": mime, "buffer": data}


def upload(web: CheckedPage, *chosen_files: dict[str, Any]) -> None:
    web.page.get_by_label("Upload a file").set_input_files(list(chosen_files))
    web.submit("Upload Document")


def listed(web: CheckedPage) -> Any:
    return web.main.locator(".govuk-summary-list .fd-file-name")


def test_a_professional_attaches_removes_recovers_and_sends_documents(
    web: CheckedPage,
    professional: User,
    mash_staff: User,
    run_tasks: Callable[[], None],
    tmp_path: Path,
) -> None:
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    draft_id = start_form(web, SOCIAL_CARE)
    web.follow("Supporting documentation", within=task_list(web))
    heading(web, "Supporting documentation")
    # What is accepted, and the limits, before a file is chosen.
    hint = web.main.locator("#documents-hint")
    expect(hint).to_contain_text("Word documents (.doc or .docx), PDFs, and JPG or PNG images")
    expect(hint).to_contain_text("smaller than 20MB")
    expect(hint).to_contain_text("up to 20 files")

    scanned_letter = files.image("PNG", (1240, 1754))
    upload(
        web,
        chosen("chronology.pdf", files.pdf("Chronology")),
        chosen(
            "assessment.docx",
            files.docx(),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        chosen("photo.jpg", files.image("JPEG", (800, 600)), "image/jpeg"),
        chosen("scanned letter.png", scanned_letter, "image/png"),
    )
    expect(web.page.get_by_role("alert")).to_contain_text("have been uploaded")
    expect(listed(web)).to_have_text(
        ["chronology.pdf", "assessment.docx", "photo.jpg", "scanned letter.png"]
    )

    web.submit("Remove photo.jpg")
    expect(web.page.get_by_role("alert")).to_contain_text("‘photo.jpg’ has been removed.")
    expect(listed(web)).to_have_text(["chronology.pdf", "assessment.docx", "scanned letter.png"])

    # Save and come back later; sign out; recover the draft: the documents are still there.
    web.submit("Save and come back later")
    heading(web, "Recover a form")
    web.submit("Sign out", within=web.header)
    sign_in(web, professional.email, run_tasks)
    web.follow("Recover a form", within=web.main)
    continue_draft(web, "No child's name yet")
    heading(web, SOCIAL_CARE)
    expect(status_of(web, "Supporting documentation")).to_have_text("Completed")
    web.follow("Supporting documentation", within=task_list(web))
    expect(listed(web)).to_have_text(["chronology.pdf", "assessment.docx", "scanned letter.png"])
    web.follow("Back to the form")

    for title, fill in SOCIAL_CARE_SECTIONS.items():
        if title == "Supporting documentation":
            continue
        web.follow(title, within=task_list(web))
        fill(web)
        heading(web, SOCIAL_CARE)

    web.follow("Check your answers", within=web.main)
    heading(web, "Check your answers before sending your form")
    expect(web.main).to_contain_text("scanned letter.png")
    reference = send_and_find(web, SOCIAL_CARE, professional, draft_id)
    assert Document.objects.filter(submission__reference=reference).count() == 3

    # The referrer's record of the sent form lists them.
    web.follow(reference, within=web.main)
    expect(listed(web)).to_have_text(["chronology.pdf", "assessment.docx", "scanned letter.png"])

    # The receiving team opens the form and downloads the scanned letter: the re-encoded
    # image, under its name, as an attachment.
    web.submit("Sign out", within=web.header)
    sign_in(web, mash_staff.email, run_tasks)
    web.goto(f"/team/{reference}/")
    heading(web, re.compile(SOCIAL_CARE))
    expect(listed(web)).to_have_text(["chronology.pdf", "assessment.docx", "scanned letter.png"])
    with web.page.expect_download() as download_info:
        web.main.get_by_role("link", name="scanned letter.png").click()
    download = download_info.value
    assert download.suggested_filename == "scanned letter.png"
    saved = tmp_path / "letter.png"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_hostile_and_oversized_files_are_refused_without_javascript(
    open_page: Callable[..., CheckedPage],
    professional: User,
    run_tasks: Callable[[], None],
    settings: Any,
) -> None:
    settings.DOCUMENT_MAX_MB = 1
    web = open_page(java_script_enabled=False)
    web.goto("/")
    sign_in(web, professional.email, run_tasks)
    start_form(web, SOCIAL_CARE)
    web.follow("Supporting documentation", within=task_list(web))
    upload(web, chosen("plan.pdf", files.pdf("Plan")))
    expect(listed(web)).to_have_text(["plan.pdf"])

    executable = b"MZ" + bytes(58) + (64).to_bytes(4, "little") + b"PE\0\0" + bytes(400)
    upload(
        web,
        chosen("huge.pdf", files.pdf_with_stream(b"0" * (1024 * 1024 + 1))),
        chosen("eicar.pdf", EICAR),
        chosen("invoice.pdf", executable),
    )
    summary = error_summary(web)
    expect(summary.get_by_role("link")).to_have_text(
        [
            re.compile(r"^‘huge.pdf’ must be smaller than 1MB"),
            re.compile(r"^‘eicar.pdf’ contains a virus"),
            re.compile(r"^‘invoice.pdf’ must be a Word document \(.doc or .docx\), a PDF"),
        ],
        use_inner_text=True,
    )
    # Nothing else is lost: the file attached before is still listed.
    expect(listed(web)).to_have_text(["plan.pdf"])


def test_a_member_of_the_public_has_no_way_to_upload(
    web: CheckedPage, member_of_public: User, run_tasks: Callable[[], None]
) -> None:
    web.goto("/")
    sign_in(web, member_of_public.email, run_tasks)
    start_form(web, SOCIAL_CARE)
    expect(task_list(web)).not_to_contain_text("Supporting documentation")
    expect(web.page.locator("input[type=file]")).to_have_count(0)
