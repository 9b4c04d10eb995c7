"""Team membership gets a role (worker or manager): the plain many-to-many table becomes
the Membership model, every existing member a worker."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def copy_members(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    Through = User.teams.through
    Membership.objects.bulk_create(
        Membership(user_id=row.user_id, team_id=row.team_id, role="worker")
        for row in Through.objects.all()
    )


def copy_back(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    Membership = apps.get_model("accounts", "Membership")
    Through = User.teams.through
    Through.objects.bulk_create(
        Through(user_id=m.user_id, team_id=m.team_id) for m in Membership.objects.all()
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("worker", "Worker"), ("manager", "Manager")],
                        default="worker",
                        max_length=10,
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to="accounts.team",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="memberships",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["team__name"],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "team"), name="one_membership_per_team")
                ],
            },
        ),
        migrations.RunPython(copy_members, copy_back),
        migrations.RemoveField(model_name="user", name="teams"),
        migrations.AddField(
            model_name="user",
            name="teams",
            field=models.ManyToManyField(
                blank=True,
                related_name="members",
                through="accounts.Membership",
                to="accounts.team",
            ),
        ),
    ]
