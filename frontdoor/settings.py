"""Front Door settings: one file, read from the environment only (see .env.example).

Every value has a production-safe default except SECRET_KEY, which must be given.
`make run` supplies a generated key and HTTPS=false for a laptop.
"""

import os
from datetime import date, time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _weekdays(name: str, value: str) -> list[int]:
    """ "mon-fri" or "mon,tue,thu" (ranges and single days, comma-separated): weekday numbers,
    Monday 0."""
    days: set[int] = set()
    for part in value.lower().split(","):
        first, _, last = part.strip().partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ImproperlyConfigured(
                f"{name} must name days such as mon-fri or mon,tue,wed,thu, not {value!r}"
            )
        start, end = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        if end < start:
            raise ImproperlyConfigured(f"{name}: {part.strip()!r} runs backwards (write mon-fri)")
        days.update(range(start, end + 1))
    return sorted(days)


def env_weekdays(name: str, default: str) -> tuple[int, ...]:
    return tuple(_weekdays(name, os.environ.get(name) or default))


def env_office_hours(name: str, default: str) -> dict[int, tuple[time, time]]:
    """When the offices open and close, local time, by weekday (Monday 0): "09:00-17:00"
    every day, or by days, "mon-thu 08:30-17:00; fri 08:30-16:30"."""
    value = os.environ.get(name) or default
    problem = ImproperlyConfigured(
        f"{name} must be opening and closing times such as 09:00-17:00, or by days such as "
        f"mon-thu 08:30-17:00; fri 08:30-16:30, not {value!r}"
    )
    hours: dict[int, tuple[time, time]] = {}
    for group in value.split(";"):
        days, _, times = group.strip().rpartition(" ")
        try:
            opens, closes = (time.fromisoformat(part.strip()) for part in times.split("-"))
        except ValueError:
            raise problem from None
        if opens >= closes:
            raise problem
        for day in _weekdays(name, days) if days.strip() else range(7):
            hours[day] = (opens, closes)
    return hours


def env_dates(name: str) -> tuple[date, ...]:
    """ "2026-12-29,2026-12-30": dates, comma-separated, as YYYY-MM-DD."""
    try:
        return tuple(sorted({date.fromisoformat(day) for day in env_list(name)}))
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be dates as YYYY-MM-DD, comma-separated (2026-12-29,2026-12-30), "
            f"not {os.environ.get(name)!r}"
        ) from None


def mailer(url: str) -> dict[str, object]:
    """Turn EMAIL_URL into Django's MAILERS["default"].

    console://            print every email to the terminal (the `make run` default)
    memory://             keep them in django.core.mail.outbox (tests)
    smtp://user:pass@host:port   plain SMTP, STARTTLS with ?tls=true
    smtps://user:pass@host:port  SMTP over TLS
    """
    parts = urlsplit(url)
    backends = {
        "console": "django.core.mail.backends.console.EmailBackend",
        "memory": "django.core.mail.backends.locmem.EmailBackend",
        "smtp": "django.core.mail.backends.smtp.EmailBackend",
        "smtps": "django.core.mail.backends.smtp.EmailBackend",
    }
    if parts.scheme not in backends:
        raise ImproperlyConfigured(f"EMAIL_URL scheme must be one of {sorted(backends)}")
    config: dict[str, object] = {"BACKEND": backends[parts.scheme]}
    if parts.scheme in ("smtp", "smtps"):
        query = parse_qs(parts.query)
        config["OPTIONS"] = {
            "host": parts.hostname or "localhost",
            "port": parts.port or (465 if parts.scheme == "smtps" else 25),
            "username": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "use_ssl": parts.scheme == "smtps",
            "use_tls": query.get("tls", ["false"])[0].lower() == "true",
            "timeout": 20,
        }
    return config


