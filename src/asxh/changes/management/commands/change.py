"""`asxh change …`: propose, approve, return, withdraw and list changes, through the same
services and area checks as the pages."""

import json
from argparse import ArgumentParser, RawDescriptionHelpFormatter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.access.models import User
from asxh.access.selectors import user_by_username
from asxh.changes import logic, selectors, services
from asxh.changes.models import ChangeKind, ChangeRequest, ChangeState
from asxh.core.commands import refusals_reported


def _fields_help() -> str:
    lines = ["Các trường (--set TÊN=GIÁ_TRỊ) theo loại biến động:"]
    for kind, fields in logic.FIELDS.items():
        names = ", ".join(f.name + ("*" if f.required else "") for f in fields)
        lines.append(f"  {kind}: {names}")
    lines.append("(* bắt buộc; ngày dd/mm/yyyy; có/không: 1 hoặc 0)")
    return "\n".join(lines)


def _row(change: ChangeRequest) -> dict[str, Any]:
    return {
        "id": change.pk,
        "kind": change.kind,
        "state": change.state,
        "beneficiary": change.beneficiary_id,
        "name": change.beneficiary.full_name
        if change.beneficiary
        else change.payload.get("full_name", ""),
        "commune": change.commune.code,
        "effective_month": f"{change.effective_month:%m/%Y}",
        "payload": logic.payload_for_audit(change.payload),
        "note": change.note,
        "proposed_by": change.proposed_by.username,
        "proposed_at": change.proposed_at.isoformat(),
        "decided_by": change.decided_by.username if change.decided_by else "",
        "decision_reason": change.decision_reason,
    }


class Command(BaseCommand):
    help = "Biến động: propose, approve, return, withdraw, list (luôn ghi --user người thực hiện)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def with_user(p: ArgumentParser) -> ArgumentParser:
            p.add_argument("--user", required=True, help="Tên đăng nhập của người thực hiện.")
            return p

        propose = with_user(
            sub.add_parser(
                "propose",
                help="Đề nghị tăng, giảm, điều chỉnh.",
                epilog=_fields_help(),
                formatter_class=RawDescriptionHelpFormatter,
            )
        )
        propose.add_argument("kind", choices=ChangeKind.values)
        propose.add_argument("--person", type=int, help="Mã đối tượng (trừ increase_person).")
        propose.add_argument("--commune", default="", help="Mã xã của đối tượng mới.")
        propose.add_argument("--month", default="", help="Tháng hiệu lực mm/yyyy.")
        propose.add_argument("--note", required=True, help="Căn cứ, hồ sơ kèm theo.")
        propose.add_argument("--set", action="append", default=[], metavar="TÊN=GIÁ_TRỊ")
        for name in ("approve", "return", "withdraw"):
            decide = with_user(sub.add_parser(name))
            decide.add_argument("id", type=int)
            decide.add_argument("--reason", required=name == "return", default="")
        listing = with_user(sub.add_parser("list", help="Biến động trong địa bàn."))
        listing.add_argument("--state", choices=ChangeState.values)
        listing.add_argument("--month", default="", help="Tháng hiệu lực mm/yyyy.")
        listing.add_argument("--commune", default="")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        with refusals_reported():
            user = user_by_username(options["user"])
            getattr(self, f"_{options['action']}")(user, options)

    def _propose(self, user: User, o: dict[str, Any]) -> None:
        payload = {}
        for item in o["set"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise CommandError(f"--set '{item}': ghi dạng TÊN=GIÁ_TRỊ.")
            payload[name.strip()] = value.strip()
        change = services.change_propose(
            actor=user,
            kind=o["kind"],
            payload=payload,
            note=o["note"],
            effective_month=logic.month_read(o["month"]) if o["month"] else None,
            beneficiary_id=o["person"],
            commune_code=o["commune"],
        )
        self.stdout.write(json.dumps(_row(change), ensure_ascii=False))

    def _decide(self, user: User, o: dict[str, Any]) -> None:
        services_by_action: dict[str, Any] = {
            "approve": services.change_approve,
            "return": services.change_return,
            "withdraw": services.change_withdraw,
        }
        service = services_by_action[o["action"]]
        change = service(actor=user, change_id=o["id"], reason=o["reason"])
        self.stdout.write(json.dumps(_row(change), ensure_ascii=False))

    _approve = _return = _withdraw = _decide

    def _list(self, user: User, o: dict[str, Any]) -> None:
        month = logic.month_read(o["month"]) if o["month"] else None
        changes = selectors.changes_for(user, state=o["state"], month=month, commune=o["commune"])
        rows = [_row(c) for c in changes]
        if o["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        for r in rows:
            self.stdout.write(
                f"{r['id']:>6} {r['state']:<9} {r['kind']:<26} {r['effective_month']} "
                f"{r['commune']} {r['name']} — {r['note']}"
            )
        self.stdout.write(f"{len(rows)} biến động.")
