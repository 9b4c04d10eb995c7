from django.db import migrations, models

# SQLite adds this column by copying the table into a new one, which drops its trigger
# (0002_append_only): it is dropped first and made again after, as 0002 made it.
SQLITE_TRIGGER = """
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
"""


def drop_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update;")


def make_sqlite_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update;")
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(drop_sqlite_trigger, make_sqlite_trigger),
        migrations.AddField(
            model_name="auditevent",
            name="reference",
            field=models.CharField(blank=True, db_index=True, max_length=20),
        ),
        migrations.RunPython(make_sqlite_trigger, drop_sqlite_trigger),
    ]
