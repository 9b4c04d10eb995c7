"""gunicorn's settings for Front Door: `make run` and docs/deploying.md start it with these."""

# An upload of several files is checked file by file (each at most 60 s, then scanned),
# within one request: longer than gunicorn's default 30 s.
timeout = 180
# The path without the query string: personal data stays out of the access log.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(L)ss'

# gunicorn has no setting for its `Server: gunicorn` header; the header's value is the
# module-level name its responses read when they are made, so it is replaced here, in the
# master, before any worker starts. Nothing about the software behind the portal is sent.
import gunicorn.http.wsgi  # noqa: E402

gunicorn.http.wsgi.SERVER = "frontdoor"  # type: ignore[misc]
