"""A file's name as the person called it: kept as data only, shown safely, never a path."""

import re
import unicodedata
from urllib.parse import quote

MAX_NAME = 150
WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
EXTENSIONS = {"pdf": ".pdf", "docx": ".docx", "doc": ".doc", "jpeg": ".jpg", "png": ".png"}


def display_name(name: str) -> str:
    """The last part of the name, without invisible format characters (such as the
    right-to-left override that makes "gpj.exe" look like "exe.jpg"), control characters or
    runs of spaces, cut to MAX_NAME characters keeping its extension."""
    name = unicodedata.normalize("NFC", name or "")
    name = re.split(r"[\\/]", name)[-1]
    name = "".join(" " if c.isspace() else c for c in name)
    name = "".join(c for c in name if unicodedata.category(c) not in ("Cf", "Cc", "Cs", "Co"))
    name = " ".join(name.split()).strip(" .")
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[: MAX_NAME - len(extension) - 2].rstrip() + "…." + extension
        else:
            name = name[: MAX_NAME - 1].rstrip() + "…"
    return name or "document"


def download_name(name: str, kind: str) -> str:
    """The name a download is saved as: the shown name, with the extension its content
    has (a PNG called .pdf is saved as .png), never a reserved Windows device name."""
    extension = EXTENSIONS.get(kind, "")
    stem, dot, current = name.rpartition(".")
    if not dot:
        stem = name
    if extension and f".{current.lower()}" not in (extension, ".jpeg" if kind == "jpeg" else ""):
        stem = name
    elif dot:
        extension = "." + current
    if WINDOWS_RESERVED.match(stem):
        stem = "_" + stem
    return f"{stem}{extension}"


def content_disposition(name: str) -> str:
    """attachment; with an ASCII fallback and the real name encoded (RFC 6266)."""
    fallback = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\;' else "_" for c in name
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
