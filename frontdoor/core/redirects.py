from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request: HttpRequest, url: str | None, default: str | None = None) -> str:
    """Where a `next` may send someone: a path on this site, else `default` (home).

    Only a path starting with one "/" is followed. Anything else (a URL name such as
    "foo", which redirect() would try to reverse, a relative path, another host, a
    scheme) goes to the default, so a crafted link is neither an open redirect nor a 500.
    """
    fallback = reverse(settings.LOGIN_REDIRECT_URL) if default is None else default
    if (
        not url
        or not url.startswith("/")
        or url.startswith(("//", "/\\"))
        or not url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return fallback
    return url
