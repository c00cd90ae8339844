"""Writing SMS templates, queueing one message per paid row, sending the queue with retries.

Sending is at-least-once: a sender claims a batch (state `sending`, attempts + 1) in a short
transaction, calls the gateway outside it, and records the outcome. A claim left by a sender
that died is taken again after CLAIM_LEASE; a failure is retried after a growing pause until
`max_attempts`, and then stays `failed` with its last error.
"""

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from itertools import islice

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import require
from asxh.audit.services import audit_record
from asxh.core.formatting import month_vn
from asxh.cycles.rows import PaymentRow
from asxh.notifications.adapters import (
    GatewayResult,
    SmsGateway,
    gateway_from_settings,
    setting,
)
from asxh.notifications.logic import (
    GSM7_BASIC,
    GSM7_EXTENSION,
    LONG_SAMPLE,
    SINGLE_GSM7,
    accent_free,
    gsm7_septets,
    last4,
    phone_normal,
    sms_render,
    template_problems,
)
from asxh.notifications.models import SmsMessage, SmsState, SmsTemplate, SmsTemplateVersion

log = logging.getLogger("asxh.sms")

DEFAULT_TEMPLATE = "chuyen_tien"
CODE = re.compile(r"^[a-z0-9_-]{1,40}$")
# Who may queue messages about a list: the SMS manager, or whoever approves or hands over the
# list (the cycles app calls this when the transfer is confirmed). None = the system.
QUEUE_CAPABILITIES = (Capability.MANAGE_SMS, Capability.APPROVE_CYCLE, Capability.EXPORT_CYCLE)
CLAIM_LEASE = dt.timedelta(minutes=15)
RETRY_AFTER = dt.timedelta(minutes=5)  # doubled after each failure
CHUNK = 1000


# --- Templates -----------------------------------------------------------------------------


def template_check(*, code: str, name: str, body_vi: str, body_ascii: str) -> list[str]:
    """What stops a template from being saved, in the official's words."""
    problems = []
    if not CODE.match(code):
        problems.append(f"Mã mẫu '{code}' chỉ gồm chữ thường không dấu, số, '_' hoặc '-'.")
    if not name.strip():
        problems.append("Ghi tên mẫu.")
    for label, body in (("Nội dung có dấu", body_vi), ("Nội dung không dấu", body_ascii)):
        if not body.strip():
            problems.append(f"{label} không được để trống.")
        problems.extend(f"{label}: {p}" for p in template_problems(body))
    if problems:
        return problems
    accented = list(dict.fromkeys(ch for ch in body_ascii if accent_free(ch) != ch))
    if accented:
        plain = accent_free(body_ascii)
        shown = plain if len(plain) <= 60 else plain[:60] + "…"
        problems.append(
            f"Nội dung không dấu còn chữ có dấu ({' '.join(accented[:10])}): viết là '{shown}'."
        )
        return problems
    gsm7 = GSM7_BASIC | GSM7_EXTENSION
    outside = list(dict.fromkeys(ch for ch in body_ascii if ch not in gsm7))
    if outside:
        shown = " ".join(repr(ch) for ch in outside[:10])
        problems.append(
            f"Nội dung không dấu có ký tự ngoài bảng GSM-7 ({shown}): bỏ đi để vừa một tin."
        )
        return problems
    rendered = sms_render(body_ascii, LONG_SAMPLE, ascii_only=True)
    septets = gsm7_septets(rendered.text) or 0
    if septets > SINGLE_GSM7:
        problems.append(
            f"Nội dung không dấu dài {septets} ký tự khi điền tên, tổ chức, liên hệ dài nhất và "
            f"số tiền 99.999.999d — quá {SINGLE_GSM7} ký tự của một tin nhắn; "
            f"bớt {septets - SINGLE_GSM7} ký tự."
        )
    return problems


def _clean(text: str) -> str:
    """NFC, without spaces at the ends of lines."""
    lines = unicodedata.normalize("NFC", text).splitlines()
    return "\n".join(line.strip() for line in lines).strip()


