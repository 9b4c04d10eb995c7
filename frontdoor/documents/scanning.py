"""Virus scanning with ClamAV's clamd, over its socket, with the INSTREAM command.

The file is streamed in chunks (each preceded by its length, a zero length at the end);
clamd answers `stream: OK` or `stream: <signature> FOUND`. Anything else, or no answer, is
ScanUnavailable: the upload is refused ("try again later"), never attached unscanned.
"""

import socket
import struct
from typing import BinaryIO

from django.conf import settings

CHUNK = 64 * 1024


class ScanUnavailable(Exception):
    """clamd could not be reached or could not scan the file."""


def enabled() -> bool:
    return bool(settings.VIRUS_SCAN == "clamd")


def _connect() -> socket.socket:
    address = settings.CLAMD_ADDRESS
    timeout = settings.CLAMD_TIMEOUT_SECONDS
    if address.startswith("/"):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(timeout)
        sock.connect(address)
        return sock
    host, _, port = address.rpartition(":")
    return socket.create_connection((host.strip("[]"), int(port)), timeout=timeout)


def scan(file: BinaryIO) -> str | None:
    """The name of the virus found in the file, or None when clamd says it is clean."""
    try:
        with _connect() as sock:
            sock.sendall(b"zINSTREAM\0")
            while chunk := file.read(CHUNK):
                sock.sendall(struct.pack(">I", len(chunk)) + chunk)
            sock.sendall(struct.pack(">I", 0))
            answer = b""
            while not answer.endswith(b"\0"):
                part = sock.recv(4096)
                if not part:
                    break
                answer += part
    except (OSError, ValueError) as error:
        raise ScanUnavailable(type(error).__name__) from None
    text = answer.rstrip(b"\0").decode("utf-8", "replace").strip()
    if text.endswith("OK") and text.startswith("stream:"):
        return None
    if text.endswith(" FOUND") and text.startswith("stream:"):
        return text.removeprefix("stream:").removesuffix(" FOUND").strip()
    raise ScanUnavailable(text[:200] or "no answer")
