"""Dashboard speed (/tong-quan/): writing its summaries, then reading them per role.

1. The writes that keep the dashboard fast, on the province's locked list of --month (about
   a million lines and the result events imported for it on the bench database):
   `summary_write` (what runs after a list is locked or a result file is imported) and
   `reports.progress.progress_count` for every commune of the province (the "Cập nhật số liệu" button and
   `asxh dashboard refresh --progress`).
2. Per role, the median of --runs calls after one warm-up: the role's main selector, the page
   /tong-quan/ and the monthly Excel file (Django test Client, force_login). Roles: approver,
   province, auditor and treasury of the whole province; a province user of the first
   communes holding about --subset people (default 300,000, the largest province's size); the
   officer of the largest commune; the provider's own user.

The bench database has one locked list; the --months − 1 months before it are stood in for
by locked cycle rows without lines carrying a copy of its summary rows (coverage and
dashboard), so that the trend reads a year. Everything — the rewritten summaries, the
progress counts, the stand-ins, the users, and the dashboard's tables if the database was not
migrated — happens in one transaction that is rolled back: the database is only read. Prints one JSON line per step and per role.
"""

import argparse
import json
import os
from collections.abc import Callable
from typing import Any

from timing import median_ms, timed

PASSWORD = "bench-tong-quan-2026"  # noqa: S105 - users that are rolled back


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="91")
    parser.add_argument("--month", default="2026-12", help="The locked list's month, YYYY-MM.")
    parser.add_argument("--months", type=int, default=12, help="Months of the trend.")
    parser.add_argument("--subset", type=int, default=300_000, help="People of the middle case.")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--write-runs", type=int, default=2)
    return parser.parse_args()


def _print(name: str, **data: Any) -> None:
    from django.db import connection

    print(json.dumps({"name": name, "database": connection.vendor, **data}, ensure_ascii=False))


def _writes(cycle: Any, runs: int) -> None:
    from django.utils import timezone

    from asxh.cycles.models import PaymentLine
    from asxh.dashboard.summary import summary_write
    from asxh.reports.progress import progress_count
    from asxh.results.models import PaymentEvent
    from asxh.units.models import Commune

    rows: list[int] = []
    times = timed(lambda: rows.append(summary_write(cycle.pk)), runs, warm_up=False)
    _print("dashboard_summary_write", lines=PaymentLine.objects.filter(cycle=cycle).count(),
           events=PaymentEvent.objects.filter(cycle=cycle).count(), summary_rows=rows[-1],
           ms=median_ms(times), ms_each=[round(t * 1000) for t in times])  # fmt: skip
    communes = list(Commune.objects.filter(province=cycle.province).values_list("pk", flat=True))
    times = timed(lambda: progress_count(communes, timezone.localdate()), 1, warm_up=False)
    _print("dashboard_progress_write", communes=len(communes), ms=median_ms(times))


def _tables() -> None:
    """The dashboard's tables, created inside the bench's transaction when the database has
    not been migrated yet (PostgreSQL rolls the DDL back with the rest)."""
    from django.apps import apps
    from django.db import connection

    existing = set(connection.introspection.table_names())
    with connection.schema_editor(atomic=False) as editor:
        for model in apps.get_app_config("dashboard").get_models():
            if model._meta.db_table not in existing:
                editor.create_model(model)


def _earlier_months(cycle: Any, months: int) -> None:
    """Locked stand-ins for the months before `cycle`, with a copy of its summary rows."""
    from django.db import connection

    from asxh.cycles.models import Cycle, CycleState
    from asxh.dashboard.models import PaymentSummary, SummaryState
    from asxh.dashboard.summary import NO_RESULTS
    from asxh.entitlement.months import month_first_day, month_of
    from asxh.reports.models import CycleCoverage

    copies = [
        (CycleCoverage._meta.db_table,
         "commune_id, programme, benefit, people, people_non_cash, amount, amount_non_cash"),
        (PaymentSummary._meta.db_table,
         "commune_id, contract_id, channel, " + ", ".join(
             f.column for f in PaymentSummary._meta.concrete_fields
             if f.get_internal_type() in ("PositiveIntegerField", "BigIntegerField"))),
    ]  # fmt: skip
    books = SummaryState.objects.get(cycle=cycle).books
    last = month_of(cycle.month)
    for month in range(last - months + 1, last):
        stand_in = Cycle.objects.create(
            province=cycle.province, month=month_first_day(month), state=CycleState.LOCKED
        )
        SummaryState.objects.create(cycle=stand_in, results_key=NO_RESULTS, books=books,
                                    written_at=stand_in.created_at, seconds=0)  # fmt: skip
        with connection.cursor() as cursor:
            for table, columns in copies:
                cursor.execute(f"INSERT INTO {table} (cycle_id, {columns}) "
                               f"SELECT %s, {columns} FROM {table} WHERE cycle_id = %s",
                               [stand_in.pk, cycle.pk])  # fmt: skip


