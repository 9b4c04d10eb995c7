from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed

Handler = Callable[[HttpRequest], HttpResponse]


class SecurityHeadersMiddleware:
    """Headers Django's SecurityMiddleware does not set, and methods we never answer.

    Every page that is not a static file is `Cache-Control: no-store`: signed-in pages
    carry personal data, and a shared computer's back button must not show them.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("TRACE", "TRACK", "CONNECT"):
            return HttpResponseNotAllowed(["GET", "HEAD", "POST", "OPTIONS"])
        response = self.get_response(request)
        if not request.path.startswith(settings.STATIC_URL):
            response["Cache-Control"] = "no-store"
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
