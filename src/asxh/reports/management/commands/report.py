"""`asxh report daily …`: the daily progress report from the command line, same figures as the page."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from asxh.access.selectors import user_by_username
from asxh.core.commands import refusals_reported
from asxh.core.formatting import number_vn
from asxh.reports import logic, selectors
from asxh.reports.excel import report_xlsx


class Command(BaseCommand):
    help = "Báo cáo: daily — tiến độ thu thập, xác thực tài khoản theo xã/phường và toàn tỉnh."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        daily = sub.add_parser("daily", help="Báo cáo tiến độ hằng ngày (gửi trước 15:00).")
        daily.add_argument("--user", required=True, help="Tên đăng nhập của người xem báo cáo.")
        daily.add_argument("--date", default="", help="dd/mm/yyyy; mặc định hôm nay.")
        daily.add_argument("--area", default="", help="Mã tỉnh (2 số) hoặc mã xã (5 số).")
        daily.add_argument("--json", action="store_true", help="In số liệu dạng JSON.")
        daily.add_argument("-o", "--output", default="", help="Ghi file Excel (.xlsx) theo mẫu.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with refusals_reported():
                user = user_by_username(options["user"])
                today = timezone.localdate()
                text = options["date"]
                on = logic.report_date_parse(text, today=today) if text else today
                report = selectors.daily_report(user, on=on, area=options["area"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["output"]:
            path = Path(options["output"])
            if path.suffix.lower() != ".xlsx":
                raise CommandError(f"File '{path}' phải có đuôi .xlsx.")
            path.write_bytes(report_xlsx(report, agency=user.organisation, preparer=user.full_name))
            self.stderr.write(f"Đã ghi {path}.")
        if options["json"]:
            self.stdout.write(json.dumps(selectors.report_as_dict(report), ensure_ascii=False))
        elif not options["output"]:
            self.stdout.write(_text(report))


def _text(report: selectors.DailyReport) -> str:
    """A plain table for the terminal: the count columns and the shares, one line a commune."""
    cols = logic.columns(report.programmes)
    heads = ["Xã/phường", *(c.short or c.title for c in cols)]
    lines = [f"Báo cáo tiến độ — số liệu tính đến hết ngày {report.on:%d/%m/%Y}"]
    for block in report.provinces:
        lines.append(f"\n{block.name}")
        table = [heads]
        for row in [*block.rows, None]:
            figures = row.figures if row else block.total
            name = row.name if row else "TỔNG CỘNG"
            table.append([name, *(_cell(c, figures) for c in cols)])
        widths = [max(len(r[i]) for r in table) for i in range(len(heads))]
        widths = [min(w, 24) for w in widths]
        for r in table:
            lines.append(
                "  ".join(
                    (v[:24].ljust(w) if i == 0 else v[:24].rjust(w))
                    for i, (v, w) in enumerate(zip(r, widths, strict=True))
                )
            )
    return "\n".join(lines)


def _cell(col: logic.Column, figures: logic.Figures) -> str:
    value = col.cell(figures)
    return logic.percent_vn(value) if col.is_share else number_vn(int(value or 0))
