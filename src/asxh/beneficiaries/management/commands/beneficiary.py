"""`asxh beneficiary …`: the registry from the command line, through the same services as the pages."""

import datetime as dt
import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.access.selectors import user_by_username
from asxh.beneficiaries import selectors, services
from asxh.beneficiaries.logic import partial_date_parse
from asxh.core.commands import refusals_reported
from asxh.core.formatting import partial_date_vn
from asxh.core.masking import mask_id_number


def _date(text: str) -> dt.date:
    value, precision = partial_date_parse(text)
    if precision != "day":
        raise ValueError(f"Cần ngày đầy đủ dd/mm/yyyy, không phải '{text}'.")
    return value


def _row(person: Any) -> dict[str, Any]:
    return {
        "id": person.pk,
        "full_name": person.full_name,
        "birth_date": partial_date_vn(person.birth_date, person.birth_date_precision),
        "sex": person.sex,
        "id_number": mask_id_number(person.id_number),
        "commune": person.commune.code,
        "status": person.status,
        "payment_method": person.payment_method,
    }


class Command(BaseCommand):
    help = "Sổ đối tượng: list, show, create, update, status (luôn ghi --user người thực hiện)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def with_user(p: ArgumentParser) -> ArgumentParser:
            p.add_argument("--user", required=True, help="Tên đăng nhập của người thực hiện.")
            return p

        listing = with_user(sub.add_parser("list", help="Danh sách trong địa bàn của người dùng."))
        for name in ("q", "commune", "group", "status", "method"):
            listing.add_argument(f"--{name}", default="")
        listing.add_argument("--limit", type=int, default=50)
        show = with_user(sub.add_parser("show"))
        show.add_argument("id", type=int)
        show.add_argument(
            "--reveal-id", action="store_true", help="Số định danh đầy đủ (ghi nhật ký)."
        )
        create = with_user(sub.add_parser("create"))
        create.add_argument("--commune", required=True)
        create.add_argument("--name", required=True)
        create.add_argument("--sex", required=True, choices=["M", "F"])
        create.add_argument("--birth", default="", help="dd/mm/yyyy, mm/yyyy hoặc yyyy")
        for name in ("id-number", "phone", "village", "ethnicity"):
            create.add_argument(f"--{name}", default="")
        create.add_argument("--reason", required=True)
        update = with_user(sub.add_parser("update"))
        update.add_argument("id", type=int)
        update.add_argument("--set", action="append", default=[], metavar="TRƯỜNG=GIÁ_TRỊ")
        update.add_argument("--reason", required=True)
        status = with_user(sub.add_parser("status"))
        status.add_argument("id", type=int)
        status.add_argument("--status", required=True)
        status.add_argument("--since", required=True, help="dd/mm/yyyy")
        status.add_argument("--death-date", default="")
        status.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with refusals_reported():
                user = user_by_username(options["user"])
                result = getattr(self, f"_{options['action']}")(user, options)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))

    def _list(self, user: Any, o: dict[str, Any]) -> list[dict[str, Any]]:
        filters = selectors.BeneficiaryFilters(
            q=o["q"], commune=o["commune"], group=o["group"], status=o["status"], method=o["method"]
        )
        page = selectors.beneficiary_page(user, filters, size=o["limit"])
        return [_row(p) for p in page.rows]

    def _show(self, user: Any, o: dict[str, Any]) -> dict[str, Any]:
        person = selectors.beneficiary_get(user, o["id"])
        row = _row(person)
        if o["reveal_id"]:
            row["id_number"] = selectors.id_number_reveal(user, person.pk, channel="cli")
        row["enrolments"] = [
            {"group": e.group.code, "start_month": e.start_month, "end_month": e.end_month}
            for e in person.enrolments.all()
        ]
        row["version"] = person.version
        return row

    def _create(self, user: Any, o: dict[str, Any]) -> dict[str, Any]:
        birth, precision = partial_date_parse(o["birth"]) if o["birth"] else (None, "day")
        person = services.beneficiary_register(
            actor=user,
            person=services.PersonInput(
                full_name=o["name"],
                sex=o["sex"],
                commune_code=o["commune"],
                birth_date=birth,
                birth_date_precision=precision,
                id_number=o["id_number"],
                phone=o["phone"],
                village=o["village"],
                ethnicity=o["ethnicity"],
            ),
            reason=o["reason"],
        )
        return _row(person)

    def _update(self, user: Any, o: dict[str, Any]) -> dict[str, Any]:
        changes: dict[str, Any] = {}
        for item in o["set"]:
            name, sep, value = item.partition("=")
            if not sep:
                raise ValueError(f"'{item}': ghi theo dạng TRƯỜNG=GIÁ_TRỊ, ví dụ phone=0912345678.")
            if name == "birth_date":
                changes["birth_date"], changes["birth_date_precision"] = partial_date_parse(value)
            else:
                changes[name] = value
        person = services.beneficiary_update(
            actor=user, beneficiary_id=o["id"], changes=changes, reason=o["reason"]
        )
        return _row(person)

    def _status(self, user: Any, o: dict[str, Any]) -> dict[str, Any]:
        person = services.beneficiary_status_set(
            actor=user,
            beneficiary_id=o["id"],
            status=o["status"],
            since=_date(o["since"]),
            death_date=_date(o["death_date"]) if o["death_date"] else None,
            reason=o["reason"],
        )
        return _row(person)
