"""The daily progress figures as counted and kept: one `ProgressCount` row per commune and day.

Counting reads the whole registry of the communes asked (2,7 s for a province of 300.000
people, bench/report_bench.py), so the report page, its Excel file, `asxh report daily` and
the dashboard read the kept rows and say when they were counted. A day is counted when first
asked for, again on request (`progress_recount`), and once more after it has ended if it was
counted during the day, so that a past day's report holds everything recorded that day.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import require
from asxh.accounts.models import ReceivingAccount
from asxh.audit.services import audit_record
from asxh.beneficiaries.models import (
    Beneficiary,
    Enrolment,
    PaymentMethodRegistration,
    TargetGroup,
)
from asxh.core.bulk import whole_table_reads
from asxh.core.formatting import VIETNAM
from asxh.quality.models import Finding, FindingKind
from asxh.reports.logic import COUNT_FIELDS, Figures
from asxh.reports.models import ProgressCount

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
# open at its end; then one GROUP BY commune. Everything joins on the beneficiary id; for a
# province PostgreSQL reads the enrolment, registration and account tables whole and hashes
# the communes' people (EXPLAIN on the bench database; index look-ups per person were slower).
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
    end = day_end(on)
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
        whole_table_reads()  # no JIT for this wide aggregate, sorts in memory (measured, bench/)
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


@dataclass(frozen=True)
class Counted:
    """Kept figures of some communes, each as of the end of its day."""

    figures: dict[int, Figures]  # commune id → figures, for every commune asked
    taken_at: dt.datetime | None  # when the oldest of them was counted
    on: dt.date | None  # the earliest day among them


def day_end(on: dt.date) -> dt.datetime:
    """Midnight after `on`, Vietnam time."""
    return dt.datetime.combine(on + dt.timedelta(days=1), dt.time.min, tzinfo=VIETNAM)


def figures_of(data: dict[str, Any]) -> Figures:
    """Kept figures (`Figures.as_dict()`) back as `Figures`."""
    counts = {k: int(data.get(k, 0)) for k in COUNT_FIELDS}
    return Figures(**counts, by_programme=dict(data.get("by_programme") or {}))


def progress_count(commune_ids: list[int], on: dt.date) -> list[ProgressCount]:
    """Count the communes as of the end of `on` now (one query for all of them) and keep the
    figures, replacing that day's earlier count; returns the rows kept."""
    if not commune_ids:
        return []
    # The count sees what was recorded when it started: a count begun before midnight is not
    # the whole day even if it ends after.
    started = timezone.now()
    counted = figures_by_commune(commune_ids, on)
    return ProgressCount.objects.bulk_create(
        [
            ProgressCount(commune_id=pk, on=on, taken_at=started,
                          figures=counted.get(pk, Figures()).as_dict())
            for pk in sorted(commune_ids)  # one order for every writer: no deadlock between two
        ],
        update_conflicts=True,
        unique_fields=["commune", "on"],
        update_fields=["taken_at", "figures"],
    )  # fmt: skip


def _counted(rows: list[ProgressCount]) -> Counted:
    oldest = min(rows, key=lambda r: r.taken_at, default=None)
    return Counted(
        figures={r.commune_id: figures_of(r.figures) for r in rows},
        taken_at=oldest.taken_at if oldest else None,
        on=min((r.on for r in rows), default=None),
    )


def progress_of_day(commune_ids: list[int], on: dt.date) -> Counted:
    """The communes' figures as of the end of `on`, as kept. Communes never counted for that
    day are counted now, and so are those counted before the day ended once it has."""
    kept = {r.commune_id: r for r in ProgressCount.objects.filter(commune_id__in=commune_ids,
                                                                  on=on)}  # fmt: skip
    end = day_end(on)
    ended = timezone.now() >= end
    due = [pk for pk in commune_ids if pk not in kept or (ended and kept[pk].taken_at < end)]
    kept.update((r.commune_id, r) for r in progress_count(due, on))
    return _counted([kept[pk] for pk in commune_ids])


def progress_latest(commune_ids: list[int], today: dt.date) -> Counted:
    """Each commune's figures of today as kept, else of yesterday (which `Counted.on` tells:
    the dashboard shows them at once, marked as the day before); communes with neither are
    counted now, for today."""
    kept: dict[int, ProgressCount] = {}
    recent = ProgressCount.objects.filter(
        commune_id__in=commune_ids, on__in=[today - dt.timedelta(days=1), today]
    )
    for row in recent.order_by("on"):  # today's, read last, wins
        kept[row.commune_id] = row
    kept.update((r.commune_id, r) for r in progress_count(
        [pk for pk in commune_ids if pk not in kept], today))  # fmt: skip
    return _counted([kept[pk] for pk in commune_ids])


def progress_recount(user: User, commune_ids: list[int], on: dt.date, *, area: str) -> int:
    """Count the communes again for `on` at a person's request, and record who asked."""
    require(user, Capability.COUNT_PROGRESS)
    counted = len(progress_count(commune_ids, on))
    with transaction.atomic():
        audit_record(actor=user, action="report.progress_recount", object_type="progress",
                     object_id=f"{on:%Y-%m-%d}", area_code=area,
                     after={"communes": counted})  # fmt: skip
    return counted
