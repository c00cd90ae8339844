"""`asxh import beneficiaries FILE --commune CODE --user U`: a commune's list from Excel/CSV."""

import json
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.access.selectors import user_by_username
from asxh.intake.excel import errors_workbook
from asxh.intake.services import ImportReport, import_beneficiaries


class Command(BaseCommand):
    help = "Nhập danh sách đối tượng của một xã/phường từ tệp .xlsx, .xls hoặc .csv."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True)
        p = sub.add_parser("beneficiaries", help="Danh sách đối tượng và tài khoản.")
        p.add_argument("file", type=Path)
        p.add_argument("--commune", required=True, help="Mã xã/phường (5 số).")
        p.add_argument("--user", required=True, help="Tên đăng nhập của người thực hiện.")
        p.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi gì.")
        p.add_argument("--json", action="store_true", help="In một đối tượng JSON tóm tắt.")
        p.add_argument("--errors-out", type=Path, help="Ghi các dòng lỗi ra tệp .xlsx để sửa.")
        p.add_argument("--sheet", default="", help="Tên trang (mặc định: trang có tiêu đề).")
        p.add_argument(
            "--mapping", type=Path, help='Tệp JSON {"Tên cột trong tệp": "trường"} bổ sung.'
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không có tệp '{path}'.")
        extra = self._mapping(options["mapping"])
        try:
            report = import_beneficiaries(
                actor=user_by_username(options["user"]),
                commune_code=options["commune"],
                path=path,
                dry_run=options["dry_run"],
                sheet=options["sheet"],
                extra_titles=extra,
            )
        except (PermissionDenied, ValueError) as error:
            raise CommandError(str(error)) from error
        if options["errors_out"] and report.rejected:
            errors_workbook(report, options["errors_out"])
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=1))
        else:
            self._print(report)
        if not report.usable:
            raise CommandError(report.fatal)

    def _mapping(self, path: Path | None) -> dict[str, str] | None:
        if path is None:
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Không đọc được tệp cột '{path}': {error}") from error
        if not isinstance(data, dict):
            raise CommandError('Tệp cột phải là JSON dạng {"Tên cột": "trường"}.')
        return {str(k): str(v) for k, v in data.items()}

    def _print(self, r: ImportReport) -> None:
        if r.fatal:
            return
        verb = "Kiểm tra (không ghi)" if r.dry_run else "Đã nhập"
        self.stdout.write(
            f"{verb} '{r.file_name}', trang '{r.sheet}': {r.rows_read} dòng; "
            f"{'sẽ ' if r.dry_run else ''}thêm mới {r.created}, cập nhật {r.updated}, "
            f"không đổi {r.unchanged}; bỏ qua {r.skipped} dòng lỗi."
        )
        for issue in r.errors:
            self.stdout.write(
                f"  LỖI dòng {issue.row}, cột {issue.column or '-'}: {issue.message} {issue.fix}"
            )
        for issue in r.warnings[:200]:
            self.stdout.write(
                f"  Lưu ý dòng {issue.row}, cột {issue.column or '-'}: {issue.message}"
            )
        if len(r.warnings) > 200:
            self.stdout.write(f"  … và {len(r.warnings) - 200} lưu ý khác (xem --json).")
