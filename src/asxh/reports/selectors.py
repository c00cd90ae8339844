"""The daily progress report's figures: set-based counts per commune, as of the end of a day.

One aggregate query (GROUP BY commune, with a column per programme) over the user's
communes, whatever their number of people: no row per person ever reaches Python.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import Http404

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.accounts.models import ReceivingAccount
from asxh.beneficiaries.models import (
    Beneficiary,
    Enrolment,
    PaymentMethodRegistration,
    Programme,
    TargetGroup,
)
from asxh.core.formatting import VIETNAM
from asxh.quality.models import Finding, FindingKind
from asxh.reports.logic import Figures, figures_sum
from asxh.units.models import Commune

# Findings that say the record disagrees with the bank or the population database.
MISMATCH_KINDS = (
    FindingKind.HOLDER_MISMATCH,
    FindingKind.POLICE_MISMATCH,
    FindingKind.POLICE_NOT_FOUND,
)
# The query names these codes of the registry's choices (checked in tests/test_selectors.py):
# statuses that take a person off the rolls from status_since, payment methods, account states.
GONE = ("stopped", "deceased")
NON_CASH = ("account", "no_account")
ACCOUNT_STATES = ("verified", "mismatch", "closed")


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


def _tables() -> dict[str, str]:
    return {
        "ben": Beneficiary._meta.db_table,
        "enr": Enrolment._meta.db_table,
        "reg": PaymentMethodRegistration._meta.db_table,
        "acc": ReceivingAccount._meta.db_table,
        "fin": Finding._meta.db_table,
    }


# One query: per person the programmes of the enrolments in force that day, the newest
# registration and the newest account recorded by the day, and whether a mismatch finding was
# open at its end; then one GROUP BY commune. Everything joins on the beneficiary id, so for a
# province PostgreSQL streams the four tables in id order (merge joins on the foreign-key
# indexes) and sorts only each person's few registrations and accounts.
_FIGURES = """
WITH people AS (
  SELECT b.id AS bid, b.commune_id AS cid{flags}
  FROM {ben} b JOIN {enr} e ON e.beneficiary_id = b.id
  WHERE b.commune_id IN ({ids})
    AND e.start_month <= %(day)s AND (e.end_month IS NULL OR e.end_month >= %(month)s)
    AND NOT (b.status IN ({gone}) AND b.status_since IS NOT NULL
             AND b.status_since <= %(day)s)
  GROUP BY b.id, b.commune_id
),
reg AS (
  SELECT r.beneficiary_id AS bid, r.method,
         ROW_NUMBER() OVER (PARTITION BY r.beneficiary_id
                            ORDER BY r.registered_on DESC, r.id DESC) AS rn
  FROM {reg} r JOIN {ben} b ON b.id = r.beneficiary_id
  WHERE b.commune_id IN ({ids}) AND r.registered_on <= %(day)s
),
acc AS (
  SELECT a.beneficiary_id AS bid, a.verification, a.verified_on,
         ROW_NUMBER() OVER (PARTITION BY a.beneficiary_id
                            ORDER BY a.opened_on DESC, a.id DESC) AS rn
  FROM {acc} a JOIN {ben} b ON b.id = a.beneficiary_id
  WHERE b.commune_id IN ({ids}) AND a.opened_on <= %(day)s AND a.status <> 'closed'
),
flagged AS (
  SELECT DISTINCT f.beneficiary_id AS bid FROM {fin} f
  WHERE f.commune_id IN ({ids}) AND f.kind IN ({kinds}) AND f.detected_at < %(end)s
    AND (f.state = 'open' OR f.resolved_at >= %(end)s)
)
SELECT p.cid,
  COUNT(*),
  SUM(CASE WHEN r.method = 'cash' THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.method = 'account' THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.method = 'no_account' THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.method IS NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.bid IS NOT NULL THEN 1 ELSE 0 END),
  SUM(CASE WHEN a.verification = 'verified' AND a.verified_on <= %(day)s THEN 1 ELSE 0 END),
  SUM(CASE WHEN f.bid IS NOT NULL
             OR (a.verification = 'mismatch'
                 AND (a.verified_on IS NULL OR a.verified_on <= %(day)s))
           THEN 1 ELSE 0 END),
  SUM(CASE WHEN r.method IN ({non_cash}) AND a.verification = 'verified'
                AND a.verified_on <= %(day)s THEN 1 ELSE 0 END){sums}
