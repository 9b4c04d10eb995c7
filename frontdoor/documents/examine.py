"""Decide what an uploaded file really is, and whether the council can open it safely.

Run as its own process (`checks.examine` starts it), never inside a web worker: it limits
its own memory, CPU time and output size before it reads a byte, so a hostile file (a zip
bomb, a decompression bomb, a parser crash) ends this process, not the portal. It imports
no Django, so it starts quickly.

    python -I examine.py FILE CLEANED_FILE MAX_PIXELS

prints one line of JSON: {"kind": "pdf" | "docx" | "doc" | "jpeg" | "png" | null,
"reason": null or why the file is refused, "cleaned": true when CLEANED_FILE holds the
re-encoded image to keep instead of FILE}.
"""

import json
import resource
import sys
import zipfile
from typing import Any

# Limits for this process, set before the file is opened.
MEMORY_BYTES = 1024 * 1024 * 1024
CPU_SECONDS = 30
OUTPUT_BYTES = 256 * 1024 * 1024

# A Word document is a zip: bounded in entries and in what it unpacks to (no zip bombs).
DOCX_MAX_ENTRIES = 2000
DOCX_MAX_UNZIPPED = 300 * 1024 * 1024
DOCX_MAX_RATIO = 200  # uncompressed / compressed, for any entry over 1 MB unpacked
DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_MARKERS = ("vbaproject", "vbadata", "macroenabled", "activex")

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
VBA_STORAGES = ("macros", "_vba_project_cur", "vba", "_vba_project")

WORD_MIMES = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/zip",
    "application/msword",
    "application/x-ole-storage",
    "application/cdfv2",
    "application/vnd.ms-office",
    "application/encrypted",
}


class Refused(Exception):
    def __init__(self, reason: str, kind: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind


def main(argv: list[str]) -> int:
    path, cleaned_path, max_pixels = argv[1], argv[2], int(argv[3])
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
    resource.setrlimit(resource.RLIMIT_FSIZE, (OUTPUT_BYTES, OUTPUT_BYTES))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        kind, cleaned = examine(path, cleaned_path, max_pixels)
        result: dict[str, Any] = {"kind": kind, "reason": None, "cleaned": cleaned}
    except Refused as refused:
        result = {"kind": refused.kind, "reason": refused.reason, "cleaned": False}
    except MemoryError:
        result = {"kind": None, "reason": "too_complex", "cleaned": False}
    print(json.dumps(result))
    return 0


def examine(path: str, cleaned_path: str, max_pixels: int) -> tuple[str, bool]:
    import magic

    with open(path, "rb") as file:
        head = file.read(8)
    if not head:
        raise Refused("empty")
    mime = magic.from_file(path, mime=True).lower()
    if mime == "application/pdf":
        check_pdf(path)
        return "pdf", False
    if mime in ("image/jpeg", "image/png"):
        return reencode_image(path, cleaned_path, mime, max_pixels), True
    if head.startswith(OLE_MAGIC):
        return check_ole(path), False
    if head.startswith(b"PK\x03\x04") and mime in WORD_MIMES:
        check_docx(path)
        return "docx", False
    raise Refused("type")


def check_pdf(path: str) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        reader = PdfReader(path)
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # permissions only: it opens without a password
            except Exception:
                raise Refused("encrypted", "pdf") from None
            if not opened:
                raise Refused("encrypted", "pdf")
        pages = reader.pages
        if len(pages) == 0:
            raise Refused("damaged", "pdf")
        root: Any = reader.trailer["/Root"].get_object()
        names: Any = root.get("/Names")
        if names is not None and "/JavaScript" in names.get_object():
            raise Refused("active_content", "pdf")
        for page in pages:
            page.mediabox  # noqa: B018 - every page must parse
        if _runs_something(root):
            raise Refused("active_content", "pdf")
    except Refused:
        raise
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, OSError):
        raise Refused("damaged", "pdf") from None
    except RecursionError:
        raise Refused("damaged", "pdf") from None


# Keys that run something or carry something else: additional actions (run on events),
# JavaScript, attached files, XFA forms (scripts in XML) and rich media (Flash, video).
HIDDEN_CONTENT = ("/AA", "/JS", "/EmbeddedFiles", "/EmbeddedFile", "/XFA", "/RichMedia")
# Actions that run, open or send something (a web link, /URI, is allowed): a go-to into
# another file (/GoToR to a network share leaks Windows credentials), form submission,
# data import, media.
RISKY_ACTIONS = (
    "/JavaScript",
    "/Launch",
    "/GoToR",
    "/GoToE",
    "/SubmitForm",
    "/ImportData",
    "/Rendition",
    "/Movie",
    "/Sound",
)


