"""Import speed: a workbook of N synthetic people (the commune layout) checked, then stored.

Writes the workbook with the synthetic generator (no defects, so every row is valid), then
times `import_beneficiaries` as a dry run and as a real run into a commune of DATABASE_URL,
and a second real run of the same file (everything unchanged). Prints one JSON line.
Run `asxh setup` on that database first (bench/README.md); the commune gets N new people.
"""

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HEADER = [
    "STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số CCCD", "Số điện thoại", "Thôn/ấp",
    "Dân tộc", "Nhóm đối tượng", "Hưởng từ tháng", "Hình thức nhận", "Số tài khoản", "Ngân hàng",
]  # fmt: skip


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--commune", default="30682")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--allow-sqlite", action="store_true")
    return parser.parse_args()


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _workbook(path: Path, rows: int, commune: str, seed: int) -> None:
    import xlsxwriter

    from asxh.synthetic.generator import BANKS, CommuneSpec, ProvinceSpec, generate

    bank_names = {bank.bin: name for name, bank in BANKS.items()}
    spec = ProvinceSpec(code="91", communes=(CommuneSpec(commune, "Xã", "89"),))
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet("Danh sách")
    sheet.write_row(0, 0, ["DANH SÁCH ĐỐI TƯỢNG HƯỞNG TRỢ CẤP"])
    sheet.write_row(2, 0, HEADER)
    out = 3
    for batch in generate(spec, count=rows, seed=seed, defect_rate=0.0):
        for p in batch.people:
            enrolment = next((e for e in p.enrolments if e.end_month is None), None)
            account = p.account
            birth = {"day": "%d/%m/%Y", "month": "%m/%Y", "year": "%Y"}[p.birth_date_precision]
            sheet.write_row(out, 0, [
                out - 2, p.full_name, p.birth_date.strftime(birth), "Nam" if p.sex == "M" else "Nữ",
                p.id_number, p.phone, p.village, p.ethnicity, enrolment.group if enrolment else "",
                enrolment.start_month.strftime("%m/%Y") if enrolment else "",
                {"account": "Tài khoản", "cash": "Tiền mặt", "no_account": "Chưa có tài khoản"}[p.payment_method],
                account.account_number if account else "", bank_names.get(account.bin, account.bin) if account else "",
            ])  # fmt: skip
            out += 1
    book.close()


def _timed(label: str, run: Any) -> dict[str, Any]:
    started = time.perf_counter()
    report = run()
    seconds = time.perf_counter() - started
    return {
        "run": label,
        "seconds": round(seconds, 2),
        "rows_per_s": round(report.rows_read / seconds),
        "rows_read": report.rows_read,
        "created": report.created,
        "unchanged": report.unchanged,
        "errors": len(report.errors),
        "first_errors": [e.as_dict() for e in report.errors[:3]],
    }


def main() -> None:
    args = _arguments()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) and not args.allow_sqlite:
        sys.exit("DATABASE_URL must point at PostgreSQL (or pass --allow-sqlite).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    import django

    django.setup()
    from django.db import connection

    from asxh.access.models import User
    from asxh.access.roles import Role
    from asxh.access.services import user_bootstrap
    from asxh.intake.services import import_beneficiaries
    from asxh.units.models import Commune

    commune = Commune.objects.get(code=args.commune)
    user = User.objects.filter(username=f"bench.nhap.{commune.code}").first() or user_bootstrap(
        username=f"bench.nhap.{commune.code}",
        password="bench-nhap-2026",  # noqa: S106 (a benchmark user on a benchmark database)
        role=Role.COMMUNE_OFFICER,
        full_name="Bench nhập liệu",
        provinces=[],
        communes=[commune],
    )
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "danh-sach.xlsx"
        started = time.perf_counter()
        _workbook(path, args.rows, args.commune, args.seed)
        written = time.perf_counter() - started

        def run(dry_run: bool) -> Any:
            return import_beneficiaries(
                actor=user, commune_code=args.commune, path=path, dry_run=dry_run
            )

        results = [
            _timed("check (dry run)", lambda: run(True)),
            _timed("store", lambda: run(False)),
        ]
        results.append(_timed("store again (unchanged)", lambda: run(False)))
    print(json.dumps({
        "rows": args.rows, "workbook_seconds": round(written, 2),
        "database": connection.vendor, "runs": results,
        "peak_rss_mb": _peak_rss_mb(),
    }, ensure_ascii=False))  # fmt: skip


if __name__ == "__main__":
    main()
