from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.audit.models import AuditEvent
from asxh.audit.selectors import audit_chain_first_break


class Command(BaseCommand):
    help = "Nhật ký: kiểm tra chuỗi băm (verify)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="Báo lỗi nếu có sự kiện bị sửa hoặc xoá.")

    def handle(self, *args: Any, **options: Any) -> None:
        broken = audit_chain_first_break()
        if broken:
            raise CommandError(
                f"Nhật ký bị can thiệp tại sự kiện #{broken.event_id}: {broken.problem}."
            )
        self.stdout.write(
            f"Nhật ký nguyên vẹn: {AuditEvent.objects.count()} sự kiện, chuỗi băm khớp."
        )
