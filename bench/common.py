"""What the in-process benchmarks share (bench/run.py, bench/inbox.py): production settings
on a throwaway database, a bare view to compare with, and CPU time per call.

`setup()` must run before anything imports Django's models: it sets the environment the
production settings read, then starts Django.
"""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BARE_URL = "/bench/bare/"


def setup(name: str, database_url: str | None = None) -> str:
    """Start Django with production settings (frontdoor.settings) on `database_url`, or on
    a new SQLite file; returns the temporary folder used for files."""
    sys.path.insert(0, str(ROOT))
    workdir = tempfile.mkdtemp(prefix=f"frontdoor-{name}-")
    os.environ.update(
        SECRET_KEY="bench-" + "x1y2z3" * 12,
        HTTPS="false",
        EMAIL_URL="memory://",
        DATABASE_URL=database_url or f"sqlite:///{workdir}/bench.sqlite3",
        TASKS_BACKEND="django.tasks.backends.dummy.DummyBackend",
        DOCUMENTS_FOLDER=f"{workdir}/documents",
    )
    os.environ["DJANGO_SETTINGS_MODULE"] = "frontdoor.settings"
    import django

    django.setup()
    from django.conf import settings

    settings.STORAGES["staticfiles"] = {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
    }
    settings.ALLOWED_HOSTS = ["testserver"]
    settings.ROOT_URLCONF = "bench.urls"  # the site's URLs and BARE_URL
    return workdir


def cpu_ms(fn: Callable[[], object], repeat: int) -> tuple[float, float, float]:
    """(median CPU ms, worst CPU ms, median wall ms) of `fn`, after one call to warm the
    caches and template loaders. CPU time of this process only: the database's own work
    (another process) and time waiting for a core are left out of the first two."""
    fn()
    cpu, wall = [], []
    for _ in range(repeat):
        start, started = time.process_time(), time.perf_counter()
        fn()
        cpu.append((time.process_time() - start) * 1000)
        wall.append((time.perf_counter() - started) * 1000)
    return statistics.median(cpu), max(cpu), statistics.median(wall)


def account(email: str, first_name: str, last_name: str, password: str | None = None, **more):
    """A professional's account, its email address verified (after `setup()`)."""
    from django.utils import timezone

    from frontdoor.accounts.models import User

    return User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        is_professional=True,
        email_verified_at=timezone.now(),
        **more,
    )


def referrer(password: str | None = None):
    """The school's safeguarding lead who sends the benchmarks' forms."""
    return account(
        "bench@school.example.org",
        "Bench",
        "Mark",
        password,
        organisation="Bench School",
        job_title="DSL",
    )


def postgres_ready(script: str, what: str) -> bool:
    """Whether the benchmark's database (BENCH_DATABASE_URL) is PostgreSQL and its server
    answers; if not, it says so (`what` was not measured) and the benchmark stops."""
    from django.db import OperationalError, connection

    if connection.vendor != "postgresql":
        print(f"{script}: BENCH_DATABASE_URL must be a PostgreSQL database")
        return False
    try:
        with connection._nodb_cursor():  # the server, not the database (made next)
            pass
    except OperationalError as error:
        print(f"{script}: no PostgreSQL server ({error}); {what} was not measured")
        return False
    return True


@contextmanager
def throwaway_database() -> Iterator[None]:
    """A new database "test_<name>" on the server, migrated, with the cache's table;
    dropped at the end, whatever happens."""
    from django.core.management import call_command
    from django.db import connection

    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        call_command("createcachetable", verbosity=0)
        yield
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
