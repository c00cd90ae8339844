# The dashboard's one snapshot per commune becomes the reports' progress counts, one per
# commune and day (reports.ProgressCount): the snapshots taken so far are kept as those days'
# counts. Going back recreates the snapshot table empty: the dashboard counts again.

from django.db import migrations


def snapshots_kept(apps, schema_editor):
    snapshot = apps.get_model("dashboard", "ProgressSnapshot")
    count = apps.get_model("reports", "ProgressCount")
    count.objects.bulk_create(
        count(commune_id=s.commune_id, on=s.on, taken_at=s.taken_at, figures=s.figures)
        for s in snapshot.objects.all()
    )


class Migration(migrations.Migration):

    dependencies = [
        ('dashboard', '0001_initial'),
        ('reports', '0003_progress_count'),
    ]

    operations = [
        migrations.RunPython(snapshots_kept, migrations.RunPython.noop),
        migrations.DeleteModel(
            name='ProgressSnapshot',
        ),
    ]
