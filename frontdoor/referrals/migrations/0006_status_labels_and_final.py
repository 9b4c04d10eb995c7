"""A status is a key with the name it had when recorded (outcomes are each team's data
now, frontdoor/cases/workflows.yaml), and a decision is marked final: the referrer sees
the form for 30 days after its decision rather than 30 days after sending."""

from django.db import migrations, models

OLD_LABELS = {
    "received": "Received",
    "in_progress": "In progress",
    "more_information": "More information needed",
    "early_help_offered": "Early Help offered",
    "assessment": "Social work assessment started",
    "strategy_discussion": "Strategy discussion held",
    "advice_given": "Advice and information given",
    "passed_on": "Passed to another service",
    "no_further_action": "No further action",
    "completed": "Completed",
}
# The old statuses that ended the council's work on a form.
OLD_FINAL = {
    "early_help_offered", "assessment", "strategy_discussion", "advice_given", "passed_on",
    "no_further_action", "completed",
}  # fmt: skip


def fill_labels(apps, schema_editor):
    StatusChange = apps.get_model("referrals", "StatusChange")
    for status, label in OLD_LABELS.items():
        StatusChange.objects.filter(status=status).update(label=label, final=status in OLD_FINAL)


class Migration(migrations.Migration):
    dependencies = [("referrals", "0005_pdf_copy")]

    operations = [
        migrations.AddField(
            model_name="statuschange",
            name="label",
            field=models.CharField(default="", max_length=200),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="statuschange",
            name="final",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name="statuschange",
            name="status",
            field=models.CharField(max_length=40),
        ),
        migrations.RunPython(fill_labels, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="statuschange",
            index=models.Index(
                fields=["submission", "final", "at"], name="referrals_s_submiss_75508d_idx"
            ),
        ),
    ]
