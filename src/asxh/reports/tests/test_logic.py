import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asxh.core.formatting import VIETNAM
from asxh.reports.logic import (
    COUNT_FIELDS,
    Column,
    Figures,
    bar_chart,
    columns,
    deadline_note,
    figures_sum,
    header_groups,
    percent_vn,
    report_date_parse,
    share,
)

PROGRAMMES = [("btxh", "Trợ giúp xã hội"), ("ncc", "Người có công")]

counts = st.integers(min_value=0, max_value=10**6)
figures = st.builds(
    Figures,
    people=counts,
    by_programme=st.dictionaries(st.sampled_from(["btxh", "ncc", "ho_ngheo"]), counts),
    cash=counts,
    account=counts,
    no_account=counts,
    unregistered=counts,
    collected=counts,
    verified=counts,
    mismatches=counts,
    ready=counts,
)


@given(st.lists(figures, max_size=12))
def test_the_total_is_the_sum_of_each_count(items):
    total = figures_sum(items)
    for name in COUNT_FIELDS:
        assert getattr(total, name) == sum(getattr(f, name) for f in items)
    for code in ("btxh", "ncc", "ho_ngheo"):
        assert total.by_programme.get(code, 0) == sum(f.by_programme.get(code, 0) for f in items)


@given(st.lists(figures, max_size=6), st.lists(figures, max_size=6))
def test_summing_in_parts_gives_the_same_total(left, right):
    parts = figures_sum([figures_sum(left), figures_sum(right)])
    assert parts == figures_sum(left + right)


@given(counts, counts)
def test_a_share_is_a_fraction_or_nothing_when_nobody_is_counted(part, whole):
    value = share(part, whole)
    if whole == 0:
        assert value is None and percent_vn(value) == "–"
    else:
        assert value == part / whole
        assert percent_vn(value).endswith(" %") and "." not in percent_vn(value)


def test_percent_is_written_with_a_decimal_comma():
    assert percent_vn(share(1, 3)) == "33,3 %"
    assert percent_vn(1.0) == "100,0 %"


def test_columns_follow_the_seed_titles_and_a_share_reads_its_own_counts():
    cols = columns(PROGRAMMES)
    titles = [c.title for c in cols]
    assert titles[:3] == ["Tổng số", "Trợ giúp xã hội", "Người có công"]
    assert "Không dùng tiền mặt - Đã có tài khoản" in titles
    assert "Không dùng tiền mặt - Chưa có tài khoản" in titles
    f = Figures(people=8, collected=6, verified=3, ready=2, by_programme={"ncc": 5})
    cells = {(c.key, c.of): c.cell(f) for c in cols}
    assert cells[("collected", "people")] == 0.75
    assert cells[("verified", "collected")] == 0.5
    assert cells[("ready", "people")] == 0.25
    assert cells[("programme:ncc", "")] == 5
    assert cells[("programme:btxh", "")] == 0


def test_header_groups_merge_neighbouring_columns_of_one_group():
    cols = [Column("a", "A", "G"), Column("b", "B", "G"), Column("c", "C"), Column("d", "D", "H")]
    assert header_groups(cols) == [("G", 0, 2, True), ("C", 2, 1, False), ("H", 3, 1, True)]
    spans = header_groups(columns(PROGRAMMES))
    assert sum(width for _, _, width, _ in spans) == len(columns(PROGRAMMES))


TODAY = dt.date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20/11/2026", dt.date(2026, 11, 20)),
        (" 5/1/2026 ", dt.date(2026, 1, 5)),
        ("2026-11-23", TODAY),
    ],
)
def test_report_dates_are_read_as_officials_write_them(text, expected):
    assert report_date_parse(text, today=TODAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("11/20/2026", "không có trên lịch"),
        ("hôm qua", "dd/mm/yyyy"),
        ("24/11/2026", "chưa tới"),
    ],
)
def test_a_wrong_date_says_what_to_write(text, message):
    with pytest.raises(ValueError, match=message):
        report_date_parse(text, today=TODAY)


@given(st.dates(min_value=dt.date(2000, 1, 1), max_value=TODAY))
def test_a_date_written_dd_mm_yyyy_reads_back(day):
    assert report_date_parse(f"{day:%d/%m/%Y}", today=TODAY) == day


def _at(hour: int, minute: int) -> dt.datetime:
    return dt.datetime.combine(TODAY, dt.time(hour, minute), tzinfo=VIETNAM)


def test_the_deadline_note_counts_down_to_15_00_and_then_says_it_has_passed():
    assert "còn 2 giờ 15 phút" in deadline_note(TODAY, _at(12, 45))
    assert "Đã quá 15:00" in deadline_note(TODAY, _at(15, 0))
    past = deadline_note(dt.date(2026, 11, 20), _at(9, 0))
    assert past == "Báo cáo tiến độ gửi cấp trên trước 15:00 hằng ngày."


def test_the_chart_puts_the_lowest_share_first_and_marks_the_province_share():
    a = Figures(people=10, collected=8, ready=5)
    b = Figures(people=10, collected=10, ready=1)
    empty = Figures()
    chart = bar_chart([("Xã A", a), ("Xã B", b), ("Xã C", empty)], figures_sum([a, b, empty]))
    assert [bar.label for bar in chart.bars] == ["Xã C", "Xã B", "Xã A"]
    bar_a = chart.bars[2]
    assert bar_a.ready_width == round(0.5 * chart.plot_width, 1)
    assert bar_a.collected_width == round(0.8 * chart.plot_width, 1)
    assert bar_a.ready_text == "50,0 %"
    assert chart.average_x == round(chart.label_width + 0.3 * chart.plot_width, 1)
    assert chart.bars[1].y > chart.bars[0].y and chart.height > chart.bars[2].y


@given(st.lists(figures, min_size=1, max_size=20))
def test_bars_stay_inside_the_plot(items):
    chart = bar_chart([(f"Xã {i}", f) for i, f in enumerate(items)], figures_sum(items))
    for bar in chart.bars:
        assert bar.ready_width >= 0 and bar.collected_width >= 0
    if all(f.ready <= f.people and f.collected <= f.people for f in items):
        assert all(bar.ready_width <= chart.plot_width for bar in chart.bars)
