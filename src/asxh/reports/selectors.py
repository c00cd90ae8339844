"""The reports' reads: the daily progress report (figures per commune as of the end of a
day, as counted and kept by `reports.progress`) and the non-cash coverage (from the rows
kept when each list was locked). No row per person ever reaches Python.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet, Sum
from django.http import Http404

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.beneficiaries.models import Programme
from asxh.core.formatting import VIETNAM, date_vn
from asxh.cycles.models import Cycle
from asxh.entitlement.engine import benefit_name
from asxh.entitlement.models import OneOffPayment
from asxh.entitlement.months import month_first_day, month_iso, month_of
from asxh.reports.coverage import LOCKED_STATES
from asxh.reports.coverage_logic import (
    ONE_OFF,
    ONE_OFF_NAME,
    TARGET,
    Coverage,
    Place,
    Ranked,
    coverage_sum,
    ranking,
)
from asxh.reports.logic import Figures, figures_sum
from asxh.reports.models import CycleCoverage
from asxh.reports.progress import day_end, progress_of_day
from asxh.units.models import Commune


@dataclass
class CommuneRow:
    code: str
    name: str
    figures: Figures


@dataclass
class ProvinceBlock:
    code: str
    name: str
    rows: list[CommuneRow]
    total: Figures


@dataclass
class DailyReport:
    on: dt.date
    area: str
    programmes: list[tuple[str, str]]
    provinces: list[ProvinceBlock]
    taken_at: dt.datetime | None = None  # when the oldest of its communes was counted

    def final(self) -> bool:
        """Counted after the day ended: the whole day's records are in."""
        return self.taken_at is not None and self.taken_at >= day_end(self.on)

    def as_of(self) -> str:
        """What the figures cover, for the printed report."""
        if self.final() or self.taken_at is None:
            return f"tính đến hết ngày {self.on:%d/%m/%Y}"
        return f"tính đến {self.taken_at.astimezone(VIETNAM):%H:%M} ngày {self.on:%d/%m/%Y}"

    @property
    def total(self) -> Figures:
        return figures_sum(block.total for block in self.provinces)


def report_communes(user: User, area: str = "") -> QuerySet[Commune]:
    """The user's communes, narrowed to a province (2-digit code) or a commune (5 digits)."""
    require(user, Capability.VIEW_REPORTS)
    communes = communes_for(user)
    area = area.strip()
    if not area:
        return communes
    if len(area) == 2 and area.isdigit():
        narrowed = communes.filter(province__code=area)
    elif len(area) == 5 and area.isdigit():
        narrowed = communes.filter(code=area)
    else:
        raise Http404(f"Mã địa bàn '{area}' không hợp lệ: ghi mã tỉnh 2 số hoặc mã xã 5 số.")
    if not narrowed.exists():
        raise Http404(f"Địa bàn mã {area} không thuộc phạm vi của bạn.")
    return narrowed


def _programmes() -> list[tuple[str, str]]:
    return list(
        Programme.objects.filter(is_one_off=False).order_by("pk").values_list("code", "name")
    )


def daily_report(user: User, *, on: dt.date, area: str = "") -> DailyReport:
    """The progress of account collection in the user's communes as of the end of `on`:
    one row per commune, a total per province. Counts only, no personal data."""
    communes = list(
        report_communes(user, area)
        .select_related("province")
        .order_by("province__code", "code")
        .only("pk", "code", "name", "province__code", "province__name")
    )
    counted = progress_of_day([c.pk for c in communes], on)
    figures = counted.figures
    blocks: dict[str, ProvinceBlock] = {}
    for c in communes:
        block = blocks.setdefault(
            c.province.code, ProvinceBlock(c.province.code, c.province.name, [], Figures())
        )
        block.rows.append(CommuneRow(c.code, c.name, figures.get(c.pk, Figures())))
    for block in blocks.values():
        block.total = figures_sum(row.figures for row in block.rows)
    return DailyReport(
        on=on, area=area.strip(), programmes=_programmes(), provinces=list(blocks.values()),
        taken_at=counted.taken_at,
    )  # fmt: skip


def report_as_dict(report: DailyReport) -> dict[str, Any]:
    """The report as JSON-ready data: what `asxh report daily --json` prints."""
    return {
        "date": f"{report.on:%d/%m/%Y}",
        "area": report.area,
        "counted_at": date_vn(report.taken_at),
        "final": report.final(),
        "programmes": [{"code": c, "name": n} for c, n in report.programmes],
        "provinces": [
            {
                "code": block.code,
                "name": block.name,
                "communes": [
                    {"code": r.code, "name": r.name, **r.figures.as_dict()} for r in block.rows
                ],
                "total": block.total.as_dict(),
            }
            for block in report.provinces
        ],
    }


