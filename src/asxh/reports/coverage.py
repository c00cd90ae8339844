"""The non-cash coverage summary, written once per locked payment list.

A province's list has up to a million lines a month; the report reads a year of them. So
when a list is locked its sent lines are summed, in the database, into a few rows per
commune (`CycleCoverage`), and the report reads only those. A locked list never changes
(a trigger refuses it), so the rows stay true.
"""

from django.db import connection, transaction

from asxh.audit.services import audit_record
from asxh.beneficiaries.models import TargetGroup
from asxh.cycles.models import Cycle, CycleState, PaymentLine
from asxh.reports.coverage_logic import ONE_OFF, benefit_programmes
from asxh.reports.models import CycleCoverage

LOCKED_STATES = (CycleState.LOCKED, CycleState.CLOSED)

# The sent lines (nothing held back), each with its benefit's programme, then one GROUP BY
# that yields three levels per commune: benefit, programme (benefit ''), everyone (both '').
# COUNT(DISTINCT) counts a person once per level, however many lines (arrears months,
# allowances) they have; someone is paid without cash when none of their lines at that
# level is cash, hence people − those with a cash line.
_RECORD = """
INSERT INTO {coverage} (cycle_id, commune_id, programme, benefit, people, people_non_cash,
                        amount, amount_non_cash)
WITH bp(benefit, programme) AS (VALUES {pairs}),
sent AS (
  SELECT l.commune_id AS cid, l.beneficiary_id AS bid, COALESCE(bp.programme, %(one_off)s)
         AS programme, l.benefit AS benefit, l.method AS method, l.amount AS amount
  FROM {line} l LEFT JOIN bp ON bp.benefit = l.benefit
  WHERE l.cycle_id = %(cycle)s AND l.held_reason = ''
)
SELECT %(cycle)s, cid, {programme}, {benefit},
  COUNT(DISTINCT bid),
  COUNT(DISTINCT bid) - COUNT(DISTINCT CASE WHEN method <> 'account' THEN bid END),
  SUM(amount),
  SUM(CASE WHEN method = 'account' THEN amount ELSE 0 END)
FROM sent{levels}
GROUP BY {grouping}
"""

# PostgreSQL computes the three levels from one sort (ROLLUP; rolled-up keys come out NULL).
_POSTGRES = {
    "levels": "",
    "programme": "COALESCE(programme, '')",
    "benefit": "COALESCE(benefit, '')",
    "grouping": "cid, ROLLUP(programme, benefit)",
}
# SQLite has no ROLLUP: each line is counted at the three levels through a three-row join.
_LEVEL_PROGRAMME = "CASE WHEN lv.level < 2 THEN programme ELSE '' END"
_LEVEL_BENEFIT = "CASE WHEN lv.level = 0 THEN benefit ELSE '' END"
_PORTABLE = {
    "levels": "\nCROSS JOIN (SELECT 0 AS level UNION ALL SELECT 1 UNION ALL SELECT 2) lv",
    "programme": _LEVEL_PROGRAMME,
    "benefit": _LEVEL_BENEFIT,
    "grouping": f"cid, {_LEVEL_PROGRAMME}, {_LEVEL_BENEFIT}",
}


def _programmes() -> dict[str, str]:
    groups = dict(TargetGroup.objects.values_list("code", "programme__code"))
    return benefit_programmes(groups)


def coverage_record(cycle: Cycle) -> int:
    """Write (or rewrite) the coverage rows of a locked list from its sent lines; returns the
    number of rows. One INSERT … SELECT: no line reaches Python."""
    programmes = _programmes()
    params: dict[str, str | int] = {"cycle": cycle.pk, "one_off": ONE_OFF}
    pairs = []
    for n, (benefit, programme) in enumerate(sorted(programmes.items())):
        params[f"b{n}"], params[f"p{n}"] = benefit, programme
        pairs.append(f"(%(b{n})s, %(p{n})s)")
    parts = _POSTGRES if connection.vendor == "postgresql" else _PORTABLE
    sql = _RECORD.format(
        coverage=CycleCoverage._meta.db_table,
        line=PaymentLine._meta.db_table,
        pairs=", ".join(pairs),
        **parts,
    )
    with transaction.atomic(), connection.cursor() as cursor:
        CycleCoverage.objects.filter(cycle_id=cycle.pk).delete()
        cursor.execute(sql, params)
        return max(cursor.rowcount, 0)


def coverage_fill(*, again: bool = False) -> list[tuple[Cycle, int]]:
    """Record the locked lists that have no coverage rows yet (every locked list with
    `again`): for lists locked before the summary existed. Running it twice changes nothing.
    One transaction per list, so that an interrupted run keeps what it did."""
    cycles = Cycle.objects.filter(state__in=LOCKED_STATES).select_related("province")
    if not again:
        cycles = cycles.exclude(pk__in=CycleCoverage.objects.values("cycle_id"))
    done = []
    for cycle in cycles.order_by("month", "pk"):
        with transaction.atomic():
            rows = coverage_record(cycle)
            audit_record(
                actor=None,
                action="report.coverage_record",
                object_type="cycle",
                object_id=cycle.pk,
                area_code=cycle.province.code,
                after={"rows": rows},
            )
        done.append((cycle, rows))
    return done
