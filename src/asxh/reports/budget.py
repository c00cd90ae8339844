"""The annual budget estimate (dự toán) of a province for a year: per commune and target group,
the people expected to be paid, their monthly amounts over the 12 months, the expected funeral
support and the providers' fees. docs/du-toan.md states the assumptions in Vietnamese.

How it is computed (`budget_compute`):
- Everyone active today is priced by the entitlement engine for each of the 12 months, with
  the rates in force in each month (a rate announced for the year is used from its date).
  Ages are the engine's, month by month, so someone crossing an age band mid-year is priced at
  both rates; an enrolment ending, or a child ageing out, stops at its month.
- Funeral support cannot come from the engine (no death of next year is known): it is each
  person-month's chance of dying as a social-assistance beneficiary — the province's deaths by
  age band over the 12 months before today, over the people at risk — times the funeral
  support of that month.
- Fees: the contract serving the commune and the person's payment method in each month
  (per head: the person-months paid; per cent: of the amount), else the province's own fee
  rate.

Pricing a million people takes tens of seconds (bench/budget_bench.py), too long for a page.
So computing is an explicit action whose result is stored (`BudgetEstimate`, `BudgetLine`,
a few rows per commune), and the page, the Excel file and the command read the stored rows
(`budget_estimate`).
"""

import datetime as dt
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import require
from asxh.audit.services import audit_record
from asxh.beneficiaries.models import (
    Beneficiary,
    Enrolment,
    PaymentMethodRegistration,
    Status,
    TargetGroup,
)
from asxh.core.bulk import whole_table_reads
from asxh.cycles import build
from asxh.entitlement import engine
from asxh.entitlement.models import RateEntry
from asxh.entitlement.months import month_first_day, month_iso, month_label, month_of
from asxh.entitlement.rates import RateBook, RateMissing, Unit
from asxh.entitlement.selectors import ratebook
from asxh.providers.logic import fee_amount
from asxh.providers.models import Contract
from asxh.providers.selectors import Routing
from asxh.reports.models import BudgetEstimate, BudgetLine
from asxh.reports.selectors import report_communes
from asxh.units.models import Province

# Who prepares a province's estimate: those who build its payment lists or set its rates.
COMPUTE_CAPABILITIES = (Capability.BUILD_CYCLE, Capability.MANAGE_RATES)
# How far ahead an estimate may be made, in years after the current one.
YEARS_AHEAD = 5
# The groups whose members' deaths are paid funeral support (NĐ 20/2021 Điều 11): the
# monthly social-assistance allowances, as the engine decides it (engine._funeral).
FUNERAL_GROUPS = frozenset(
    code for code, rule in engine.RULES.items() if rule.programme == "btxh" and rule.allowance
)
# Age bands of the mortality assumption: (from age, label); "chưa rõ tuổi" without a birth date.
AGE_BANDS = (
    (0, "dưới 16 tuổi"),
    (16, "16–59 tuổi"),
    (60, "60–69 tuổi"),
    (70, "70–79 tuổi"),
    (80, "80–89 tuổi"),
    (90, "từ 90 tuổi"),
)
NO_AGE = "chưa rõ tuổi"
# A memo entry is one pricing of a year; past this many, the memo starts again (memory).
MEMO_LIMIT = 400_000
# How the fee of a person-month was found.
BY_CONTRACT, BY_RATE, NO_FEE = "contract", "rate", "none"


def age_band(age: int | None) -> str:
    if age is None:
        return NO_AGE
    return next(label for start, label in reversed(AGE_BANDS) if age >= start)


# --- one person's year (pure) ------------------------------------------------------------


class MonthPriced(NamedTuple):
    """What a person is paid in one month, by target group (a supplement, `<group>_phu_cap`,
    counted with its group); the group the month's per-head fee is charged to (the largest
    amount); the social-assistance group a death that month would be paid funeral support
    under ('' if none); the person's age band that month."""

    amounts: tuple[tuple[str, int], ...]
    main: str
    funeral_group: str
    band: str


