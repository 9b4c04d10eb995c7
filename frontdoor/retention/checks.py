"""Start-up check: no retention period shorter than the referrer's view of a decided
referral (SUBMISSION_VISIBLE_DAYS), which would take a form from its referrer's list
before the days they were promised."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register


@register()
def periods_outlast_the_referrers_view(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    found: list[CheckMessage] = []
    for name in ("RETENTION_DAYS_AFTER_IMPORT", "RETENTION_DAYS_AFTER_CLOSURE"):
        if getattr(settings, name) < settings.SUBMISSION_VISIBLE_DAYS:
            found.append(
                Warning(
                    f"{name} ({getattr(settings, name)}) is shorter than "
                    f"SUBMISSION_VISIBLE_DAYS ({settings.SUBMISSION_VISIBLE_DAYS}): a referrer "
                    "would lose a decided referral from their list before those days are up.",
                    hint=f"Set {name} to {settings.SUBMISSION_VISIBLE_DAYS} or more.",
                    id="retention.W001",
                )
            )
    return found
