"""The checks a web or worker process passes before it starts.

Settings load for every command, an administrator's `create_staff` included, so they refuse
only what no process can run with. What only matters to the processes that take uploads and
run tasks (that uploads are scanned, say) is a system check with the SERVING tag: the web
server (frontdoor/wsgi.py) and `manage.py worker` refuse to start when one fails, and
`manage.py check --deploy` reports it. Each app registers its own; core never imports them.
"""

from django.core import checks
from django.core.exceptions import ImproperlyConfigured

SERVING = "serving"


def refuse_to_start_unless_ready() -> None:
    """Raise ImproperlyConfigured with every serious SERVING check's message."""
    problems = [
        message
        for message in checks.run_checks(tags=[SERVING], include_deployment_checks=True)
        if message.is_serious()
    ]
    if problems:
        raise ImproperlyConfigured(
            " ".join(f"{problem.msg} {problem.hint or ''}".strip() for problem in problems)
        )
