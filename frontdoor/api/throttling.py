"""Each API client's rate limit: API_RATE_LIMIT calls ("600/min") per fixed window, counted
in the shared cache (Redis in production), so every app process counts the same calls.

Not ninja.throttling: its throttles key a client by str(request.auth) (our client's name,
which an administrator may change), keep every call's time in one cache value that two
processes read and write back without a lock (calls at once are lost from the count), and
keep the state of the request being checked on the one throttle object all threads share.
Here a window is one counter, raised atomically (cache.incr is Redis INCR), by the client's
id; a call over the limit is told how many seconds are left of the window (Retry-After).
A fixed window lets a client make up to twice the rate across a window's boundary: enough
to keep one system from crowding out the others, which is what this is for.
"""

import math
import re
import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured

from frontdoor.api.models import ApiClient

RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*(s|sec|second|m|min|minute|h|hour|d|day)\s*$")
SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' -> (600, 60); '10/5s' -> (10, 5)."""
    match = RATE.match(rate or "")
    if match is None or int(match.group(1)) < 1:
        raise ImproperlyConfigured(
            f"API_RATE_LIMIT must be calls per period, such as 600/min (not {rate!r})"
        )
    count, multiple, unit = match.groups()
    return int(count), int(multiple or 1) * SECONDS[unit[0]]


class Limited(Exception):
    """Over the limit: try again in `wait` seconds."""

    def __init__(self, wait: int) -> None:
        super().__init__(wait)
        self.wait = wait


def check(client: ApiClient, now: float | None = None) -> None:
    """Count one call of the client's (at `now`, the time in seconds: this moment unless
    given); Limited if it is over the limit."""
    limit, period = parse_rate(settings.API_RATE_LIMIT)
    now = time.time() if now is None else now
    window = int(now // period)
    key = f"api-rate:{client.pk}:{period}:{window}"
    # add() starts the window's counter (it expires with the window); incr() raises it.
    if cache.add(key, 1, timeout=period + 1):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between the two: this call starts it again
            cache.add(key, 1, timeout=period + 1)
            count = 1
    if count > limit:
        raise Limited(max(1, math.ceil((window + 1) * period - now)))
