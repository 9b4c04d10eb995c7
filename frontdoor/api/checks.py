"""Start-up check: webhook signing secrets can be kept (WEBHOOK_SECRET_KEY). A SERVING and
deployment check, so the web server and the worker refuse to start without a usable key,
and `check --deploy` fails (core/startup.py)."""

from typing import Any

from django.core.checks import CheckMessage, Error, register

from frontdoor.core.startup import SERVING


@register(SERVING, deploy=True)
def webhook_secret_key_is_set(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    from frontdoor.api.webhooks import key_problem

    problem = key_problem()
    if not problem:
        return []
    return [
        Error(
            problem,
            hint="Make one with: python3 -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())' and keep it in the council's secret store.",
            id="api.E001",
        )
    ]
