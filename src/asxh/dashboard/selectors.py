"""The dashboard's reads. Each takes the acting user; the area comes from the reports' own
scope (`reports.selectors.report_communes`, itself `access.selectors.communes_for`), so a
commune officer's figures are summed over their communes only, and whatever is the
province's alone (books per provider, the calendar, advances) is given only to a user who
works in the whole province.

Figures come from summaries, never from the payment lines: the coverage rows written when a
list is locked (`reports`), this app's payment summary (`summary`), the progress figures
kept per commune and day (`reports.progress`), and the cycles' stored totals.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, QuerySet, Sum

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.changes.models import ChangeState
from asxh.changes.selectors import changes_for
from asxh.core.formatting import date_vn
from asxh.cycles import logic as cycle_logic
from asxh.cycles.models import Cycle, CycleState, ExportFile, Transfer
from asxh.cycles.selectors import advances_of, calendar, cycles_for
from asxh.dashboard.logic import FIGURES, Payments, by_channel, payments_sum
from asxh.dashboard.models import PaymentSummary, SummaryState
from asxh.dashboard.summary import results_keys, summaries_current
from asxh.entitlement.months import month_first_day, month_iso, month_of
from asxh.providers.models import Contract, Provider
from asxh.quality.models import Finding, FindingKind, FindingState
from asxh.quality.selectors import FindingFilters, finding_counts
from asxh.reports.coverage import LOCKED_STATES
from asxh.reports.coverage_logic import Coverage
from asxh.reports.logic import Figures, figures_sum
from asxh.reports.progress import progress_latest
from asxh.reports.selectors import (
    GroupCoverage,
    coverage,
    coverage_latest_month,
    report_communes,
)
from asxh.results.models import ResultFile, Settlement
from asxh.units.models import Commune

# --- scope ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    pk: int
    code: str
    name: str
    province_id: int


@dataclass(frozen=True)
class Scope:
    """The communes a dashboard counts, and which of their provinces it covers whole."""

    area: str  # the code asked for ('' = all the user's communes)
    communes: dict[int, Place]
    provinces: dict[int, tuple[str, str]]  # id → (code, name)
    whole: frozenset[int]  # provinces every commune of which is in scope

    @property
    def name(self) -> str:
        if len(self.communes) == 1:
            return next(iter(self.communes.values())).name
        if len(self.provinces) != 1:
            return f"{len(self.provinces)} tỉnh/thành phố"
        pk, (_, name) = next(iter(self.provinces.items()))
        return name if pk in self.whole else f"{len(self.communes)} xã/phường thuộc {name}"

    @property
    def whole_only(self) -> bool:
        """Every commune of every province in scope: the province's own figures may show."""
        return bool(self.provinces) and self.whole == frozenset(self.provinces)


def _scope(communes: QuerySet[Commune], area: str) -> Scope:
    rows = communes.order_by("province__code", "code").values_list(
        "pk", "code", "name", "province_id", "province__code", "province__name"
    )
    places, provinces = {}, {}
    for pk, code, name, province_id, pcode, pname in rows:
        places[pk] = Place(pk, code, name, province_id)
        provinces[province_id] = (pcode, pname)
    sizes = dict(
        Commune.objects.filter(province_id__in=list(provinces))
        .values("province_id")
        .annotate(n=Count("pk"))
        .values_list("province_id", "n")
    )
    mine = Counter(p.province_id for p in places.values())
    whole = frozenset(pk for pk, n in mine.items() if sizes.get(pk) == n)
    return Scope(area.strip(), places, provinces, whole)


def report_scope(user: User, area: str = "") -> Scope:
    """The user's communes narrowed to `area` (province or commune code), for those who may
    read reports (403 otherwise, 404 for an area outside theirs)."""
    return _scope(report_communes(user, area), area)


# --- daily progress -------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """The newest kept progress figures of each commune in scope, and their total."""

    taken_at: dt.datetime | None  # when the oldest of them was counted
    on: dt.date | None  # the earliest day among them
    total: Figures
    communes: list[tuple[Place, Figures]]

    def stale(self, today: dt.date) -> bool:
        return self.on is not None and self.on < today


def progress(user: User, area: str = "", *, today: dt.date) -> Progress:
    """The communes' account-collection progress (the daily report's figures) as last
    counted (`reports.progress`); communes never counted are counted now."""
    scope = report_scope(user, area)
    ids = list(scope.communes)
    counted = progress_latest(ids, today)
    rows = [(scope.communes[pk], counted.figures[pk]) for pk in ids]
    return Progress(
        taken_at=counted.taken_at,
        on=counted.on,
        total=figures_sum(f for _, f in rows),
        communes=rows,
    )


