"""Templates, queueing and sending, with the database."""

import datetime as dt
import logging

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from asxh.access.roles import Capability, Role
from asxh.audit.models import AuditEvent
from asxh.notifications import services
from asxh.notifications.adapters import GatewayResult, LogGateway
from asxh.notifications.logic import LONG_SAMPLE, TYPICAL_SAMPLE, gsm7_fits, sms_render
from asxh.notifications.models import SmsMessage, SmsState, SmsTemplate, SmsTemplateVersion
from asxh.notifications.tests.conftest import MONTH, payment_row

pytestmark = pytest.mark.django_db

VI = "{ten}: tiền trợ cấp tháng {thang} là {so_tien}."
ASCII = "{ten}: tro cap thang {thang} la {so_tien}."


def _queue(actor, rows, **kw):  # type: ignore[no-untyped-def]
    return services.sms_queue_for_payments(
        actor=actor,
        rows=rows,
        cycle_id=7,
        month=MONTH,
        provider_name="Bưu điện tỉnh An Giang",
        **kw,
    )


class Recording:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> GatewayResult:
        self.sent.append((phone, text))
        return GatewayResult(ok=True, message_id=f"gw-{len(self.sent)}")


class Failing:
    def __init__(self, failures: int = 10**6, permanent: bool = False) -> None:
        self.calls, self.failures, self.permanent = 0, failures, permanent

    def send(self, phone: str, text: str) -> GatewayResult:
        self.calls += 1
        if self.calls <= self.failures:
            return GatewayResult(ok=False, error="HTTP 503", permanent=self.permanent)
        return GatewayResult(ok=True, message_id=f"ok-{self.calls}")


class Raising:
    def send(self, phone: str, text: str) -> GatewayResult:
        raise RuntimeError("boom")


# --- The default template -------------------------------------------------------------------


def test_the_default_template_is_vietnamese_and_fits_one_sms():
    template = SmsTemplate.objects.get(code="chuyen_tien")
    assert template.active and "tiền trợ cấp" in template.body_vi
    assert template.body_ascii.isascii()
    assert (
        services.template_check(
            code=template.code,
            name=template.name,
            body_vi=template.body_vi,
            body_ascii=template.body_ascii,
        )
        == []
    )
    longest = sms_render(template.body_ascii, LONG_SAMPLE, ascii_only=True)
    assert gsm7_fits(longest.text) and longest.parts == 1
    for placeholder in ("{so_tien}", "{thang}", "{so_tk_cuoi}", "{to_chuc}", "{lien_he}"):
        assert placeholder in template.body_vi and placeholder in template.body_ascii
    assert template.versions.count() == 1


# --- Saving templates -----------------------------------------------------------------------


def test_an_approver_saves_a_template_with_history_and_audit(users):
    approver = users[Role.APPROVER]
    template = services.sms_template_save(
        actor=approver, code="qua_tet", name="Quà Tết", body_vi=VI, body_ascii=ASCII, reason="Tết"
    )
    services.sms_template_save(
        actor=approver,
        code="qua_tet",
        name="Quà Tết 2027",
        body_vi=VI,
        body_ascii=ASCII + " Chuc mung nam moi!",
        reason="Thêm lời chúc",
    )
    versions = list(SmsTemplateVersion.objects.filter(template=template).order_by("version"))
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].body_ascii == ASCII and versions[1].reason == "Thêm lời chúc"
    events = AuditEvent.objects.filter(object_type="sms_template", object_id="qua_tet")
    assert events.count() == 2
    last = events.order_by("-id").first()
    assert last is not None and last.before is not None and last.after is not None
    assert last.before["body_ascii"] == ASCII and last.after["name"] == "Quà Tết 2027"
    # Saving the same text again changes nothing and records nothing.
    services.sms_template_save(
        actor=approver,
        code="qua_tet",
        name="Quà Tết 2027",
        body_vi=VI,
        body_ascii=ASCII + " Chuc mung nam moi!",
        reason="lại",
    )
    assert template.versions.count() == 2 and events.count() == 2


