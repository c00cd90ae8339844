"""Non-cash coverage report speed: writing the summary of a locked list, and reading a year of it.

1. `coverage_record` on the province's locked list of --month (about a million lines on the
   bench database): the median of --record-runs, each rewriting that list's summary rows.
2. The selector `coverage`, the page /bao-cao/bao-phu/ and its Excel file for a trend of
   --months months ending with --month, for a province user, a user of the province's first
   communes holding about --subset people (default 300,000) and an officer of the largest
   commune: the median of --runs calls after one warm-up.

The bench database has one locked list; the months before it are stood in for by locked
cycle rows without lines carrying a copy of its summary rows, so the page reads a year of
figures. Everything (the rewritten rows, those cycles, the users) happens inside one
transaction that is rolled back: the database is only read. Prints one JSON line.
"""

import argparse
import json
import os
import resource
import statistics
from typing import Any

from timing import median_ms, timed


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="91")
    parser.add_argument("--month", default="2026-12", help="The locked list's month, YYYY-MM.")
    parser.add_argument("--months", type=int, default=12, help="Months of the trend.")
    parser.add_argument("--subset", type=int, default=300_000, help="People of the middle case.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--record-runs", type=int, default=3)
    return parser.parse_args()


def _record(cycle: Any, runs: int) -> dict[str, Any]:
    from django.db.models import Count

    from asxh.cycles.models import PaymentLine
    from asxh.reports.coverage import coverage_record

    lines = PaymentLine.objects.filter(cycle=cycle).aggregate(n=Count("pk"))["n"]
    rows: list[int] = []
    times = timed(lambda: rows.append(coverage_record(cycle)), runs, warm_up=False)
    return {
        "lines": lines,
        "summary_rows": rows[-1],
        "record_ms": median_ms(times),
        "record_ms_each": [round(t * 1000) for t in times],
        "lines_per_s": round(lines / statistics.median(times)),
    }


def _earlier_months(cycle: Any, months: int) -> None:
    """Locked stand-ins for the months before `cycle`, with a copy of its summary rows."""
    from django.db import connection

    from asxh.cycles.models import Cycle, CycleState
    from asxh.entitlement.months import month_first_day, month_of
    from asxh.reports.models import CycleCoverage

    table = CycleCoverage._meta.db_table
    columns = "commune_id, programme, benefit, people, people_non_cash, amount, amount_non_cash"
    last = month_of(cycle.month)
    for month in range(last - months + 1, last):
        stand_in = Cycle.objects.create(
            province=cycle.province, month=month_first_day(month), state=CycleState.LOCKED
        )
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (cycle_id, {columns}) "
                f"SELECT %s, {columns} FROM {table} WHERE cycle_id = %s",
                [stand_in.pk, cycle.pk],
            )


def _users(province: Any, subset: int) -> dict[str, Any]:
    """A province user, a user of the first communes holding about `subset` people, an
    officer of the largest commune: not committed."""
    from django.db.models import Count

    from asxh.access.roles import Role
    from asxh.access.services import user_bootstrap
    from asxh.units.models import Commune

    communes = Commune.objects.filter(province=province).annotate(n=Count("beneficiaries"))
    largest = communes.order_by("-n", "code").first()
    first, people = [], 0
    for c in communes.order_by("code"):
        if people >= subset:
            break
        first.append(c)
        people += c.n
    common = {"password": "bench-bao-phu-2026", "full_name": "Benchmark"}
    return {
        "province": user_bootstrap(
            username="bench.baophu.tinh", role=Role.PROVINCE, provinces=[province], communes=[],
            **common,
        ),
        f"communes_{subset // 1000}k": user_bootstrap(
            username="bench.baophu.cum", role=Role.PROVINCE, provinces=[], communes=first,
            **common,
        ),
        "commune_officer": user_bootstrap(
            username="bench.baophu.xa", role=Role.COMMUNE_OFFICER, provinces=[],
            communes=[largest], **common,
        ),
    }  # fmt: skip


def _time_user(user: Any, first: int, last: int, runs: int) -> dict[str, Any]:
    from django.test import Client

    from asxh.entitlement.months import month_iso
    from asxh.reports.selectors import coverage

    client = Client()
    client.force_login(user)
    query = {"from": month_iso(first), "to": month_iso(last)}
    report = coverage(user, first, last)
    latest = report.latest
    assert latest is not None

    def page() -> None:
        assert client.get("/bao-cao/bao-phu/", query).status_code == 200

    def workbook() -> None:
        assert client.get("/bao-cao/bao-phu.xlsx", query).status_code == 200

    return {
        "communes": len(latest.communes),
        "months_with_lists": sum(1 for m in report.months if m.lists),
        "people": latest.total.people,
        "people_share": round(latest.total.people_share or 0, 4),
        "selector_ms": median_ms(timed(lambda: coverage(user, first, last), runs)),
        "page_ms": median_ms(timed(page, runs)),
        "xlsx_ms": median_ms(timed(workbook, runs)),
    }


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment

    from asxh.cycles.models import Cycle
    from asxh.entitlement.months import month_first_day, month_parse
    from asxh.reports.coverage import LOCKED_STATES

    setup_test_environment()  # the test Client's host
    last = month_parse(args.month)
    first = last - args.months + 1
    cycle = Cycle.objects.select_related("province").get(
        province__code=args.province, month=month_first_day(last), state__in=LOCKED_STATES
    )
    cases: dict[str, Any] = {}
    with transaction.atomic():
        record = _record(cycle, args.record_runs)
        _earlier_months(cycle, args.months)
        for name, user in _users(cycle.province, args.subset).items():
            cases[name] = _time_user(user, first, last, args.runs)
        transaction.set_rollback(True)  # leave the shared benchmark database as it was
    seconds = record["record_ms"] / 1000
    print(
        json.dumps(
            {
                "name": "report_coverage",
                "rows": record["lines"],
                "seconds": round(seconds, 2),
                "rows_per_s": record["lines_per_s"],
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "database": connection.vendor,
                "month": args.month,
                "months": args.months,
                "runs": args.runs,
                "record": record,
                "cases": cases,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
