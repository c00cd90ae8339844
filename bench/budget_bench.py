"""Budget estimate (dự toán) speed on the seeded province: computing, and reading what is stored.

1. `price_province`: stream the province's active people, enrolments and registrations, price
   each of the 12 months of --year through the entitlement engine (a memo shares the pricing
   of people alike in birth month and enrolments), add up per commune and group, and read the
   deaths of the last 12 months. `--memo-limit 0` prices every person through the engine.
2. `budget_compute`: the same and storing the estimate (a few rows per commune), as the
   page's "Tính dự toán" button and `asxh report budget --compute` do.
3. Reading it: the selector `budget_estimate`, the page /bao-cao/du-toan/ and its Excel file
   for a province user (median of --runs after one warm-up).

Read only: the estimate tables are created if the database has no migration for them, and
everything (tables, user, estimate, audit event) happens inside one transaction that is
rolled back. Prints one JSON line: `rows` = active people priced, `seconds`, `rows_per_s`,
`peak_rss_mb`, `database`, and the steps' figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/asxh_bench .venv/bin/python bench/budget_bench.py

Measured on 24/11/2026, 2-core development machine (load average about 1), province 91 of the
bench database (1,000,000 people, 959,979 active, 102 communes), year 2027:

| step | seconds | people/s | peak RSS |
|---|---|---|---|
| price, every person through the engine (`--memo-limit 0`) | 115.1 | 8,339 | 109 MB |
| price, with the memo (103,285 people priced by the engine) | 29.9–30.1 | 31,900–32,100 | 192 MB |
| compute and store (1,632 rows) | 30.1 | 31,930 | 195 MB |
| read: selector / page / Excel (median of 5) | 0.015 / 0.096 / 0.198 | | |

Both pricings give the same 12-month total, 17,148,863,946,000 đ. Where the 30 s go: about
16 s in the engine (103,285 people × 12 months), 5 s reading the three streams, the rest
turning rows into the engine's tuples, keying the memo and adding up.
"""

import argparse
import datetime as dt
import json
import os
import resource
import secrets
import time
from typing import Any

from timing import median_ms, timed


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="91")
    parser.add_argument("--year", type=int, default=0, help="Default: next year.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--memo-limit", type=int, default=-1, help="Entries of the pricing memo (0: none)."
    )
    parser.add_argument("--skip-compute", action="store_true", help="Only price (step 1).")
    return parser.parse_args()


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def _tables() -> None:
    """The estimate tables, when this database has not been migrated to them (rolled back)."""
    from django.db import connection

    from asxh.reports.models import BudgetEstimate, BudgetLine

    if BudgetEstimate._meta.db_table in connection.introspection.table_names():
        return
    with connection.schema_editor(atomic=False) as editor:
        editor.create_model(BudgetEstimate)
        editor.create_model(BudgetLine)


def _price(province: Any, year: int, today: dt.date) -> dict[str, Any]:
    from django.db import connection

    from asxh.entitlement.selectors import ratebook
    from asxh.reports.budget import price_province

    with connection.cursor() as cursor:  # as budget_compute
        cursor.execute("SET LOCAL work_mem = '256MB'")
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL cursor_tuple_fraction = 1")
    started = time.perf_counter()
    priced = price_province(province, year, today, ratebook())
    seconds = time.perf_counter() - started
    people = priced.tally.people
    return {
        "people": people,
        "seconds": round(seconds, 2),
        "people_per_s": round(people / seconds),
        "engine_people": priced.engine_people,
        "cells": len(priced.tally.cells),
        "monthly_total": sum(cell.monthly for cell in priced.tally.cells.values()),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _compute(user: Any, province: Any, year: int, today: dt.date) -> dict[str, Any]:
    from asxh.reports.budget import budget_compute

    started = time.perf_counter()
    done = budget_compute(actor=user, province_code=province.code, year=year, as_of=today)
    seconds = time.perf_counter() - started
    estimate = done.estimate
    return {
        "people": estimate.people,
        "lines": done.lines,
        "seconds": round(seconds, 2),
        "people_per_s": round(estimate.people / seconds),
        "peak_rss_mb": _peak_rss_mb(),
        "assumptions": estimate.assumptions,
    }


def _read(user: Any, year: int, runs: int) -> dict[str, Any]:
    from django.test import Client

    from asxh.reports.budget import budget_estimate

    client = Client()
    client.force_login(user)
    report = budget_estimate(user, year)
    total = report.total
    return {
        "communes": sum(len(p.communes) for p in report.provinces),
        "total": total.as_dict(),
        "selector_ms": median_ms(timed(lambda: budget_estimate(user, year), runs)),
        "page_ms": median_ms(timed(lambda: client.get("/bao-cao/du-toan/", {"nam": year}), runs)),
        "xlsx_ms": median_ms(
            timed(lambda: client.get("/bao-cao/du-toan.xlsx", {"nam": year}), runs)
        ),
    }


def _user(province: Any) -> Any:
    from asxh.access.roles import Role
    from asxh.access.services import user_bootstrap

    return user_bootstrap(
        username="bench.dutoan",
        password=secrets.token_urlsafe(),  # logged in with force_login only
        role=Role.APPROVER,
        full_name="Bench dự toán",
        provinces=[province],
        communes=[],
    )


class _RolledBack(Exception):
    pass


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection, transaction
    from django.utils import timezone

    from asxh.reports import budget
    from asxh.units.models import Province

    settings.ALLOWED_HOSTS = ["testserver", *settings.ALLOWED_HOSTS]
    if args.memo_limit >= 0:
        budget.MEMO_LIMIT = args.memo_limit
    today = timezone.localdate()
    year = args.year or today.year + 1
    province = Province.objects.get(code=args.province)
    result: dict[str, Any] = {"name": "budget_estimate", "database": connection.vendor}
    try:
        with transaction.atomic():
            _tables()
            result["price"] = _price(province, year, today)
            if not args.skip_compute:
                user = _user(province)
                result["compute"] = _compute(user, province, year, today)
                result["read"] = _read(user, year, args.runs)
            raise _RolledBack
    except _RolledBack:
        pass
    step = result.get("compute", result["price"])
    result.update(
        rows=step["people"],
        seconds=step["seconds"],
        rows_per_s=step["people_per_s"],
        peak_rss_mb=_peak_rss_mb(),
        year=year,
        memo_limit=budget.MEMO_LIMIT,
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
