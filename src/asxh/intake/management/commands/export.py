"""`asxh export beneficiaries --commune CODE --user U -o FILE.xlsx`: the list in the import layout."""

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.access.selectors import user_by_username
from asxh.intake.excel import beneficiaries_export


class Command(BaseCommand):
    help = "Xuất danh sách đối tượng và tài khoản của một xã/phường ra Excel (đúng mẫu nhập)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        p = sub.add_parser("beneficiaries", help="Danh sách đối tượng và tài khoản.")
        p.add_argument("--commune", required=True, help="Mã xã/phường (5 số).")
        p.add_argument("--user", required=True, help="Tên đăng nhập của người thực hiện.")
        p.add_argument("-o", "--output", type=Path, required=True, help="Tệp .xlsx sẽ ghi.")

    def handle(self, *args: Any, **options: Any) -> None:
        output: Path = options["output"]
        if output.suffix.lower() != ".xlsx":
            raise CommandError("Tệp xuất phải có đuôi .xlsx.")
        try:
            count = beneficiaries_export(
                actor=user_by_username(options["user"]),
                commune_code=options["commune"],
                path=output,
            )
        except (PermissionDenied, ValueError) as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Đã xuất {count} đối tượng ra {output}.")
