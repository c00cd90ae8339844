"""`asxh dashboard monthly|refresh …`: the monthly report to the upper level with the same
figures as the dashboard, and the summaries the dashboard reads."""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from asxh.access.selectors import user_by_username
from asxh.audit.services import audit_record
from asxh.core.commands import refusals_reported, report_answer
from asxh.core.formatting import number_vn, vnd
from asxh.cycles.models import Cycle
from asxh.dashboard import selectors
from asxh.dashboard.excel import month_xlsx
from asxh.dashboard.logic import CHANNELS
from asxh.dashboard.summary import summaries_current, summary_write
from asxh.entitlement.months import month_label, month_parse
from asxh.reports.coverage import LOCKED_STATES
from asxh.reports.logic import percent_vn
from asxh.reports.progress import progress_count, progress_of_day
from asxh.units.models import Commune


class Command(BaseCommand):
    help = (
        "Tổng quan: monthly — báo cáo kết quả chi trả tháng gửi cấp trên; refresh — tổng hợp "
        "lại số liệu mà trang tổng quan đọc (danh sách đã duyệt, tiến độ của các xã)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        monthly = sub.add_parser("monthly", help="Báo cáo kết quả chi trả tháng.")
        monthly.add_argument("--user", required=True, help="Tên đăng nhập của người lập báo cáo.")
        monthly.add_argument(
            "--month", default="", help="YYYY-MM; mặc định tháng có danh sách duyệt gần nhất."
        )
        monthly.add_argument("--area", default="", help="Mã tỉnh (2 số) hoặc mã xã (5 số).")
        monthly.add_argument("--json", action="store_true", help="In số liệu dạng JSON.")
        monthly.add_argument("-o", "--output", default="", help="Ghi file Excel (.xlsx) theo mẫu.")
        refresh = sub.add_parser(
            "refresh",
            help="Tổng hợp lại các danh sách đã duyệt chưa khớp với tệp kết quả (hoặc tất cả), "
            "và đếm lại tiến độ các xã (chạy định kỳ, ví dụ 30 phút một lần trong giờ làm việc).",
        )
        refresh.add_argument("--again", action="store_true", help="Tổng hợp lại mọi danh sách.")
        refresh.add_argument(
            "--progress",
            action="store_true",
            help="Đếm lại tiến độ hôm nay của mọi xã/phường (và số liệu cả ngày hôm qua nếu "
            "chưa đếm sau nửa đêm).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "refresh":
            self._refresh(again=options["again"], progress=options["progress"])
            return
        try:
            with refusals_reported():
                user = user_by_username(options["user"])
                text = options["month"]
                today = timezone.localdate()
                month = (
                    month_parse(text)
                    if text
                    else selectors.latest_month(user, options["area"], today=today)
                )
                report = selectors.month_report(user, month, options["area"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        report_answer(
            self,
            options,
            lambda: month_xlsx(report, on=today, agency=user.organisation,
                               preparer=user.full_name),
            lambda: selectors.month_report_as_dict(report),
            lambda: month_text(report),
        )  # fmt: skip

    def _refresh(self, *, again: bool, progress: bool) -> None:
        locked = Cycle.objects.filter(state__in=LOCKED_STATES).values_list("pk", flat=True)
        if again:
            done = list(locked)
            for pk in done:
                summary_write(pk)
        else:
            done = summaries_current(locked)
        counted = 0
        if progress:
            # Every commune, those without people too: a reader then never waits for a count.
            communes = list(Commune.objects.values_list("pk", flat=True))
            today = timezone.localdate()
            # Yesterday's report is complete once counted after midnight (done once a day).
            progress_of_day(communes, today - dt.timedelta(days=1))
            counted = len(progress_count(communes, today))
        with transaction.atomic():
            audit_record(actor=None, action="dashboard.refresh", object_type="dashboard",
                         after={"cycles": done, "communes": counted})  # fmt: skip
        self.stdout.write(
            f"Đã tổng hợp lại {len(done)} danh sách đã duyệt; đếm tiến độ {counted} xã/phường."
        )


def month_text(report: selectors.MonthReport) -> str:
    """The report for the terminal: states, channels, groups."""
    lines = [
        f"BÁO CÁO KẾT QUẢ CHI TRẢ THÁNG {month_label(report.month)} — {report.area_name}",
        *(s.words for s in report.lists),
    ]
    if not report.has_list:
        return "\n".join([*lines, "Chưa có danh sách chi trả đã duyệt của tháng này."])
    lines.append("\nHình thức: số người, số tiền gửi; đã chi; không chi được; chưa có kết quả")
    for code, label in [*CHANNELS, ("", "Tổng cộng")]:
        p = report.channels[code] if code else report.total
        lines.append(
            f"  {label}: {number_vn(p.people)} người, {vnd(p.amount)}; đã chi "
            f"{vnd(p.paid_amount)}; không chi được {vnd(p.unpaid_amount)}; "
            f"chưa có kết quả {number_vn(p.pending_people)} người"
        )
    lines.append("\nNhóm đối tượng: số người, tỷ lệ không dùng tiền mặt")
    for g in report.groups:
        lines.append(
            f"  {g.name}: {number_vn(g.figures.people)}, {percent_vn(g.figures.people_share)}"
        )
    lines.append(
        f"  Tổng cộng: {number_vn(report.coverage.people)}, "
        f"{percent_vn(report.coverage.people_share)}"
    )
    total = report.total
    lines.append(
        f"\nTạm giữ: {number_vn(total.held_lines)} khoản, {vnd(total.held_amount)}. "
        f"Chuyển khoản bị từ chối trong tháng: {number_vn(total.refused_people)} người; "
        f"chờ xã xử lý: {number_vn(report.refused_open)} việc."
    )
    return "\n".join(lines)
