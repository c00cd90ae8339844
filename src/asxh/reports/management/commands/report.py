"""`asxh report daily|coverage|coverage-fill|budget …`: the reports from the command line, with
the same figures as the pages."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from asxh.access.selectors import user_by_username
from asxh.core.commands import refusals_reported, report_answer
from asxh.core.formatting import date_vn, number_vn, vnd
from asxh.entitlement.months import month_label, month_of
from asxh.reports import budget, coverage_logic, logic, selectors
from asxh.reports.budget_excel import budget_xlsx
from asxh.reports.coverage import coverage_fill
from asxh.reports.coverage_excel import coverage_xlsx
from asxh.reports.coverage_logic import Coverage
from asxh.reports.excel import report_xlsx
from asxh.reports.progress import progress_recount


class Command(BaseCommand):
    help = (
        "Báo cáo: daily — tiến độ thu thập, xác thực tài khoản theo xã/phường và toàn tỉnh; "
        "coverage — tỷ lệ chi trả không dùng tiền mặt; coverage-fill — tổng hợp các kỳ đã duyệt; "
        "budget — dự toán kinh phí năm."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        daily = sub.add_parser("daily", help="Báo cáo tiến độ hằng ngày (gửi trước 15:00).")
        daily.add_argument("--user", required=True, help="Tên đăng nhập của người xem báo cáo.")
        daily.add_argument("--date", default="", help="dd/mm/yyyy; mặc định hôm nay.")
        daily.add_argument("--area", default="", help="Mã tỉnh (2 số) hoặc mã xã (5 số).")
        daily.add_argument("--json", action="store_true", help="In số liệu dạng JSON.")
        daily.add_argument("-o", "--output", default="", help="Ghi file Excel (.xlsx) theo mẫu.")
        daily.add_argument(
            "--recount",
            action="store_true",
            help="Đếm lại số liệu của ngày đó trước khi in (không có: dùng số đã đếm, ngày chưa "
            "đếm thì đếm ngay).",
        )
        cover = sub.add_parser(
            "coverage", help="Tỷ lệ người và số tiền chi trả không dùng tiền mặt, theo tháng."
        )
        cover.add_argument("--user", required=True, help="Tên đăng nhập của người xem báo cáo.")
        cover.add_argument(
            "--month", default="", help="Đến tháng (YYYY-MM); mặc định tháng duyệt gần nhất."
        )
        cover.add_argument(
            "--from", dest="month_from", default="", help="Từ tháng (YYYY-MM); mặc định 12 tháng."
        )
        cover.add_argument("--area", default="", help="Mã tỉnh (2 số) hoặc mã xã (5 số).")
        cover.add_argument("--json", action="store_true", help="In số liệu dạng JSON.")
        cover.add_argument("-o", "--output", default="", help="Ghi file Excel (.xlsx) theo mẫu.")
        fill = sub.add_parser(
            "coverage-fill",
            help="Tổng hợp tỷ lệ không dùng tiền mặt cho các kỳ đã duyệt trước khi có bảng này.",
        )
        fill.add_argument("--again", action="store_true", help="Tính lại cả các kỳ đã có.")
        plan = sub.add_parser(
            "budget", help="Dự toán kinh phí năm: trợ cấp 12 tháng, mai táng, chi phí chi trả."
        )
        plan.add_argument("--user", required=True, help="Tên đăng nhập của người xem báo cáo.")
        plan.add_argument("--year", type=int, default=0, help="Năm dự toán; mặc định năm sau.")
        plan.add_argument("--area", default="", help="Mã tỉnh (2 số) hoặc mã xã (5 số).")
        plan.add_argument(
            "--compute",
            action="store_true",
            help="Tính (lại) dự toán của tỉnh --area trước khi in (mất khoảng nửa phút với "
            "tỉnh 1 triệu đối tượng).",
        )
        plan.add_argument("--json", action="store_true", help="In số liệu dạng JSON.")
        plan.add_argument("-o", "--output", default="", help="Ghi file Excel (.xlsx) theo mẫu.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "coverage":
            self._coverage(options)
            return
        if options["action"] == "coverage-fill":
            self._fill(again=options["again"])
            return
        if options["action"] == "budget":
            self._budget(options)
            return
        try:
            with refusals_reported():
                user = user_by_username(options["user"])
                today = timezone.localdate()
                text = options["date"]
                on = logic.report_date_parse(text, today=today) if text else today
                if options["recount"]:
                    communes = selectors.report_communes(user, options["area"])
                    progress_recount(user, list(communes.values_list("pk", flat=True)), on,
                                     area=options["area"])  # fmt: skip
                report = selectors.daily_report(user, on=on, area=options["area"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        report_answer(
            self,
            options,
            lambda: report_xlsx(report, agency=user.organisation, preparer=user.full_name),
            lambda: selectors.report_as_dict(report),
            lambda: _text(report),
        )

    def _coverage(self, options: dict[str, Any]) -> None:
        try:
            with refusals_reported():
                user = user_by_username(options["user"])
                area = options["area"]
                latest = selectors.coverage_latest_month(user, area)
                default = latest if latest is not None else month_of(timezone.localdate())
                first, last = coverage_logic.month_range(
                    options["month_from"], options["month"], default
                )
                report = selectors.coverage(user, first, last, area)
        except ValueError as error:
            raise CommandError(str(error)) from None
        report_answer(
            self,
            options,
            lambda: coverage_xlsx(report, on=timezone.localdate(), agency=user.organisation,
                                  preparer=user.full_name),
            lambda: selectors.coverage_as_dict(report),
            lambda: _coverage_text(report),
        )  # fmt: skip

    def _budget(self, options: dict[str, Any]) -> None:
        year = options["year"] or timezone.localdate().year + 1
        with refusals_reported():
            user = user_by_username(options["user"])
            if options["compute"]:
                self._budget_compute(user, options["area"], year)
            report = budget.budget_estimate(user, year, options["area"])
        report_answer(
            self,
            options,
            lambda: budget_xlsx(report, on=timezone.localdate(), agency=user.organisation,
                                preparer=user.full_name),
            lambda: budget.budget_as_dict(report),
            lambda: _budget_text(report),
        )  # fmt: skip

    def _budget_compute(self, user: Any, area: str, year: int) -> None:
        if not (len(area) == 2 and area.isdigit()):
            raise CommandError("--compute cần --area là mã tỉnh (2 số): dự toán tính cho cả tỉnh.")
        done = budget.budget_compute(actor=user, province_code=area, year=year)
        estimate = done.estimate
        self.stderr.write(
            f"Đã tính dự toán năm {year} của {estimate.province.name}: "
            f"{number_vn(estimate.people)} đối tượng, {number_vn(done.lines)} dòng, "
            f"{budget.seconds_text(estimate.seconds)}."
        )

    def _fill(self, *, again: bool) -> None:
        done = coverage_fill(again=again)
        for cycle, rows in done:
            self.stdout.write(f"{cycle}: {rows} dòng tổng hợp.")
        self.stdout.write(f"Đã tổng hợp {len(done)} kỳ chi trả đã duyệt.")


def _budget_text(report: budget.BudgetReport) -> str:
    """Per province: each commune's subtotal, the total; or that it is not computed yet."""
    lines = [f"Dự toán kinh phí năm {report.year}"]
    for block in report.provinces:
        lines.append(f"\n{block.name}")
        if block.estimate is None:
            lines.append(f"  Chưa tính dự toán năm {report.year} (asxh report budget --compute).")
            continue
        lines.append(
            f"  {'Xã/phường':<32}{'Số đối tượng':>13}{'Trợ cấp 12 tháng':>22}"
            f"{'Mai táng':>18}{'Chi phí chi trả':>18}{'Tổng cộng':>22}"
        )
        for commune in block.communes:
            lines.append(_budget_line(commune.name, commune.subtotal))
        lines.append(_budget_line("TỔNG CỘNG", block.total))
    return "\n".join(lines)


