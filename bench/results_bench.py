"""Importing a provider's results for a whole locked list, then the books (settlement figures).

Run after `bench/cycle_bench.py` (a locked list of province 91 for the bench's provider,
`bench-buudien`) on DATABASE_URL (PostgreSQL). Writes the provider's result for every payment
of the list, in the list's order (commune, name): with `--format csv` (the default) a CSV in
the layout the provider fills in (reference, result, amount paid, reason), most paid in full,
some partly, some failed; with `--format pain002` an ISO 20022 pain.002 status report, 95 %
ACCC and 5 % RJCT AC01. Imports it; imports it again (nothing changes); then times the books.
`--fresh` first deletes the results recorded for that cycle by earlier runs (and the
refused-transfer findings) and compacts the events, so that the run is a first import. Prints
one JSON line per step.
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
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="91")
    parser.add_argument("--month", default="2026-12")
    parser.add_argument("--provider", default="bench-buudien")
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--format", choices=("csv", "pain002"), default="csv")
    return parser.parse_args()


def _print(name: str, seconds: float, **extra: Any) -> None:
    peak = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps({"name": name, "seconds": round(seconds, 2), **extra, "peak_rss_mb": peak},
                     ensure_ascii=False), flush=True)  # fmt: skip


def _payments(cycle_id: int, provider_id: int) -> Iterator[tuple[str, int]]:
    """(reference, amount) of each of the provider's payments, in the list's order (commune,
    name), as the provider gets it and sends it back."""
    from django.db import transaction

    from asxh.core.bulk import whole_table_reads
    from asxh.cycles.build import sql_stream

    sql = """SELECT l.beneficiary_id, SUM(l.amount) FROM cycles_paymentline l
             JOIN providers_contract k ON k.id = l.contract_id
             JOIN beneficiaries_beneficiary b ON b.id = l.beneficiary_id
             JOIN units_commune c ON c.id = l.commune_id
             WHERE l.cycle_id = %s AND l.held_reason = '' AND k.provider_id = %s
             GROUP BY l.beneficiary_id, c.code, b.name_folded
             ORDER BY c.code, b.name_folded, l.beneficiary_id"""
    with transaction.atomic():
        whole_table_reads()  # planned for the whole list (not its first rows): seconds, not minutes
        for person, amount in sql_stream(sql, [cycle_id, provider_id]):
            yield f"ASXH{cycle_id:06d}{person:010d}", int(amount)


def _write_csv(payments: Iterator[tuple[str, int]], path: Path) -> int:
    """90 % paid (half of them without an amount, meaning in full), 5 % partly, 5 % failed."""
    chance = random.Random(20)
    rows = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["Mã tham chiếu", "Kết quả", "Số tiền đã chi (đồng)", "Lý do"])
        for reference, amount in payments:
            roll = chance.random()
            if roll < 0.45:
                writer.writerow([reference, "Đã chi", "", ""])
            elif roll < 0.90:
                writer.writerow([reference, "Đã chi", f"{amount:,}".replace(",", "."), ""])
            elif roll < 0.95:
                writer.writerow([reference, "Đã chi", str(amount // 2), ""])
            else:
                writer.writerow([reference, "Sai số tài khoản", "", "AC01"])
            rows += 1
    return rows


PAIN002_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.002.001.10"><CstmrPmtStsRpt>'
    "<GrpHdr><MsgId>BENCH-PSR</MsgId><CreDtTm>2026-12-09T16:00:00</CreDtTm></GrpHdr>"
    "<OrgnlGrpInfAndSts><OrgnlMsgId>BENCH-PAIN001</OrgnlMsgId>"
    "<OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId><GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>"
    "<OrgnlPmtInfAndSts><OrgnlPmtInfId>BENCH-PAIN001</OrgnlPmtInfId>\n"
)


def _write_pain002(payments: Iterator[tuple[str, int]], path: Path) -> int:
    """95 % ACCC, 5 % RJCT with AC01 (a status report carries no amounts)."""
    chance = random.Random(20)
    rows = 0
    with path.open("w", encoding="utf-8") as out:
        out.write(PAIN002_HEAD)
        for reference, _ in payments:
            status = (
                "<TxSts>ACCC</TxSts>" if chance.random() < 0.95 else
                "<TxSts>RJCT</TxSts><StsRsnInf><Rsn><Cd>AC01</Cd></Rsn></StsRsnInf>"
            )  # fmt: skip
            out.write(f"<TxInfAndSts><OrgnlEndToEndId>{reference}</OrgnlEndToEndId>{status}"
                      f"<AcctSvcrRef>FT-{rows}</AcctSvcrRef></TxInfAndSts>\n")  # fmt: skip
            rows += 1
        out.write("</OrgnlPmtInfAndSts></CstmrPmtStsRpt></Document>\n")
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
    path = folder / ("ket-qua.csv" if args.format == "csv" else "ket-qua.xml")
    write = _write_csv if args.format == "csv" else _write_pain002
    started = time.perf_counter()
    rows = write(_payments(cycle.pk, provider.pk), path)
    _print(f"write_report_{args.format}", time.perf_counter() - started, rows=rows,
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