def _runs_something(root: Any) -> bool:
    """Whether anything reachable from the document catalogue runs something: an action
    that is JavaScript or launches a program, additional actions (/AA, run on events), or
    content the council should not open unseen (attached files, XFA forms, rich media).
    Every object is looked at, not only the usual places (opening action, pages, links):
    actions also hide in bookmarks, form fields and chains of actions (/Next)."""
    from pypdf.generic import IndirectObject

    seen: set[tuple[int, int]] = set()
    pending: list[Any] = [root]
    while pending:
        value = pending.pop()
        if isinstance(value, IndirectObject):
            if (value.idnum, value.generation) in seen:
                continue
            seen.add((value.idnum, value.generation))
            value = value.get_object()
        if isinstance(value, dict):
            if any(key in value for key in HIDDEN_CONTENT):
                return True
            if str(value.get("/S")) in RISKY_ACTIONS:
                return True
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


def check_docx(path: str) -> None:
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise Refused("damaged", "docx") from None
    with archive:
        entries = archive.infolist()
        if len(entries) > DOCX_MAX_ENTRIES:
            raise Refused("zip_bomb", "docx")
        names = {entry.filename.lower() for entry in entries}
        if "[content_types].xml" not in names or "word/document.xml" not in names:
            raise Refused("type")
        if any(entry.flag_bits & 0x1 for entry in entries):
            raise Refused("encrypted", "docx")
        declared = sum(entry.file_size for entry in entries)
        if declared > DOCX_MAX_UNZIPPED:
            raise Refused("zip_bomb", "docx")
        for entry in entries:
            big = entry.file_size > 1024 * 1024
            if big and entry.file_size > DOCX_MAX_RATIO * max(entry.compress_size, 1):
                raise Refused("zip_bomb", "docx")
        if any(marker in name for name in names for marker in MACRO_MARKERS):
            raise Refused("macros", "docx")
        content_types = _read_bounded(archive, "[Content_Types].xml", 1024 * 1024).lower()
        if any(marker.encode() in content_types for marker in MACRO_MARKERS):
            raise Refused("macros", "docx")
        if DOCX_MAIN.encode() not in content_types:
            raise Refused("type")
        # Unpack every entry (bounded), which proves the CRCs and the real sizes, and look
        # inside embedded OLE objects for macros.
        total = 0
        for entry in entries:
            if entry.is_dir():
                continue
            try:
                with archive.open(entry) as member:
                    first = member.read(8)
                    total += len(first)
                    while chunk := member.read(1024 * 1024):
                        total += len(chunk)
                        if total > DOCX_MAX_UNZIPPED:
                            raise Refused("zip_bomb", "docx")
                if first == OLE_MAGIC and _ole_has_macros(archive.read(entry)):
                    raise Refused("macros", "docx")
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
                raise Refused("damaged", "docx") from None
        if _docx_loads_or_carries_something(archive, entries):
            raise Refused("active_content", "docx")


# Relationships that make Word load or run something: OLE objects (which can carry any
# program), imported chunks (HTML, MHT, RTF), templates (which bring macros), subdocuments
# and frames. Links to anything outside the file but web links count too.
RISKY_RELATIONSHIPS = ("/oleobject", "/afchunk", "/attachedtemplate", "/subdocument", "/frame")
EMBEDDED_OK = (".xlsx", ".docx", ".pptx", ".png", ".jpeg", ".jpg", ".gif", ".emf", ".wmf")


def _docx_loads_or_carries_something(
    archive: zipfile.ZipFile, entries: list[zipfile.ZipInfo]
) -> bool:
    from xml.etree import ElementTree

    for entry in entries:
        name = entry.filename.lower()
        if "/embeddings/" in f"/{name}" and not name.endswith(EMBEDDED_OK):
            return True  # a program or an OLE object packed inside the document
        if not name.endswith(".rels"):
            continue
        data = _read_bounded(archive, entry.filename, 4 * 1024 * 1024)
        if b"<!doctype" in data.lower():
            raise Refused("damaged", "docx")  # Office never writes one: no entity tricks
        try:
            # No DTD, so no entities to expand; this process's limits bound the rest.
            rels = ElementTree.fromstring(data)  # noqa: S314
        except ElementTree.ParseError:
            raise Refused("damaged", "docx") from None
        for rel in rels:
            kind = rel.get("Type", "").lower()
            if kind.endswith(RISKY_RELATIONSHIPS):
                return True
            if rel.get("TargetMode", "").lower() == "external" and not kind.endswith("/hyperlink"):
                return True
    return False


