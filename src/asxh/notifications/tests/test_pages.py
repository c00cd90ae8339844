"""The SMS page by role: who sees the templates, the log, and who may edit."""

import pytest
from django.test import Client

from asxh.access.roles import Capability, Role
from asxh.notifications.models import SmsMessage, SmsState, SmsTemplate

pytestmark = pytest.mark.django_db

PAGE_ROLES = {
    Role.COMMUNE_OFFICER,
    Role.APPROVER,
    Role.PROVIDER,
    Role.TREASURY,
    Role.PROVINCE,
    Role.AUDITOR,
}
LOG_ROLES = PAGE_ROLES - {Role.TREASURY}


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _message(beneficiary_id: int, n: int, state: str = SmsState.SENT) -> SmsMessage:
    return SmsMessage.objects.create(
        cycle_id=1,
        reference=f"ASXH-1-{n}",
        template_code="chuyen_tien",
        beneficiary_id=beneficiary_id,
        phone=f"091234{n:04d}",
        text=f"Tin so {n}",
        encoding="gsm7",
        state=state,
        attempts=1,
        last_error="HTTP 503" if state == SmsState.FAILED else "",
    )


@pytest.fixture
def logged(people):  # type: ignore[no-untyped-def]
    return {
        "home": _message(people["home"], 1),
        "home_failed": _message(people["home"], 2, SmsState.FAILED),
        "neighbour": _message(people["neighbour"], 3),
        "foreign": _message(people["foreign"], 4),
    }


def test_the_page_needs_a_login():
    assert Client().get("/tin-nhan/").status_code == 302


@pytest.mark.parametrize("role", Role.values)
def test_who_sees_what(role, users, logged):
    user = users[role]
    page = _client(user).get("/tin-nhan/")
    if role not in PAGE_ROLES:
        assert page.status_code == 403
        return
    body = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="template-chuyen_tien"' in body and "1 tin" in body
    assert ('data-testid="sms-log"' in body) == (role in LOG_ROLES)
    assert ('data-testid="edit-chuyen_tien"' in body) == user.can(Capability.MANAGE_SMS)
    assert "0912340001" not in body  # never a full phone number
    if role in LOG_ROLES:
        assert "*******001" in body and "Tin so 1" in body
        assert "Tin so 4" not in body  # another province
        assert ("Tin so 3" in body) == (role != Role.COMMUNE_OFFICER)  # the neighbour commune
    else:
        assert "Tin so" not in body


def test_the_log_filters_by_state(users, logged):
    page = _client(users[Role.APPROVER]).get("/tin-nhan/", {"trang_thai": "failed"})
    body = page.content.decode()
    assert "Tin so 2" in body and "HTTP 503" in body and "Tin so 1" not in body


def test_counts_per_state_for_the_area(users, logged):
    page = _client(users[Role.TREASURY]).get("/tin-nhan/")
    counts = page.context["counts"]
    assert {state: n for state, _, n in counts} == {
        "queued": 0,
        "sending": 0,
        "sent": 2,
        "delivered": 0,
        "failed": 1,
    }


def test_the_live_preview(users):
    client = _client(users[Role.APPROVER])
    page = client.get(
        "/tin-nhan/xem-truoc/",
        {"body_vi": "{ten}: {so_tien}", "body_ascii": "{ten}: {so_tien} " + "x" * 120},
    )
    body = page.content.decode()
    assert page.status_code == 200
    assert "Nguyễn Thị Hoà: 1.500.000đ" in body and "Nguyen Thi Hoa: 1.500.000d" in body
    assert "ký tự có dấu (UCS-2) · 1 tin" in body
    assert "164 ký tự GSM-7 · 2 tin" in body
    page = client.get("/tin-nhan/xem-truoc/", {"body_vi": "{ho_ten}", "body_ascii": "x"})
    assert "Không có trường {ho_ten}" in page.content.decode()
    assert _client(users[Role.COMMUNE_POLICE]).get("/tin-nhan/xem-truoc/").status_code == 403


@pytest.mark.parametrize("role", Role.values)
def test_only_sms_managers_post_edits(role, users):
    user = users[role]
    response = _client(user).post(
        "/tin-nhan/mau/",
        {
            "code": "chuyen_tien",
            "name": "Báo chuyển tiền",
            "body_vi": "{ten}: đã chuyển {so_tien}.",
            "body_ascii": "{ten}: da chuyen {so_tien}.",
            "active": "on",
            "reason": "Rút gọn",
        },
    )
    template = SmsTemplate.objects.get(code="chuyen_tien")
    if user.can(Capability.MANAGE_SMS):
        assert response.status_code == 302
        assert template.body_ascii == "{ten}: da chuyen {so_tien}."
        assert template.versions.count() == 2 and template.updated_by == user
    else:
        assert response.status_code == 403
        assert template.versions.count() == 1


def test_a_refused_edit_keeps_what_was_typed(users):
    long_ascii = "{ten} {nguoi_nhan} {to_chuc} {xa} {lien_he} {so_tien} " + "x" * 40
    response = _client(users[Role.APPROVER]).post(
        "/tin-nhan/mau/",
        {
            "code": "moi",
            "name": "Mới",
            "body_vi": "{ten}",
            "body_ascii": long_ascii,
            "active": "on",
            "reason": "thử",
        },
    )
    body = response.content.decode()
    assert response.status_code == 400
    assert "Chưa lưu" in body and "quá 160 ký tự của một tin nhắn" in body
    assert 'data-testid="draft"' in body and long_ascii in body
    assert not SmsTemplate.objects.filter(code="moi").exists()