def cache_settings(url: str) -> dict[str, object]:
    """CACHE_URL: `db://` (a table in the main database, the default) or `redis://host:port/n`.

    The cache holds throttle counters, so it must be shared by every app process:
    there is deliberately no per-process memory option.
    """
    parts = urlsplit(url)
    if parts.scheme == "db":
        return {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "frontdoor_cache",
        }
    if parts.scheme in ("redis", "rediss"):
        return {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}
    raise ImproperlyConfigured("CACHE_URL must start db:// or redis://")


# --- Core -------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters "
        "(`make run` generates one into .secret_key)."
    )

# HTTPS=false is for a laptop (`make run`): everything else stays production-strict.
HTTPS = env_bool("HTTPS", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "django_tasks_db",
    "frontdoor.core",
    "frontdoor.audit",
    "frontdoor.notifications",
    "frontdoor.addresses",
    "frontdoor.accounts",
    "frontdoor.referrals",
    "frontdoor.documents",
    "frontdoor.cases",
    "frontdoor.enquiries",
    "frontdoor.backoffice",
    "frontdoor.administration",
    "frontdoor.api",
    "frontdoor.retention",
    "frontdoor.pages",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "frontdoor.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "frontdoor.accounts.middleware.SessionTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Under /api/, every error is application/problem+json (RFC 9457).
    "frontdoor.api.problems.ProblemDetailsMiddleware",
]

ROOT_URLCONF = "frontdoor.urls"
WSGI_APPLICATION = "frontdoor.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontdoor.core.context_processors.council",
            ],
        },
    },
]
# GOV.UK markup for every form field, from templates/govuk/.
FORM_RENDERER = "frontdoor.core.forms.GovukFormRenderer"

# --- Database ---------------------------------------------------------------------------

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'frontdoor.sqlite3'}"),
        # Persistent connections: PostgreSQL POSTs ran at 40 % speed without them.
        conn_max_age=env_int("CONN_MAX_AGE", 600),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    # One connection per request on SQLite keeps WAL checkpoints moving.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, sessions, background tasks --------------------------------------------------

CACHES = {"default": cache_settings(env_str("CACHE_URL", "db://"))}

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "frontdoor_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = HTTPS
# The server ends a session after SESSION_IDLE_MINUTES without activity and after
# SESSION_ABSOLUTE_HOURS in all (accounts/middleware.py); the cookie lives as long.
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 60)
SESSION_WARNING_MINUTES = env_int("SESSION_WARNING_MINUTES", 5)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
# A form posted to these paths just after a time-out is kept and saved after sign-in.
KEEP_POSTS_UNDER = ["/forms/draft/", "/forms/information/"]
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Messages ("Your details have been updated") live in the session: no third cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

CSRF_COOKIE_SECURE = HTTPS
CSRF_COOKIE_HTTPONLY = True
# Ends with the browser, like the session cookie (Django's default is a year). Kept as a
# cookie rather than CSRF_USE_SESSIONS so that a visitor who only looks at a form (sign-in)
# gets no session row, and a form open in another tab survives a sign-in or a time-out.
CSRF_COOKIE_AGE = None
CSRF_FAILURE_VIEW = "frontdoor.pages.views.csrf_failure"

# Two queues, each with its own worker (`manage.py worker` runs both): "default" for emails
# (sign-in codes, team notices) and scheduled jobs, "pdf" for PDF copies, which take seconds
# of CPU each and so must never hold up a code.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "pdf"],
    }
}

# --- Authentication ---------------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "pages:home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "frontdoor.accounts.passwords.CouncilRulesValidator"},
    {"NAME": "frontdoor.accounts.passwords.NotGuessableValidator"},
    {"NAME": "frontdoor.accounts.passwords.NotRecentlyUsedValidator"},
]
PASSWORD_HISTORY = 5

