"""`asxh sms send | templates | template-set`."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from asxh.access.roles import Role
from asxh.notifications import services
from asxh.notifications.models import SmsMessage, SmsState, SmsTemplate
from asxh.notifications.tests.conftest import MONTH

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("sms", *args, stdout=out)
    return out.getvalue()


def test_send_prints_counts(users, rows, monkeypatch):
    monkeypatch.delenv("ASXH_SMS_BACKEND", raising=False)
    services.sms_queue_for_payments(
        actor=users[Role.APPROVER],
        rows=rows,
        cycle_id=3,
        month=MONTH,
        provider_name="Viettel Money",
    )
    assert _run("send", "--limit", "2") == "Đã gửi 2, lỗi sẽ gửi lại 0, lỗi không gửi nữa 0.\n"
    assert _run("send") == "Đã gửi 3, lỗi sẽ gửi lại 0, lỗi không gửi nữa 0.\n"
    assert set(SmsMessage.objects.values_list("state", flat=True)) == {SmsState.SENT}


def test_send_with_a_bad_backend_says_so(db, monkeypatch):
    monkeypatch.setenv("ASXH_SMS_BACKEND", "smpp")
    with pytest.raises(CommandError, match="log hoặc http"):
        _run("send")


def test_templates_lists_both_variants(db):
    out = _run("templates")
    assert out.startswith("chuyen_tien — Báo tiền trợ cấp đã chuyển vào tài khoản (đang dùng")
    assert "không dấu [157 ký tự GSM-7 · 1 tin khi dài nhất]" in out


def test_template_set_creates_changes_and_refuses(users):
    approver = users[Role.APPROVER]
    out = _run(
        "template-set", "qua_tet", "--name", "Quà Tết", "--vi", "{ten}: quà Tết {so_tien}.",
        "--ascii", "{ten}: qua Tet {so_tien}.", "--user", approver.username, "--reason", "Tết",
    )  # fmt: skip
    assert out == "Đã lưu mẫu qua_tet (lần sửa 1).\n"
    _run(
        "template-set", "qua_tet", "--inactive", "--user", approver.username, "--reason", "Hết Tết"
    )
    template = SmsTemplate.objects.get(code="qua_tet")
    assert not template.active and template.body_ascii == "{ten}: qua Tet {so_tien}."
    with pytest.raises(CommandError, match="còn chữ có dấu"):
        _run("template-set", "qua_tet", "--ascii", "{ten}: quà", "--user", approver.username,
             "--reason", "r")  # fmt: skip
    with pytest.raises(CommandError, match="Không được phép"):
        _run("template-set", "qua_tet", "--name", "X", "--user", users[Role.PROVINCE].username,
             "--reason", "r")  # fmt: skip
