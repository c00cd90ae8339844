"""The lines of a cycle that is no longer a draft cannot be changed or deleted, at the database."""

from django.db import migrations

MESSAGE = "the payment list is locked: its lines cannot change"
POSTGRES = f"""
CREATE OR REPLACE FUNCTION cycles_paymentline_locked() RETURNS trigger AS $$
BEGIN
  IF (SELECT state FROM cycles_cycle WHERE id = OLD.cycle_id) <> 'draft' THEN
    RAISE EXCEPTION '{MESSAGE}';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER cycles_paymentline_locked BEFORE UPDATE OR DELETE ON cycles_paymentline
  FOR EACH ROW EXECUTE FUNCTION cycles_paymentline_locked();
CREATE OR REPLACE FUNCTION cycles_paymentline_insert_locked() RETURNS trigger AS $$
BEGIN
  IF (SELECT state FROM cycles_cycle WHERE id = NEW.cycle_id) <> 'draft' THEN
    RAISE EXCEPTION '{MESSAGE}';
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER cycles_paymentline_insert_locked BEFORE INSERT ON cycles_paymentline
  FOR EACH ROW EXECUTE FUNCTION cycles_paymentline_insert_locked();
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
            "DROP TRIGGER IF EXISTS cycles_paymentline_locked ON cycles_paymentline;"
            "DROP TRIGGER IF EXISTS cycles_paymentline_insert_locked ON cycles_paymentline;"
            "DROP FUNCTION IF EXISTS cycles_paymentline_locked();"
            "DROP FUNCTION IF EXISTS cycles_paymentline_insert_locked();"
        )
    elif schema_editor.connection.vendor == "sqlite":
        for op in ("update", "delete", "insert"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS cycles_paymentline_no_{op}")


class Migration(migrations.Migration):
    dependencies = [("cycles", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
