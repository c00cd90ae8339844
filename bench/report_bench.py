"""Daily progress report speed on seeded data: counting a day (`reports.progress`), the first
view of a day never counted, and then the selector, the page /bao-cao/ and its Excel file
reading the kept figures.

For a province user (every commune of the province), a user of the province's first communes
holding about --subset people (the size of a province the issue asks about: 300,000) and a
commune officer (the province's largest commune, or --commune): each case is the median of
--runs timed calls after one warm-up. The users and the kept figures are written inside a
transaction that is rolled back at the end, so the database is left as it was. Prints one
JSON line.
"""

import argparse
import json
import os
import resource
from typing import Any

from timing import median_ms, timed


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="91")
    parser.add_argument("--commune", default="", help="Default: the largest of the province.")
    parser.add_argument("--date", default="", help="dd/mm/yyyy; default today.")
    parser.add_argument("--subset", type=int, default=300_000, help="People of the middle case.")
    parser.add_argument("--runs", type=int, default=5)
    return parser.parse_args()


def _users(province_code: str, commune_code: str, subset: int) -> dict[str, Any]:
    """The users of the three cases, not committed."""
    from django.db.models import Count

    from asxh.access.roles import Role
    from asxh.access.services import user_bootstrap
    from asxh.units.models import Commune, Province

    province = Province.objects.get(code=province_code)
    communes = Commune.objects.filter(province=province).annotate(n=Count("beneficiaries"))
    commune = (
        communes.get(code=commune_code) if commune_code else communes.order_by("-n", "code").first()
    )
    first, people = [], 0
    for c in communes.order_by("code"):
        if people >= subset:
            break
        first.append(c)
        people += c.n
    common = {"password": "bench-bao-cao-2026", "full_name": "Benchmark"}
    return {
        "province": user_bootstrap(
            username="bench.baocao.tinh",
            role=Role.PROVINCE,
            provinces=[province],
            communes=[],
            **common,
        ),
        f"communes_{subset // 1000}k": user_bootstrap(
            username="bench.baocao.cum",
            role=Role.PROVINCE,
            provinces=[],
            communes=first,
            **common,
        ),
        "commune_officer": user_bootstrap(
            username="bench.baocao.xa",
            role=Role.COMMUNE_OFFICER,
            provinces=[],
            communes=[commune],
            **common,
        ),
    }


def _time_user(user: Any, on: Any, runs: int) -> dict[str, Any]:
    from django.test import Client

    from asxh.reports.models import ProgressCount
    from asxh.reports.progress import progress_recount
    from asxh.reports.selectors import daily_report, report_communes

    client = Client()
    client.force_login(user)
    query = {"date": f"{on:%d/%m/%Y}"}
    communes = list(report_communes(user).values_list("pk", flat=True))

    def count() -> None:
        progress_recount(user, communes, on, area="")

    def first_page() -> None:
        ProgressCount.objects.filter(commune_id__in=communes, on=on).delete()
        page()

    def page() -> None:
        assert client.get("/bao-cao/", query).status_code == 200

    def workbook() -> None:
        assert client.get("/bao-cao/tien-do.xlsx", query).status_code == 200

    timings = {
        "count_ms": median_ms(timed(count, runs)),
        "first_page_ms": median_ms(timed(first_page, runs)),
        "selector_ms": median_ms(timed(lambda: daily_report(user, on=on), runs)),
        "page_ms": median_ms(timed(page, runs)),
        "xlsx_ms": median_ms(timed(workbook, runs)),
    }
    report = daily_report(user, on=on)
    return {
        "communes": len(communes),
        "people": report.total.people,
        "ready": report.total.ready,
        **timings,
    }


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from asxh.reports.logic import report_date_parse

    setup_test_environment()  # the test Client's host
    today = timezone.localdate()
    on = report_date_parse(args.date, today=today) if args.date else today
    cases: dict[str, Any] = {}
    with transaction.atomic():
        for role, user in _users(args.province, args.commune, args.subset).items():
            cases[role] = _time_user(user, on, args.runs)
        transaction.set_rollback(True)  # leave the shared benchmark database as it was
    people = sum(c["people"] for c in cases.values())
    seconds = sum(c["page_ms"] for c in cases.values()) / 1000
    print(
        json.dumps(
            {
                "name": "report_daily",
                "rows": people,
                "seconds": round(seconds, 2),
                "rows_per_s": round(people / seconds) if seconds else 0,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "database": connection.vendor,
                "date": f"{on:%d/%m/%Y}",
                "runs": args.runs,
                "cases": cases,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