# --- non-cash coverage ----------------------------------------------------------------------


@dataclass
class GroupCoverage:
    """A programme's figures in a month, and those of each of its benefits."""

    code: str
    name: str
    figures: Coverage
    benefits: list[tuple[str, str, Coverage]]  # (benefit code, name, figures)


@dataclass
class MonthCoverage:
    month: int  # entitlement.months numbering
    lists: int  # locked lists of the user's provinces for that month
    total: Coverage
    provinces: list[tuple[str, str, Coverage]]  # (code, name, figures)
    groups: list[GroupCoverage]
    communes: list[Ranked]  # lowest share first


@dataclass
class CoverageReport:
    first: int
    last: int
    area: str  # the code asked for ('' = all the user's communes)
    area_name: str  # the commune, the province, or how many provinces
    months: list[MonthCoverage]  # every month of the range, with a list or not

    @property
    def latest(self) -> MonthCoverage | None:
        """The last month with a locked list: what the tables show."""
        return next((m for m in reversed(self.months) if m.lists), None)

    def programmes(self) -> list[tuple[str, str]]:
        """(code, name) of the programmes paid in any month of the range, in order."""
        seen: dict[str, str] = {}
        for month in self.months:
            for group in month.groups:
                seen.setdefault(group.code, group.name)
        return list(seen.items())


def coverage(user: User, month_from: int, month_to: int, area: str = "") -> CoverageReport:
    """Share of people and of money paid without cash, per month from `month_from` to
    `month_to` (entitlement.months numbers), in the user's communes (narrowed to `area`):
    totals, per province, per programme and benefit, and every commune ranked. Read from the
    rows written when each list was locked; counts and sums only, no personal data."""
    places = _coverage_places(user, area)
    cycles = dict(
        Cycle.objects.filter(
            state__in=LOCKED_STATES,
            month__range=(month_first_day(month_from), month_first_day(month_to)),
            province__code__in={p[2] for p in places.values()},
        ).values_list("pk", "month")
    )
    rows = CycleCoverage.objects.filter(cycle_id__in=list(cycles), commune_id__in=list(places))
    communes = _commune_rows(rows)
    benefits = _benefit_rows(rows)
    names = _programme_names()
    lists = Counter(month_of(m) for m in cycles.values())
    months = []
    for month in range(month_from, month_to + 1):
        in_month = [cid for cid in cycles if month_of(cycles[cid]) == month]
        months.append(
            _month_coverage(month, lists[month], in_month, places, communes, benefits, names)
        )
    return CoverageReport(month_from, month_to, area.strip(), _area_name(places), months)


def coverage_latest_month(user: User, area: str = "") -> int | None:
    """The last month with a locked list in the user's area: what the page opens on."""
    provinces = report_communes(user, area).values("province_id")
    month = (
        Cycle.objects.filter(state__in=LOCKED_STATES, province_id__in=provinces)
        .order_by("-month")
        .values_list("month", flat=True)
        .first()
    )
    return None if month is None else month_of(month)


# commune id → (code, name, province code, province name)
_Places = dict[int, tuple[str, str, str, str]]
# (cycle id, commune id) → programme ('' = everyone) → figures
_CommuneRows = dict[tuple[int, int], dict[str, Coverage]]
# cycle id → (programme, benefit) → figures summed over the user's communes
_BenefitRows = dict[int, dict[tuple[str, str], Coverage]]


def _area_name(places: _Places) -> str:
    if len(places) == 1:
        return next(iter(places.values()))[1]
    provinces = {(p[2], p[3]) for p in places.values()}
    if len(provinces) != 1:
        return f"{len(provinces)} tỉnh/thành phố"
    code, name = next(iter(provinces))
    if Commune.objects.filter(province__code=code).count() == len(places):
        return name
    return f"{len(places)} xã/phường thuộc {name}"


def _coverage_places(user: User, area: str) -> _Places:
    rows = (
        report_communes(user, area)
        .order_by("province__code", "code")
        .values_list("pk", "code", "name", "province__code", "province__name")
    )
    return {pk: (code, name, pcode, pname) for pk, code, name, pcode, pname in rows}


_COUNTS = ("people", "people_non_cash", "amount", "amount_non_cash")


def _commune_rows(rows: QuerySet[CycleCoverage]) -> _CommuneRows:
    found: _CommuneRows = {}
    values = rows.filter(benefit="").values_list("cycle_id", "commune_id", "programme", *_COUNTS)
    for cycle_id, commune_id, programme, *counts in values:
        found.setdefault((cycle_id, commune_id), {})[programme] = Coverage(*counts)
    return found


