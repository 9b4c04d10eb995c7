from django.db import migrations

# Events recorded before AuditEvent.reference existed get their referral's reference: those
# about a sent form (by its id), and those about a document now on a sent form. The table
# refuses UPDATE (audit 0002_append_only): this one deliberate back-fill turns the trigger
# off for its own UPDATEs, inside the migration's transaction, and on again.
FILL = [
    """UPDATE audit_auditevent SET reference = (
        SELECT s.reference FROM referrals_submission s WHERE CAST(s.id AS TEXT) = object_id)
       WHERE object_type = 'referrals.submission' AND reference = ''""",
    """UPDATE audit_auditevent SET reference = COALESCE((
        SELECT s.reference FROM documents_document d
        JOIN referrals_submission s ON s.id = d.submission_id
        WHERE REPLACE(CAST(d.id AS TEXT), '-', '') = REPLACE(object_id, '-', '')), '')
       WHERE object_type = 'documents.document' AND reference = ''""",
]
SQLITE_TRIGGER = """
CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;
"""


def back_fill(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_no_update")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update")
    for statement in FILL:
        schema_editor.execute(statement)
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER audit_event_no_update")
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_TRIGGER)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0003_auditevent_reference"),
        ("referrals", "0011_statuschange_email"),
        ("documents", "0001_initial"),
    ]

    operations = [migrations.RunPython(back_fill, migrations.RunPython.noop)]
