import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.units.selectors import legacy_address_resolve
from asxh.units.services import units_load


class Command(BaseCommand):
    help = "Đơn vị hành chính: nạp dữ liệu (load) và tra địa chỉ cũ sang xã/phường mới (resolve)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("load", help="Nạp 34 tỉnh, 3.321 xã mới, đơn vị cũ và bảng chuyển đổi.")
        resolve = sub.add_parser("resolve", help="Địa chỉ cũ (xã, huyện, tỉnh) → xã/phường mới.")
        resolve.add_argument("address")
        resolve.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "load":
            self.stdout.write(json.dumps(units_load(), ensure_ascii=False))
            return
        result = legacy_address_resolve(options["address"])
        if result.legacy is None:
            raise CommandError(
                f"Không nhận ra xã/phường cũ trong '{options['address']}'. "
                "Ghi theo dạng: xã, huyện, tỉnh (ví dụ: TT Núi Sập, Thoại Sơn, An Giang)."
            )
        old = result.legacy
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "legacy": {"code": old.code, "name": str(old)},
                        "communes": [{"code": c.code, "name": str(c)} for c in result.communes],
                        "default": result.default.code if result.default else None,
                        "split": result.is_split,
                    },
                    ensure_ascii=False,
                )
            )
            return
        self.stdout.write(f"Đơn vị cũ: {old} (mã {old.code})")
        if not result.is_split:
            new = result.communes[0]
            self.stdout.write(f"Đơn vị mới: {new} (mã {new.code})")
            return
        self.stdout.write(
            f"Không xác định duy nhất: xã cũ đã được chia cho {len(result.communes)} đơn vị mới:"
        )
        for commune in result.communes:
            mark = " (mặc định)" if commune == result.default else ""
            self.stdout.write(f"  - {commune} (mã {commune.code}){mark}")
