"""Properties of the rules over generated people: integer VND, never negative except
recoveries, monotone in the base level, independent of order, arrears adding up."""

import dataclasses
import datetime as dt
import random
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from asxh.entitlement.engine import (
    CARE,
    CARE_KINDS,
    RULES,
    Enrolment,
    Kind,
    Person,
    arrears,
    month_evaluate,
)
from asxh.entitlement.months import month_of
from asxh.entitlement.rates import Rate, RateBook, Unit, national_rates

NATIONAL = national_rates()
BOOK = RateBook(NATIONAL)
FIRST = month_of(dt.date(2023, 7, 1))  # from here every shipped table has a row
LAST = month_of(dt.date(2026, 12, 1))

months = st.integers(FIRST, LAST)
births = st.dates(dt.date(1920, 1, 1), dt.date(2026, 6, 30))


@st.composite
def enrolments(draw: st.DrawFn) -> Enrolment:
    group = draw(st.sampled_from(sorted(RULES)))
    start = draw(st.integers(FIRST - 24, LAST))
    ends = draw(st.one_of(st.none(), st.integers(start, LAST + 12)))
    return Enrolment(
        group=group,
        start=start,
        end=ends,
        disability_level=draw(st.sampled_from(["", "severe", "very_severe"])),
        household_poverty=draw(st.sampled_from(["", "poor", "near_poor"])),
        in_education=draw(st.booleans()),
        impairment_percent=draw(st.one_of(st.none(), st.integers(21, 100))),
        martyr_count=draw(st.one_of(st.none(), st.integers(1, 4))),
        children=draw(st.one_of(st.none(), st.integers(0, 3))),
        pregnant=draw(st.booleans()),
        care_kind=draw(st.sampled_from(["", *CARE_KINDS])) if group == CARE else "",
        cared_birth_date=draw(st.one_of(st.none(), births)),
    )


@st.composite
def people(draw: st.DrawFn) -> tuple[Person, list[Enrolment]]:
    born = draw(births)
    died = draw(st.one_of(st.none(), st.dates(dt.date(2023, 7, 1), dt.date(2026, 12, 31))))
    person = Person(
        birth_date=born,
        birth_precision=draw(st.sampled_from(["day", "month", "year"])),
        death_date=died if died is None or died >= born else None,
        province=draw(st.sampled_from(["", "91", "01"])),
        commune="30682",
        uncollected=frozenset(draw(st.lists(months, max_size=4))),
    )
    return person, draw(st.lists(enrolments(), min_size=1, max_size=3))


def _raised(book_rates: list[Rate], extra: int) -> RateBook:
    """The same rates with every base level raised by `extra` đồng."""
    return RateBook(
        dataclasses.replace(r, value=r.value + Decimal(extra)) if r.key == "btxh.base" else r
        for r in book_rates
    )


@settings(max_examples=300, deadline=None)
@given(people(), months)
def test_amounts_are_whole_dong_and_never_negative(case, month):
    person, enrolled = case
    result = month_evaluate(person, enrolled, month, BOOK)
    for line in result.lines:
        assert isinstance(line.amount, int)
        assert line.amount > 0, line
        assert line.explain()  # every line can say why
    assert result.total == sum(line.amount for line in result.lines)


@settings(max_examples=200, deadline=None)
@given(people(), months, st.integers(1, 400_000))
def test_a_higher_base_never_lowers_any_amount(case, month, extra):
    person, enrolled = case
    before = month_evaluate(person, enrolled, month, BOOK)
    after = month_evaluate(person, enrolled, month, _raised(NATIONAL, extra))
    assert after.total >= before.total
    # Which allowance is the highest may change (a base-linked one can overtake the social
    # pension, a fixed amount, that it tied with), but no amount paid in both goes down.
    paid_before = {line.benefit: line.amount for line in before.lines}
    for line in after.lines:
        assert line.amount >= paid_before.get(line.benefit, 0)


@settings(max_examples=200, deadline=None)
@given(people(), months, st.randoms(use_true_random=False))
def test_the_order_of_enrolments_does_not_matter(case, month, rnd: random.Random):
    person, enrolled = case
    shuffled = list(enrolled)
    rnd.shuffle(shuffled)
    one = month_evaluate(person, enrolled, month, BOOK)
    two = month_evaluate(person, shuffled, month, BOOK)
    assert sorted((x.benefit, x.amount) for x in one.lines) == sorted(
        (x.benefit, x.amount) for x in two.lines
    )


