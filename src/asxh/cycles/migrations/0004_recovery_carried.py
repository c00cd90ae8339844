import importlib

from django.db import migrations, models

# SQLite changes a check constraint by rebuilding the table, which drops its triggers: the
# lock triggers of 0002 are put back after it (PostgreSQL keeps them).
locked_lines = importlib.import_module("asxh.cycles.migrations.0002_locked_lines")


def triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        locked_lines.backwards(apps, schema_editor)
        locked_lines.forwards(apps, schema_editor)


class Migration(migrations.Migration):
    """A recovery larger than a month's due is held and carried over as a negative line."""

    dependencies = [
        ("cycles", "0003_export_stored_name"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="paymentline",
            name="line_amount_positive_except_recovery",
        ),
        migrations.AddConstraint(
            model_name="paymentline",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("amount__gt", 0),
                    models.Q(("amount__lt", 0), ("kind__in", ["recovery", "carry_over"])),
                    _connector="OR",
                ),
                name="line_amount_positive_except_recovery",
            ),
        ),
        migrations.RunPython(triggers_again, migrations.RunPython.noop),
    ]