def _budget_line(label: str, f: budget.Figures) -> str:
    return (
        f"  {label[:32]:<32}{number_vn(f.people):>13}{vnd(f.monthly):>22}{vnd(f.funeral):>18}"
        f"{vnd(f.fees):>18}{vnd(f.total):>22}"
    )


def _coverage_text(report: selectors.CoverageReport) -> str:
    """The month shown on the page: totals, groups, and the communes lowest first."""
    month = report.latest
    if month is None:
        return (
            f"Chưa có danh sách chi trả đã duyệt từ {month_label(report.first)} "
            f"đến {month_label(report.last)} ở {report.area_name}."
        )
    lines = [
        f"Tỷ lệ chi trả không dùng tiền mặt — tháng {month_label(month.month)} — "
        f"{report.area_name}",
        _coverage_line("TỔNG CỘNG (mỗi người một lần)", month.total),
    ]
    lines += [_coverage_line(g.name, g.figures) for g in month.groups]
    lines.append("\nXếp hạng xã/phường (thấp nhất trước):")
    ranked = [row for row in month.communes if row.rank is not None]
    for row in ranked:
        lines.append(_coverage_line(f"{row.rank:>4}  {row.place.name}", row.figures))
    if unpaid := len(month.communes) - len(ranked):
        lines.append(f"      và {number_vn(unpaid)} xã/phường không có người được chi trả.")
    trend = "  ".join(
        f"{month_label(m.month)} {logic.percent_vn(m.total.people_share)}"
        for m in report.months
        if m.lists
    )
    lines.append(f"\nXu hướng (số người): {trend}")
    return "\n".join(lines)


def _coverage_line(label: str, figures: Coverage) -> str:
    return (
        f"{label[:44]:<44}  {number_vn(figures.people):>9} người  "
        f"{logic.percent_vn(figures.people_share):>8}  {vnd(figures.amount):>20}  "
        f"{logic.percent_vn(figures.amount_share):>8}"
    )


def _text(report: selectors.DailyReport) -> str:
    """A plain table for the terminal: the count columns and the shares, one line a commune."""
    cols = logic.columns(report.programmes)
    heads = ["Xã/phường", *(c.short or c.title for c in cols)]
    counted = f" (đếm lúc {date_vn(report.taken_at)})" if report.final() else ""
    lines = [f"Báo cáo tiến độ — số liệu {report.as_of()}{counted}"]
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
