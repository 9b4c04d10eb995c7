"""Errors as RFC 9457 problem details (`application/problem+json`): type, title, status,
detail. Every error the API gives takes this shape, its own (views.py) and Django's (an
unknown path, a method not allowed, a server error: ProblemDetailsMiddleware)."""

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse

CONTENT_TYPE = "application/problem+json"
API_PATH = "/api/"
DETAILS = {
    401: "Send a live API token: Authorization: Bearer <token>.",
    404: "There is nothing at this address for this API client.",
    405: "This address does not take that method.",
    500: "Something went wrong on the portal's side. Try again later.",
}
# RFC 9110's names where Python's differ (3.12's "Unprocessable Entity" became
# "Unprocessable Content" in 3.13): the same title on every Python.
TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def title(status: int) -> str:
    return TITLES.get(status, HTTPStatus(status).phrase)


def problem(status: int, detail: str, **extra: Any) -> HttpResponse:
    """A problem response. `type` is about:blank (RFC 9457 §4.2.1): the status says it."""
    body = {
        "type": "about:blank",
        "title": title(status),
        "status": status,
        "detail": detail,
        **extra,
    }
    response = HttpResponse(json.dumps(body, default=str), status=status, content_type=CONTENT_TYPE)
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


class ProblemDetailsMiddleware:
    """Under /api/, an error response that is not already a problem (Django's 404 page for
    an unknown path, an empty 405, the 500 page) becomes one."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.path.startswith(API_PATH)
            and response.status_code >= 400
            and not response.get("Content-Type", "").startswith(CONTENT_TYPE)
        ):
            status = response.status_code
            replaced = problem(status, DETAILS.get(status, HTTPStatus(status).description))
            if "Allow" in response:
                replaced["Allow"] = response["Allow"]
            return replaced
        return response
