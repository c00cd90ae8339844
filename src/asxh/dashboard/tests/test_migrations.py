"""The dashboard's progress snapshots are carried over as the reports' counts of their day."""

import datetime as dt

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from asxh.core.formatting import VIETNAM
from asxh.cycles.tests.conftest import reference_data as reference_data  # the cycles' fixture
from asxh.reports.models import ProgressCount

BEFORE = [("dashboard", "0001_initial")]


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="the flush after a transactional test needs TRUNCATE: the audit trail refuses DELETE",
)
@pytest.mark.django_db(transaction=True)
def test_the_snapshots_are_kept_as_counts_of_their_day(reference_data):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    commune = old.get_model("units", "Commune").objects.order_by("pk").first()
    taken = dt.datetime(2026, 11, 20, 14, 5, tzinfo=VIETNAM)
    old.get_model("dashboard", "ProgressSnapshot").objects.create(
        commune_id=commune.pk, on=dt.date(2026, 11, 20), taken_at=taken, figures={"people": 12}
    )

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    kept = ProgressCount.objects.get(commune_id=commune.pk)
    assert (kept.on, kept.taken_at, kept.figures) == (dt.date(2026, 11, 20), taken, {"people": 12})