def _benefit_rows(rows: QuerySet[CycleCoverage]) -> _BenefitRows:
    # Benefits only ever add up across communes (a person is listed in one commune a month).
    sums = (
        rows.exclude(benefit="")
        .values("cycle_id", "programme", "benefit")
        .annotate(**{f"s_{name}": Sum(name) for name in _COUNTS})
        .values_list("cycle_id", "programme", "benefit", *(f"s_{name}" for name in _COUNTS))
    )
    found: _BenefitRows = {}
    for cycle_id, programme, benefit, *counts in sums:
        found.setdefault(cycle_id, {})[(programme, benefit)] = Coverage(*counts)
    return found


def _programme_names() -> dict[str, str]:
    names = dict(Programme.objects.order_by("pk").values_list("code", "name"))
    names[ONE_OFF] = ONE_OFF_NAME
    return names


def _benefit_names() -> dict[str, str]:
    return dict(OneOffPayment.objects.values_list("code", "name"))


def _month_coverage(
    month: int,
    lists: int,
    cycle_ids: list[int],
    places: _Places,
    communes: _CommuneRows,
    benefits: _BenefitRows,
    names: dict[str, str],
) -> MonthCoverage:
    month_places = [
        _place(cid, place, [communes.get((c, cid), {}) for c in cycle_ids])
        for cid, place in places.items()
    ]
    provinces: dict[str, tuple[str, str, Coverage]] = {}
    for (_, _, pcode, pname), place in zip(places.values(), month_places, strict=True):
        _, _, before = provinces.get(pcode, (pcode, pname, Coverage()))
        provinces[pcode] = (pcode, pname, before + place.total)
    return MonthCoverage(
        month=month,
        lists=lists,
        total=coverage_sum(p.total for p in month_places),
        provinces=list(provinces.values()),
        groups=_groups(month_places, [benefits.get(c, {}) for c in cycle_ids], names),
        communes=ranking(month_places),
    )


def _place(
    commune_id: int, place: tuple[str, str, str, str], found: list[dict[str, Coverage]]
) -> Place:
    """A commune's figures: one list a month pays it (its province's), so at most one dict."""
    levels: dict[str, Coverage] = {}
    for by_programme in found:
        for programme, figures in by_programme.items():
            levels[programme] = levels.get(programme, Coverage()) + figures
    code, name, province, _ = place
    total = levels.pop("", Coverage())
    return Place(code, name, province, total, levels)


def _groups(
    places: list[Place], benefit_maps: list[dict[tuple[str, str], Coverage]], names: dict[str, str]
) -> list[GroupCoverage]:
    figures: dict[str, Coverage] = {}
    for place in places:
        for programme, f in place.by_programme.items():
            figures[programme] = figures.get(programme, Coverage()) + f
    per_benefit: dict[tuple[str, str], Coverage] = {}
    for found in benefit_maps:
        for key, f in found.items():
            per_benefit[key] = per_benefit.get(key, Coverage()) + f
    one_offs = _benefit_names() if any(p == ONE_OFF for p, _ in per_benefit) else {}
    order = [code for code in names if code in figures]
    return [
        GroupCoverage(
            code,
            names[code],
            figures[code],
            [
                (benefit, one_offs.get(benefit) or benefit_name(benefit), f)
                for (programme, benefit), f in sorted(per_benefit.items())
                if programme == code
            ],
        )
        for code in order
    ]


def coverage_as_dict(report: CoverageReport) -> dict[str, Any]:
    """The report as JSON-ready data: what `asxh report coverage --json` prints."""
    return {
        "from": month_iso(report.first),
        "to": month_iso(report.last),
        "area": report.area,
        "target": TARGET,
        "months": [_month_dict(m) for m in report.months],
    }


def _month_dict(month: MonthCoverage) -> dict[str, Any]:
    return {
        "month": month_iso(month.month),
        "lists": month.lists,
        "total": month.total.as_dict(),
        "provinces": [
            {"code": code, "name": name, **f.as_dict()} for code, name, f in month.provinces
        ],
        "groups": [
            {
                "code": g.code,
                "name": g.name,
                **g.figures.as_dict(),
                "benefits": [
                    {"code": code, "name": name, **f.as_dict()} for code, name, f in g.benefits
                ],
            }
            for g in month.groups
        ],
        "communes": [
            {
                "rank": r.rank,
                "code": r.place.code,
                "name": r.place.name,
                "province": r.place.province,
                **r.figures.as_dict(),
                "groups": {code: f.as_dict() for code, f in r.place.by_programme.items()},
            }
            for r in month.communes
        ],
    }
