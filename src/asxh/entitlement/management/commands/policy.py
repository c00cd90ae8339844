"""`asxh policy …`: evaluate hypothetical cases, list and add rates."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.access.selectors import user_by_username
from asxh.core.commands import refusals_reported
from asxh.core.formatting import date_vn, month_vn
from asxh.entitlement import selectors, services
from asxh.entitlement.cases import policy_evaluate
from asxh.entitlement.months import month_first_day, month_parse
from asxh.entitlement.rates import RateError, national_rates, rates_read


class Command(BaseCommand):
    help = "Chế độ, mức hưởng: evaluate (tính thử), rates (danh sách mức), rates-import, rates-withdraw."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        evaluate = sub.add_parser("evaluate", help="Tính thử các trường hợp trong tệp JSON.")
        evaluate.add_argument("file", help="Tệp JSON (xem README: Tính thử chế độ).")
        evaluate.add_argument(
            "--stored-rates",
            action="store_true",
            help="Dùng các mức đã lưu trong cơ sở dữ liệu (mặc định: mức kèm theo asxh).",
        )
        listing = sub.add_parser("rates", help="Các mức đã lưu.")
        listing.add_argument("--key", default="", help="Chỉ các mã bắt đầu bằng chuỗi này.")
        listing.add_argument("--json", action="store_true")
        add = sub.add_parser("rates-import", help="Thêm mức của một văn bản mới từ tệp .json/.csv.")
        add.add_argument("file")
        add.add_argument("--user", required=True)
        add.add_argument(
            "--reason", required=True, help="Văn bản ban hành, ví dụ 'NĐ 76/2024/NĐ-CP'."
        )
        one_off = sub.add_parser(
            "one-off-create", help="Khoản chi một lần (quà Tết, hỗ trợ đột xuất)."
        )
        one_off.add_argument("--code", required=True, help="Mã, ví dụ qua_tet_2027.")
        one_off.add_argument("--name", required=True)
        one_off.add_argument("--month", required=True, help="Tháng chi, mm/yyyy.")
        one_off.add_argument("--target", required=True, choices=["beneficiaries", "list"])
        one_off.add_argument("--groups", default="", help="Mã nhóm, cách nhau bằng dấu phẩy.")
        one_off.add_argument("--scope", default="", help="Mã tỉnh (trống = toàn quốc).")
        one_off.add_argument("--source", required=True, help="Văn bản quyết định.")
        one_off.add_argument("--amount", required=True, type=int, help="Số đồng mỗi người.")
        one_off.add_argument("--user", required=True)
        listing = sub.add_parser(
            "one-off-list", help="Thêm người vào danh sách của khoản chi một lần."
        )
        listing.add_argument("code")
        listing.add_argument("file", help="Danh sách (.xlsx/.xls/.csv) có cột Họ và tên, Số CCCD.")
        listing.add_argument("--user", required=True)
        withdraw = sub.add_parser("rates-withdraw", help="Thu hồi một mức chưa có hiệu lực.")
        withdraw.add_argument("id", type=int)
        withdraw.add_argument("--user", required=True)
        withdraw.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with refusals_reported():
                getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except (RateError, OSError) as error:
            raise CommandError(str(error)) from None

    def _evaluate(self, o: dict[str, Any]) -> None:
        try:
            data = json.loads(Path(o["file"]).read_text(encoding="utf-8-sig"))
        except json.JSONDecodeError as error:
            raise CommandError(f"Tệp JSON không đọc được: {error}.") from None
        if not isinstance(data, dict) or not isinstance(data.get("cases"), list):
            raise CommandError('Tệp phải là một đối tượng JSON có danh sách "cases".')
        rates = list(selectors.ratebook()) if o["stored_rates"] else national_rates()
        answer = policy_evaluate(data, rates)
        self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=1))
        for problem in answer["errors"]:
            sys.stderr.write(f"Lỗi {problem['id']}: {problem['error']}\n")
        if answer["errors"]:
            raise CommandError(f"{len(answer['errors'])} trường hợp không tính được.")

    def _rates(self, o: dict[str, Any]) -> None:
        entries = selectors.rates_in_force().filter(key__startswith=o["key"])
        rows = [
            {
                "id": e.pk,
                "key": e.key,
                "scope": e.scope,
                "unit": e.unit,
                "value": f"{e.value.normalize():f}",
                "from": e.effective_from.isoformat(),
                "until": e.until.isoformat() if e.until else "",
                "source": e.source,
            }
            for e in entries
        ]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for row in rows:
            scope = row["scope"] or "toàn quốc"
            self.stdout.write(f"{row['id']:>5} {row['key']:<44} {row['value']:>12} {row['unit']:<11} "
                              f"từ {row['from']} {scope} — {row['source']}")  # fmt: skip

    def _rates_import(self, o: dict[str, Any]) -> None:
        user = user_by_username(o["user"])
        path = Path(o["file"])
        rates = rates_read(path.name, path.read_bytes())
        result = services.rates_add(actor=user, rates=rates, reason=o["reason"])
        self.stdout.write(f"Đã thêm {result.added} mức.")
        if result.retroactive:
            self.stdout.write(
                "Có hiệu lực từ trước hôm nay (các tháng đã chi sẽ được truy lĩnh hoặc thu hồi "
                "ở kỳ chi sau): " + "; ".join(result.retroactive)
            )

    def _one_off_create(self, o: dict[str, Any]) -> None:
        try:
            month = month_first_day(month_parse(o["month"]))
        except ValueError as error:
            raise CommandError(str(error)) from None
        data = services.OneOffInput(
            code=o["code"],
            name=o["name"],
            month=month,
            target=o["target"],
            groups=tuple(g.strip() for g in o["groups"].split(",") if g.strip()),
            scope=o["scope"],
            source=o["source"],
            amount=o["amount"],
        )
        payment = services.one_off_create(actor=user_by_username(o["user"]), data=data)
        self.stdout.write(
            f"Đã tạo khoản chi một lần {payment.code}, tháng {month_vn(payment.month)}."
        )

    def _one_off_list(self, o: dict[str, Any]) -> None:
        user = user_by_username(o["user"])
        added = services.one_off_list_import(actor=user, code=o["code"], path=Path(o["file"]))
        self.stdout.write(f"Đã thêm {added} người vào danh sách {o['code']}.")

    def _rates_withdraw(self, o: dict[str, Any]) -> None:
        user = user_by_username(o["user"])
        entry = services.rate_withdraw(actor=user, entry_id=o["id"], reason=o["reason"])
        self.stdout.write(
            f"Đã thu hồi mức {entry.key} từ {date_vn(entry.effective_from)} (chưa có hiệu lực)."
        )