# --- open work ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OpenWork:
    findings: list[tuple[str, str, int]]  # (kind, label, open count), kinds with any
    refused: int  # open refused transfers (payment_failed findings): accounts to fix
    changes_pending: int | None  # None: the user neither proposes nor approves changes


def open_work(user: User, area: str = "") -> OpenWork:
    """What waits for someone in the user's communes (or in the commune `area`, a 5-digit
    code; a province code or '' is all of them): open findings (refused transfers among
    them) and changes awaiting a decision."""
    require(user, Capability.VIEW_QUALITY)
    commune = area if len(area) == 5 else ""
    counts = [row for row in finding_counts(user, FindingFilters(commune=commune)) if row[2]]
    refused = next((n for kind, _, n in counts if kind == FindingKind.PAYMENT_FAILED), 0)
    pending = None
    if user.can(Capability.PROPOSE_CHANGES) or user.can(Capability.APPROVE_CHANGES):
        pending = changes_for(user, state=ChangeState.PROPOSED, commune=commune).count()
    return OpenWork(counts, refused, pending)


# --- the month's lists ----------------------------------------------------------------------


def _lists(scope: Scope, months: tuple[int, int]) -> list[Cycle]:
    first, last = months
    return list(
        Cycle.objects.filter(
            province_id__in=list(scope.provinces),
            month__range=(month_first_day(first), month_first_day(last)),
        ).select_related("province")
    )


def _summed(cycles: list[Cycle], scope: Scope, *by: str) -> list[tuple[tuple[Any, ...], Payments]]:
    """The summary rows of `cycles` in the scope's communes, summed by the fields `by`."""
    locked = [c.pk for c in cycles if c.state in LOCKED_STATES]
    summaries_current(locked)
    rows = (
        PaymentSummary.objects.filter(cycle_id__in=locked, commune_id__in=list(scope.communes))
        .values(*by)
        .annotate(**{f"s_{name}": Sum(name) for name in FIGURES})
        .order_by(*by)
    )
    return [
        (tuple(row[f] for f in by), Payments(*(int(row[f"s_{n}"] or 0) for n in FIGURES)))
        for row in rows
    ]


@dataclass(frozen=True)
class ListState:
    """Where a province's list of the month stands: built, locked, results in, settled."""

    province: str
    cycle_id: int | None
    state: str  # '' = no list yet, else CycleState
    state_label: str
    locked_at: dt.datetime | None
    result_files: int
    settlement_prepared: dt.datetime | None
    settlement_approved: dt.datetime | None
    # The books per provider (results.selectors.books as dicts): for whole-province users only.
    books: list[dict[str, Any]] | None
    # Every đồng accounted for: per provider for the whole province, else over the user's
    # communes (nothing pending there). None while there is no locked list.
    balanced: bool | None

    @property
    def closed(self) -> bool:
        return self.state == CycleState.CLOSED

    @property
    def words(self) -> str:
        """The list's state in one sentence, as the report writes it."""
        if not self.state:
            return f"{self.province}: chưa lập danh sách chi trả."
        parts = [f"{self.province}: {self.state_label.lower()}"]
        if self.locked_at:
            parts[0] += f" ngày {date_vn(self.locked_at)[:10]}"
        if self.state in LOCKED_STATES:
            parts.append(f"{self.result_files} tệp kết quả chi trả")
            parts.append("sổ sách cân đối" if self.balanced else "sổ sách chưa cân đối")
        if self.settlement_approved:
            parts.append(f"quyết toán duyệt ngày {date_vn(self.settlement_approved)[:10]}")
        elif self.settlement_prepared:
            parts.append(f"quyết toán lập ngày {date_vn(self.settlement_prepared)[:10]}, chờ duyệt")
        elif self.state in LOCKED_STATES:
            parts.append("chưa quyết toán")
        return "; ".join(parts) + "."


