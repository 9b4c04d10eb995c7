"""The inbox with 10,000 referrals in the team, on PostgreSQL: CPU ms per request (`make bench`).

The goal is under 20 ms of the app's CPU per page (the database's own time is not counted:
it runs in its own process; the wall time, which includes it, is printed beside).

Uses BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/frontdoor_bench): a
throwaway database "test_<name>" is made on that server, migrated, filled (one referral
sent through the real forms, then copied 9,999 times with bulk_create) and dropped at the
end. Without a PostgreSQL server it says so and stops.

It also prints the Python calls a page (cProfile's count, of the inbox and of a surname
search): CPU time moves with the machine's load, the count does not, so it shows what a
change did even on a busy machine.

BENCH_PROFILE=1 prints instead a CPU profile of 20 inbox pages (BENCH_PROFILE=nhs: of
20 pages of a search by NHS number; =surname: by a surname), to see where the time goes;
BENCH_QUERIES=1 prints the SQL of one page.
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import (
    BARE_URL,
    account,
    cpu_ms,
    postgres_ready,
    referrer,
    setup,
    throwaway_database,
)

setup(
    "bench-inbox",
    os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/frontdoor_bench"),
)

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

REFERRALS = 10_000
REPEAT = 100


def fill() -> tuple[Client, Client, str, str]:
    """The team's 10,000 referrals; a manager's client and a worker's; a reference and an
    NHS number to search for."""
    from frontdoor.accounts.models import Membership, Team
    from tests.bulk_referrals import copies
    from tests.sending import CHILD, send

    call_command("load_teams", verbosity=0)
    sender = referrer()
    staff = account("bench.mash@council.example.gov.uk", "Bench", "Worker")
    mash = Team.objects.get(slug="social-care")
    Membership.objects.create(user=staff, team=mash, role=Membership.Role.MANAGER)
    worker = account("bench.worker@council.example.gov.uk", "Bench", "Colleague")
    Membership.objects.create(user=worker, team=mash, role=Membership.Role.WORKER)
    template = send(
        sender,
        "social-care-referral",
        children=[CHILD, {**CHILD, "first_name": "Zoë", "last_name": "Smith-Jones"}],
        immediate_risk={"at_risk_now": "yes"},
    )
    started = time.perf_counter()
    copies(template, REFERRALS - 1)
    print(f"{REFERRALS} referrals made in {time.perf_counter() - started:.1f}s (bulk_create)")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client, colleague = Client(), Client()
    client.force_login(staff)
    colleague.force_login(worker)
    from frontdoor.referrals.models import Person

    nhs = Person.objects.exclude(nhs_number="").values_list("nhs_number", flat=True)[500]
    return client, colleague, template.reference, f"{nhs[:3]} {nhs[3:6]} {nhs[6:]}"


def main() -> None:
    if not postgres_ready("bench/inbox.py", "the inbox"):
        return
    with throwaway_database():
        client, colleague, reference, nhs_number = fill()
        inbox = "/team/in/social-care/"
        search = "/team/in/social-care/search/"

        def get(path: str, by: Client = client) -> None:
            response = by.get(path)
            assert response.status_code == 200, response.status_code

        def searched(term: str):
            def run() -> None:
                get(inbox)

            client.post(search, {"q": term})
            return run

        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            if os.environ["BENCH_PROFILE"] == "nhs":
                client.post(search, {"q": nhs_number})
            elif os.environ["BENCH_PROFILE"] == "surname":
                client.post(search, {"q": "smith-jones"})
            get(inbox)
            profile = cProfile.Profile(time.process_time)
            profile.enable()
            for _ in range(20):
                get(inbox)
            profile.disable()
            pstats.Stats(profile).sort_stats("cumulative").print_stats(120)
            pstats.Stats(profile).sort_stats("tottime").print_stats(30)
            return
        rows = []
        for what, run in [
            ("GET a bare view (middleware only)", lambda: get(BARE_URL)),
            (f"GET inbox, {REFERRALS} open (a manager)", lambda: get(inbox)),
            ("GET inbox, as a worker", lambda: get(inbox, colleague)),
            ("GET inbox, page 100", lambda: get(inbox + "?page=100")),
            (
                "GET inbox, overdue, unassigned",
                lambda: get(inbox + "?overdue=on&assigned=unassigned"),
            ),
        ]:
            rows.append((what, *cpu_ms(run, REPEAT)))
        for what, term in [
            ("GET inbox, searched a surname", "smith-jones"),
            ("GET inbox, searched part of a name", "zo"),
            ("GET inbox, searched a date of birth", "27/3/2016"),
            ("GET inbox, searched an NHS number", nhs_number),
            ("GET inbox, searched a reference", reference),
        ]:
            rows.append((what, *cpu_ms(searched(term), REPEAT)))
        rows.append(
            (
                "POST search (then a redirect)",
                *cpu_ms(lambda: client.post(search, {"q": "smith"}), REPEAT),
            )
        )
        # Python calls a page (cProfile): unlike CPU time, the machine's load does not move
        # it, so a change's effect shows even on a busy machine.
        import cProfile
        import pstats

        def calls(run) -> int:
            profile = cProfile.Profile()
            profile.enable()
            for _ in range(5):
                run()
            profile.disable()
            return round(pstats.Stats(profile).total_calls / 5)

        client.post(search, {"q": ""})
        inbox_calls = calls(lambda: get(inbox))
        surname_calls = calls(searched("smith-jones"))
        settings.DEBUG = True  # to count the queries of one page
        reset_queries()
        get(inbox)
        queries = len(connection.queries)
        if os.environ.get("BENCH_QUERIES"):
            for query in connection.queries:
                print(f"{query['time']}s {query['sql'][:300]}")
        settings.DEBUG = False
        load = " ".join(f"{n:.2f}" for n in os.getloadavg())
        print(f"(load average {load} on {os.cpu_count()} CPUs: other work inflates CPU time)")
        print(f"{'what':42} {'median ms CPU':>14} {'worst':>8} {'wall ms':>8}")
        for what, median, worst, wall in rows:
            print(f"{what:42} {median:14.1f} {worst:8.1f} {wall:8.1f}")
        print(f"queries for one inbox page (searching): {queries}")
        print(f"Python calls a page: inbox {inbox_calls}, surname search {surname_calls}")


if __name__ == "__main__":
    main()
