"""The summary of a locked list: it adds up to the list and to the provider's books, it is
rewritten when results come in, and a reader never gets rows behind the result files."""

import datetime as dt

import pytest
from django.utils import timezone

from asxh.cycles import selectors as cycle_selectors
from asxh.dashboard.logic import Payments, payments_sum
from asxh.dashboard.models import PaymentSummary, SummaryState
from asxh.dashboard.summary import NO_RESULTS, summaries_current, summary_write
from asxh.dashboard.tests.conftest import AMOUNT
from asxh.reports.progress import day_end
from asxh.results import selectors as results_selectors
from asxh.results.models import ResultFile

pytestmark = pytest.mark.django_db


def _channels(cycle_id: int, commune_id: int | None = None) -> dict[str, Payments]:
    rows = PaymentSummary.objects.filter(cycle_id=cycle_id)
    if commune_id is not None:
        rows = rows.filter(commune_id=commune_id)
    found: dict[str, Payments] = {}
    for row in rows:
        figures = {name: getattr(row, name) for name in Payments().as_dict()}
        found[row.channel] = found.get(row.channel, Payments()) + Payments(**figures)
    return found


def test_a_locked_list_adds_up_to_its_stored_totals(month):
    summaries_current([month.cycle.pk])
    total = payments_sum(_channels(month.cycle.pk).values())
    cycle = month.cycle
    assert (
        (total.people, total.amount) == (cycle.people - cycle.held, cycle.total) == (5, 5 * AMOUNT)
    )
    assert (total.held_lines, total.held_amount) == (cycle.held, cycle.held_total) == (1, AMOUNT)
    assert total.pending_amount == total.amount and total.paid_amount == 0  # no result yet
    state = SummaryState.objects.get(cycle=cycle)
    assert state.results_key == NO_RESULTS and state.books == []


def test_payments_are_counted_by_channel_in_each_commune(month, areas):
    summaries_current([month.cycle.pk])
    home = _channels(month.cycle.pk, areas.home.pk)
    assert {c: (p.people, p.amount, p.held_lines) for c, p in home.items()} == {
        "account": (1, AMOUNT, 1),  # and the unverified account's line held
        "cash": (1, AMOUNT, 0),
        "home": (1, AMOUNT, 0),
    }
    neighbour = _channels(month.cycle.pk, areas.neighbour.pk)
    assert {c: p.people for c, p in neighbour.items()} == {"account": 1, "cash": 1}


def test_the_summary_agrees_with_the_providers_books_to_the_dong(reported):
    summaries_current([reported.cycle.pk])
    [books] = results_selectors.books(reported.cycle)
    channels = _channels(reported.cycle.pk)
    total = payments_sum(channels.values())
    assert total.amount == books.advanced
    assert channels["account"].paid_amount == books.paid_account == AMOUNT
    assert channels["cash"].paid_amount == books.paid_cash == AMOUNT
    assert channels["home"].paid_amount == books.paid_home == AMOUNT
    assert channels["account"].unpaid_amount == books.returned == AMOUNT  # refused transfer
    assert channels["cash"].unpaid_amount + channels["home"].unpaid_amount == books.carried == 0
    assert total.pending_people == books.pending_people + books.review_people == 1
    assert total.pending_amount == books.pending + books.review == AMOUNT
    assert total.paid_people == books.people_paid == 3
    assert total.unpaid_people == books.unpaid_people == 1
    assert total.refused_people == 1
    assert total.paid_amount + total.unpaid_amount + total.pending_amount == total.amount
    stored = SummaryState.objects.get(cycle=reported.cycle)
    assert stored.books == [books.as_dict()] and not books.balanced


def test_rows_behind_the_result_files_are_rewritten_before_they_are_read(month, reported):
    cycle = reported.cycle
    # Written before the results came (a reader after the lock, say).
    summary_write(cycle.pk)
    SummaryState.objects.filter(cycle=cycle).update(results_key=NO_RESULTS)
    assert summaries_current([cycle.pk]) == [cycle.pk]
    assert payments_sum(_channels(cycle.pk).values()).paid_amount == 3 * AMOUNT
    assert summaries_current([cycle.pk]) == []  # current: nothing to do
    key = SummaryState.objects.get(cycle=cycle).results_key
    assert key == f"1:{ResultFile.objects.get().pk}"


def test_advances_from_the_summary_equal_the_cycles_own(month, users):
    from asxh.access.roles import Role
    from asxh.dashboard.selectors import treasury_advances

    [found] = treasury_advances(users[Role.TREASURY])
    assert found.advances == cycle_selectors.advances(month.cycle)
    assert found.amount == 5 * AMOUNT and found.fee == 5 * 5_000


def test_a_draft_has_no_summary(setting, areas):
    from asxh.cycles.services import cycle_build
    from asxh.cycles.tests.conftest import MONTH

    draft = cycle_build(actor=setting.preparer, month=MONTH, province_code=areas.province.code)
    assert summary_write(draft.cycle.pk) == 0
    assert summaries_current([draft.cycle.pk]) == []
    assert not SummaryState.objects.exists()


def test_the_refresh_command_catches_up_and_counts_progress(reported, areas, capsys):
    from django.core.management import call_command

    from asxh.audit.models import AuditEvent
    from asxh.reports.models import ProgressCount

    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    # Yesterday: the home commune was counted during the day, the neighbour after midnight.
    for commune, taken in (
        (areas.home, day_end(yesterday) - dt.timedelta(hours=5)),
        (areas.neighbour, day_end(yesterday) + dt.timedelta(minutes=5)),
    ):
        ProgressCount.objects.create(commune=commune, on=yesterday, taken_at=taken,
                                     figures={"people": 999})  # fmt: skip
    call_command("dashboard", "refresh", "--progress")
    assert "Đã tổng hợp lại 1 danh sách" in capsys.readouterr().out
    assert SummaryState.objects.get(cycle=reported.cycle).results_key != NO_RESULTS
    home = ProgressCount.objects.filter(commune=areas.home)
    assert sorted(home.values_list("on", flat=True)) == [yesterday, today]
    finalised = home.get(on=yesterday)
    assert finalised.taken_at >= day_end(yesterday) and finalised.figures["people"] != 999
    final = ProgressCount.objects.get(commune=areas.neighbour, on=yesterday)
    assert final.figures == {"people": 999}  # counted after its end already: left as it was
    assert ProgressCount.objects.filter(commune=areas.foreign, on=today).exists()  # every one
    call_command("dashboard", "refresh")
    assert "Đã tổng hợp lại 0 danh sách" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="dashboard.refresh").count() == 2