def _list_states(
    scope: Scope, cycles: list[Cycle], own: dict[int, Payments], month: int
) -> list[ListState]:
    """Each province's list of the month; `own` is the user's payments per province."""
    found = []
    by_province = {c.province_id: c for c in cycles if month_of(c.month) == month}
    files = results_keys([c.pk for c in by_province.values()])
    settlements = _settlements([c.pk for c in by_province.values()])
    stored = dict(SummaryState.objects.filter(cycle_id__in=[c.pk for c in by_province.values()])
                  .values_list("cycle_id", "books"))  # fmt: skip
    for province_id, (_, name) in scope.provinces.items():
        cycle = by_province.get(province_id)
        if cycle is None:
            found.append(ListState(name, None, "", "Chưa lập danh sách", None, 0, None, None,
                                   None, None))  # fmt: skip
            continue
        locked = cycle.state in LOCKED_STATES
        whole = province_id in scope.whole
        books = stored.get(cycle.pk) if whole and locked else None
        prepared, approved = settlements.get(cycle.pk, (None, None))
        found.append(ListState(
            province=name, cycle_id=cycle.pk, state=cycle.state,
            state_label=CycleState(cycle.state).label, locked_at=cycle.locked_at,
            result_files=int(files[cycle.pk].split(":")[0]),
            settlement_prepared=prepared, settlement_approved=approved, books=books,
            balanced=None if not locked else _balanced(books, own.get(province_id), whole),
        ))  # fmt: skip
    return found


def _balanced(books: list[dict[str, Any]] | None, own: Payments | None, whole: bool) -> bool:
    if whole:
        return bool(books) and all(b["balanced"] for b in books or [])
    return own is not None and own.accounted


def _settlements(cycle_ids: list[int]) -> dict[int, tuple[dt.datetime, dt.datetime | None]]:
    """The latest settlement of each cycle: prepared at, approved at."""
    found: dict[int, tuple[dt.datetime, dt.datetime | None]] = {}
    rows = Settlement.objects.filter(cycle_id__in=cycle_ids).order_by("prepared_at", "pk")
    for cycle_id, prepared, approved in rows.values_list("cycle_id", "prepared_at", "approved_at"):
        found[cycle_id] = (prepared, approved)
    return found


@dataclass(frozen=True)
class CommuneMonth:
    place: Place
    channels: dict[str, Payments]
    coverage: Coverage

    @property
    def payments(self) -> Payments:
        return payments_sum(self.channels.values())


@dataclass(frozen=True)
class MonthReport:
    """The monthly report to the upper level (báo cáo kết quả chi trả tháng)."""

    month: int
    area: str
    area_name: str
    whole_province: bool
    lists: list[ListState]
    groups: list[GroupCoverage]  # people paid by programme, from the coverage summary
    coverage: Coverage  # everyone, each person once
    channels: dict[str, Payments]
    communes: list[CommuneMonth]
    refused_open: int  # refused transfers still to fix (open findings), now

    @property
    def total(self) -> Payments:
        return payments_sum(self.channels.values())

    @property
    def has_list(self) -> bool:
        return any(s.state in LOCKED_STATES for s in self.lists)


def month_report(user: User, month: int, area: str = "") -> MonthReport:
    """People and money of the month's locked lists in the user's communes (narrowed to
    `area`): by group, by channel with what was paid, held and refused, per commune, and
    where each province's list stands. Counts and sums only, no personal data."""
    scope = report_scope(user, area)
    cycles = _lists(scope, (month, month))
    rows = _summed(cycles, scope, "commune_id", "channel")
    per_commune, per_province = _by_place(scope, rows)
    covered = coverage(user, month, month, area).months[0]
    places = {r.place.code: r.place.total for r in covered.communes}
    return MonthReport(
        month=month,
        area=scope.area,
        area_name=scope.name,
        whole_province=scope.whole_only,
        lists=_list_states(scope, cycles, per_province, month),
        groups=covered.groups,
        coverage=covered.total,
        channels=by_channel((channel, p) for (_, channel), p in rows),
        communes=[
            CommuneMonth(place, by_channel(per_commune[pk]), places.get(place.code, Coverage()))
            for pk, place in scope.communes.items()
        ],
        refused_open=Finding.objects.filter(
            commune_id__in=list(scope.communes),
            kind=FindingKind.PAYMENT_FAILED,
            state=FindingState.OPEN,
        ).count(),
    )


def _by_place(
    scope: Scope, rows: list[tuple[tuple[Any, ...], Payments]]
) -> tuple[dict[int, list[tuple[str, Payments]]], dict[int, Payments]]:
    """Rows by (commune, channel) → each commune's channels, and each province's total."""
    per_commune: dict[int, list[tuple[str, Payments]]] = defaultdict(list)
    per_province: dict[int, Payments] = defaultdict(Payments)
    for (commune_id, channel), p in rows:
        per_commune[commune_id].append((channel, p))
        province_id = scope.communes[commune_id].province_id
        per_province[province_id] = per_province[province_id] + p
    return per_commune, per_province