# One-time codes (emailed) and throttles.
CODE_VALID_MINUTES = env_int("CODE_VALID_MINUTES", 5)
PASSWORD_RESET_VALID_MINUTES = env_int("PASSWORD_RESET_VALID_MINUTES", 60)
CODE_MAX_ATTEMPTS = 5
CODE_RESEND_SECONDS = 60
UNVERIFIED_ACCOUNT_DAYS = 7
# Wrong passwords/codes (accounts/throttle.py): a lock per account + client address; per
# client address alone (a school or hospital shares one) a slowdown, never a lock: past
# ADDRESS_FREE_TRIES failures each account waits ADDRESS_WAIT_SECONDS between tries from
# it, doubling with each further ADDRESS_FREE_TRIES failures, at most ADDRESS_MAX_WAIT.
THROTTLE_ACCOUNT_FREE_TRIES = env_int("THROTTLE_ACCOUNT_FREE_TRIES", 10)
THROTTLE_ADDRESS_FREE_TRIES = env_int("THROTTLE_ADDRESS_FREE_TRIES", 300)
THROTTLE_ADDRESS_WAIT_SECONDS = env_int("THROTTLE_ADDRESS_WAIT_SECONDS", 10)
THROTTLE_ADDRESS_MAX_WAIT_SECONDS = env_int("THROTTLE_ADDRESS_MAX_WAIT_SECONDS", 120)
THROTTLE_LOCK_MINUTES = env_int("THROTTLE_LOCK_MINUTES", 15)
# Forms sent without an account (feedback), per client address in each clock hour.
WITHOUT_ACCOUNT_SENDS_PER_HOUR = env_int("WITHOUT_ACCOUNT_SENDS_PER_HOUR", 10)
# Client address: X-Forwarded-For is believed only from these proxy addresses.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")

# Professionals must register with a work address.
PERSONAL_EMAIL_DOMAINS = env_list(
    "PERSONAL_EMAIL_DOMAINS",
    "gmail.com,googlemail.com,hotmail.com,hotmail.co.uk,outlook.com,outlook.co.uk,live.com,"
    "live.co.uk,msn.com,yahoo.com,yahoo.co.uk,ymail.com,icloud.com,me.com,mac.com,aol.com,"
    "aol.co.uk,btinternet.com,sky.com,talktalk.net,virginmedia.com,protonmail.com,"
    "proton.me,gmx.com,gmx.co.uk,mail.com,zoho.com,tutanota.com,yandex.com",
)

# --- Forms ------------------------------------------------------------------------------

# The form definitions (YAML, docs/forms.md); the default is frontdoor/referrals/definitions.
FORMS_FOLDER = env_str("FORMS_FOLDER")
# Forms this council does not use, by slug: e.g. "ehcna-request,lado-referral".
FORMS_OFF = env_list("FORMS_OFF")

# Drafts are deleted this many days after their last save, with a reminder REMINDER days
# before; sent forms can be seen by their referrer this many days after sending.
DRAFT_DAYS = 30
DRAFT_REMINDER_DAYS = 7
SUBMISSION_VISIBLE_DAYS = env_int("SUBMISSION_VISIBLE_DAYS", 30)
# Retention (frontdoor/retention, docs/security.md): the council's copy of a referral is
# removed this many days after the later of its closure and its import by the team's
# system (a team with an API client), or after its closure (a team without one); the
# audit log keeps an event AUDIT_RETENTION_DAYS.
RETENTION_DAYS_AFTER_IMPORT = env_int("RETENTION_DAYS_AFTER_IMPORT", 30)
RETENTION_DAYS_AFTER_CLOSURE = env_int("RETENTION_DAYS_AFTER_CLOSURE", 365)
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 2557)
if min(RETENTION_DAYS_AFTER_IMPORT, RETENTION_DAYS_AFTER_CLOSURE, AUDIT_RETENTION_DAYS) < 1:
    raise ImproperlyConfigured("Retention periods (…_DAYS) must be 1 day or more")
