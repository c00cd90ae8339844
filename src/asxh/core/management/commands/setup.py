import json
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from asxh.accounts.services import institutions_load
from asxh.beneficiaries.reference import programmes_load
from asxh.entitlement.services import national_rates_load
from asxh.units.services import units_load


class Command(BaseCommand):
    help = "Tạo/cập nhật cơ sở dữ liệu và dữ liệu tham chiếu (chạy lại nhiều lần vẫn an toàn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="Thêm người dùng mẫu cho mọi vai trò và một tỉnh có dữ liệu mô phỏng.",
        )
        parser.add_argument("--demo-beneficiaries", type=int, default=3000)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Đã cập nhật cấu trúc cơ sở dữ liệu.")
        units = units_load()
        self.stdout.write(f"Đơn vị hành chính: {json.dumps(units, ensure_ascii=False)}")
        self.stdout.write(f"Ngân hàng/tổ chức thanh toán: {institutions_load()}")
        self.stdout.write(f"Nhóm đối tượng: {programmes_load()}")
        self.stdout.write(f"Mức chuẩn, hệ số, bảng mức mới thêm: {national_rates_load()}")
        if options["demo"]:
            from asxh.synthetic.demo import demo_setup

            demo_setup(beneficiaries=options["demo_beneficiaries"], out=self.stdout)
