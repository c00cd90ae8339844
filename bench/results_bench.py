"""Importing a provider's results for a whole locked list, then the books (settlement figures).

Run after `bench/cycle_bench.py` (a locked list of province 91 for the bench's provider,
`bench-buudien`) on DATABASE_URL (PostgreSQL). Writes a result CSV in the layout the provider
fills in (reference, result, amount paid, reason) for every payment of the list: most paid in
full, some partly, some failed; imports it; imports it again (nothing changes); then times the
books. `--fresh` first deletes the results recorded for that cycle by earlier runs (and vacuums
the events, so that the run is a first import; and the refused-transfer findings). Rows are in the list's order (commune, name). Prints one
JSON line per step.
"""

import argparse
import csv
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="91")
    parser.add_argument("--month", default="2026-12")
    parser.add_argument("--provider", default="bench-buudien")
    parser.add_argument("--fresh", action="store_true")
    return parser.parse_args()


def _print(name: str, seconds: float, **extra: Any) -> None:
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps({"name": name, "seconds": round(seconds, 2), **extra, "peak_rss_mb": peak},
                     ensure_ascii=False), flush=True)  # fmt: skip


def _write_report(cycle_id: int, provider_id: int, path: Path) -> int:
    """Every payment of the provider's list with a result: 90 % paid (half of them without an
    amount, meaning in full), 5 % partly paid, 5 % failed."""
    from django.db import transaction

    from asxh.core.bulk import whole_table_reads
    from asxh.cycles.build import sql_stream

    # In the list's order (commune, name), as the provider gets it and sends it back.
    sql = """SELECT l.beneficiary_id, SUM(l.amount) FROM cycles_paymentline l
             JOIN providers_contract k ON k.id = l.contract_id
             JOIN beneficiaries_beneficiary b ON b.id = l.beneficiary_id
             JOIN units_commune c ON c.id = l.commune_id
             WHERE l.cycle_id = %s AND l.held_reason = '' AND k.provider_id = %s
             GROUP BY l.beneficiary_id, c.code, b.name_folded
             ORDER BY c.code, b.name_folded, l.beneficiary_id"""
    chance = random.Random(20)
    rows = 0
    with transaction.atomic(), path.open("w", encoding="utf-8-sig", newline="") as out:
        whole_table_reads()  # planned for the whole list (not its first rows): seconds, not minutes
        writer = csv.writer(out)
        writer.writerow(["Mã tham chiếu", "Kết quả", "Số tiền đã chi (đồng)", "Lý do"])
        for person, amount in sql_stream(sql, [cycle_id, provider_id]):
            reference = f"ASXH{cycle_id:06d}{person:010d}"
            roll = chance.random()
            if roll < 0.45:
                writer.writerow([reference, "Đã chi", "", ""])
            elif roll < 0.90:
                writer.writerow([reference, "Đã chi", f"{int(amount):,}".replace(",", "."), ""])
            elif roll < 0.95:
                writer.writerow([reference, "Đã chi", str(int(amount) // 2), ""])
            else:
                writer.writerow([reference, "Sai số tài khoản", "", "AC01"])
            rows += 1
    return rows


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at PostgreSQL.")
    import django

    django.setup()
    from django.db import connection

    from asxh.access.models import User
    from asxh.cycles.models import Cycle
    from asxh.entitlement.months import month_first_day, month_parse
    from asxh.providers.models import Provider
    from asxh.quality.models import Finding, FindingKind
    from asxh.results import selectors
    from asxh.results.models import PaymentEvent, ResultFile, Settlement
    from asxh.results.services import results_import

    cycle = Cycle.objects.get(province__code=args.province,
                              month=month_first_day(month_parse(args.month)))  # fmt: skip
    provider = Provider.objects.get(code=args.provider)
    actor = User.objects.get(username="bench.duyet")
    if args.fresh:
        Settlement.objects.filter(cycle=cycle).delete()
        PaymentEvent.objects.filter(cycle=cycle).delete()
        ResultFile.objects.filter(cycle=cycle).delete()
        Finding.objects.filter(kind=FindingKind.PAYMENT_FAILED).delete()
        with connection.cursor() as cursor:  # as before a first import: no dead index entries
            for table in ("results_paymentevent", "quality_finding"):  # compact, as never deleted
                cursor.execute(f"VACUUM FULL ANALYZE {table}")
    folder = Path(tempfile.mkdtemp(prefix="asxh-results-bench-"))
    path = folder / "ket-qua.csv"
    started = time.perf_counter()
    rows = _write_report(cycle.pk, provider.pk, path)
    _print("write_report_csv", time.perf_counter() - started, rows=rows,
           mb=round(path.stat().st_size / 1e6, 1))  # fmt: skip
    started = time.perf_counter()
    summary = results_import(actor=actor, cycle_id=cycle.pk, path=path, name=path.name)
    seconds = time.perf_counter() - started
    _print("import", seconds, rows=summary.rows, events=summary.events,
           rows_per_s=round(summary.rows / seconds), outcomes=summary.by_outcome)  # fmt: skip
    started = time.perf_counter()
    again = results_import(actor=actor, cycle_id=cycle.pk, path=path, name=path.name)
    _print("import_same_file_again", time.perf_counter() - started, already=again.already)
    started = time.perf_counter()
    books = selectors.books(cycle)
    books_s = time.perf_counter() - started
    _print("books", books_s, books=[b.as_dict() for b in books])
    _print("import_and_books", seconds + books_s, rows=summary.rows)
    path.unlink()
    folder.rmdir()


if __name__ == "__main__":
    main()
