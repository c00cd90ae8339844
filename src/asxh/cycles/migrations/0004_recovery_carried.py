from django.db import migrations, models


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
    ]
