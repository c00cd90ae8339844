import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.synthetic.services import seed_province


class Command(BaseCommand):
    help = (
        "Sinh dữ liệu mô phỏng cho một tỉnh: đối tượng, diện hưởng, người nhận, hình thức nhận, "
        "tài khoản (cùng seed thì cùng dữ liệu)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--province", required=True, help="Mã tỉnh/thành phố (ví dụ 91).")
        parser.add_argument("--beneficiaries", type=int, required=True, help="Số đối tượng.")
        parser.add_argument("--seed", type=int, required=True, help="Hạt giống ngẫu nhiên.")
        parser.add_argument(
            "--defect-rate",
            type=float,
            default=0.0,
            help="Tỷ lệ hồ sơ có lỗi cố ý (0–1), ghi vào bảng SeedDefect.",
        )
        parser.add_argument(
            "--commune",
            action="extend",
            nargs="+",
            default=None,
            metavar="CODE",
            help="Chỉ các xã/phường này (mặc định: cả tỉnh).",
        )
        parser.add_argument("--json", action="store_true", help="Tóm tắt là một đối tượng JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        total = options["beneficiaries"]
        started = time.perf_counter()

        def progress(done: int) -> None:
            rate = done / max(time.perf_counter() - started, 1e-9)
            sys.stderr.write(f"\rĐã ghi {done:,}/{total:,} đối tượng ({rate:,.0f}/giây)")
            sys.stderr.flush()

        try:
            counts = seed_province(
                province_code=options["province"],
                beneficiaries=total,
                seed=options["seed"],
                defect_rate=options["defect_rate"],
                commune_codes=options["commune"],
                progress=progress,
            )
        except ValueError as error:
            raise CommandError(str(error)) from error
        finally:
            sys.stderr.write("\n")
        seconds = round(time.perf_counter() - started, 3)
        if options["json"]:
            self.stdout.write(json.dumps({**counts, "seconds": seconds}))
            return
        for name, n in counts.items():
            self.stdout.write(f"{name:>14}: {n:,}".replace(",", "."))
        self.stdout.write(f"{'seconds':>14}: {seconds}")