# A team's question to a referrer is overdue this many working days after it was asked.
ENQUIRY_ANSWER_WORKING_DAYS = env_int("ENQUIRY_ANSWER_WORKING_DAYS", 3)

# Limits per account ("professional" is self-declared, so no account may fill the database
# or the file store): open drafts of one form, drafts started in an hour, and the size of
# all its documents (on its drafts, and on its sent forms while the portal holds them).
DRAFTS_MAX_PER_FORM = env_int("DRAFTS_MAX_PER_FORM", 20)
DRAFTS_MAX_PER_HOUR = max(1, env_int("DRAFTS_MAX_PER_HOUR", 10))  # 0 would stop every form
ACCOUNT_DOCUMENTS_MAX_MB = env_int("ACCOUNT_DOCUMENTS_MAX_MB", 200)
# Information a referrer adds on their own to one sent referral ("Add information": each
# emails the team's mailbox), in any 24 hours. Answers to the team's questions are not
# counted.
ENQUIRY_ADDITIONS_PER_DAY = max(1, env_int("ENQUIRY_ADDITIONS_PER_DAY", 10))

# --- Addresses --------------------------------------------------------------------------

# "Find address" asks `gazetteer` (the table `manage.py load_gazetteer` fills) or `os_places`
# (Ordnance Survey's OS Places API, with the key of the council's OS Data Hub project).
ADDRESS_LOOKUP = env_str("ADDRESS_LOOKUP", "gazetteer")
OS_PLACES_KEY = env_str("OS_PLACES_KEY")
OS_PLACES_URL = env_str("OS_PLACES_URL", "https://api.os.uk/search/places/v1").rstrip("/")
if ADDRESS_LOOKUP not in ("gazetteer", "os_places"):
    raise ImproperlyConfigured("ADDRESS_LOOKUP must be gazetteer or os_places")
if ADDRESS_LOOKUP == "os_places" and not OS_PLACES_KEY:
    raise ImproperlyConfigured("ADDRESS_LOOKUP=os_places needs OS_PLACES_KEY")
# The council's area as postcode districts (WR5) or sectors (WR15 8); a postcode outside it
# gets a warning. The default is the sample gazetteer's area (Worcestershire's, roughly).
COUNCIL_POSTCODE_DISTRICTS = env_list(
    "COUNCIL_POSTCODE_DISTRICTS",
    "WR1,WR2,WR3,WR4,WR5,WR6,WR7,WR8,WR9,WR10,WR11,WR12,WR13,WR14,WR15,"
    "B60,B61,B96,B97,B98,DY10,DY11,DY12,DY13,DY14,GL20",
)

# --- Email ------------------------------------------------------------------------------

MAILERS = {"default": mailer(env_str("EMAIL_URL", "console://"))}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Front Door <no-reply@frontdoor.invalid>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# An email the mail server refused is tried again after these waits (seconds), then given up.
EMAIL_RETRY_SECONDS = [int(s) for s in env_list("EMAIL_RETRY_SECONDS", "60,300,900,3600,14400")]
# The Emergency Duty Team's mailbox: an urgent referral (one whose answers flag urgency)
# that arrives outside office hours is notified here as well as to its team. Empty: not.
EMERGENCY_DUTY_MAILBOX = env_str("EMERGENCY_DUTY_MAILBOX", "edt@council.example")

# --- The council ------------------------------------------------------------------------