def sms_template_save(
    *,
    actor: User,
    code: str,
    name: str,
    body_vi: str,
    body_ascii: str,
    reason: str,
    active: bool = True,
) -> SmsTemplate:
    """Create or change a template; every saved text is kept as a numbered version, audited."""
    require(actor, Capability.MANAGE_SMS)
    code, name = code.strip(), " ".join(name.split())
    body_vi, body_ascii = _clean(body_vi), _clean(body_ascii)
    if not reason.strip():
        raise ValidationError("Ghi lý do sửa mẫu tin nhắn.")
    problems = template_check(code=code, name=name, body_vi=body_vi, body_ascii=body_ascii)
    if problems:
        raise ValidationError(problems)
    with transaction.atomic():
        template = SmsTemplate.objects.select_for_update().filter(code=code).first()
        before = template.record() if template else None
        if template is None:
            template = SmsTemplate(code=code)
        template.name, template.body_vi, template.body_ascii = name, body_vi, body_ascii
        template.active = active
        if before == template.record():
            return template
        template.updated_by = actor
        template.save()
        last = template.versions.aggregate(n=Max("version"))["n"] or 0
        SmsTemplateVersion.objects.create(
            template=template,
            version=last + 1,
            name=name,
            body_vi=body_vi,
            body_ascii=body_ascii,
            active=active,
            reason=reason.strip(),
            saved_by=actor,
        )
        audit_record(
            actor=actor,
            action="sms_template.save",
            object_type="sms_template",
            object_id=code,
            before=before,
            after=template.record(),
            reason=reason.strip(),
        )
    return template


# --- Queueing ------------------------------------------------------------------------------


def _chunks(rows: Iterable[PaymentRow], size: int) -> Iterator[list[PaymentRow]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def payment_values(
    row: PaymentRow, *, month: dt.date, provider_name: str, contact: str
) -> dict[str, object]:
    """What a template's placeholders say for one paid row (only the account's last 4 digits)."""
    commune = row.commune_name.strip()
    return {
        "ten": row.full_name,
        "nguoi_nhan": row.payee_name or row.full_name,
        "so_tien": row.amount,
        "thang": month,
        "to_chuc": provider_name,
        "so_tk_cuoi": last4(row.account_number),
        "xa": commune,
        "lien_he": contact or (f"UBND {commune}" if commune else "UBND xã, phường"),
    }


def sms_queue_for_payments(
    *,
    actor: User | None,
    rows: Iterable[PaymentRow],
    cycle_id: int,
    month: dt.date,
    provider_name: str,
    template_code: str = DEFAULT_TEMPLATE,
    ascii_only: bool = True,
    contact: str | None = None,
) -> int:
    """One queued message per row paid into an account with a mobile number; returns how many
    were new. A payment that already has a message of this template gets none (idempotent).

    `ascii_only` (the default) uses the accent-free body: one GSM-7 SMS. `contact` fills
    {lien_he}; by default ASXH_SMS_HOTLINE, else the row's commune People's Committee.
    """
    if actor is not None and not any(actor.can(c) for c in QUEUE_CAPABILITIES):
        raise PermissionDenied(f"Vai trò '{actor.get_role_display()}' không gửi tin nhắn được.")
    template = SmsTemplate.objects.filter(code=template_code).first()
    if template is None:
        raise ValidationError(f"Không có mẫu tin nhắn '{template_code}'.")
    if not template.active:
        return 0
    body = template.body_ascii if ascii_only else template.body_vi
    contact = setting("ASXH_SMS_HOTLINE") if contact is None else contact
    queued = 0
    with transaction.atomic():
        for chunk in _chunks(rows, CHUNK):
            wanted: dict[str, SmsMessage] = {}
            for row in chunk:
                phone = phone_normal(row.payee_phone)
                if not phone or row.method != "account" or row.reference in wanted:
                    continue
                values = payment_values(
                    row, month=month, provider_name=provider_name, contact=contact
                )
                text, is_gsm7, parts = sms_render(body, values, ascii_only=ascii_only)
                wanted[row.reference] = SmsMessage(
                    cycle_id=cycle_id,
                    reference=row.reference,
                    template_code=template_code,
                    beneficiary_id=row.beneficiary_id,
                    phone=phone,
                    text=text,
                    encoding="gsm7" if is_gsm7 else "ucs2",
                    parts=parts,
                )
            if not wanted:
                continue
            taken = set(
                SmsMessage.objects.filter(
                    template_code=template_code, reference__in=list(wanted)
                ).values_list("reference", flat=True)
            )
            new = [m for ref, m in wanted.items() if ref not in taken]
            SmsMessage.objects.bulk_create(new, ignore_conflicts=True, batch_size=CHUNK)
            queued += len(new)
        if queued:
            audit_record(
                actor=actor,
                action="sms.queue",
                object_type="cycle",
                object_id=cycle_id,
                after={"template": template_code, "month": month_vn(month), "queued": queued},
                reason=f"Báo chuyển tiền tháng {month_vn(month)} qua {provider_name}",
            )
    return queued


# --- Sending -------------------------------------------------------------------------------


@dataclass
class SendCounts:
    sent: int = 0
    failed: int = 0  # will be retried
    gave_up: int = 0  # failed for good (max attempts reached, or refused by the gateway)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _eligible(now: dt.datetime, max_attempts: int) -> Q:
    return (
        Q(state=SmsState.QUEUED)
        | Q(state=SmsState.FAILED, attempts__lt=max_attempts, next_attempt_at__lte=now)
        | Q(state=SmsState.SENDING, attempts__lt=max_attempts, claimed_at__lt=now - CLAIM_LEASE)
    )


def _claim(n: int, now: dt.datetime, max_attempts: int) -> list[SmsMessage]:
    """Take up to n messages for this sender; others running at once skip them (PostgreSQL)."""
    with transaction.atomic():
        candidates = SmsMessage.objects.filter(_eligible(now, max_attempts)).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("pk", flat=True)[:n])
        SmsMessage.objects.filter(pk__in=ids).update(
            state=SmsState.SENDING, claimed_at=now, attempts=F("attempts") + 1
        )
    return list(SmsMessage.objects.filter(pk__in=ids).order_by("id"))