def _users(cycle: Any, subset: int) -> dict[str, Any]:
    """One user per case, not committed."""
    from django.db.models import Count

    from asxh.access.roles import Role
    from asxh.access.services import user_bootstrap
    from asxh.providers.models import Provider
    from asxh.units.models import Commune

    province = cycle.province
    communes = Commune.objects.filter(province=province).annotate(n=Count("beneficiaries"))
    largest = communes.order_by("-n", "code").first()
    first, people = [], 0
    for commune in communes.order_by("code"):
        if people >= subset:
            break
        first.append(commune)
        people += commune.n

    def user(name: str, role: str, *, provinces: Any = (), communes: Any = ()) -> Any:
        return user_bootstrap(
            username=f"bench.tongquan.{name}", password=PASSWORD, role=role,
            full_name="Benchmark", provinces=list(provinces), communes=list(communes),
        )  # fmt: skip

    found = {
        "approver": user("pheduyet", Role.APPROVER, provinces=[province]),
        "province": user("tinh", Role.PROVINCE, provinces=[province]),
        "auditor": user("giamsat", Role.AUDITOR, provinces=[province]),
        "treasury": user("khobac", Role.TREASURY, provinces=[province]),
        f"communes_{subset // 1000}k": user("cum", Role.PROVINCE, communes=first),
        "commune_officer": user("xa", Role.COMMUNE_OFFICER, communes=[largest]),
        "provider": user("buudien", Role.PROVIDER, provinces=[province]),
    }
    for provider in Provider.objects.filter(contracts__province=province).distinct():
        provider.staff.add(found["provider"])
    return found


def _selector(user: Any, month: int) -> Callable[[], Any]:
    """The role's main read: the monthly report, or the provider's and treasury's own."""
    from asxh.access.roles import Role
    from asxh.dashboard import selectors

    if user.role == Role.PROVIDER:
        return lambda: selectors.provider_lists(user)
    if user.role == Role.TREASURY:
        return lambda: selectors.treasury_advances(user)
    return lambda: selectors.month_report(user, month)


def _time_user(name: str, user: Any, month: int, runs: int) -> None:
    from django.test import Client

    from asxh.access.roles import Capability, Role
    from asxh.dashboard.selectors import month_report, provider_lists
    from asxh.entitlement.months import month_iso

    client = Client()
    client.force_login(user)
    query = {"month": month_iso(month)}

    def page() -> None:
        assert client.get("/tong-quan/", query).status_code == 200

    def workbook() -> None:
        assert client.get("/tong-quan/bao-cao-thang.xlsx", query).status_code == 200

    figures: dict[str, Any] = {}
    if user.role == Role.PROVIDER:
        found = provider_lists(user)
        figures = {"lists": len(found), "people": sum(p.total.people for p in found)}
    elif user.can(Capability.VIEW_REPORTS):
        report = month_report(user, month)
        figures = {"communes": len(report.communes), "people_paid": report.coverage.people,
                   "amount": report.total.amount, "paid_amount": report.total.paid_amount}  # fmt: skip
    _print(
        "dashboard_page", case=name, role=user.role, **figures,
        selector_ms=median_ms(timed(_selector(user, month), runs)),
        page_ms=median_ms(timed(page, runs)),
        xlsx_ms=median_ms(timed(workbook, runs)) if user.can(Capability.VIEW_REPORTS) else None,
    )  # fmt: skip


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    import django

    django.setup()
    from django.db import transaction
    from django.test.utils import setup_test_environment

    from asxh.cycles.models import Cycle
    from asxh.entitlement.months import month_first_day, month_parse
    from asxh.reports.coverage import LOCKED_STATES

    setup_test_environment()  # the test Client's host
    month = month_parse(args.month)
    cycle = Cycle.objects.select_related("province").get(
        province__code=args.province, month=month_first_day(month), state__in=LOCKED_STATES
    )
    with transaction.atomic():
        _tables()
        _writes(cycle, args.write_runs)
        _earlier_months(cycle, args.months)
        for name, user in _users(cycle, args.subset).items():
            _time_user(name, user, month, args.runs)
        transaction.set_rollback(True)  # leave the shared benchmark database as it was


if __name__ == "__main__":
    main()
