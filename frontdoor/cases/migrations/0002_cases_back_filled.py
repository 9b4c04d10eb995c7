"""A case for every submission sent before cases existed: in its form's team, at the
team's first stage (closed, with its outcome, if the old status was a decision), its
decision due by the form's timescale, its urgency flags, linked to repeat referrals.

This runs the case work's own functions of its day (workflows, timescales, annotations,
repeat matching) on the models as they are at this point of the migrations."""

from django.db import migrations


def back_fill(apps, schema_editor):
    from frontdoor.cases import timescales
    from frontdoor.cases.workflows import workflow_for
    from frontdoor.referrals.annotations import annotated, urgent_flags
    from frontdoor.referrals.definitions import DefinitionError, definition_from_source
    from frontdoor.referrals.people import repeats_of

    Submission = apps.get_model("referrals", "Submission")
    Team = apps.get_model("accounts", "Team")
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    teams = {team.slug: team for team in Team.objects.all()}
    made = []
    for submission in Submission.objects.filter(case__isnull=True).select_related("form_version"):
        team = teams.get(submission.team_slug)
        if team is None:  # a team since deleted: keep the referral visible to a new one
            team = Team.objects.create(
                slug=submission.team_slug, name=submission.team_slug.replace("-", " ").title()
            )
            teams[team.slug] = team
        workflow = workflow_for(team.slug)
        version = submission.form_version
        try:
            definition = annotated(
                definition_from_source(f"{version.slug}.yaml", version.definition)
            )
        except (DefinitionError, KeyError, LookupError):
            definition = None
        due = None
        flags: list[str] = []
        if definition is not None:
            if definition.timescale is not None:
                due = timescales.decision_due(
                    submission.sent_at, definition.timescale.amount, definition.timescale.unit
                )
            flags = urgent_flags(definition, submission.answers)
        decision = submission.history.filter(final=True).order_by("at", "id").first()
        case = Case.objects.create(
            submission=submission,
            team=team,
            stage=workflow.closed_stage.slug if decision else workflow.first_stage.slug,
            flags=flags,
            urgent=bool(flags),
            received_at=submission.sent_at,
            due_at=due,
            outcome=decision.status if decision else "",
            decided_at=decision.at if decision else None,
            decided_by_id=decision.by_id if decision else None,
            closed_at=decision.at if decision else None,
            updated_at=decision.at if decision else submission.sent_at,
        )
        CaseEvent.objects.create(case=case, action="received", at=submission.sent_at, team=team)
        made.append(case)
    links = repeats_of([case.pk for case in made])
    for case in made:
        others = links.get(case.pk) or set()
        if others:
            case.repeats.add(*Case.objects.filter(pk__in=others))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0001_cases"),
        ("referrals", "0010_people_back_filled"),
    ]

    operations = [migrations.RunPython(back_fill, migrations.RunPython.noop)]
