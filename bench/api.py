"""The API on PostgreSQL: CPU ms per request (`make bench`), beside a bare Django view.

The goal is under 10 ms of the app's CPU for a page of the list (100 referrals) and for
one referral with 5 documents (the database's own time is not counted: it runs in its own
process; the wall time, which includes it, is printed beside). The team holds 1,000
referrals; one was sent through the real forms with 5 documents (VIRUS_SCAN=off: the scan
is at upload, not here), then copied with bulk_create.

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/frontdoor_bench): a
throwaway database "test_<name>" is made on that server, migrated, filled and dropped at
the end. Without a PostgreSQL server it says so and stops. It also prints the Python
calls a request (cProfile's count), which the machine's load does not move. The cache
(which counts each call for the rate limit) is Redis at BENCH_CACHE_URL (default redis://127.0.0.1:6379/15),
as in production, where one answers; else the database cache. BENCH_PROFILE=list (or
=detail, or =304) prints a CPU profile of 20 requests instead, to see where the time goes.
"""

import os
import socket
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ["VIRUS_SCAN"] = "off"
from bench.common import BARE_URL, cpu_ms, postgres_ready, referrer, setup, throwaway_database


def redis_if_any() -> str:
    """The rate limit counts every call in the cache: Redis, as in production
    (configuring.md), where one answers; else "" (the database cache: ten queries a call)."""
    url = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/15")
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), 1).close()
    except OSError:
        return ""
    os.environ["CACHE_URL"] = url
    return url


REDIS = redis_if_any()

setup(
    "bench-api",
    os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/frontdoor_bench"),
)

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

REFERRALS = 1_000
REPEAT = 100


def fill() -> tuple[Client, str]:
    """The team's referrals and an API client's HTTP client; the reference of the one with
    5 documents."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from frontdoor.accounts.models import Team
    from frontdoor.api import clients
    from frontdoor.documents import services as documents
    from frontdoor.documents.tests import files
    from frontdoor.referrals.submissions import submit
    from tests.bulk_referrals import copies
    from tests.sending import CHILD, fill

    call_command("load_teams", verbosity=0)
    sender = referrer()
    draft = fill(
        sender,
        "social-care-referral",
        children=[CHILD, {**CHILD, "first_name": "Zoë", "last_name": "Smith-Jones"}],
        immediate_risk={"at_risk_now": "yes"},
    )
    for n in range(5):
        upload = SimpleUploadedFile(f"report-{n}.pdf", files.pdf(f"Report {n}", pages=2))
        documents.attach(draft, sender, upload)
    template = submit(draft.pk, sender)
    started = time.perf_counter()
    copies(template, REFERRALS - 1)
    print(f"{REFERRALS} referrals made in {time.perf_counter() - started:.1f}s (bulk_create)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _, token = clients.create_client("Bench LCS", [Team.objects.get(slug="social-care")])
    return Client(headers={"Authorization": f"Bearer {token}"}), template.reference


def main() -> None:
    if not postgres_ready("bench/api.py", "the API"):
        return
    with throwaway_database():
        settings.API_RATE_LIMIT = "1000000/minute"  # the benchmark is not throttled
        http, reference = fill()
        listing = "/api/v1/referrals"
        first = http.get(listing).json()
        assert len(first["items"]) == 100, len(first["items"])
        second_page = f"{listing}?cursor={first['next_cursor']}"
        detail = f"{listing}/{reference}"
        assert len(http.get(detail).json()["documents"]) == 5
        etag = http.get(detail)["ETag"]

        def get(path: str, status: int = 200, **headers: str) -> None:
            response = http.get(path, headers=headers)
            assert response.status_code == status, (path, response.status_code)

        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            which = os.environ["BENCH_PROFILE"]
            path = detail if which in ("detail", "304") else listing
            headers = {"if_none_match": etag} if which == "304" else {}
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(20):
                get(path, 304 if headers else 200, **headers)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(80)
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)
            return
        bare = Client()
        rows = [
            ("GET a bare view (middleware only)", *cpu_ms(lambda: bare.get(BARE_URL), REPEAT)),
            ("GET /referrals, first 100", *cpu_ms(lambda: get(listing), REPEAT)),
            ("GET /referrals, the next 100 (cursor)", *cpu_ms(lambda: get(second_page), REPEAT)),
            ("GET one referral, 5 documents", *cpu_ms(lambda: get(detail), REPEAT)),
            (
                "GET one referral, If-None-Match (304)",
                *cpu_ms(lambda: get(detail, 304, if_none_match=etag), REPEAT),
            ),
        ]
        import cProfile
        import pstats

        def calls(run) -> int:  # Python calls a request: load does not move it
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(5):
                run()
            profile.disable()
            return round(pstats.Stats(profile).total_calls / 5)

        called = [
            calls(lambda: get(listing)),
            calls(lambda: get(detail)),
            calls(lambda: get(detail, 304, if_none_match=etag)),
        ]
        counts = []
        settings.DEBUG = True  # to count the queries of one request
        for path in (listing, detail):
            reset_queries()
            get(path)
            counts.append(len(connection.queries))
        settings.DEBUG = False
        load = " ".join(f"{n:.2f}" for n in os.getloadavg())
        print(f"(load average {load} on {os.cpu_count()} CPUs: other work inflates CPU time)")
        print(f"cache: {'Redis' if REDIS else 'the database (no Redis at BENCH_CACHE_URL)'}")
        print(f"{'what':42} {'median ms CPU':>14} {'worst':>8} {'wall ms':>8}")
        for what, median, worst, wall in rows:
            print(f"{what:42} {median:14.1f} {worst:8.1f} {wall:8.1f}")
        print(f"queries: a page of 100 {counts[0]}, one referral {counts[1]}")
        print(
            f"Python calls a request: a page {called[0]}, one referral {called[1]}, 304 {called[2]}"
        )


if __name__ == "__main__":
    main()