def latest_month(user: User, area: str = "", *, today: dt.date) -> int:
    """The last month with a locked list in the user's area, else this month."""
    latest = coverage_latest_month(user, area)
    return month_of(today) if latest is None else latest


@dataclass(frozen=True)
class TrendMonth:
    month: int
    lists: int  # locked lists counted
    channels: dict[str, Payments]
    people_share: float | None  # paid without cash, from the coverage summary


def trend(user: User, first: int, last: int, area: str = "") -> list[TrendMonth]:
    """Per month from `first` to `last`: the money of the locked lists by channel and what
    became of it, and the share of people paid without cash."""
    scope = report_scope(user, area)
    cycles = _lists(scope, (first, last))
    month_of_cycle = {c.pk: month_of(c.month) for c in cycles}
    rows = _summed(cycles, scope, "cycle_id", "channel")
    per_month: dict[int, list[tuple[str, Payments]]] = defaultdict(list)
    for (cycle_id, channel), p in rows:
        per_month[month_of_cycle[cycle_id]].append((channel, p))
    shares = {m.month: m.total.people_share for m in coverage(user, first, last, area).months}
    locked: dict[int, int] = defaultdict(int)
    for c in cycles:
        if c.state in LOCKED_STATES:
            locked[month_of(c.month)] += 1
    return [
        TrendMonth(m, locked[m], by_channel(per_month[m]), shares.get(m) if locked[m] else None)
        for m in range(first, last + 1)
    ]


# --- the province's cycle -------------------------------------------------------------------


@dataclass(frozen=True)
class ProvinceCycle:
    province: str
    cycle: Cycle
    steps: list[cycle_logic.Step]

    @property
    def late(self) -> list[cycle_logic.Step]:
        return [s for s in self.steps if s.state == "late"]


def province_cycles(
    user: User, month: int, *, today: dt.date, area: str = ""
) -> list[ProvinceCycle]:
    """The calendar of the month's list of each province the user works in whole (the
    steps recorded as done, and what is late). A commune's user gets none: the calendar
    counts the province's pending changes and providers."""
    scope = report_scope(user, area)
    cycles = [c for c in _lists(scope, (month, month)) if c.province_id in scope.whole]
    return [ProvinceCycle(c.province.name, c, calendar(c, today)) for c in cycles]


# --- provider -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProviderList:
    """A locked list as one provider sees it: what to pay, what it has done."""

    cycle: Cycle
    provider: str
    channels: dict[str, Payments]
    exported: bool
    transferred_at: dt.datetime | None
    result_files: int

    @property
    def total(self) -> Payments:
        return payments_sum(self.channels.values())

    @property
    def needs_transfer(self) -> bool:
        return self.channels["account"].people > 0 and self.transferred_at is None


def provider_lists(user: User, *, months: int = 6) -> list[ProviderList]:
    """The latest locked lists of the user's provinces, for each provider the user belongs
    to: its payments by channel in its communes, file exported, transfer confirmed, results
    still missing."""
    require(user, Capability.VIEW_CYCLE)
    providers = {p.pk: p.name for p in Provider.objects.filter(staff=user)}
    if not providers:
        return []
    cycles = list(cycles_for(user).filter(state__in=LOCKED_STATES).order_by("-month")[:months])
    summaries_current([c.pk for c in cycles])
    contracts = dict(
        Contract.objects.filter(provider_id__in=list(providers)).values_list("pk", "provider_id")
    )
    rows = (
        PaymentSummary.objects.filter(
            cycle_id__in=[c.pk for c in cycles],
            contract_id__in=list(contracts),
            commune_id__in=communes_for(user).values("pk"),
        )
        .values("cycle_id", "contract_id", "channel")
        .annotate(**{f"s_{name}": Sum(name) for name in FIGURES})
    )
    found: dict[tuple[int, int], list[tuple[str, Payments]]] = defaultdict(list)
    for row in rows:
        payments = Payments(*(int(row[f"s_{n}"] or 0) for n in FIGURES))
        found[(row["cycle_id"], contracts[row["contract_id"]])].append((row["channel"], payments))
    return _provider_rows(cycles, providers, found)


