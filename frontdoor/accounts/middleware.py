import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.shortcuts import redirect
from django.urls import reverse

from frontdoor.audit.services import record
from frontdoor.core.client import client_ip

LAST_ACTIVITY = "last_activity"
# A form posted just after a time-out, kept to save after signing in again (referrals).
KEPT_POST = "kept_post"
RETURN_TO = "return_to"
SIGNED_IN_AT = "signed_in_at"
# Don't write the session on every request: activity is recorded to the half-minute.
WRITE_EVERY_SECONDS = 30


def seconds_left(request: HttpRequest) -> int:
    now = time.time()
    idle_end = request.session.get(LAST_ACTIVITY, now) + settings.SESSION_IDLE_MINUTES * 60
    absolute_end = request.session.get(SIGNED_IN_AT, now) + settings.SESSION_ABSOLUTE_HOURS * 3600
    return max(0, int(min(idle_end, absolute_end) - now))


def _not_checked(request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
    raise AssertionError("only for Django's CSRF check")


def _csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """Django's own CSRF check (token, Origin, Referer), run now rather than before the view.

    This middleware answers a timed-out POST itself, so CsrfViewMiddleware.process_view
    would never see it: it is asked here, with a stand-in view, before anything is kept.
    Its refusal is the usual 403 page (CSRF_FAILURE_VIEW).
    """
    return CsrfViewMiddleware(_not_checked).process_view(request, _not_checked, (), {})


def _kept_post(request: HttpRequest) -> dict[str, Any] | None:
    if request.method != "POST" or not any(
        request.path.startswith(prefix) for prefix in settings.KEEP_POSTS_UNDER
    ):
        return None
    data = {k: request.POST.getlist(k) for k in request.POST if k != "csrfmiddlewaretoken"}
    return {"path": request.path, "user": request.user.pk, "data": data}


def take_kept_post(request: HttpRequest) -> QueryDict | None:
    """The form posted to this page just after a time-out, kept until its sender signed in
    again (KEEP_POSTS_UNDER), taken once; None if there is none, or if someone else has
    signed in on this browser (not theirs to save)."""
    kept = request.session.get(KEPT_POST)
    if not kept or kept.get("path") != request.path:
        return None
    del request.session[KEPT_POST]
    if kept.get("user") != request.user.pk:
        return None
    data = QueryDict(mutable=True)
    for key, values in kept["data"].items():
        data.setlist(key, values)
    return data


class SessionTimeoutMiddleware:
    """Ends a signed-in session on the server after inactivity, and after an absolute limit.

    Any request is activity, except asking how long is left (the warning's check must not
    keep a session alive by itself). The request after the end sees a clear
    "you have been signed out" page rather than a bare sign-in form.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            status_path = reverse("accounts:session_status")
            if seconds_left(request) <= 0:
                user = request.user
                kept = _kept_post(request)
                logout(request)
                record("session.timed_out", actor=user, ip=client_ip(request))
                # A forged POST must not reach the draft by waiting for the owner to sign
                # in. Checked after signing out, so the refusal page shows nobody signed in.
                if kept is not None and (refused := _csrf_refusal(request)) is not None:
                    return refused
                if request.path == status_path:
                    return JsonResponse({"signed_in": False, "seconds_left": 0})
                if kept is not None:
                    # Nothing typed is lost to a time-out: the answers wait in the new
                    # session and are saved to the draft once the same person signs in.
                    request.session[KEPT_POST] = kept
                if kept is not None or request.method == "GET":
                    request.session[RETURN_TO] = request.path
                return redirect("accounts:timed_out")
            now = time.time()
            if request.path != status_path and (
                now - request.session.get(LAST_ACTIVITY, 0) >= WRITE_EVERY_SECONDS
            ):
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)
