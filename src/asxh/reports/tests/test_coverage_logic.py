"""The coverage report's pure parts: programmes of benefits, shares, ranks, months, chart."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from asxh.beneficiaries.reference import GROUPS
from asxh.entitlement.engine import BENEFIT_NAMES, FUNERAL, RULES
from asxh.entitlement.months import month_parse
from asxh.reports.coverage_logic import (
    MAX_MONTHS,
    Coverage,
    Place,
    Series,
    benefit_programmes,
    coverage_sum,
    month_range,
    ranking,
    ranks,
    trend_chart,
)

GROUP_PROGRAMMES = {code: programme for programme, code, _, _ in GROUPS}


def test_every_benefit_the_engine_pays_has_its_programme():
    mapping = benefit_programmes(GROUP_PROGRAMMES)
    monthly = set(RULES) | {f"{code}_phu_cap" for code, rule in RULES.items() if rule.supplement}
    assert monthly | {FUNERAL} <= set(mapping)
    assert mapping["ncc_thuong_binh_phu_cap"] == "ncc"
    assert mapping[FUNERAL] == "btxh"
    assert {mapping[code] for code in BENEFIT_NAMES if code.startswith("ncc_")} == {"ncc"}


def test_shares_are_none_without_anybody_and_rank_ties_share_a_rank():
    assert Coverage().people_share is None and Coverage().amount_share is None
    assert Coverage(4, 1, 100, 40).people_share == 0.25
    assert ranks([0.5, 0.9, None, 0.5, 0.1]) == [2, 1, None, 2, 4]


def _place(code: str, people: int, non_cash: int) -> Place:
    figures = Coverage(people, non_cash, people * 10, non_cash * 10)
    return Place(code, f"Xã {code}", "91", figures, {"ncc": figures} if code == "b" else {})


def test_ranking_lists_the_lowest_first_and_communes_without_people_last():
    places = [_place("a", 10, 9), _place("b", 4, 1), _place("c", 0, 0), _place("d", 2, 1)]
    low = ranking(places)
    assert [(r.place.code, r.rank) for r in low] == [("b", 3), ("d", 2), ("a", 1), ("c", None)]
    high = ranking(places, lowest_first=False)
    assert [r.place.code for r in high] == ["a", "d", "b", "c"]
    ncc = ranking(places, "ncc")
    assert (ncc[0].place.code, ncc[0].rank) == ("b", 1)
    assert all(r.rank is None for r in ncc[1:])


@given(st.lists(st.tuples(st.integers(0, 1000), st.integers(0, 1000)), max_size=20))
def test_a_sum_of_communes_is_their_total_and_its_share_lies_between_theirs(pairs):
    items = [Coverage(max(a, b), min(a, b), max(a, b) * 7, min(a, b) * 7) for a, b in pairs]
    total = coverage_sum(items)
    assert total.people == sum(i.people for i in items)
    shares = [i.people_share for i in items if i.people_share is not None]
    if shares:
        assert total.people_share is not None
        assert min(shares) - 1e-9 <= total.people_share <= max(shares) + 1e-9


def test_the_month_range_defaults_to_the_year_up_to_the_last_list():
    last = month_parse("2026-11")
    assert month_range("", "", last) == (last - MAX_MONTHS + 1, last)
    assert month_range("2026-03", "", last) == (month_parse("2026-03"), last)
    assert month_range("", "05/2026", last) == (month_parse("2025-06"), month_parse("2026-05"))
    with pytest.raises(ValueError, match="không sau"):
        month_range("2026-11", "2026-10", last)
    with pytest.raises(ValueError, match="tối đa 12 tháng"):
        month_range("2025-10", "2026-11", last)
    with pytest.raises(ValueError, match="không hợp lệ"):
        month_range("", "2026/11", last)


def test_the_chart_breaks_a_line_at_a_month_without_a_list_and_draws_the_target():
    months = [month_parse(m) for m in ("2026-08", "2026-09", "2026-10", "2026-11")]
    chart = trend_chart(months, [Series("Tất cả", "all", [0.2, None, 0.6, 1.0])], target=0.5)
    (line,) = chart.lines
    assert len(line.paths) == 2 and line.paths[1].count("L") == 1
    assert [p.title for p in line.points][-1] == "Tất cả, 11/2026: 100,0 %"
    bottom, top = chart.top + chart.plot_height, chart.top
    assert chart.target_y == pytest.approx((bottom + top) / 2, abs=0.1)
    assert line.points[-1].y == top and chart.x_labels[0][1] == "08/2026"
    single = trend_chart(months[:1], [Series("Tất cả", "all", [0.5])])
    assert single.lines[0].points[0].x == single.left + single.plot_width / 2
