"""What a rate row says cannot be changed at the database, not only in code."""

from django.db import migrations

COLUMNS = "key, scope, unit, value, effective_from, until, source, created_by_id"
POSTGRES = f"""
CREATE OR REPLACE FUNCTION entitlement_rateentry_unchangeable() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'a rate is never edited: add a new one that supersedes it';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER entitlement_rateentry_no_change BEFORE UPDATE OF {COLUMNS}
  ON entitlement_rateentry FOR EACH ROW EXECUTE FUNCTION entitlement_rateentry_unchangeable();
"""
SQLITE = (
    f"CREATE TRIGGER entitlement_rateentry_no_change BEFORE UPDATE OF {COLUMNS} "
    "ON entitlement_rateentry "
    "BEGIN SELECT RAISE(ABORT, 'a rate is never edited: add a new one that supersedes it'); END;"
)


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(POSTGRES)
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "DROP TRIGGER IF EXISTS entitlement_rateentry_no_change ON entitlement_rateentry;"
            "DROP FUNCTION IF EXISTS entitlement_rateentry_unchangeable();"
        )
    elif schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS entitlement_rateentry_no_change")


class Migration(migrations.Migration):
    dependencies = [("entitlement", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
