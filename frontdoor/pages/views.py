"""The pages every public service has, the home page, and the error pages.

The words on these pages are templates in templates/pages/: a council changes them by
putting its own copy at the same path in the project's templates/ folder. Everything
council-specific (name, phone numbers, addresses) comes from the COUNCIL setting.
"""

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.html import escape
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe

from frontdoor.referrals import registry

logger = logging.getLogger(__name__)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    # The forms anyone may send without an account (feedback), for the signed-out page.
    without_account = [d for d in registry.forms().values() if d.without_account]
    return render(request, "pages/home.html", {"without_account": without_account})


@require_safe
def help_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/help.html",
        {
            "code_valid_minutes": settings.CODE_VALID_MINUTES,
            "password_reset_valid_minutes": settings.PASSWORD_RESET_VALID_MINUTES,
            "password_history": settings.PASSWORD_HISTORY,
            "session_absolute_hours": settings.SESSION_ABSOLUTE_HOURS,
            "unverified_account_days": settings.UNVERIFIED_ACCOUNT_DAYS,
        },
    )


@require_safe
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibility.html")


@require_safe
def privacy(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/privacy.html",
        {"unverified_account_days": settings.UNVERIFIED_ACCOUNT_DAYS},
    )


@require_safe
def cookies(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "pages/cookies.html",
        {
            "session_cookie_name": settings.SESSION_COOKIE_NAME,
            "csrf_cookie_name": settings.CSRF_COOKIE_NAME,
            "session_absolute_hours": settings.SESSION_ABSOLUTE_HOURS,
        },
    )


@require_safe
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/contact.html")


# --- Errors -----------------------------------------------------------------------------
# Wired in frontdoor/urls.py as handler400, handler403, handler404 and handler500, and
# CSRF_FAILURE_VIEW. None of them shows the technical reason to the user.


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form was sent without a valid security token: usually an old or timed-out page.

    Django has already logged the reason (logger django.security.csrf).
    """
    return render(request, "pages/csrf_failure.html", status=403)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "pages/400.html", status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "pages/403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "pages/404.html", status=404)


FALLBACK_500 = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>Sorry, there is a problem with the service</title></head>
<body>
<h1>Sorry, there is a problem with the service</h1>
<p>Try again later.</p>
<p>If a child is in immediate danger, call 999.
Out of hours, call the Emergency Duty Team on {emergency_phone}.</p>
<p>If you have a concern about a child, phone {contact_phone}.</p>
</body>
</html>
"""


def server_error(request: HttpRequest) -> HttpResponse:
    """The 500 page, rendered without the request: no context processors, no database.

    pages/500.html stands alone (it does not extend base.html) and uses only static text
    and the COUNCIL setting. If even that fails, a plain page with the phone numbers.
    """
    council = settings.COUNCIL
    try:
        html = loader.get_template("pages/500.html").render({"council": council})
    except Exception:
        logger.exception("The 500 page could not be rendered")
        html = FALLBACK_500.format(
            emergency_phone=escape(council.get("emergency_phone", "")),
            contact_phone=escape(council.get("contact_phone", "")),
        )
    return HttpResponseServerError(html)
