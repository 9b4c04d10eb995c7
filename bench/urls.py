"""The site's URLs and, for the benchmarks only, a bare view at bench.common.BARE_URL."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path

from bench.common import BARE_URL


def bare(request: HttpRequest) -> HttpResponse:
    """The least a page costs here: every middleware, no query of its own, no template. The
    pages' figures are worth reading against it (the machine's load moves both)."""
    return HttpResponse("bare")


urlpatterns = [path(BARE_URL.strip("/") + "/", bare), path("", include("frontdoor.urls"))]
