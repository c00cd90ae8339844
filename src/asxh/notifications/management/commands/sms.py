"""`asxh sms …`: send the queue, list the templates, change a template."""

from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.access.selectors import user_by_username
from asxh.core.commands import refusals_reported
from asxh.notifications import selectors, services
from asxh.notifications.logic import template_preview
from asxh.notifications.models import SmsTemplate


class Command(BaseCommand):
    help = "Tin nhắn SMS: send (gửi hàng đợi), templates (các mẫu), template-set (sửa mẫu)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        send = sub.add_parser("send", help="Gửi các tin đang chờ và các tin lỗi đến hạn gửi lại.")
        send.add_argument(
            "--limit", type=int, default=1000, help="Gửi tối đa N tin (mặc định 1000)."
        )
        send.add_argument(
            "--max-attempts", type=int, default=3, help="Số lần gửi tối đa mỗi tin (mặc định 3)."
        )
        sub.add_parser("templates", help="Các mẫu tin nhắn và độ dài.")
        edit = sub.add_parser("template-set", help="Thêm hoặc sửa một mẫu (giữ lịch sử).")
        edit.add_argument("code")
        edit.add_argument("--name", help="Tên mẫu (mẫu đã có: giữ nguyên nếu bỏ trống).")
        edit.add_argument("--vi", help="Nội dung có dấu.")
        edit.add_argument("--ascii", help="Nội dung không dấu (một tin 160 ký tự).")
        edit.add_argument("--inactive", action="store_true", help="Ngừng dùng mẫu.")
        edit.add_argument("--user", required=True)
        edit.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with refusals_reported():
                getattr(self, "_" + options["action"].replace("-", "_"))(options)
        except ImproperlyConfigured as error:
            raise CommandError(f"Cấu hình: {error}") from None

    def _send(self, o: dict[str, Any]) -> None:
        if o["limit"] < 1 or o["max_attempts"] < 1:
            raise CommandError("--limit và --max-attempts phải lớn hơn 0.")
        counts = services.sms_send_queued(limit=o["limit"], max_attempts=o["max_attempts"])
        self.stdout.write(
            f"Đã gửi {counts.sent}, lỗi sẽ gửi lại {counts.failed}, "
            f"lỗi không gửi nữa {counts.gave_up}."
        )

    def _templates(self, o: dict[str, Any]) -> None:
        for t in selectors.sms_templates():
            state = "đang dùng" if t.active else "ngừng"
            self.stdout.write(f"{t.code} — {t.name} ({state}, {t.versions.count()} lần sửa)")
            for label, body, ascii_only in (
                ("có dấu", t.body_vi, False),
                ("không dấu", t.body_ascii, True),
            ):
                preview = template_preview(body, ascii_only=ascii_only)
                self.stdout.write(f"  {label} [{preview.label} khi dài nhất]: {body}")

    def _template_set(self, o: dict[str, Any]) -> None:
        user = user_by_username(o["user"])
        current = SmsTemplate.objects.filter(code=o["code"]).first()

        def given(option: str, field: str) -> str:
            value = o[option]
            if value is None:
                return getattr(current, field) if current else ""
            return str(value)

        template = services.sms_template_save(
            actor=user,
            code=o["code"],
            name=given("name", "name"),
            body_vi=given("vi", "body_vi"),
            body_ascii=given("ascii", "body_ascii"),
            reason=o["reason"],
            active=not o["inactive"],
        )
        self.stdout.write(f"Đã lưu mẫu {template.code} (lần sửa {template.versions.count()}).")