def month_priced(
    person: engine.Person, enrolled: Sequence[engine.Enrolment], month: int, book: RateBook
) -> MonthPriced:
    result = engine.month_evaluate(person, enrolled, month, book)
    amounts: dict[str, int] = {}
    for line in result.lines:
        if line.kind == engine.Kind.MONTHLY:
            group = line.benefit.removesuffix("_phu_cap")
            amounts[group] = amounts.get(group, 0) + line.amount
    ranked = sorted(amounts.items(), key=lambda pair: (pair[1], pair[0]), reverse=True)
    main = ranked[0][0] if ranked else ""
    funeral = next((group for group, _ in ranked if group in FUNERAL_GROUPS), "")
    band = age_band(engine.age_in(person, month)) if funeral else ""
    return MonthPriced(tuple(sorted(amounts.items())), main, funeral, band)


def in_year(
    enrolled: Iterable[engine.Enrolment], first: int, last: int
) -> tuple[engine.Enrolment, ...]:
    """The enrolments as they bear on months first…last: those over before `first` or starting
    after `last` dropped, a start before `first` moved to it, an end after `last` removed. The
    engine reads start and end only as "month < start" and "month > end", so these months
    price the same, and people who differ only there share one memo entry."""
    kept = []
    for e in enrolled:
        if (e.end is not None and e.end < first) or e.start > last:
            continue
        end = None if e.end is None or e.end >= last else e.end
        kept.append(e._replace(start=max(e.start, first), end=end))
    return tuple(kept)


class GroupYear(NamedTuple):
    """A person's year in one group: the months paid, the amount, and the months whose per-head
    fee is charged to this group (those where it is the person's largest amount)."""

    group: str
    months: int
    amount: int
    heads: int


class ExposureYear(NamedTuple):
    """The months someone could die as a beneficiary of a funeral-support group, at an age
    band, and the funeral support of those months (Σ đồng)."""

    group: str
    band: str
    amount: int
    months: int


class PricedYear(NamedTuple):
    months: tuple[MonthPriced, ...]
    groups: tuple[GroupYear, ...]
    exposure: tuple[ExposureYear, ...]


def year_summary(months: Sequence[MonthPriced], funerals: Sequence[int]) -> PricedYear:
    """The 12 months added up per group and per (group, age band), once per pricing: what a
    person adds to the estimate when the fee terms are the same all year."""
    groups: dict[str, list[int]] = {}
    exposure: dict[tuple[str, str], list[int]] = {}
    for priced, funeral in zip(months, funerals, strict=True):
        for group, amount in priced.amounts:
            figures = groups.setdefault(group, [0, 0, 0])
            figures[0] += 1
            figures[1] += amount
        if priced.main:
            groups[priced.main][2] += 1
        if priced.funeral_group:
            exposed = exposure.setdefault((priced.funeral_group, priced.band), [0, 0])
            exposed[0] += funeral
            exposed[1] += 1
    return PricedYear(
        tuple(months),
        tuple(GroupYear(g, *figures) for g, figures in sorted(groups.items())),
        tuple(ExposureYear(g, band, *x) for (g, band), x in sorted(exposure.items())),
    )


class YearPricer:
    """Each month of a year through the engine, for one person at a time. The engine is a pure
    function of the person's birth month, death date, province and enrolments: people alike in
    all of these (most people: same group, same birth month) are priced once."""

    def __init__(self, book: RateBook, year: int, province: str) -> None:
        self.book = book
        self.months = range(year * 12, year * 12 + 12)
        self.province = province
        self.funerals = tuple(funeral_amount(book, m, province) for m in self.months)
        self._memo: dict[tuple[Any, ...], PricedYear] = {}
        self._shared: dict[MonthPriced, MonthPriced] = {}  # one object per distinct month
        self.priced = 0  # people priced through the engine (the others came from the memo)

    def year(self, person: engine.Person, enrolled: Sequence[engine.Enrolment]) -> PricedYear:
        relevant = in_year(enrolled, self.months[0], self.months[-1])
        key = (engine.birth_month(person), person.death_date, relevant)
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            found = self._memo[key] = self._price(person, relevant)
        return found

    def _price(self, person: engine.Person, enrolled: Sequence[engine.Enrolment]) -> PricedYear:
        self.priced += 1
        person = person._replace(province=self.province)
        months = (month_priced(person, enrolled, m, self.book) for m in self.months)
        shared = tuple(self._shared.setdefault(priced, priced) for priced in months)
        return year_summary(shared, self.funerals)