def _abandoned_close(now: dt.datetime, max_attempts: int) -> int:
    """Claims left by a sender that died on its last attempt: failed, outcome unknown."""
    return SmsMessage.objects.filter(
        state=SmsState.SENDING, attempts__gte=max_attempts, claimed_at__lt=now - CLAIM_LEASE
    ).update(
        state=SmsState.FAILED,
        next_attempt_at=None,
        last_error="Không rõ kết quả: tiến trình gửi dừng giữa chừng.",
    )


def sms_send_queued(
    *,
    gateway: SmsGateway | None = None,
    limit: int = 1000,
    max_attempts: int = 3,
    batch: int = 100,
    now: dt.datetime | None = None,
) -> SendCounts:
    """Send up to `limit` waiting messages (queued, or failed and due for a retry)."""
    gateway = gateway or gateway_from_settings()
    counts = SendCounts()
    start = now or timezone.now()
    counts.gave_up += _abandoned_close(start, max_attempts)
    remaining = limit
    while remaining > 0:
        claimed = _claim(min(batch, remaining), start, max_attempts)
        if not claimed:
            break
        remaining -= len(claimed)
        for message in claimed:
            _send_one(gateway, message, max_attempts, now, counts)
    return counts


def _send_one(
    gateway: SmsGateway,
    message: SmsMessage,
    max_attempts: int,
    now: dt.datetime | None,
    counts: SendCounts,
) -> None:
    try:
        result = gateway.send(message.phone, message.text)
    except Exception as error:  # a gateway bug must not stop the queue
        log.exception("SMS gateway raised on message %s", message.pk)
        result = GatewayResult(ok=False, error=f"Lỗi cổng SMS: {error}")
    at = now or timezone.now()
    mine = SmsMessage.objects.filter(pk=message.pk, state=SmsState.SENDING)
    if result.ok:
        mine.update(
            state=SmsState.SENT,
            sent_at=at,
            provider_message_id=result.message_id[:100],
            last_error="",
            next_attempt_at=None,
        )
        counts.sent += 1
        return
    final = result.permanent or message.attempts >= max_attempts
    retry_at = None if final else at + RETRY_AFTER * 2 ** max(message.attempts - 1, 0)
    mine.update(state=SmsState.FAILED, last_error=result.error[:500], next_attempt_at=retry_at)
    if final:
        counts.gave_up += 1
    else:
        counts.failed += 1


def sms_delivery_report(*, provider_message_id: str, delivered: bool, error: str = "") -> bool:
    """A gateway's delivery report: the message reached the phone, or did not."""
    if not provider_message_id:
        return False
    at = timezone.now()
    sent = SmsMessage.objects.filter(
        provider_message_id=provider_message_id, state__in=[SmsState.SENT, SmsState.DELIVERED]
    )
    if delivered:
        return sent.update(state=SmsState.DELIVERED, delivered_at=at) > 0
    return (
        sent.update(
            state=SmsState.FAILED,
            next_attempt_at=None,
            last_error=(error or "Nhà mạng báo không đến được máy.")[:500],
        )
        > 0
    )