# A fictional council until these are set: reserved domains (RFC 2606) and Ofcom's drama
# numbers, so a trial install never sends anyone to a real council's phone or mailbox.
# examples/worcestershire.env is a real council's configuration (docs/configuring.md).
COUNCIL = {
    "name": env_str("COUNCIL_NAME", "Exampleshire County Council"),
    "logo_text": env_str("COUNCIL_LOGO_TEXT", "Exampleshire"),
    "service_name": env_str("SERVICE_NAME", "Children's Services Front Door"),
    "contact_phone": env_str("COUNCIL_CONTACT_PHONE", "01632 960001"),
    "contact_email": env_str("COUNCIL_CONTACT_EMAIL", "frontdoor@council.example"),
    "contact_hours": env_str("COUNCIL_CONTACT_HOURS", "Monday to Friday 9am to 5pm"),
    "emergency_phone": env_str("COUNCIL_EMERGENCY_PHONE", "01632 960002"),
    "address": env_str("COUNCIL_ADDRESS", "County Hall, 1 Example Street, Exampleton"),
    "threshold_url": env_str("COUNCIL_THRESHOLD_URL", "https://council.example/children"),
    "brand_colour": env_str("COUNCIL_BRAND_COLOUR", "#1d70b8"),
    "privacy_contact": env_str("COUNCIL_DPO_EMAIL", "dataprotection@council.example"),
}

# --- Case work: workflows and timescales ------------------------------------------------

# Each team's stages and outcomes (YAML, docs/configuring.md); empty for the one that ships,
# frontdoor/cases/workflows.yaml.
WORKFLOWS_FILE = env_str("WORKFLOWS_FILE")
# Working days, for decision timescales: the office days and hours (local time; hours for
# every day, "09:00-17:00", or by days, "mon-thu 08:30-17:00; fri 08:30-16:30"), less
# England and Wales bank holidays and the council's own closure days. A referral received
# outside these hours is counted from the start of the next working day; an urgent one
# received outside them is also sent to the Emergency Duty Team.
OFFICE_HOURS = env_office_hours("OFFICE_HOURS", "09:00-17:00")
OFFICE_DAYS = env_weekdays("OFFICE_DAYS", "mon-fri")
COUNCIL_CLOSURE_DAYS = env_dates("COUNCIL_CLOSURE_DAYS")
# A check asked of a partner agency (police, health, education) is due back this many
# working days after it was asked, unless staff set another date; overdue the day after.
PARTNER_CHECK_WORKING_DAYS = env_int("PARTNER_CHECK_WORKING_DAYS", 1)
if PARTNER_CHECK_WORKING_DAYS < 0:
    raise ImproperlyConfigured("PARTNER_CHECK_WORKING_DAYS must be 0 or more")

# --- Security headers -------------------------------------------------------------------

SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = False
# Preloading HSTS binds the council's whole domain for good: that is the council's choice
# for its domain, not this application's, so Django's reminder (W021) is silenced.
SILENCED_SYSTEM_CHECKS = ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if TRUSTED_PROXIES else None
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.NONE],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
    "manifest-src": [CSP.SELF],
}
if HTTPS:
    # A directive with no value: Django 6.1 writes it for True and drops an empty list.
    SECURE_CSP["upgrade-insecure-requests"] = True

# --- Static files -----------------------------------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# WhiteNoise's default offers every static file to any site (Access-Control-Allow-Origin: *);
# only the portal's own pages use them.
WHITENOISE_ALLOW_ALL_ORIGINS = False
# --- Supporting documents (uploads) -----------------------------------------------------

# Every upload is scanned by ClamAV's clamd (INSTREAM) before it is attached. The web server
# and the worker refuse to start without CLAMD_ADDRESS unless scanning is switched off
# explicitly (VIRUS_SCAN=off): documents/checks.py, not here, so that admin commands such as
# create_staff run without clamd.
VIRUS_SCAN = env_str("VIRUS_SCAN", "clamd")
CLAMD_ADDRESS = env_str("CLAMD_ADDRESS")  # a socket path (/run/clamav/clamd.ctl) or host:port
CLAMD_TIMEOUT_SECONDS = env_int("CLAMD_TIMEOUT_SECONDS", 60)
if VIRUS_SCAN not in ("clamd", "off"):
    raise ImproperlyConfigured("VIRUS_SCAN must be clamd or off")