# --- fees ----------------------------------------------------------------------------------


class FeeTerms(NamedTuple):
    kind: str  # per_head | percent (providers.models.FeeKind)
    value: Decimal
    source: str  # BY_CONTRACT | BY_RATE


class FeeFinder:
    """The fee terms of a commune, payment method and month: the contract serving them then
    (`providers.selectors.Routing`), else the province's own fee rate — the default contracts
    take theirs from (`engine.provider_fee`) — else none."""

    def __init__(self, province: Province, months: range, book: RateBook) -> None:
        self._routing = {month: Routing(province, month) for month in months}
        self._fees = {
            pk: (kind, value)
            for pk, kind, value in Contract.objects.filter(province=province).values_list(
                "pk", "fee_kind", "fee_value"
            )
        }
        self._book = book
        self._province = province.code
        self._months = months
        self._memo: dict[tuple[int, str], tuple[FeeTerms | None, ...]] = {}

    def year(self, commune_id: int, method: str) -> tuple[FeeTerms | None, ...]:
        """The terms of each month of the year."""
        key = (commune_id, method)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = tuple(
                self._find(commune_id, method, month) for month in self._months
            )
        return found

    def _find(self, commune_id: int, method: str, month: int) -> FeeTerms | None:
        contract = self._routing[month].contract_for(commune_id, method)
        if contract is not None:
            kind, value = self._fees[contract]
            return FeeTerms(kind, value, BY_CONTRACT)
        try:
            _, rate = engine.provider_fee(self._book, month, self._province, 0, 0)
        except RateMissing:
            return None
        kind = "percent" if rate.unit == Unit.PERCENT else "per_head"
        return FeeTerms(kind, rate.value, BY_RATE)


# --- adding up -----------------------------------------------------------------------------


@dataclass
class Cell:
    """One commune × group, as the people are added."""

    people: int = 0
    person_months: int = 0
    monthly: int = 0
    # (fee kind, value) → [person-months charged here, amount paid]
    fee_base: dict[tuple[str, Decimal], list[int]] = field(default_factory=dict)
    # Age band → the funeral support of every month someone could die in it (Σ đồng).
    exposure: Counter[str] = field(default_factory=Counter)
    exposure_months: Counter[str] = field(default_factory=Counter)

    def fees(self) -> int:
        return sum(
            fee_amount(kind, value, heads, amount)
            for (kind, value), (heads, amount) in self.fee_base.items()
        )

    def funeral(self, rates: dict[str, Fraction]) -> Fraction:
        expected = Fraction()
        for band, amount in self.exposure.items():
            expected += amount * rates.get(band, Fraction())
        return expected


