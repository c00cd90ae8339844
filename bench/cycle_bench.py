"""A month's payment list for a seeded province on PostgreSQL: build, approve (lock), export
Excel + CSV + pain.001 for its provider; alongside, the time to COPY the same number of rows
into a scratch table (the floor any build must pay) and the ratio of the two.

Run after `asxh setup` and `bench/seed_bench.py` on DATABASE_URL (bench/README.md). It adds, once,
a provider with a contract for the whole province and two approver users. Each run builds the
month again (the draft is replaced); `--month` must not be locked yet (`--fresh` deletes the
bench's earlier cycles first). Prints one JSON line per step.
"""

import argparse
import datetime as dt
import json
import os
import resource
import shutil
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

PASSWORD = "bench-2026-cycle"  # noqa: S105 - bench-only users on a scratch database


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="91")
    parser.add_argument("--month", default="2026-12")
    parser.add_argument("--fresh", action="store_true", help="Delete the bench's earlier cycles.")
    parser.add_argument("--formats", default="xlsx,csv,pain001")
    return parser.parse_args()


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def _workers_peak_rss_mb() -> float:
    """The largest of the build's worker processes (asxh.cycles.parallel), once they ended."""
    return round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1)


def _cpu() -> tuple[float, float, float]:
    """CPU seconds so far: this process, its ended children (build workers, Excel writer),
    and the whole machine (/proc/stat; less the other two, that is mostly the database)."""
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    with open("/proc/stat") as stat:
        user, nice, system = (int(t) for t in stat.readline().split()[1:4])
    ticks = os.sysconf("SC_CLK_TCK")
    return (
        own.ru_utime + own.ru_stime,
        children.ru_utime + children.ru_stime,
        (user + nice + system) / ticks,
    )


_cpu_marks = [(0.0, 0.0, 0.0)]  # when the previous step ended; when the build started


def _cpu_since(mark: tuple[float, float, float]) -> dict[str, float]:
    spent = [round(b - a, 1) for a, b in zip(mark, _cpu(), strict=True)]
    return {"bench": spent[0], "children": spent[1], "machine": spent[2]}


def _print(name: str, seconds: float, **extra: Any) -> None:
    """One step's figures; its CPU seconds are those spent since the previous step."""
    cpu = _cpu_since(_cpu_marks[-1])
    _cpu_marks[-1] = _cpu()
    print(json.dumps({"name": name, "seconds": round(seconds, 2), **extra, "cpu_s": cpu,
                      "peak_rss_mb": _peak_rss_mb(), "workers_peak_rss_mb": _workers_peak_rss_mb()},
                     ensure_ascii=False), flush=True)  # fmt: skip


def _setup(province_code: str) -> tuple[Any, Any]:
    from django.db import transaction

    from asxh.access.models import User
    from asxh.access.roles import Role
    from asxh.access.services import user_bootstrap
    from asxh.providers.models import Provider
    from asxh.providers.services import ContractInput, contract_add, provider_add
    from asxh.units.models import Province

    province = Province.objects.get(code=province_code)
    users = []
    for name in ("bench.lap", "bench.duyet"):
        user = User.objects.filter(username=name).first()
        if user is None:
            with transaction.atomic():
                user = user_bootstrap(username=name, password=PASSWORD, role=Role.APPROVER, full_name=name,
                                      provinces=[province], communes=[])  # fmt: skip
        users.append(user)
    if not Provider.objects.filter(code="bench-buudien").exists():
        provider_add(actor=users[0], code="bench-buudien", name="Bưu điện (bench)", kind="post")
        contract_add(actor=users[0], data=ContractInput(
            provider_code="bench-buudien", number="BENCH", province_code=province_code,
            commune_codes=(), methods=("account", "cash"), valid_from=dt.date(2026, 1, 1),
            valid_to=None, fee_kind="per_head", fee_value=Decimal(5000),
            payer_name="Sở Y tế (bench)", payer_account="9527000000001", payer_bank_bin="970405",
        ))  # fmt: skip
    return users[0], users[1]