DOCUMENT_MAX_MB = env_int("DOCUMENT_MAX_MB", 20)  # one file
DOCUMENTS_MAX_TOTAL_MB = env_int("DOCUMENTS_MAX_TOTAL_MB", 100)  # one form's files together
DOCUMENTS_MAX_FILES = env_int("DOCUMENTS_MAX_FILES", 20)  # files on one form
DOCUMENT_MAX_PIXELS = env_int("DOCUMENT_MAX_PIXELS", 50_000_000)  # width x height of an image
DOCUMENTS_STORAGE = env_str("DOCUMENTS_STORAGE", "local")
if DOCUMENTS_STORAGE == "local":
    documents_storage: dict[str, Any] = {
        "BACKEND": "frontdoor.documents.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": env_str("DOCUMENTS_FOLDER", str(BASE_DIR / "var" / "documents"))},
    }
elif DOCUMENTS_STORAGE == "s3":
    from boto3.s3.transfer import TransferConfig

    documents_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("DOCUMENTS_S3_BUCKET"),
            "endpoint_url": env_str("DOCUMENTS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("DOCUMENTS_S3_REGION") or None,
            "location": env_str("DOCUMENTS_S3_PREFIX", "documents"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            # Streamed, as on disk (bench/upload_memory.py): one PUT or GET per file, read
            # from and written to temporary files. boto3's multipart transfers hold every
            # 8 MB part in memory, and a download is read into memory unless it may spill.
            "transfer_config": TransferConfig(
                multipart_threshold=(DOCUMENT_MAX_MB + 1) * 1024 * 1024
            ),
            "max_memory_size": 1024 * 1024,
        },
    }
    if not documents_storage["OPTIONS"]["bucket_name"]:
        raise ImproperlyConfigured("DOCUMENTS_STORAGE=s3 needs DOCUMENTS_S3_BUCKET")
else:
    raise ImproperlyConfigured("DOCUMENTS_STORAGE must be local or s3")
# Drops for systems without an API (api/drops.py): an s3:// destination's endpoint and
# region (credentials from where boto3 finds them).
DROP_S3_ENDPOINT_URL = env_str("DROP_S3_ENDPOINT_URL")
DROP_S3_REGION = env_str("DROP_S3_REGION")
# Uploads stream to temporary files (never held in memory), each cut off at its limit.
FILE_UPLOAD_HANDLERS = ["frontdoor.documents.uploads.LimitedUploadHandler"]
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR") or None
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "frontdoor.core.storage.StaticStorage"},
    "documents": documents_storage,
}

# --- The API (docs/api.md) ---------------------------------------------------------------

# Calls per API client per period ("600/min", "20/s", "10000/hour"), counted in the cache.
API_RATE_LIMIT = env_str("API_RATE_LIMIT", "600/min")

# --- The case-management API: webhooks (docs/api.md) -----------------------------------

# The Fernet key(s) webhook signing secrets are encrypted with (comma-separated: the first
# encrypts, every one decrypts, so a key can be replaced). Required with HTTPS=true (the
# web server and the worker refuse to start without it); on a laptop (HTTPS=false) one is
# derived from SECRET_KEY.
WEBHOOK_SECRET_KEY = env_str("WEBHOOK_SECRET_KEY")
# true allows http:// endpoints on loopback addresses (127.0.0.1, ::1), for development
# and tests only: never private, link-local or other internal addresses.
WEBHOOKS_ALLOW_LOOPBACK = env_bool("WEBHOOKS_ALLOW_LOOPBACK", False)
# Seconds to connect to an endpoint, and again to wait for its answer.
WEBHOOK_TIMEOUT_SECONDS = env_int("WEBHOOK_TIMEOUT_SECONDS", 10)

# --- Locale -----------------------------------------------------------------------------

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

# --- Logging: no personal data. Requests are logged by path only, never query strings. --

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {"level": "WARNING"},
        "django.security.DisallowedHost": {"level": "ERROR"},
    },
}
