"""`asxh provider …`: payment providers and their contracts."""

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.access.selectors import user_by_username
from asxh.core.commands import refusals_reported
from asxh.core.formatting import date_vn
from asxh.providers import services
from asxh.providers.models import Contract, ProviderKind


def _date(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%d/%m/%Y").date()
    except ValueError:
        raise CommandError(f"Ngày '{text}' không hợp lệ: ghi dd/mm/yyyy.") from None


class Command(BaseCommand):
    help = "Tổ chức dịch vụ chi trả: add (thêm), contract (thêm hợp đồng), staff (gắn tài khoản), list."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="Thêm tổ chức chi trả.")
        add.add_argument("--code", required=True)
        add.add_argument("--name", required=True)
        add.add_argument("--kind", required=True, choices=ProviderKind.values)
        add.add_argument("--bin", default="", help="Mã BIN (NAPAS) ngân hàng của tổ chức.")
        add.add_argument("--user", required=True)
        contract = sub.add_parser("contract", help="Thêm hợp đồng chi trả.")
        contract.add_argument("--provider", required=True)
        contract.add_argument("--number", required=True)
        contract.add_argument("--province", required=True)
        contract.add_argument(
            "--communes", default="", help="Mã xã, cách nhau bởi dấu phẩy (trống = cả tỉnh)."
        )
        contract.add_argument("--methods", required=True, help="account, cash hoặc account,cash.")
        contract.add_argument("--from", dest="valid_from", required=True, help="dd/mm/yyyy")
        contract.add_argument("--to", dest="valid_to", default="", help="dd/mm/yyyy")
        contract.add_argument("--fee-kind", required=True, choices=["per_head", "percent"])
        contract.add_argument("--fee", required=True, help="Đồng/người/tháng hoặc %.")
        contract.add_argument("--payer-name", required=True)
        contract.add_argument("--payer-account", required=True)
        contract.add_argument("--payer-bin", required=True)
        contract.add_argument("--user", required=True)
        staff = sub.add_parser("staff", help="Gắn tài khoản (vai trò provider) với tổ chức.")
        staff.add_argument("--provider", required=True)
        staff.add_argument("--username", required=True)
        staff.add_argument("--user", required=True)
        listing = sub.add_parser("list", help="Các hợp đồng.")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        with refusals_reported():
            getattr(self, "_" + o["action"])(o)

    def _add(self, o: dict[str, Any]) -> None:
        provider = services.provider_add(actor=user_by_username(o["user"]), code=o["code"],
                                         name=o["name"], kind=o["kind"], bank_bin=o["bin"])  # fmt: skip
        self.stdout.write(f"Đã thêm tổ chức chi trả {provider.code}: {provider.name}.")

    def _staff(self, o: dict[str, Any]) -> None:
        provider = services.provider_staff_add(actor=user_by_username(o["user"]),
                                               provider_code=o["provider"], username=o["username"])  # fmt: skip
        self.stdout.write(f"{o['username']} làm việc cho {provider.name}.")

    def _contract(self, o: dict[str, Any]) -> None:
        try:
            fee = Decimal(o["fee"].replace(",", "."))
        except InvalidOperation:
            raise CommandError(f"Mức phí '{o['fee']}' không phải số.") from None
        data = services.ContractInput(
            provider_code=o["provider"],
            number=o["number"],
            province_code=o["province"],
            commune_codes=tuple(c.strip() for c in o["communes"].split(",") if c.strip()),
            methods=tuple(m.strip() for m in o["methods"].split(",") if m.strip()),
            valid_from=_date(o["valid_from"]),
            valid_to=_date(o["valid_to"]) if o["valid_to"] else None,
            fee_kind=o["fee_kind"],
            fee_value=fee,
            payer_name=o["payer_name"],
            payer_account=o["payer_account"],
            payer_bank_bin=o["payer_bin"],
        )
        contract = services.contract_add(actor=user_by_username(o["user"]), data=data)
        self.stdout.write(f"Đã thêm hợp đồng số {contract.pk} ({contract.number}).")

    def _list(self, o: dict[str, Any]) -> None:
        rows = [
            {
                "id": c.pk,
                "provider": c.provider.code,
                "number": c.number,
                "province": c.province.code,
                "communes": list(c.communes.values_list("code", flat=True)),
                "methods": c.methods,
                "from": date_vn(c.valid_from),
                "to": date_vn(c.valid_to),
                "fee": f"{c.fee_value.normalize():f} {c.fee_kind}",
            }
            for c in Contract.objects.select_related("provider", "province")
        ]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            scope = ", ".join(r["communes"]) or "cả tỉnh"
            self.stdout.write(f"{r['id']:>4} {r['provider']:<16} {r['number']:<16} {r['province']} "
                              f"{'+'.join(r['methods']):<13} {scope} từ {r['from']} phí {r['fee']}")  # fmt: skip