@dataclass
class Tally:
    months: range
    funerals: Sequence[int]  # the funeral support of each month
    cells: dict[tuple[int, str], Cell] = field(default_factory=dict)
    people: int = 0
    # Social-assistance beneficiaries alive today, by age band: the mortality's population.
    at_risk: Counter[str] = field(default_factory=Counter)
    fee_sources: Counter[str] = field(default_factory=Counter)  # person-months by source

    def cell(self, commune_id: int, group: str) -> Cell:
        key = (commune_id, group)
        found = self.cells.get(key)
        if found is None:
            found = self.cells[key] = Cell()
        return found

    def add(self, commune_id: int, method: str, year: PricedYear, fees: FeeFinder) -> None:
        """A person of the commune, paid by `method`."""
        self.people += 1
        terms = fees.year(commune_id, method)
        if len(set(terms)) > 1:  # a contract starts or ends during the year
            self._add_by_month(commune_id, year.months, terms)
            return
        steady = terms[0]
        fee_key = (steady.kind, steady.value) if steady else None
        for group in year.groups:
            cell = self.cell(commune_id, group.group)
            cell.people += 1
            cell.person_months += group.months
            cell.monthly += group.amount
            self.fee_sources[steady.source if steady else NO_FEE] += group.heads
            if fee_key is not None:
                base = cell.fee_base.setdefault(fee_key, [0, 0])
                base[0] += group.heads
                base[1] += group.amount
        for exposed in year.exposure:
            cell = self.cell(commune_id, exposed.group)
            cell.exposure[exposed.band] += exposed.amount
            cell.exposure_months[exposed.band] += exposed.months

    def _add_by_month(self, commune_id: int, months: Sequence[MonthPriced],
                      terms: Sequence[FeeTerms | None]) -> None:  # fmt: skip
        """As `add`, month by month, each with its own fee terms."""
        seen: set[str] = set()
        for priced, fee, funeral in zip(months, terms, self.funerals, strict=True):
            if not priced.amounts:
                continue
            self.fee_sources[fee.source if fee else NO_FEE] += 1
            for group, amount in priced.amounts:
                cell = self.cell(commune_id, group)
                cell.monthly += amount
                cell.person_months += 1
                seen.add(group)
                if fee is not None:
                    cell.fee_base.setdefault((fee.kind, fee.value), [0, 0])[1] += amount
            if fee is not None:  # a person is one head a month, whatever their groups
                self.cell(commune_id, priced.main).fee_base[(fee.kind, fee.value)][0] += 1
            if priced.funeral_group:
                cell = self.cell(commune_id, priced.funeral_group)
                cell.exposure[priced.band] += funeral
                cell.exposure_months[priced.band] += 1
        for group in seen:
            self.cell(commune_id, group).people += 1


# --- mortality -----------------------------------------------------------------------------


def at_risk_band(person: engine.Person, enrolled: Sequence[engine.Enrolment], month: int) -> str:
    """The age band of someone enrolled in a funeral-support group in `month`, or ''."""
    for e in enrolled:
        if e.group in FUNERAL_GROUPS and e.start <= month and (e.end is None or e.end >= month):
            return age_band(engine.age_in(person, month))
    return ""


def mortality(deaths: Counter[str], at_risk: Counter[str]) -> dict[str, Fraction]:
    """The chance of dying in one month, by age band: the deaths of 12 months over the people
    at risk then (those alive today plus those who died), spread evenly over the months."""
    rates = {}
    for band in set(deaths) | set(at_risk):
        exposed = at_risk[band] + deaths[band]
        rates[band] = Fraction(deaths[band], exposed * 12) if exposed else Fraction()
    return rates


def funeral_amount(book: RateBook, month: int, province: str) -> int:
    """The funeral support for a death on the first day of `month`. Asked of the engine with a
    stand-in beneficiary (a very severely disabled adult) who dies that day, so that the rule
    (the national base × the province's multiple, NĐ 20/2021 Điều 11) stays in one place."""
    died = month_first_day(month)
    person = engine.Person(
        birth_date=dt.date(died.year - 40, 1, 1), death_date=died, province=province
    )
    stand_in = engine.Enrolment("btxh_khuyet_tat", start=month, disability_level="very_severe")
    lines = engine.month_evaluate(person, [stand_in], month, book).lines
    return next(line.amount for line in lines if line.kind == engine.Kind.FUNERAL)


# --- reading the registry --------------------------------------------------------------------

ENROLMENT_COLUMNS = (
    "beneficiary_id",
    "group_id",
    "start_month",
    "end_month",
    "disability_level",
    "household_poverty",
    "in_education",
    "hiv_positive",
    "impairment_percent",
    "martyr_count",
    "children",
    "pregnant",
    "care_kind",
    "cared_birth_date",
)  # the columns build.enrolment_row reads, in its order


def _people(commune_ids: list[int]) -> Iterator[tuple[Any, ...]]:
    people = Beneficiary.objects.filter(status=Status.ACTIVE, commune_id__in=commune_ids)
    return build.stream(
        people.order_by("pk").values_list(
            "pk", "commune_id", "birth_date", "birth_date_precision", "death_date"
        )
    )