def test_an_accent_free_body_too_long_with_long_values_is_refused(users):
    default = SmsTemplate.objects.get(code="chuyen_tien")
    long_ascii = default.body_ascii + " Tran trong cam on."
    # It fits with a typical name and amount, not with the longest ones.
    assert gsm7_fits(sms_render(long_ascii, TYPICAL_SAMPLE, ascii_only=True).text)
    with pytest.raises(ValidationError) as caught:
        services.sms_template_save(
            actor=users[Role.APPROVER],
            code="dai",
            name="Dài",
            body_vi=VI,
            body_ascii=long_ascii,
            reason="thử",
        )
    text = " ".join(caught.value.messages)
    assert "dài 176 ký tự" in text and "quá 160 ký tự của một tin nhắn" in text
    assert "99.999.999" in text and "bớt 16 ký tự" in text
    assert not SmsTemplate.objects.filter(code="dai").exists()


def test_accents_unknown_fields_and_empty_reason_are_refused(users):
    approver = users[Role.APPROVER]
    cases = [
        ({"body_ascii": "{ten}: tiền trợ cấp {so_tien}"}, "còn chữ có dấu (ề ợ ấ)"),
        ({"body_ascii": "{ten}: da chuyen {so_tien} ✓"}, "ngoài bảng GSM-7 ('✓')"),
        ({"body_vi": "{ho_ten} {so_tien}"}, "Không có trường {ho_ten}"),
        ({"body_ascii": ""}, "không được để trống"),
        ({"code": "Chuyển Tiền"}, "chỉ gồm chữ thường"),
        ({"reason": " "}, "Ghi lý do"),
    ]
    for change, message in cases:
        data = {"code": "x", "name": "X", "body_vi": VI, "body_ascii": ASCII, "reason": "r"}
        data.update(change)
        with pytest.raises(ValidationError) as caught:
            services.sms_template_save(
                actor=approver,
                code=data["code"],
                name=data["name"],
                body_vi=data["body_vi"],
                body_ascii=data["body_ascii"],
                reason=data["reason"],
            )
        assert message in " ".join(caught.value.messages), change


@pytest.mark.parametrize("role", Role.values)
def test_only_sms_managers_save_templates(role, users):
    user = users[role]
    save = lambda: services.sms_template_save(  # noqa: E731
        actor=user, code="t", name="T", body_vi=VI, body_ascii=ASCII, reason="r"
    )
    if user.can(Capability.MANAGE_SMS):
        save()
    else:
        with pytest.raises(PermissionDenied):
            save()


# --- Queueing -------------------------------------------------------------------------------


def test_queueing_is_once_per_payment_and_skips_cash_and_no_phone(users, rows):
    approver = users[Role.APPROVER]
    mixed = [
        *rows,
        payment_row(6, method="cash", account_number="", bank_bin=""),
        payment_row(7, payee_phone=""),
        payment_row(8, payee_phone="12345"),
        rows[0],  # the same payment twice in one call
    ]
    assert _queue(approver, mixed) == 5
    assert _queue(approver, mixed) == 0
    assert _queue(approver, [*rows, payment_row(9)]) == 1
    assert SmsMessage.objects.count() == 6
    assert AuditEvent.objects.filter(action="sms.queue").count() == 2
    message = SmsMessage.objects.get(reference=rows[0].reference)
    assert message.state == SmsState.QUEUED and message.encoding == "gsm7"
    assert message.cycle_id == 7 and message.parts == 1 and message.phone == "0912300001"
    assert message.text == (
        "Nguyen Thi Hoa: tro cap thang 11/2026 la 1.500.000d, Buu dien tinh An Giang da chuyen "
        "vao TK cuoi 3456. Thac mac LH UBND Xa Nui Sap."
    )
    assert "7100205123456" not in message.text


