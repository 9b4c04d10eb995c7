"""System checks: uploads are scanned, or it is said out loud that they are not.

The refusal to take uploads without a scanner lives here, not in the settings: the web
server and the worker run SERVING checks before they start (core/startup.py), while
admin commands (create_staff, load_teams, migrate), which never touch an upload, run
without clamd.
"""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

from frontdoor.core.startup import SERVING


@register(Tags.security, SERVING, deploy=True)
def virus_scan_is_on(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    if settings.VIRUS_SCAN == "off":
        return [
            Warning(
                "Uploaded documents are not scanned for viruses (VIRUS_SCAN=off).",
                hint="Run ClamAV's clamd and set CLAMD_ADDRESS.",
                id="documents.W001",
            )
        ]
    if not settings.CLAMD_ADDRESS:
        return [
            Error(
                "Uploads are scanned for viruses by ClamAV, but CLAMD_ADDRESS is not set.",
                hint=(
                    "Set CLAMD_ADDRESS to clamd's socket path or host:port, or set "
                    "VIRUS_SCAN=off to accept documents unscanned."
                ),
                id="documents.E001",
            )
        ]
    return []
