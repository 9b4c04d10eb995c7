import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address.

    X-Forwarded-For is believed only when the connection comes from a configured trusted
    proxy (TRUSTED_PROXIES); then the rightmost address that is not itself a trusted proxy
    is the client. Anyone can send the header, so without that check it could be used to
    dodge throttles or forge the audit log.
    """
    remote: str | None = request.META.get("REMOTE_ADDR") or None
    if not remote or not _is_trusted(remote):
        return remote
    forwarded: str = request.META.get("HTTP_X_FORWARDED_FOR", "")
    for candidate in reversed([part.strip() for part in forwarded.split(",") if part.strip()]):
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            return remote
        if not _is_trusted(candidate):
            return str(candidate)
    return remote


def _is_trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for proxy in settings.TRUSTED_PROXIES:
        if ip in ipaddress.ip_network(proxy, strict=False):
            return True
    return False