def _provider_rows(
    cycles: list[Cycle],
    providers: dict[int, str],
    found: dict[tuple[int, int], list[tuple[str, Payments]]],
) -> list[ProviderList]:
    ids = [c.pk for c in cycles]
    exported = set(ExportFile.objects.filter(cycle_id__in=ids, provider_id__in=list(providers))
                   .values_list("cycle_id", "provider_id"))  # fmt: skip
    transfers = {(t.cycle_id, t.provider_id): t.confirmed_at
                 for t in Transfer.objects.filter(cycle_id__in=ids)}  # fmt: skip
    files = Counter(ResultFile.objects.filter(cycle_id__in=ids, provider_id__in=list(providers))
                       .values_list("cycle_id", "provider_id"))  # fmt: skip
    return [
        ProviderList(cycle, name, by_channel(found[(cycle.pk, pk)]),
                     (cycle.pk, pk) in exported, transfers.get((cycle.pk, pk)),
                     files.get((cycle.pk, pk), 0))  # type: ignore[call-overload]
        for cycle in cycles
        for pk, name in providers.items()
        if (cycle.pk, pk) in found
    ]  # fmt: skip


# --- treasury -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Advance:
    province: str
    cycle: Cycle
    advances: list[cycle_logic.Advance]  # per contract: money to pay and its fee
    books: list[dict[str, Any]]  # per provider, once results are in
    settled_at: dt.datetime | None

    @property
    def amount(self) -> int:
        return sum(a.amount for a in self.advances)

    @property
    def fee(self) -> int:
        return sum(a.fee for a in self.advances)

    @property
    def paid(self) -> int:
        return sum(int(b["paid"]) for b in self.books)

    @property
    def returned(self) -> int:
        return sum(int(b["returned"]) for b in self.books)

    @property
    def carried(self) -> int:
        return sum(int(b["carried"]) for b in self.books)


def treasury_advances(user: User, *, months: int = 12, area: str = "") -> list[Advance]:
    """Per locked list of the provinces the user works in whole, newest first: the advance
    per contract (the lines sent and the contract's fee, `cycles.logic.advance`) and the
    settlement's figures."""
    scope = report_scope(user, area)
    cycles = list(
        Cycle.objects.filter(province_id__in=list(scope.whole), state__in=LOCKED_STATES)
        .select_related("province")
        .order_by("-month", "province__code")[:months]
    )
    summaries_current([c.pk for c in cycles])
    sent = (
        PaymentSummary.objects.filter(cycle_id__in=[c.pk for c in cycles])
        .exclude(contract=None)
        .values("cycle_id", "contract_id")
        .annotate(people=Sum("people"), amount=Sum("amount"))
    )
    per_cycle: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in sent:
        per_cycle[row["cycle_id"]].append(row)
    terms = Contract.objects.select_related("provider").in_bulk({r["contract_id"] for r in sent})
    stored = dict(SummaryState.objects.filter(cycle_id__in=[c.pk for c in cycles])
                  .values_list("cycle_id", "books"))  # fmt: skip
    settled = _settlements([c.pk for c in cycles])
    return [
        Advance(c.province.name, c, _advances(c, per_cycle[c.pk], terms),
                stored.get(c.pk) or [], settled.get(c.pk, (None, None))[1])
        for c in cycles
    ]  # fmt: skip


def _advances(cycle: Cycle, rows: list[dict[str, Any]],
              terms: dict[int, Contract]) -> list[cycle_logic.Advance]:  # fmt: skip
    sent = [(terms[r["contract_id"]], r["people"], r["amount"]) for r in rows if r["people"]]
    return advances_of(cycle, sent)


def month_report_as_dict(report: MonthReport) -> dict[str, Any]:
    """The monthly report as JSON-ready data: what `asxh dashboard monthly --json` prints."""
    return {
        "month": month_iso(report.month),
        "area": report.area,
        "area_name": report.area_name,
        "whole_province": report.whole_province,
        "lists": [
            {
                "province": s.province,
                "cycle": s.cycle_id,
                "state": s.state,
                "result_files": s.result_files,
                "balanced": s.balanced,
                "closed": s.closed,
                "settlement_prepared": s.settlement_prepared.isoformat()
                if s.settlement_prepared
                else None,
                "settlement_approved": s.settlement_approved.isoformat()
                if s.settlement_approved
                else None,
                "books": s.books,
                "text": s.words,
            }
            for s in report.lists
        ],
        "groups": [{"code": g.code, "name": g.name, **g.figures.as_dict()} for g in report.groups],
        "coverage": report.coverage.as_dict(),
        "channels": {code: p.as_dict() for code, p in report.channels.items()},
        "total": report.total.as_dict(),
        "refused_open": report.refused_open,
        "communes": [
            {
                "code": c.place.code,
                "name": c.place.name,
                **c.payments.as_dict(),
                "channels": {code: p.as_dict() for code, p in c.channels.items()},
                "coverage": c.coverage.as_dict(),
            }
            for c in report.communes
        ],
    }
