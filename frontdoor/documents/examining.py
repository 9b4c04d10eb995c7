"""Run examine.py on an uploaded file in its own process, with limits, and read its verdict."""

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

EXAMINE = Path(__file__).with_name("examine.py")
WALL_SECONDS = 60


@dataclass(frozen=True)
class Verdict:
    kind: str | None  # pdf, docx, doc, jpeg, png
    reason: str | None  # why it is refused, or None
    cleaned: bool  # the re-encoded image is the file to keep


def examine(path: str, cleaned_path: str) -> Verdict:
    """What the file is. A crash, a time-out or running out of memory is a refusal."""
    try:
        done = subprocess.run(  # noqa: S603 - our own script, its arguments are our paths
            [
                sys.executable,
                "-I",
                str(EXAMINE),
                path,
                cleaned_path,
                str(settings.DOCUMENT_MAX_PIXELS),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            # Nothing of the portal's environment (keys, database, storage credentials).
            env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"},
            timeout=WALL_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        return Verdict(None, "too_complex", False)
    try:
        result = json.loads(done.stdout.decode().strip().splitlines()[-1])
    except (ValueError, IndexError):
        # Killed by its limits (memory, CPU) or crashed: the file is not attached.
        return Verdict(None, "too_complex", False)
    return Verdict(result.get("kind"), result.get("reason"), bool(result.get("cleaned")))