def _streams(commune_ids: list[int], since: int) -> tuple[build.Stream, build.Stream]:
    """Enrolments that may pay from month `since`, and payment-method registrations, of the
    active people, in the order of the monthly build (so that its readers apply)."""
    active = Q(beneficiary__commune_id__in=commune_ids, beneficiary__status=Status.ACTIVE)
    enrolments = Enrolment.objects.filter(
        active, Q(end_month=None) | Q(end_month__gte=month_first_day(since))
    ).order_by("beneficiary_id", "pk")
    registrations = PaymentMethodRegistration.objects.filter(active).order_by(
        "beneficiary_id", "registered_on", "pk"
    )
    return (
        build.Stream(build.stream(enrolments.values_list(*ENROLMENT_COLUMNS))),
        build.Stream(
            build.stream(
                registrations.values_list("beneficiary_id", "method", "payee_id", "cash_at_home")
            )
        ),
    )


def _deaths(
    commune_ids: list[int],
    window: tuple[int, int],
    book: RateBook,
    province: str,
    groups: dict[int, str],
) -> Counter[str]:
    """Deaths in the window (months) that were paid — or were due — funeral support, by the
    age band at death: the engine says whether a funeral line was due that month."""
    died = Beneficiary.objects.filter(
        commune_id__in=commune_ids,
        death_date__gte=month_first_day(window[0]),
        death_date__lt=month_first_day(window[1] + 1),
    )
    enrolments = build.Stream(
        build.stream(
            Enrolment.objects.filter(beneficiary__in=died)
            .order_by("beneficiary_id", "pk")
            .values_list(*ENROLMENT_COLUMNS)
        )
    )
    deaths: Counter[str] = Counter()
    rows = died.order_by("pk").values_list("pk", "birth_date", "birth_date_precision", "death_date")
    for pid, born, precision, death_date in build.stream(rows):
        enrolled = [build.enrolment_row(row, groups) for row in enrolments.take(pid)]
        person = engine.Person(born, precision, death_date, province)
        month = month_of(death_date)
        lines = engine.month_evaluate(person, enrolled, month, book).lines
        if any(line.kind == engine.Kind.FUNERAL for line in lines):
            deaths[age_band(engine.age_in(person, month))] += 1
    return deaths


@dataclass
class Priced:
    tally: Tally
    deaths: Counter[str]
    window: tuple[int, int]
    engine_people: int  # people the engine priced (the rest were alike someone already priced)

    def rates(self) -> dict[str, Fraction]:
        return mortality(self.deaths, self.tally.at_risk)

    def lines(self) -> list[tuple[int, str, int, int, int, int, int]]:
        """(commune id, group, people, person-months, monthly, funeral, fees) per cell."""
        rates = self.rates()
        return [
            (
                commune_id,
                group,
                c.people,
                c.person_months,
                c.monthly,
                _round(c.funeral(rates)),
                c.fees(),
            )
            for (commune_id, group), c in sorted(self.tally.cells.items())
            if c.people
        ]

    def assumptions(self) -> dict[str, Any]:
        """What the estimate assumed, as stored with it and shown under the table."""
        rates = self.rates()
        exposure: Counter[str] = Counter()
        for cell in self.tally.cells.values():
            exposure.update(cell.exposure_months)
        bands = [label for _, label in AGE_BANDS] + [NO_AGE]
        return {
            "window": [month_iso(self.window[0]), month_iso(self.window[1])],
            "mortality": [
                {
                    "band": band,
                    "deaths": self.deaths[band],
                    "at_risk": self.tally.at_risk[band],
                    "monthly_rate": float(rates.get(band, 0)),
                }
                for band in bands
                if self.deaths[band] or self.tally.at_risk[band]
            ],
            "expected_deaths": round(
                float(sum(exposure[band] * rates.get(band, 0) for band in exposure)), 1
            ),
            "funeral_amounts": {
                month_iso(m): a for m, a in zip(self.tally.months, self.tally.funerals, strict=True)
            },
            "fee_person_months": {
                source: self.tally.fee_sources[source] for source in (BY_CONTRACT, BY_RATE, NO_FEE)
            },
        }