def test_the_vietnamese_variant_and_a_configured_hotline(users, rows):
    _queue(users[Role.APPROVER], rows[:1], ascii_only=False, contact="0296 3852 000")
    message = SmsMessage.objects.get()
    assert message.encoding == "ucs2" and message.parts == 3
    assert message.text.startswith("Nguyễn Thị Hoà: tiền trợ cấp tháng 11/2026 là 1.500.000đ")
    assert message.text.endswith("Thắc mắc xin liên hệ 0296 3852 000.")


def test_another_template_is_another_message_for_the_same_payment(users, rows):
    approver = users[Role.APPROVER]
    services.sms_template_save(
        actor=approver, code="nhac", name="Nhắc", body_vi=VI, body_ascii=ASCII, reason="r"
    )
    assert _queue(approver, rows) == 5
    assert _queue(approver, rows, template_code="nhac") == 5
    assert SmsMessage.objects.count() == 10


def test_an_inactive_template_queues_nothing_and_a_missing_one_is_an_error(users, rows):
    approver = users[Role.APPROVER]
    services.sms_template_save(
        actor=approver, code="tat", name="Tắt", body_vi=VI, body_ascii=ASCII, reason="r",
        active=False,
    )  # fmt: skip
    assert _queue(approver, rows, template_code="tat") == 0
    with pytest.raises(ValidationError):
        _queue(approver, rows, template_code="khong_co")


@pytest.mark.parametrize("role", Role.values)
def test_who_may_queue(role, users, rows):
    user = users[role]
    if role in (Role.APPROVER, Role.PROVIDER):
        assert _queue(user, rows) == 5
    else:
        with pytest.raises(PermissionDenied):
            _queue(user, rows)


def test_the_system_may_queue(db, rows):
    assert _queue(None, rows) == 5


# --- Sending --------------------------------------------------------------------------------


def test_sending_with_the_log_gateway(users, rows, caplog):
    _queue(users[Role.APPROVER], rows)
    with caplog.at_level(logging.INFO, logger="asxh.sms"):
        counts = services.sms_send_queued(gateway=LogGateway())
    assert counts.as_dict() == {"sent": 5, "failed": 0, "gave_up": 0}
    assert set(SmsMessage.objects.values_list("state", flat=True)) == {SmsState.SENT}
    message = SmsMessage.objects.get(reference=rows[0].reference)
    assert message.attempts == 1 and message.sent_at and message.provider_message_id
    assert "Nguyen Thi Hoa" in caplog.text and "*******001" in caplog.text
    assert "0912300001" not in caplog.text
    # Nothing left to send.
    assert services.sms_send_queued(gateway=LogGateway()).sent == 0


def test_the_default_gateway_is_the_log(users, rows, monkeypatch):
    monkeypatch.delenv("ASXH_SMS_BACKEND", raising=False)
    _queue(users[Role.APPROVER], rows)
    assert services.sms_send_queued().sent == 5


def test_limit_sends_only_that_many(users, rows):
    _queue(users[Role.APPROVER], rows)
    gateway = Recording()
    assert services.sms_send_queued(gateway=gateway, limit=2, batch=1).sent == 2
    assert SmsMessage.objects.filter(state=SmsState.QUEUED).count() == 3
    assert [p for p, _ in gateway.sent] == ["0912300001", "0912300002"]


def test_a_failure_is_retried_later_and_then_sent(users, rows):
    _queue(users[Role.APPROVER], rows[:1])
    gateway = Failing(failures=1)
    start = timezone.now()
    counts = services.sms_send_queued(gateway=gateway, now=start)
    assert counts.as_dict() == {"sent": 0, "failed": 1, "gave_up": 0}
    message = SmsMessage.objects.get()
    assert message.state == SmsState.FAILED and message.last_error == "HTTP 503"
    assert message.next_attempt_at == start + services.RETRY_AFTER
    # Not before its time.
    assert services.sms_send_queued(gateway=gateway, now=start + dt.timedelta(minutes=1)).sent == 0
    counts = services.sms_send_queued(gateway=gateway, now=start + dt.timedelta(minutes=6))
    assert counts.sent == 1
    message.refresh_from_db()
    assert message.state == SmsState.SENT and message.attempts == 2 and message.last_error == ""


