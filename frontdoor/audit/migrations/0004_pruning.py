from django.db import migrations

# Events older than the audit log's retention period (AUDIT_RETENTION_DAYS) are deleted by
# audit.services.prune, and only there: on PostgreSQL the append-only trigger (0002) lets a
# DELETE through only for a row older than the time that function sets, for its own
# transaction, in `frontdoor.audit_prune_before`. Every other DELETE, and every UPDATE, is
# still refused. (SQLite, for development and tests, refuses updates only, as before: its
# test-database flush deletes rows.)
POSTGRES_UP = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
DECLARE
    before text := current_setting('frontdoor.audit_prune_before', true);
BEGIN
    IF TG_OP = 'DELETE' AND before IS NOT NULL AND before <> ''
            AND OLD.at < before::timestamptz THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""
POSTGRES_DOWN = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_UP)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES_DOWN)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_auditevent_reference")]
    operations = [migrations.RunPython(forwards, backwards)]
