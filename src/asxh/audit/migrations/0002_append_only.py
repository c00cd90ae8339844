"""The audit table refuses UPDATE and DELETE at the database, not only in code."""

from django.db import migrations

POSTGRES = """
CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_auditevent is append-only';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER audit_auditevent_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
  FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only();
"""
SQLITE = [
    "CREATE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;",
    "CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent "
    "BEGIN SELECT RAISE(ABORT, 'audit_auditevent is append-only'); END;",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS audit_auditevent_no_change ON audit_auditevent;"
            "DROP FUNCTION IF EXISTS audit_auditevent_append_only();"
        )
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_delete")


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
