"""Settings for the test suite: production settings, with test-only values set first."""

import os
from pathlib import Path

os.environ.setdefault("SECRET_KEY", "test-" + "k3y-for-the-test-suite-only-never-in-production" * 2)
os.environ.setdefault("HTTPS", "false")
os.environ.setdefault("EMAIL_URL", "memory://")
os.environ.setdefault("SITE_URL", "http://testserver")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# A real clamd, started by the tests (conftest.py) with a local test signature database.
os.environ.setdefault("CLAMD_ADDRESS", f"/tmp/frontdoor-clamd-{os.getpid()}/clamd.sock")  # noqa: S108
os.environ.setdefault(
    "DOCUMENTS_FOLDER",
    str(Path(__file__).resolve().parent.parent / "var" / f"test-documents-{os.getpid()}"),
)

from frontdoor.settings import *  # noqa: F403

# SQLite tests use a file, not memory, so a real worker in another process sees the data.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

# Serve static files from their folders (no collectstatic manifest needed).
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Argon2 still, with cheap parameters: the same code path, a fraction of the time.
PASSWORD_HASHERS = ["frontdoor.core.testing.FastArgon2PasswordHasher"]
