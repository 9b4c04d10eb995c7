"""Files for the upload tests, built by the tests themselves (nothing hostile is committed)."""

import io
import zipfile

from PIL import Image
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from tests.clamd import EICAR


def pdf(text: str = "A chronology", pages: int = 1) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": text})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def pdf_with_stream(content: bytes) -> bytes:
    """A valid PDF whose page content stream holds `content` (uncompressed)."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    stream = DecodedStreamObject()
    stream.set_data(content)
    page[NameObject("/Contents")] = writer._add_object(stream)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def eicar_pdf() -> bytes:
    return pdf_with_stream(b"% " + EICAR + b"\n")


DOCX_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="{main}"/>'
    "{extra}</Types>"
)
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
DOCX_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx(
    text: str = "An assessment",
    *,
    main: str = DOCX_MAIN,
    extra_types: str = "",
    extra_entries: dict[str, bytes] | None = None,
) -> bytes:
    """A minimal Word document: Word and LibreOffice open it, `file` calls it Word 2007+."""
    body = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml", DOCX_CONTENT_TYPES.format(main=main, extra=extra_types)
        )
        archive.writestr("_rels/.rels", DOCX_RELS)
        archive.writestr("word/document.xml", body)
        for name, data in (extra_entries or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def image(kind: str = "PNG", size: tuple[int, int] = (64, 48), **save: object) -> bytes:
    picture = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    picture.save(out, kind, **save)
    return out.getvalue()
