"""SMS templates (with their edit history) and the delivery log of every message.

The log refers to the payment by its reference and to the cycle and beneficiary by plain
integers, so that this app depends on no other app's tables.
"""

from django.conf import settings
from django.db import models


class SmsTemplate(models.Model):
    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=200)
    # With accents: sent as UCS-2 (70 characters per SMS).
    body_vi = models.TextField("nội dung có dấu")
    # Without accents: GSM-7, must fit one SMS (160) with the longest values.
    body_ascii = models.TextField("nội dung không dấu")
    active = models.BooleanField("đang dùng", default=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def record(self) -> dict[str, object]:
        return {
            "code": self.code,
            "name": self.name,
            "body_vi": self.body_vi,
            "body_ascii": self.body_ascii,
            "active": self.active,
        }


class SmsTemplateVersion(models.Model):
    """Each saved text of a template, numbered from 1; never changed."""

    template = models.ForeignKey(SmsTemplate, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField()
    name = models.CharField(max_length=200)
    body_vi = models.TextField()
    body_ascii = models.TextField()
    active = models.BooleanField()
    reason = models.CharField(max_length=300, blank=True)
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    saved_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "version"], name="sms_template_version_once"
            )
        ]


class Encoding(models.TextChoices):
    GSM7 = "gsm7", "GSM-7 (không dấu)"
    UCS2 = "ucs2", "UCS-2 (có dấu)"


class SmsState(models.TextChoices):
    QUEUED = "queued", "Chờ gửi"
    SENDING = "sending", "Đang gửi"
    SENT = "sent", "Đã gửi"
    DELIVERED = "delivered", "Đã đến máy"
    FAILED = "failed", "Lỗi"


class SmsMessage(models.Model):
    """One SMS about one payment: the delivery log and the send queue in one table."""

    cycle_id = models.IntegerField("kỳ chi", null=True, blank=True)
    reference = models.CharField("mã giao dịch", max_length=64)
    template_code = models.CharField("mẫu", max_length=40)
    beneficiary_id = models.IntegerField("người hưởng")
    phone = models.CharField("số điện thoại", max_length=15)
    text = models.TextField("nội dung")
    encoding = models.CharField(max_length=4, choices=Encoding.choices)
    parts = models.PositiveSmallIntegerField("số tin", default=1)
    state = models.CharField(
        "trạng thái", max_length=10, choices=SmsState.choices, default=SmsState.QUEUED
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    last_error = models.CharField("lỗi gần nhất", max_length=500, blank=True)
    provider_message_id = models.CharField("mã tin của nhà mạng", max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When a sender took it (state sending); a stale claim is taken again.
    claimed_at = models.DateTimeField(null=True, blank=True)
    # A failed message is not retried before this.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["reference", "template_code"], name="sms_one_per_payment_and_kind"
            )
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="sms_queue"),
            models.Index(fields=["beneficiary_id"], name="sms_beneficiary"),
            models.Index(fields=["cycle_id"], name="sms_cycle"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.template_code} {self.state}"
