"""System checks: the workflows file is valid, and every live form's team exists.

Both carry the SERVING tag, so the web server (frontdoor/wsgi.py) and `manage.py worker`
refuse to start when one fails (core/startup.py). The workflows file is checked by every
command that runs checks (`manage.py check`, `runserver`…). The teams are checked only by
the serving processes and `check --deploy` (a deployment check): `migrate` and `load_teams`
run before the teams exist and must not be stopped by their absence. Before `migrate` has
made the accounts tables (an empty database) the teams are not checked at all.

A council that renames or removes a stage or an outcome in its workflows file while cases
still hold the old one is warned by `check --deploy` (cases.W001), not stopped: the
referral page shows the old slug and a worker moves such a case to a stage the workflow
has (a decision is offered only in a stage that offers outcomes). A removed outcome shows
as its slug to staff; the referrer's copy keeps the words they were sent
(StatusChange.label).
"""

from typing import Any

from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, connection
from django.db.models import Count

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


# A deployment check only: a warning never stops a process, so the serving ones need not ask.
@register(deploy=True)
def cases_are_in_stages_their_workflow_has(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    from frontdoor.cases.models import Case
    from frontdoor.cases.workflows import workflow_for

    try:
        if Case._meta.db_table not in connection.introspection.table_names():
            return []
        held = list(
            Case.objects.filter(closed_at__isnull=True)
            .values_list("team__slug", "stage")
            .annotate(count=Count("pk"))
            .order_by("team__slug", "stage")
        )
    except DatabaseError:
        return []
    problems: list[CheckMessage] = []
    for team, stage, count in held:
        workflow = workflow_for(team)
        if all(known.slug != stage for known in workflow.stages):
            problems.append(
                Warning(
                    f"{count} open referral(s) of the team {team!r} are in the stage {stage!r}, "
                    "which the workflows file no longer has.",
                    hint="Move them to one of "
                    f"{', '.join(s.slug for s in workflow.open_stages)} on each referral's "
                    "page (Move to a stage), or put the stage back in the file.",
                    id="cases.W001",
                )
            )
    return problems
