"""`asxh user create …`: an administrator adds a user inside the administrator's areas."""

import getpass
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from asxh.access.roles import Role
from asxh.access.selectors import user_by_username
from asxh.access.services import user_create
from asxh.core.commands import refusals_reported


class Command(BaseCommand):
    help = "Người dùng: tạo mới (create) trong địa bàn của quản trị viên."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("username")
        create.add_argument("--user", required=True, help="Quản trị viên thực hiện.")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument("--full-name", default="")
        create.add_argument("--province", action="append", default=[], metavar="MÃ_TỈNH")
        create.add_argument("--commune", action="append", default=[], metavar="MÃ_XÃ")
        create.add_argument(
            "--password-stdin", action="store_true", help="Đọc mật khẩu từ đầu vào chuẩn."
        )

    def handle(self, *args: Any, **o: Any) -> None:
        password = input() if o["password_stdin"] else getpass.getpass("Mật khẩu: ")
        with refusals_reported():
            user = user_create(
                actor=user_by_username(o["user"]),
                username=o["username"],
                password=password,
                role=o["role"],
                full_name=o["full_name"],
                province_codes=tuple(o["province"]),
                commune_codes=tuple(o["commune"]),
            )
        self.stdout.write(json.dumps({"id": user.pk, "username": user.username}))
