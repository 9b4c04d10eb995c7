"""File names are data: stored under generated names, shown escaped and without invisible
format characters, downloaded under a safe name."""

import re

import pytest

from frontdoor.documents.models import Document
from frontdoor.documents.names import content_disposition, display_name, download_name
from frontdoor.documents.tests import files
from frontdoor.documents.tests.conftest import UPLOAD_URL, upload

RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: "photo\u202egpj.exe" shows as "photoexe.jpg"


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("../../x.pdf", "x.pdf"),
        ("..\\..\\windows\\x.pdf", "x.pdf"),
        ("CON.pdf", "CON.pdf"),
        (f"photo{RLO}gpj.exe", "photogpj.exe"),
        ("a\u200bb\u200d\ufeffc.pdf", "abc.pdf"),
        ("tab\tand\nnewline.pdf", "tab and newline.pdf"),
        ("   ", "document"),
        ("..", "document"),
        ("Ava’s plan.docx", "Ava’s plan.docx"),
    ],
)
def test_display_names(given, shown):
    assert display_name(given) == shown


def test_a_300_character_name_is_cut_keeping_its_extension():
    shown = display_name("a" * 300 + ".pdf")
    assert len(shown) <= 150
    assert shown.endswith("….pdf")


def test_download_names():
    assert download_name("CON.pdf", "pdf") == "_CON.pdf"
    assert download_name("lpt1", "png") == "_lpt1.png"
    assert download_name("scan.pdf", "png") == "scan.pdf.png"  # content decides
    assert download_name("photo.JPEG", "jpeg") == "photo.JPEG"
    assert download_name("photo.jpg", "jpeg") == "photo.jpg"
    assert download_name("letter", "docx") == "letter.docx"


def test_content_disposition_encodes_the_real_name():
    header = content_disposition('Ava "Smith"; plan ü.pdf')
    assert header.startswith('attachment; filename="Ava _Smith__ plan _.pdf"')
    assert "filename*=UTF-8''Ava%20%22Smith%22%3B%20plan%20%C3%BC.pdf" in header


@pytest.mark.django_db
def test_hostile_names_are_stored_safely_and_shown_escaped(professional_client, draft):
    names = [
        "../../x.pdf",
        "CON.pdf",
        "b" * 300 + ".pdf",
        f"report{RLO}fdp.exe.pdf",
        "<img src=x onerror=alert(1)>.pdf",
    ]
    for number, name in enumerate(names):
        page = upload(professional_client, draft, (name, files.pdf(f"Document {number}")))
        assert "has been uploaded" in page.content.decode()
    stored = list(Document.objects.order_by("uploaded_at"))
    assert [d.name for d in stored[:2]] == ["x.pdf", "CON.pdf"]
    assert len(stored[2].name) <= 150
    assert RLO not in stored[3].name
    for document in stored:
        # Our own name only: year/month/random hex, nothing of the name it was given.
        assert re.fullmatch(r"\d{4}/\d{2}/[0-9a-f]{32}", document.stored_as), document.stored_as
    page = professional_client.get(UPLOAD_URL.format(draft=draft)).content.decode()
    assert "<img src=x onerror" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;.pdf" in page
    assert RLO not in page
    response = professional_client.get(f"/forms/draft/{draft}/file/{stored[1].pk}/")
    assert 'filename="_CON.pdf"' in response["Content-Disposition"]
