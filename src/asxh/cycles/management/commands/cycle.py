"""`asxh cycle …`: build, approve, show and export a month's payment list."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.access.selectors import user_by_username
from asxh.core.commands import refusals_reported
from asxh.core.formatting import date_vn, month_vn, number_vn
from asxh.cycles import selectors, services
from asxh.cycles.models import ExportFormat
from asxh.entitlement.months import month_first_day, month_parse
from asxh.results import services as settle_services


class Command(BaseCommand):
    help = (
        "Kỳ chi trả: build (lập danh sách), approve (duyệt, khóa), show, export, settle (lập "
        "quyết toán), close (duyệt quyết toán)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        build = sub.add_parser("build", help="Lập (lại) danh sách chi trả tháng của một tỉnh.")
        build.add_argument("--month", required=True, help="YYYY-MM hoặc mm/yyyy.")
        build.add_argument("--area", required=True, help="Mã tỉnh.")
        build.add_argument("--user", required=True)
        build.add_argument("--json", action="store_true")
        approve = sub.add_parser("approve", help="Duyệt và khóa danh sách (người khác người lập).")
        approve.add_argument("id", type=int)
        approve.add_argument("--user", required=True)
        show = sub.add_parser("show", help="Tổng hợp của kỳ chi.")
        show.add_argument("id", type=int)
        show.add_argument("--user", required=True)
        show.add_argument("--json", action="store_true")
        export = sub.add_parser(
            "export", help="Xuất tệp cho tổ chức chi trả (lần sau: giao lại đúng tệp đã lưu)."
        )
        export.add_argument("id", type=int)
        export.add_argument("--provider", required=True)
        export.add_argument("--format", required=True, choices=ExportFormat.values)
        export.add_argument("--commune", default="", help="Mã xã (bắt buộc với pdf).")
        export.add_argument("-o", "--output", required=True)
        export.add_argument("--user", required=True)
        settle = sub.add_parser("settle", help="Lập quyết toán khi sổ sách đã khớp đến từng đồng.")
        settle.add_argument("id", type=int)
        settle.add_argument("--user", required=True)
        settle.add_argument("--json", action="store_true")
        close = sub.add_parser(
            "close", help="Duyệt quyết toán, đóng kỳ chi (người khác người lập)."
        )
        close.add_argument("id", type=int)
        close.add_argument("--user", required=True)

    def handle(self, *args: Any, **o: Any) -> None:
        with refusals_reported():
            getattr(self, "_" + o["action"])(o)

    def _build(self, o: dict[str, Any]) -> None:
        try:
            month = month_first_day(month_parse(o["month"]))
        except ValueError as error:
            raise CommandError(str(error)) from None
        if not o["json"]:
            sys.stderr.write(f"Đang lập danh sách tháng {month_vn(month)}…\n")
        result = services.cycle_build(actor=user_by_username(o["user"]), month=month,
                                      province_code=o["area"])  # fmt: skip
        cycle, tally = result.cycle, result.tally
        if o["json"]:
            self.stdout.write(json.dumps({"id": cycle.pk, "version": cycle.version,
                                          "seconds": result.seconds, **vars(tally)},
                                         ensure_ascii=False))  # fmt: skip
            return
        self.stdout.write(
            f"Kỳ chi số {cycle.pk} (lần lập {cycle.version}): {number_vn(tally.people)} người, "
            f"{number_vn(tally.lines)} dòng, chi {number_vn(tally.total)} đồng; tạm giữ "
            f"{number_vn(tally.held)} dòng ({number_vn(tally.held_total)} đồng); "
            f"{result.seconds} giây."
        )

    def _settle(self, o: dict[str, Any]) -> None:
        settlement = settle_services.cycle_settle(actor=user_by_username(o["user"]),
                                                  cycle_id=o["id"])  # fmt: skip
        if o["json"]:
            self.stdout.write(json.dumps({"settlement": settlement.pk, "books": settlement.figures},
                                         ensure_ascii=False))  # fmt: skip
            return
        self.stdout.write(f"Đã lập quyết toán số {settlement.pk}; chờ người khác duyệt.")
        for books in settlement.figures:
            self.stdout.write(
                f"{books['provider_name']}: tạm ứng {number_vn(books['advanced'])} = đã chi "
                f"{number_vn(books['paid'])} + hoàn trả {number_vn(books['returned'])} + "
                f"chuyển kỳ sau {number_vn(books['carried'])} đồng; phí {number_vn(books['fee'])} "
                "đồng."
            )

    def _close(self, o: dict[str, Any]) -> None:
        cycle = settle_services.cycle_close(actor=user_by_username(o["user"]), cycle_id=o["id"])
        self.stdout.write(f"Đã duyệt quyết toán, đóng kỳ chi tháng {month_vn(cycle.month)}.")

    def _approve(self, o: dict[str, Any]) -> None:
        cycle = services.cycle_approve(actor=user_by_username(o["user"]), cycle_id=o["id"])
        self.stdout.write(f"Đã duyệt và khóa danh sách tháng {month_vn(cycle.month)}.")

    def _show(self, o: dict[str, Any]) -> None:
        user = user_by_username(o["user"])
        cycle = selectors.cycle_get(user, o["id"])
        figures = selectors.totals(selectors.lines_for(user, cycle))
        problems = selectors.blocking(cycle)
        answer = {
            "id": cycle.pk,
            "month": cycle.month.isoformat(),
            "province": cycle.province.code,
            "state": cycle.state,
            "version": cycle.version,
            "built_at": date_vn(cycle.built_at),
            "locked_at": date_vn(cycle.locked_at),
            "people": cycle.people,
            "lines": cycle.lines,
            "total": cycle.total,
            "held": cycle.held,
            "held_total": cycle.held_total,
            "blocking": problems.stops,
            "held_by_reason": [{"reason": r, "lines": n, "amount": a} for r, n, a in problems.held],
            **{
                name: getattr(figures, name)
                for name in ("by_commune", "by_benefit", "by_provider", "by_method")
            },
        }
        if o["json"]:
            self.stdout.write(json.dumps(answer, ensure_ascii=False, default=str))
            return
        for key in ("month", "state", "people", "lines", "total", "held", "held_total", "blocking"):
            self.stdout.write(f"{key}: {answer[key]}")

    def _export(self, o: dict[str, Any]) -> None:
        export = services.cycle_export(
            actor=user_by_username(o["user"]),
            cycle_id=o["id"],
            provider_code=o["provider"],
            fmt=o["format"],
            path=Path(o["output"]),
            commune_code=o["commune"],
        )
        self.stdout.write(f"Đã xuất {o['output']}: {number_vn(export.rows)} người, "
                          f"{number_vn(export.total)} đồng, SHA-256 {export.sha256} "
                          f"(bản lưu: {export.stored_path}).")  # fmt: skip