def _copy_floor(rows: int) -> float:
    """COPY `rows` rows shaped like payment lines into an unlogged scratch table."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE bench_lines (LIKE cycles_paymentline INCLUDING DEFAULTS) ON COMMIT DROP"
        )
        cursor.execute("ALTER TABLE bench_lines ALTER COLUMN id DROP NOT NULL")
        started = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_lines (cycle_id, beneficiary_id, commune_id, payee_id, contract_id, method, "
            "cash_at_home, benefit, kind, for_month, amount, title, bank_bin, account_number, held_reason) "
            "FROM STDIN"
        ) as copy:
            for n in range(rows):
                copy.write_row((1, n, 1, None, 1, "account", False, "btxh_nct_80", "monthly",
                                dt.date(2026, 12, 1), 500_000, "Trợ cấp hằng tháng 12/2026",
                                "970405", "1234567890123", ""))  # fmt: skip
        return time.perf_counter() - started


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at PostgreSQL.")
    import django

    django.setup()
    from asxh.cycles.models import Cycle, ExportFile, Payment, PaymentLine
    from asxh.cycles.services import cycle_approve, cycle_build, cycle_export
    from asxh.entitlement.months import month_first_day, month_parse
    from asxh.results.models import PaymentEvent, ResultFile, Settlement

    month = month_first_day(month_parse(args.month))
    preparer, approver = _setup(args.province)
    if args.fresh:
        from django.db import connection

        ids = list(Cycle.objects.filter(province__code=args.province).values_list("pk", flat=True))
        with connection.cursor() as cursor:  # TRUNCATE-like: the lock trigger guards row deletes
            cursor.execute("ALTER TABLE cycles_paymentline DISABLE TRIGGER USER")
            PaymentLine.objects.filter(cycle_id__in=ids).delete()
            cursor.execute("ALTER TABLE cycles_paymentline ENABLE TRIGGER USER")
        ExportFile.objects.filter(cycle_id__in=ids).delete()
        for results in (Settlement, PaymentEvent, ResultFile, Payment):  # and results_bench's
            results.objects.filter(cycle_id__in=ids).delete()
        Cycle.objects.filter(pk__in=ids).delete()
    _cpu_marks[:] = [_cpu(), _cpu()]
    started = time.perf_counter()
    result = cycle_build(actor=preparer, month=month, province_code=args.province)
    build_s = time.perf_counter() - started
    tally = result.tally
    _print("build", build_s, people=tally.people, lines=tally.lines, total=tally.total,
           held=tally.held, lines_per_s=round(tally.lines / build_s))  # fmt: skip
    started = time.perf_counter()
    cycle = cycle_approve(actor=approver, cycle_id=result.cycle.pk)
    approve_s = time.perf_counter() - started
    _print("approve_lock", approve_s)
    export_s = 0.0
    folder = Path(tempfile.mkdtemp(prefix="asxh-cycle-bench-"))
    # The exported files are kept under DATA_DIR: a scratch one, removed at the end.
    from django.conf import settings

    settings.DATA_DIR = folder / "data"
    for fmt in filter(None, args.formats.split(",")):
        started = time.perf_counter()
        export = cycle_export(actor=approver, cycle_id=cycle.pk, provider_code="bench-buudien",
                              fmt=fmt, path=folder / f"list.{fmt}")  # fmt: skip
        seconds = time.perf_counter() - started
        export_s += seconds
        size = (folder / f"list.{fmt}").stat().st_size
        _print(f"export_{fmt}", seconds, rows=export.rows, total=export.total,
               mb=round(size / 1e6, 1), rows_per_s=round(export.rows / seconds))  # fmt: skip
    shutil.rmtree(folder)
    all_cpu = _cpu_since(_cpu_marks[0])
    copy_s = _copy_floor(tally.lines)
    all_s = build_s + approve_s + export_s
    _print("all", all_s, lines=tally.lines, all_cpu_s=all_cpu, copy_same_rows_s=round(copy_s, 2),
           ratio_to_copy=round(all_s / copy_s, 1), build_ratio_to_copy=round(build_s / copy_s, 1))  # fmt: skip


if __name__ == "__main__":
    main()