@settings(max_examples=150, deadline=None)
@given(people(), st.integers(FIRST + 1, LAST), st.integers(-300_000, 300_000))
def test_arrears_add_up_to_what_is_due_minus_what_was_paid(case, pay_month, error):
    """Pay every past month with a deliberate error; the arrears and recoveries then make
    each month exactly right, and only recoveries are negative."""
    person, enrolled = case
    since = max(FIRST, pay_month - 12)
    due: dict[tuple[str, int], int] = {}
    for month in range(since, pay_month):
        for line in month_evaluate(person, enrolled, month, BOOK).lines:
            due[(line.benefit, line.month)] = due.get((line.benefit, line.month), 0) + line.amount
    paid = {key: max(0, amount + error) for key, amount in due.items()}
    lines = arrears(person, enrolled, paid, pay_month, BOOK, since=since)
    assert sum(line.amount for line in lines) == sum(due.values()) - sum(paid.values())
    for line in lines:
        assert (line.amount < 0) == (line.kind == Kind.RECOVERY)
        assert sum(d - p for _, d, p in line.corrects) == line.amount
    corrected = [(line.benefit, m) for line in lines for m, _, _ in line.corrects]
    assert len(corrected) == len(set(corrected))  # no month corrected twice


@settings(max_examples=100, deadline=None)
@given(people(), st.lists(st.integers(FIRST, LAST), min_size=1, max_size=3, unique=True))
def test_moves_leave_no_month_unpaid_or_paid_twice(case, moves):
    """Each month's lines belong to exactly one commune: the old one through the month of
    its stop decision, the new one from the month after (NĐ 20/2021 Điều 8 khoản 4)."""
    person, enrolled = case
    moves = sorted(moves)
    moved = person._replace(
        moves=tuple((m, f"new{i}") for i, m in enumerate(moves)), uncollected=frozenset()
    )
    stayed = person._replace(uncollected=frozenset())
    for month in range(FIRST, LAST + 1):
        here = month_evaluate(moved, enrolled, month, BOOK)
        there = month_evaluate(stayed, enrolled, month, BOOK)
        assert [x.amount for x in here.lines] == [x.amount for x in there.lines]
        expected = next(
            (f"new{i}" for i, m in reversed(list(enumerate(moves))) if month > m), "30682"
        )
        assert {x.commune for x in here.lines} <= {expected}


def test_shuffling_the_cases_of_a_file_changes_no_answer():
    from asxh.entitlement.cases import policy_evaluate

    cases = [
        {
            "id": f"c{i}",
            "person": {"birth_date": f"{1940 + i}", "death_date": "15/03/2025" if i % 4 else ""},
            "enrolments": [{"group": group, "start": start, "disability_level": "severe"}],
            "months": {"from": "2024-05", "to": "2025-08"},
        }
        for i, (group, start) in enumerate(
            [
                ("btxh_nct_80", "2024-01"),
                ("btxh_khuyet_tat", "2024-01"),
                ("huu_tri_xa_hoi", "2025-07"),
            ]
            * 4
        )
    ]
    first = policy_evaluate({"cases": cases}, NATIONAL)
    shuffled = list(cases)
    random.Random(7).shuffle(shuffled)
    second = policy_evaluate({"cases": shuffled}, NATIONAL)
    assert first["errors"] == second["errors"] == []
    by_id = {c["id"]: c for c in second["cases"]}
    assert all(by_id[c["id"]] == c for c in first["cases"])


def test_a_province_may_raise_the_base_but_not_lower_it():
    person = Person(birth_date=dt.date(1950, 1, 1), province="91")
    enrolled = [Enrolment("btxh_nct_80", month_of(dt.date(2020, 1, 1)))]
    month = month_of(dt.date(2031, 1, 1))

    def local(value: int) -> RateBook:
        rate = Rate("btxh.base", Decimal(value), Unit.VND, dt.date(2025, 1, 1), None, "91", "HĐND")
        return RateBook([*NATIONAL, rate])

    assert month_evaluate(person, enrolled, month, local(600_000)).total == 600_000
    assert month_evaluate(person, enrolled, month, local(400_000)).total == 500_000