def price_province(province: Province, year: int, as_of: dt.date, book: RateBook) -> Priced:
    """Read the province's active people and price their year: the figures per commune and
    group, and the assumptions behind them (nothing is written)."""
    commune_ids = list(province.communes.values_list("pk", flat=True))  # type: ignore[attr-defined]
    groups = dict(TargetGroup.objects.values_list("pk", "code"))
    months = range(year * 12, year * 12 + 12)
    today = month_of(as_of)
    pricer = YearPricer(book, year, province.code)
    tally = Tally(months, pricer.funerals)
    fees = FeeFinder(province, months, book)
    enrolments, registrations = _streams(commune_ids, min(today, months[0]))
    for pid, commune_id, born, precision, died in _people(commune_ids):
        enrolled = [build.enrolment_row(row, groups) for row in enrolments.take(pid)]
        method = build.payment_for(registrations.take(pid), [], []).method
        person = engine.Person(born, precision, died)
        tally.add(commune_id, method, pricer.year(person, enrolled), fees)
        if band := at_risk_band(person, enrolled, today):
            tally.at_risk[band] += 1
    window = (today - 12, today - 1)
    deaths = _deaths(commune_ids, window, book, province.code, groups)
    return Priced(tally, deaths, window, pricer.priced)


def _round(value: Fraction) -> int:
    """Half up to the đồng."""
    return (value.numerator * 2 + value.denominator) // (value.denominator * 2)


# --- computing (the write) -----------------------------------------------------------------


def can_compute(user: User, province: Province) -> bool:
    """Whether the user prepares the province's estimate: a role that builds payment lists or
    sets rates, working in the whole province."""
    return (
        user.is_active
        and user.can(Capability.VIEW_REPORTS)
        and any(user.can(c) for c in COMPUTE_CAPABILITIES)
        and user.areas.filter(province=province).exists()
    )


def year_check(year: int, today: dt.date) -> None:
    if not today.year <= year <= today.year + YEARS_AHEAD:
        raise ValidationError(
            f"Năm dự toán {year} không hợp lệ: từ {today.year} đến {today.year + YEARS_AHEAD}."
        )


@dataclass
class Computed:
    estimate: BudgetEstimate
    lines: int
    engine_people: int


def budget_compute(
    *, actor: User, province_code: str, year: int, as_of: dt.date | None = None
) -> Computed:
    """Price the province's year and store it as its estimate for `year`, replacing the one
    before, in one transaction with its audit event. `as_of` (default today) is the day of the
    registry: who is active, and the 12 months of deaths before its month."""
    require(actor, Capability.VIEW_REPORTS)
    province = Province.objects.filter(code=province_code).first()
    if province is None:
        raise Http404(f"Không có tỉnh/thành phố mã '{province_code}'.")
    if not can_compute(actor, province):
        raise PermissionDenied(
            f"Chỉ người lập danh sách chi trả hoặc quản lý mức của {province.name} "
            "mới tính dự toán của tỉnh."
        )
    as_of = as_of or timezone.localdate()
    year_check(year, as_of)
    started = time.perf_counter()
    with transaction.atomic():
        whole_table_reads()  # as the monthly build: whole streams
        try:
            priced = price_province(province, year, as_of, ratebook())
        except RateMissing as missing:  # a rate of the year not entered yet: say which
            raise ValidationError(str(missing)) from None
        estimate, count = _store(actor, province, year, as_of, priced, started)
    return Computed(estimate, count, priced.engine_people)


def _store(
    actor: User, province: Province, year: int, as_of: dt.date, priced: Priced, started: float
) -> tuple[BudgetEstimate, int]:
    # One computation at a time per province writes (NO KEY: rows referring to the province
    # may still be added meanwhile).
    Province.objects.select_for_update(no_key=True).get(pk=province.pk)
    BudgetEstimate.objects.filter(province=province, year=year).delete()
    rows = priced.lines()
    estimate = BudgetEstimate.objects.create(
        province=province,
        year=year,
        as_of=as_of,
        computed_at=timezone.now(),
        computed_by=actor,
        people=priced.tally.people,
        seconds=round(time.perf_counter() - started, 2),
        assumptions=priced.assumptions(),
    )
    BudgetLine.objects.bulk_create(
        BudgetLine(
            estimate=estimate,
            commune_id=commune_id,
            group=group,
            people=people,
            person_months=months,
            monthly=monthly,
            funeral=funeral,
            fees=fees,
        )
        for commune_id, group, people, months, monthly, funeral, fees in rows
    )
    audit_record(
        actor=actor,
        action="budget.compute",
        object_type="budget_estimate",
        object_id=estimate.pk,
        area_code=province.code,
        after={
            "year": year,
            "as_of": as_of,
            "people": estimate.people,
            "lines": len(rows),
            "total": sum(r[4] + r[5] + r[6] for r in rows),
        },
    )
    return estimate, len(rows)


