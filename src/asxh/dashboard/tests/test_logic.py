"""The dashboard's pure parts: payments adding up, short amounts, chart geometry."""

import pytest

from asxh.dashboard.charts import nice_step, share_bars, stacked_bars
from asxh.dashboard.logic import Payments, account_share, amount_short, by_channel, payments_sum


def test_payments_add_up_field_by_field():
    a = Payments(people=2, amount=2_000_000, paid_people=1, paid_amount=1_000_000)
    b = Payments(people=1, amount=500_000, pending_people=1, pending_amount=500_000)
    total = payments_sum([a, b])
    assert (total.people, total.amount, total.paid_amount, total.pending_people) == (
        3, 2_500_000, 1_000_000, 1,
    )  # fmt: skip
    assert not total.accounted and Payments(people=1).accounted and not Payments().accounted


def test_every_channel_is_there_in_order_even_when_empty():
    found = by_channel([("home", Payments(people=1, amount=10)), ("home", Payments(amount=5))])
    assert list(found) == ["account", "cash", "home"]
    assert found["home"].amount == 15 and found["account"] == Payments()
    assert account_share(found) == 0.0 and account_share(by_channel([])) is None


@pytest.mark.parametrize(
    ("amount", "text"),
    [(0, "0"), (950, "950"), (12_000, "12 nghìn"), (350_000_000, "350 triệu"),
     (1_250_000_000, "1,2 tỷ"), (2_000_000_000, "2 tỷ"), (1_001_194_012_000, "1.001,2 tỷ")],
)  # fmt: skip
def test_axis_amounts_are_short_with_a_vietnamese_comma(amount, text):
    assert amount_short(amount) == text


@pytest.mark.parametrize(
    ("largest", "step"), [(0, 1), (7, 2), (1_000_000, 250_000 * 2), (4_000_000, 1_000_000)]
)
def test_steps_are_round(largest, step):
    assert nice_step(largest) == step


def test_stacked_columns_are_as_tall_as_their_money():
    chart = stacked_bars(["10/2026", "11/2026", "12/2026"], [[0, 0], [300, 100], [200, 0]],
                         [("a", "Đã chi"), ("b", "Chưa có kết quả")], ["", "75,0 %", ""],
                         width=400, height=230)  # fmt: skip
    empty, full, half = chart.columns
    assert empty.segments == [] and empty.label == "10/2026"
    bottom = chart.top + chart.plot_height
    paid, pending = full.segments
    assert paid.y + paid.height == pytest.approx(bottom, abs=0.2)
    assert pending.y + pending.height == pytest.approx(paid.y, abs=0.2)
    assert paid.height == pytest.approx(3 * pending.height, abs=0.2)
    assert half.segments[0].height == pytest.approx(paid.height * 2 / 3, abs=0.2)
    assert full.note == "75,0 %" and "300 đ" in paid.title
    assert chart.y_ticks[0][1] == "0" and chart.y_ticks[-1][1] == "400"


def test_share_bars_put_the_lowest_first_and_leave_out_who_has_nothing():
    chart = share_bars([("Xã A", 9, 10), ("Xã B", 1, 4), ("Xã C", 0, 0), ("Xã D", 2, 4)],
                       (12, 18), limit=2)  # fmt: skip
    assert [b.label for b in chart.bars] == ["Xã B", "Xã D"]
    assert chart.bars[0].text == "25,0 % (1/4)" and chart.hidden == 1
    assert chart.bars[1].width == pytest.approx(chart.plot_width / 2, abs=0.1)
    assert chart.average_x == pytest.approx(chart.label_width + chart.plot_width * 2 / 3, abs=0.1)