def _read_bounded(archive: zipfile.ZipFile, name: str, limit: int) -> bytes:
    for entry in archive.infolist():
        if entry.filename.lower() == name.lower():
            with archive.open(entry) as member:
                return member.read(limit)
    return b""


def _ole_has_macros(data: bytes | str) -> bool:
    import olefile

    try:
        with olefile.OleFileIO(data) as ole:
            return _vba_in(ole)
    except OSError:
        return False


def _vba_in(ole: Any) -> bool:
    return any(
        part.lower() in VBA_STORAGES
        for entry in ole.listdir(streams=True, storages=True)
        for part in entry
    )


def check_ole(path: str) -> str:
    """An OLE compound file: a Word 97-2003 document, or an encrypted Word 2007+ one."""
    import olefile

    try:
        with olefile.OleFileIO(path) as ole:
            if ole.exists("EncryptionInfo") and ole.exists("EncryptedPackage"):
                raise Refused("encrypted", "docx")
            if not ole.exists("WordDocument"):
                raise Refused("type")
            if _vba_in(ole):
                raise Refused("macros", "doc")
            if any(
                part in ("ObjectPool", "\x01Ole10Native")
                for entry in ole.listdir(streams=True, storages=True)
                for part in entry
            ):
                raise Refused("active_content", "doc")  # embedded OLE objects (programs)
            with ole.openstream("WordDocument") as stream:
                fib = stream.read(12)
            if len(fib) < 12 or fib[:2] != b"\xec\xa5":
                raise Refused("damaged", "doc")
            flags = int.from_bytes(fib[10:12], "little")
            if flags & 0x0100:  # fEncrypted
                raise Refused("encrypted", "doc")
            return "doc"
    except Refused:
        raise
    except (OSError, ValueError, IndexError, KeyError, TypeError):
        raise Refused("damaged", "doc") from None


def _to_srgb(image: Any, profile: bytes | None) -> Any:
    """The pixels in sRGB, so that no colour profile (which could carry anything) is kept."""
    if not profile or image.mode not in ("RGB", "RGBA", "L", "LA", "CMYK"):
        return image
    import io

    from PIL import ImageCms

    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        mode = "RGBA" if "A" in image.mode else "RGB"
        return ImageCms.profileToProfile(
            image, source, ImageCms.createProfile("sRGB"), outputMode=mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a profile that does not parse is dropped with the rest


def reencode_image(path: str, cleaned_path: str, mime: str, max_pixels: int) -> str:
    """Decode the image and write it again: only its pixels survive, not anything hidden
    after it or in its metadata (a photo's location included). Turned upright first."""
    import warnings

    from PIL import Image, ImageOps

    kind = "jpeg" if mime == "image/jpeg" else "png"
    Image.MAX_IMAGE_PIXELS = max_pixels
    warnings.simplefilter("error", Image.DecompressionBombWarning)
    try:
        with Image.open(path) as image:
            # MPO: a camera's JPEG with a second picture (a large preview): the first is kept.
            if image.format not in ("JPEG", "PNG", "MPO"):
                raise Refused("type")
            width, height = image.size
            if width * height > max_pixels:
                raise Refused("too_many_pixels", kind)
            image.load()
            upright = ImageOps.exif_transpose(image)
            if upright.mode not in ("1", "L", "LA", "RGB", "RGBA", "P", "CMYK", "I;16"):
                upright = upright.convert("RGBA" if "A" in upright.mode else "RGB")
            upright = _to_srgb(upright, image.info.get("icc_profile"))
            options: dict[str, Any] = {}
            if kind == "jpeg":
                if upright.mode not in ("L", "RGB", "CMYK"):
                    upright = upright.convert("RGB")
                # The original's own quality (its quantisation tables): no bigger, no worse.
                tables = getattr(image, "quantization", None)
                options = {"qtables": tables} if tables else {"quality": 90}
                upright.save(cleaned_path, "JPEG", **options)
            else:
                upright.save(cleaned_path, "PNG", **options)
    except Refused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise Refused("too_many_pixels", kind) from None
    except (OSError, ValueError, SyntaxError, EOFError, TypeError):
        raise Refused("damaged", kind) from None
    return kind


if __name__ == "__main__":
    sys.exit(main(sys.argv))