# --- reading the stored estimate (the selector) --------------------------------------------


@dataclass(frozen=True)
class Figures:
    people: int = 0
    monthly: int = 0
    funeral: int = 0
    fees: int = 0

    @property
    def total(self) -> int:
        return self.monthly + self.funeral + self.fees

    def __add__(self, other: "Figures") -> "Figures":
        return Figures(
            self.people + other.people,
            self.monthly + other.monthly,
            self.funeral + other.funeral,
            self.fees + other.fees,
        )

    def as_dict(self) -> dict[str, int]:
        return {
            "people": self.people,
            "monthly": self.monthly,
            "funeral": self.funeral,
            "fees": self.fees,
            "total": self.total,
        }


def figures_sum(figures: Iterable[Figures]) -> Figures:
    return sum(figures, Figures())


@dataclass(frozen=True)
class GroupRow:
    programme: str
    programme_name: str
    group: str
    name: str
    figures: Figures


@dataclass
class CommuneBudget:
    code: str
    name: str
    rows: list[GroupRow]

    @property
    def subtotal(self) -> Figures:
        return figures_sum(r.figures for r in self.rows)


@dataclass
class ProvinceBudget:
    code: str
    name: str
    estimate: BudgetEstimate | None
    communes: list[CommuneBudget]  # those with anyone to pay
    empty: list[str]  # names of the user's communes with nobody to pay
    changed: list[str]  # what changed since it was computed (rates, contracts)
    may_compute: bool

    @property
    def total(self) -> Figures:
        return figures_sum(c.subtotal for c in self.communes)

    def by_group(self) -> list[GroupRow]:
        """The province's rows per group, over its communes shown, in the groups' order."""
        summed: dict[str, GroupRow] = {}
        for commune in self.communes:
            for row in commune.rows:
                before = summed.get(row.group)
                figures = row.figures + before.figures if before else row.figures
                summed[row.group] = GroupRow(
                    row.programme, row.programme_name, row.group, row.name, figures
                )
        order = _group_order()
        return sorted(summed.values(), key=lambda r: order.get(r.group, len(order)))


@dataclass
class BudgetReport:
    year: int
    area: str
    provinces: list[ProvinceBudget]

    @property
    def total(self) -> Figures:
        return figures_sum(p.total for p in self.provinces)


def _groups() -> dict[str, tuple[str, str, str]]:
    """Group code → (programme code, programme name, group name), in the registry's order."""
    rows = TargetGroup.objects.order_by("programme_id", "pk").values_list(
        "code", "programme__code", "programme__name", "name"
    )
    return {
        code: (programme, programme_name, name) for code, programme, programme_name, name in rows
    }


def _group_order() -> dict[str, int]:
    return {code: n for n, code in enumerate(_groups())}


