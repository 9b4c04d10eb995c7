"""System checks: the workflows file is valid, and every live form's team exists.

Both carry the SERVING tag, so the web server (frontdoor/wsgi.py) and `manage.py worker`
refuse to start when one fails (core/startup.py). The workflows file is checked by every
command that runs checks (`manage.py check`, `runserver`…). The teams are checked only by
the serving processes and `check --deploy` (a deployment check): `migrate` and `load_teams`
run before the teams exist and must not be stopped by their absence. Before `migrate` has
made the accounts tables (an empty database) the teams are not checked at all.
"""

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection

from frontdoor.core.startup import SERVING


@register(SERVING)
def workflows_are_valid(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    from frontdoor.cases.workflows import check_workflows

    try:
        check_workflows()
    except ImproperlyConfigured as problem:
        return [
            Error(
                str(problem),
                hint="Fix the file (docs/configuring.md describes it), or unset WORKFLOWS_FILE "
                "to use the one that ships.",
                id="cases.E001",
            )
        ]
    return []


@register(SERVING, deploy=True)
def forms_name_teams_that_exist(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    from frontdoor.accounts.models import Team
    from frontdoor.referrals import registry

    try:
        if Team._meta.db_table not in connection.introspection.table_names():
            return []  # an empty database: `migrate` comes first
        teams = set(Team.objects.values_list("slug", flat=True))
    except DatabaseError:
        return []  # no database to ask yet: the first request will say so
    return [
        Error(
            f"The form {slug} is sent to the team {definition.team!r}, which is not in the "
            "database.",
            hint="Run `manage.py load_teams` (with --file for the council's own teams), or fix "
            f"the team in the form's definition ({slug}.yaml).",
            id="cases.E002",
        )
        for slug, definition in registry.forms().items()
        if definition.team not in teams
    ]
