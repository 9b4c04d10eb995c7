"""A test-only URLconf: the project's URLs, plus one that fails with the status asked for,
so the browser tests can show the 400, 403 and 500 pages as the portal serves them
(through the handlers of frontdoor/urls.py). Never part of the portal."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.urls import path

from frontdoor import urls as project

handler400 = project.handler400
handler403 = project.handler403
handler404 = project.handler404
handler500 = project.handler500


class TestOnlyFailure(Exception):
    """The error a test asked for."""


def fail(request: HttpRequest, status: int) -> HttpResponse:
    if status == 400:
        raise BadRequest("a test asked for a 400")
    if status == 403:
        raise PermissionDenied
    raise TestOnlyFailure("a test asked for a 500")


urlpatterns = [path("test-only/fail/<int:status>/", fail), *project.urlpatterns]
