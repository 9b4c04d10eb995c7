"""System checks: say so when documents are accepted without a virus scan."""

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def virus_scan_is_on(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.VIRUS_SCAN == "off":
        return [
            Warning(
                "Uploaded documents are not scanned for viruses (VIRUS_SCAN=off).",
                hint="Run ClamAV's clamd and set CLAMD_ADDRESS.",
                id="documents.W001",
            )
        ]
    return []