FROM people p
LEFT JOIN reg r ON r.bid = p.bid AND r.rn = 1
LEFT JOIN acc a ON a.bid = p.bid AND a.rn = 1
LEFT JOIN flagged f ON f.bid = p.bid
GROUP BY p.cid
"""
_FIGURE_COLUMNS = (
    "people", "cash", "account", "no_account", "unregistered", "collected", "verified",
    "mismatches", "ready",
)  # fmt: skip


def _programme_groups() -> dict[str, list[int]]:
    """Programme code → its target-group ids (a handful of rows)."""
    groups: dict[str, list[int]] = {}
    rows = TargetGroup.objects.order_by("programme_id", "pk").values_list("programme__code", "pk")
    for code, pk in rows:
        groups.setdefault(code, []).append(pk)
    return groups


def _sql(commune_ids: list[int], programme_groups: dict[str, list[int]]) -> str:
    # Literal integers (ids read from the database; a province has a few hundred communes at
    # most) let the planner see how many people it selects, and testing the group id against
    # each programme's groups spares a join per enrolment. The finding kinds are fixed codes.
    def ints(values: list[int]) -> str:
        return ", ".join(str(int(v)) for v in values)

    def codes(values: tuple[str, ...]) -> str:
        return ", ".join(f"'{v}'" for v in values)

    return _FIGURES.format(
        ids=ints(commune_ids),
        kinds=codes(tuple(kind.value for kind in MISMATCH_KINDS)),
        gone=codes(GONE),
        non_cash=codes(NON_CASH),
        flags="".join(
            f",\n    MAX(CASE WHEN e.group_id IN ({ints(ids)}) THEN 1 ELSE 0 END) AS f{n}"
            for n, ids in enumerate(programme_groups.values())
        ),
        sums="".join(f",\n  SUM(p.f{n})" for n in range(len(programme_groups))),
        **_tables(),
    )


def _params(on: dt.date) -> dict[str, Any]:
    ops = connection.ops
    end = dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min, tzinfo=VIETNAM)
    return {
        "day": ops.adapt_datefield_value(on),
        "month": ops.adapt_datefield_value(on.replace(day=1)),
        "end": ops.adapt_datetimefield_value(end),
    }


def figures_by_commune(commune_ids: list[int], on: dt.date) -> dict[int, Figures]:
    """Figures per commune id, for the communes with anybody to count."""
    if not commune_ids:
        return {}
    programme_groups = _programme_groups()
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Compiling this wide aggregate costs more than it saves (measured, bench/).
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(_sql(commune_ids, programme_groups), _params(on))
        rows = cursor.fetchall()
    figures: dict[int, Figures] = {}
    n = len(_FIGURE_COLUMNS)
    for cid, *values in rows:
        counts = {k: int(v or 0) for k, v in zip(_FIGURE_COLUMNS, values[:n], strict=True)}
        figures[cid] = Figures(
            **counts,  # type: ignore[arg-type]
            by_programme={
                code: int(v) for code, v in zip(programme_groups, values[n:], strict=True) if v
            },
        )
    return figures


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
    figures = figures_by_commune([c.pk for c in communes], on)
    blocks: dict[str, ProvinceBlock] = {}
    for c in communes:
        block = blocks.setdefault(
            c.province.code, ProvinceBlock(c.province.code, c.province.name, [], Figures())
        )
        block.rows.append(CommuneRow(c.code, c.name, figures.get(c.pk, Figures())))
    for block in blocks.values():
        block.total = figures_sum(row.figures for row in block.rows)
    return DailyReport(
        on=on, area=area.strip(), programmes=_programmes(), provinces=list(blocks.values())
    )


def report_as_dict(report: DailyReport) -> dict[str, Any]:
    """The report as JSON-ready data: what `asxh report daily --json` prints."""
    return {
        "date": f"{report.on:%d/%m/%Y}",
        "area": report.area,
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
