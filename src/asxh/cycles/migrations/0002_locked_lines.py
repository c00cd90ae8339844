"""The lines of a cycle that is no longer a draft cannot be changed or deleted, at the database."""

from django.db import migrations

MESSAGE = "the payment list is locked: its lines cannot change"
# Statement-level with transition tables: one check per COPY or DELETE, not one per row.
POSTGRES = f"""
CREATE OR REPLACE FUNCTION cycles_paymentline_locked() RETURNS trigger AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM changed_lines l JOIN cycles_cycle c ON c.id = l.cycle_id
             WHERE c.state <> 'draft') THEN
    RAISE EXCEPTION '{MESSAGE}';
  END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER cycles_paymentline_locked_insert AFTER INSERT ON cycles_paymentline
  REFERENCING NEW TABLE AS changed_lines
  FOR EACH STATEMENT EXECUTE FUNCTION cycles_paymentline_locked();
CREATE TRIGGER cycles_paymentline_locked_update AFTER UPDATE ON cycles_paymentline
  REFERENCING OLD TABLE AS changed_lines
  FOR EACH STATEMENT EXECUTE FUNCTION cycles_paymentline_locked();
CREATE TRIGGER cycles_paymentline_locked_delete AFTER DELETE ON cycles_paymentline
  REFERENCING OLD TABLE AS changed_lines
  FOR EACH STATEMENT EXECUTE FUNCTION cycles_paymentline_locked();
"""
SQLITE = [
    f"""CREATE TRIGGER cycles_paymentline_no_{op.lower()} BEFORE {op} ON cycles_paymentline
    WHEN (SELECT state FROM cycles_cycle WHERE id = {row}.cycle_id) <> 'draft'
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;"""
    for op, row in (("UPDATE", "OLD"), ("DELETE", "OLD"), ("INSERT", "NEW"))
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
            "DROP TRIGGER IF EXISTS cycles_paymentline_locked_insert ON cycles_paymentline;"
            "DROP TRIGGER IF EXISTS cycles_paymentline_locked_update ON cycles_paymentline;"
            "DROP TRIGGER IF EXISTS cycles_paymentline_locked_delete ON cycles_paymentline;"
            "DROP FUNCTION IF EXISTS cycles_paymentline_locked();"
        )
    elif schema_editor.connection.vendor == "sqlite":
        for op in ("update", "delete", "insert"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cycles_paymentline_no_{op}")


class Migration(migrations.Migration):
    dependencies = [("cycles", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
