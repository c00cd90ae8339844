"""A build spread over worker processes writes what a build in one process writes."""

import itertools
import multiprocessing

import pytest
from django.conf import settings

from asxh.cycles import build, parallel
from asxh.cycles.models import Cycle, PaymentLine
from asxh.cycles.services import cycle_build
from asxh.cycles.tests.conftest import MONTH

LINE = ("beneficiary_id", "payee_id", "contract_id", "method", "benefit", "kind", "for_month",
        "amount", "title", "bank_bin", "account_number", "held_reason")  # fmt: skip


def _built(setting):  # type: ignore[no-untyped-def]
    cycle = cycle_build(
        actor=setting.preparer, month=MONTH, province_code=setting.areas.province.code
    ).cycle
    lines = sorted(PaymentLine.objects.filter(cycle=cycle).values_list(*LINE))
    return lines, (cycle.people, cycle.lines, cycle.total, cycle.held, cycle.held_total)


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="workers share the build's snapshot, a PostgreSQL feature",
)
@pytest.mark.django_db(transaction=True)
def test_several_processes_write_the_same_lines_as_one(reference_data, setting, monkeypatch):
    monkeypatch.setattr(settings, "BUILD_WORKERS", 1)
    alone = _built(setting)
    monkeypatch.setattr(settings, "BUILD_WORKERS", 2)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    cycle = Cycle.objects.get()
    ctx = build.context_for(cycle, *_book(setting))
    parts = parallel.parts(ctx, 2)
    # Every id in exactly one range, one person in each.
    assert parts[0][0] == 0 and parts[-1][1] == build.NO_MORE and len(parts) == 2
    assert all(a[1] + 1 == b[0] for a, b in itertools.pairwise(parts))
    shared = _built(setting)
    assert shared == alone and alone[1][0] == 2


def _book(setting):  # type: ignore[no-untyped-def]
    from asxh.entitlement.selectors import one_offs, ratebook

    return ratebook(), one_offs(setting.areas.province.code)


def test_a_worker_that_fails_or_dies_stops_the_build():
    ours, theirs = multiprocessing.Pipe(duplex=False)
    theirs.send(("lines", b"1\t2\n"))
    theirs.send(("error", "ValueError: hỏng"))
    data = parallel.Workers([ours], []).copy_data(build.Tally())
    assert next(data) == b"1\t2\n"
    with pytest.raises(RuntimeError, match="hỏng"):
        next(data)
    ours, theirs = multiprocessing.Pipe(duplex=False)
    theirs.close()
    with pytest.raises(RuntimeError, match="dừng giữa chừng"):
        next(parallel.Workers([ours], []).copy_data(build.Tally()))
