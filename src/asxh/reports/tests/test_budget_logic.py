"""The pure parts of the budget estimate: the memo prices a year exactly as the engine does
month by month, the mortality assumption, the fee and funeral arithmetic."""

import datetime as dt
from collections import Counter
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from asxh.entitlement import engine
from asxh.entitlement.rates import RateBook, national_rates
from asxh.reports.budget import (
    FUNERAL_GROUPS,
    Cell,
    FeeTerms,
    Tally,
    YearPricer,
    age_band,
    funeral_amount,
    in_year,
    month_priced,
    mortality,
)

BOOK = RateBook(national_rates())
YEAR = 2027
FIRST, LAST = YEAR * 12, YEAR * 12 + 11
GROUPS = sorted(
    g
    for g, rule in engine.RULES.items()
    if g not in ("btxh_ho_cham_soc", "btxh_don_than_nuoi_con")  # need extra fields
)


def _plainly(person: engine.Person, enrolled: list[engine.Enrolment]) -> tuple[object, ...]:
    return tuple(month_priced(person._replace(province="91"), enrolled, m, BOOK)
                 for m in range(FIRST, LAST + 1))  # fmt: skip


enrolments = st.builds(
    engine.Enrolment,
    group=st.sampled_from(GROUPS),
    start=st.integers(FIRST - 30, LAST + 2),
    end=st.one_of(st.none(), st.integers(FIRST - 3, LAST + 3)),
    disability_level=st.sampled_from(["severe", "very_severe"]),
    household_poverty=st.sampled_from(["", "poor"]),
    in_education=st.booleans(),
    impairment_percent=st.integers(21, 100),
    martyr_count=st.integers(1, 3),
)


@settings(max_examples=300, deadline=None)
@given(
    born=st.dates(dt.date(1920, 1, 1), dt.date(2026, 12, 31)),
    precision=st.sampled_from(["day", "month", "year"]),
    enrolled=st.lists(enrolments, max_size=3),
)
def test_the_memo_prices_a_year_as_the_engine_does_month_by_month(
    born: dt.date, precision: str, enrolled: list[engine.Enrolment]
) -> None:
    enrolled = [e for e in enrolled if e.end is None or e.end >= e.start]
    person = engine.Person(born, precision)
    pricer = YearPricer(BOOK, YEAR, "91")
    assert pricer.year(person, enrolled).months == _plainly(person, enrolled)


def test_people_alike_in_the_year_share_one_pricing() -> None:
    pricer = YearPricer(BOOK, YEAR, "91")
    born = engine.Person(dt.date(1950, 3, 1))
    one = [engine.Enrolment("btxh_nct_80", start=FIRST - 40)]
    other = [engine.Enrolment("btxh_nct_80", start=FIRST - 7, end=LAST + 5)]
    assert pricer.year(born, one) == pricer.year(born, other)
    assert pricer.priced == 1


def test_in_year_drops_what_does_not_touch_the_year() -> None:
    enrolled = [
        engine.Enrolment("btxh_nct_80", start=FIRST - 50, end=FIRST - 1),  # over before
        engine.Enrolment("btxh_khuyet_tat", start=LAST + 1),  # starts after
        engine.Enrolment("btxh_hiv_ngheo", start=FIRST + 3, end=FIRST + 5),
    ]
    assert in_year(enrolled, FIRST, LAST) == (enrolled[2],)


def test_a_supplement_is_counted_with_its_group_and_the_main_group_is_the_largest() -> None:
    person = engine.Person(dt.date(1960, 6, 1), province="91")
    enrolled = [
        engine.Enrolment("btxh_khuyet_tat", start=FIRST, disability_level="severe"),
        engine.Enrolment("ncc_thuong_binh", start=FIRST, impairment_percent=85),
    ]
    priced = month_priced(person, enrolled, FIRST, BOOK)
    assert dict(priced.amounts) == {"btxh_khuyet_tat": 1_000_000, "ncc_thuong_binh": 9_000_000}
    assert (priced.main, priced.funeral_group, priced.band) == (
        "ncc_thuong_binh",
        "btxh_khuyet_tat",
        "60–69 tuổi",
    )


def test_funeral_support_is_only_for_social_assistance_allowances() -> None:
    assert "btxh_khuyet_tat" in FUNERAL_GROUPS
    assert "btxh_ho_cham_soc" not in FUNERAL_GROUPS  # the carer's support
    assert not any(g.startswith("ncc_") for g in FUNERAL_GROUPS)


def test_funeral_amount_is_twenty_times_the_base() -> None:
    assert funeral_amount(BOOK, FIRST, "91") == 10_000_000


def test_age_bands() -> None:
    assert [age_band(a) for a in (None, 3, 16, 59, 60, 79, 80, 90, 104)] == [
        "chưa rõ tuổi", "dưới 16 tuổi", "16–59 tuổi", "16–59 tuổi", "60–69 tuổi",
        "70–79 tuổi", "80–89 tuổi", "từ 90 tuổi", "từ 90 tuổi",
    ]  # fmt: skip


def test_mortality_is_deaths_over_those_at_risk_spread_over_12_months() -> None:
    rates = mortality(Counter({"80–89 tuổi": 3}), Counter({"80–89 tuổi": 27, "16–59 tuổi": 10}))
    assert rates["80–89 tuổi"] == Fraction(3, 30 * 12)
    assert rates["16–59 tuổi"] == 0


def test_a_cell_charges_each_fee_on_its_own_base() -> None:
    cell = Cell()
    cell.fee_base[("per_head", Decimal(5000))] = [10, 9_000_000]
    cell.fee_base[("percent", Decimal("0.65"))] = [3, 1_234_567]
    assert cell.fees() == 50_000 + 8_025  # 1.234.567 × 0,65 % = 8.024,69 → 8.025
    cell.exposure["70–79 tuổi"] = 10_000_000
    assert cell.funeral({"70–79 tuổi": Fraction(1, 24)}) == Fraction(10_000_000, 24)


def test_a_year_added_at_once_equals_the_same_year_month_by_month() -> None:
    """The summary per group (fee terms the same all year) and the month-by-month path (a
    contract changing mid-year) add the same figures when the terms do not change."""
    pricer = YearPricer(BOOK, YEAR, "91")
    person = engine.Person(dt.date(1947, 5, 15))
    enrolled = [
        engine.Enrolment("btxh_nct_ngheo_khong_nguoi_phung_duong", start=FIRST - 5),
        engine.Enrolment("ncc_thuong_binh", start=FIRST + 2, end=LAST - 3, impairment_percent=85),
    ]
    year = pricer.year(person, enrolled)
    fee = FeeTerms("per_head", Decimal(5000), "contract")

    class Steady:
        def year(self, commune_id: int, method: str) -> tuple[FeeTerms, ...]:
            return (fee,) * 12

    at_once, by_month = Tally(pricer.months, pricer.funerals), Tally(pricer.months, pricer.funerals)
    at_once.add(1, "cash", year, Steady())  # type: ignore[arg-type]
    by_month._add_by_month(1, year.months, (fee,) * 12)
    assert at_once.cells == by_month.cells and at_once.fee_sources == by_month.fee_sources
    assert at_once.cells[(1, "ncc_thuong_binh")].fee_base[("per_head", Decimal(5000))][0] == 7