def test_max_attempts_then_it_stays_failed(users, rows):
    _queue(users[Role.APPROVER], rows[:2])
    gateway = Failing()
    at = timezone.now()
    totals = []
    for _ in range(5):
        totals.append(services.sms_send_queued(gateway=gateway, now=at, max_attempts=3).as_dict())
        at += dt.timedelta(hours=1)
    assert totals[0] == {"sent": 0, "failed": 2, "gave_up": 0}
    assert totals[1] == {"sent": 0, "failed": 2, "gave_up": 0}
    assert totals[2] == {"sent": 0, "failed": 0, "gave_up": 2}
    assert totals[3] == totals[4] == {"sent": 0, "failed": 0, "gave_up": 0}
    assert gateway.calls == 6
    for message in SmsMessage.objects.all():
        assert message.state == SmsState.FAILED and message.attempts == 3
        assert message.next_attempt_at is None


def test_a_refusal_by_the_gateway_is_not_retried(users, rows):
    _queue(users[Role.APPROVER], rows[:1])
    gateway = Failing(permanent=True)
    assert services.sms_send_queued(gateway=gateway).gave_up == 1
    assert services.sms_send_queued(gateway=gateway, now=timezone.now() + dt.timedelta(days=1)).as_dict() == {
        "sent": 0, "failed": 0, "gave_up": 0,
    }  # fmt: skip
    assert gateway.calls == 1


def test_a_gateway_that_raises_is_a_failure_not_a_crash(users, rows):
    _queue(users[Role.APPROVER], rows[:2])
    counts = services.sms_send_queued(gateway=Raising())
    assert counts.failed == 2
    assert SmsMessage.objects.filter(last_error__contains="boom").count() == 2


def test_a_claim_left_by_a_dead_sender_is_taken_again(users, rows):
    _queue(users[Role.APPROVER], rows[:2])
    past = timezone.now() - dt.timedelta(hours=1)
    SmsMessage.objects.filter(reference=rows[0].reference).update(
        state=SmsState.SENDING, claimed_at=past, attempts=1
    )
    SmsMessage.objects.filter(reference=rows[1].reference).update(
        state=SmsState.SENDING, claimed_at=past, attempts=3
    )
    counts = services.sms_send_queued(gateway=Recording())
    assert counts.as_dict() == {"sent": 1, "failed": 0, "gave_up": 1}
    assert SmsMessage.objects.get(reference=rows[0].reference).attempts == 2
    abandoned = SmsMessage.objects.get(reference=rows[1].reference)
    assert abandoned.state == SmsState.FAILED and "Không rõ kết quả" in abandoned.last_error


def test_a_fresh_claim_is_left_alone(users, rows):
    _queue(users[Role.APPROVER], rows[:1])
    SmsMessage.objects.update(state=SmsState.SENDING, claimed_at=timezone.now(), attempts=1)
    assert services.sms_send_queued(gateway=Recording()).sent == 0


def test_delivery_reports(users, rows):
    _queue(users[Role.APPROVER], rows[:2])
    services.sms_send_queued(gateway=Recording())
    assert services.sms_delivery_report(provider_message_id="gw-1", delivered=True)
    assert services.sms_delivery_report(provider_message_id="gw-2", delivered=False)
    assert not services.sms_delivery_report(provider_message_id="khac", delivered=True)
    states = dict(SmsMessage.objects.values_list("provider_message_id", "state"))
    assert states == {"gw-1": SmsState.DELIVERED, "gw-2": SmsState.FAILED}