def budget_estimate(user: User, year: int, area: str = "") -> BudgetReport:
    """The stored estimate for `year` of the user's communes (narrowed to `area`: a province
    or a commune code), per province: each commune's rows per group, its subtotal, the total.
    A province not yet computed has `estimate` None. Counts and sums only."""
    communes = list(
        report_communes(user, area)
        .select_related("province")
        .order_by("province__code", "code")
        .only("pk", "code", "name", "province__code", "province__name")
    )
    provinces: dict[int, Province] = {c.province_id: c.province for c in communes}
    estimates = {
        e.province_id: e
        for e in BudgetEstimate.objects.filter(
            province_id__in=list(provinces), year=year
        ).select_related("computed_by")
    }
    rows = _rows(list(estimates.values()), [c.pk for c in communes])
    blocks = []
    for province_id, province in provinces.items():
        estimate = estimates.get(province_id)
        mine = [c for c in communes if c.province_id == province_id]
        blocks.append(
            ProvinceBudget(
                code=province.code,
                name=province.name,
                estimate=estimate,
                communes=[CommuneBudget(c.code, c.name, rows[c.pk]) for c in mine if c.pk in rows],
                empty=[c.name for c in mine if estimate is not None and c.pk not in rows],
                changed=changed_since(estimate) if estimate else [],
                may_compute=can_compute(user, province),
            )
        )
    return BudgetReport(year, area.strip(), blocks)


def _rows(estimates: list[BudgetEstimate], commune_ids: list[int]) -> dict[int, list[GroupRow]]:
    groups = _groups()
    order = {code: n for n, code in enumerate(groups)}
    lines = BudgetLine.objects.filter(estimate__in=estimates, commune_id__in=commune_ids)
    rows: dict[int, list[GroupRow]] = {}
    for commune_id, group, people, monthly, funeral, fees in lines.values_list(
        "commune_id", "group", "people", "monthly", "funeral", "fees"
    ):
        programme, programme_name, name = groups.get(group, ("", "", engine.benefit_name(group)))
        figures = Figures(people, monthly, funeral, fees)
        rows.setdefault(commune_id, []).append(
            GroupRow(programme, programme_name, group, name, figures)
        )
    for commune_rows in rows.values():
        commune_rows.sort(key=lambda r: order.get(r.group, len(order)))
    return rows


def changed_since(estimate: BudgetEstimate) -> list[str]:
    """Rates or contracts added after the estimate was computed: it may need computing again."""
    after = estimate.computed_at
    changed = []
    rates = RateEntry.objects.filter(
        Q(created_at__gt=after) | Q(withdrawn_at__gt=after),
        Q(scope="") | Q(scope=estimate.province.code),
    )
    if rates.exists():
        changed.append("mức trợ cấp, mức chuẩn hoặc mức phí")
    if Contract.objects.filter(province_id=estimate.province_id, created_at__gt=after).exists():
        changed.append("hợp đồng với tổ chức dịch vụ chi trả")
    return changed


def budget_as_dict(report: BudgetReport) -> dict[str, Any]:
    """The report as JSON-ready data: what `asxh report budget --json` prints."""
    return {
        "year": report.year,
        "area": report.area,
        "provinces": [_province_dict(p) for p in report.provinces],
        "total": report.total.as_dict(),
    }


def _province_dict(block: ProvinceBudget) -> dict[str, Any]:
    estimate = block.estimate
    return {
        "code": block.code,
        "name": block.name,
        "estimate": None
        if estimate is None
        else {
            "computed_at": timezone.localtime(estimate.computed_at).isoformat(timespec="seconds"),
            "computed_by": estimate.computed_by.username,
            "as_of": estimate.as_of.isoformat(),
            "people": estimate.people,
            "seconds": estimate.seconds,
            "assumptions": estimate.assumptions,
            "changed_since": block.changed,
        },
        "communes": [
            {
                "code": c.code,
                "name": c.name,
                "groups": [
                    {
                        "programme": r.programme,
                        "group": r.group,
                        "name": r.name,
                        **r.figures.as_dict(),
                    }
                    for r in c.rows
                ],
                "subtotal": c.subtotal.as_dict(),
            }
            for c in block.communes
        ],
        "total": block.total.as_dict(),
    }


def seconds_text(seconds: float) -> str:
    """'0,5 giây': a decimal comma, as Vietnamese writes it."""
    return f"{seconds:.1f}".replace(".", ",") + " giây"


def window_text(assumptions: dict[str, Any]) -> str:
    """'11/2025–10/2026': the months whose deaths set the mortality."""
    first, last = assumptions["window"]
    return f"{month_label(_month(first))}–{month_label(_month(last))}"


def _month(iso: str) -> int:
    year, month = iso.split("-")
    return int(year) * 12 + int(month) - 1
