"""Verification: the commune police's identity checks and the files exchanged for them.

An identity check is stored per person and date and never overwritten: the police's answer of
each round is a new row, so the history shows when a person was last confirmed. Account checks
live on the account itself (`ReceivingAccount.verification`, `verified_on`), set through
`asxh.accounts.services`; the files exchanged with the provider are recorded here.
"""

from django.conf import settings
from django.db import models

from asxh.beneficiaries.models import Beneficiary
from asxh.units.models import Commune


class IdentityResult(models.TextChoices):
    MATCH = "match", "Khớp"
    MISMATCH = "mismatch", "Sai lệch"
    NOT_FOUND = "not_found", "Không tìm thấy"


class ExchangeKind(models.TextChoices):
    IDENTITY = "identity", "Xác minh danh tính với Công an xã"
    ACCOUNT = "account", "Tra cứu tên chủ tài khoản với tổ chức chi trả"


class Direction(models.TextChoices):
    OUT = "out", "Gửi đi"
    IN = "in", "Nhận về"


class ExchangeState(models.TextChoices):
    SENT = "sent", "Đã xuất"
    PREVIEW = "preview", "Chờ xác nhận"
    STORED = "stored", "Đã ghi"


class Exchange(models.Model):
    """One file sent to the police/provider, or one file of answers received from them.

    An uploaded file is kept (content) while it waits in preview, so the user can read its
    errors before anything is stored; once stored, its digest makes a second import a no-op.
    """

    kind = models.CharField("loại", max_length=10, choices=ExchangeKind.choices)
    direction = models.CharField("chiều", max_length=3, choices=Direction.choices)
    state = models.CharField("trạng thái", max_length=8, choices=ExchangeState.choices)
    commune = models.ForeignKey(
        Commune, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField("tệp", max_length=200)
    sha256 = models.CharField(max_length=64, blank=True)
    content = models.BinaryField(null=True, blank=True)
    rows = models.PositiveIntegerField("số dòng", default=0)
    summary = models.JSONField(default=dict)
    errors = models.JSONField(default=list)
    checked_on = models.DateField("ngày xác minh", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    stored_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["kind", "sha256"], name="exchange_kind_sha")]
        constraints = [
            # The same answers file is stored once; importing it again changes nothing.
            models.UniqueConstraint(
                fields=["kind", "sha256"],
                condition=models.Q(state="stored", direction="in"),
                name="exchange_stored_once",
            ),
        ]


class IdentityCheck(models.Model):
    """The police's answer for one person on one date, with the database's values if they differ."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="identity_checks"
    )
    checked_on = models.DateField("ngày xác minh")
    result = models.CharField("kết quả", max_length=10, choices=IdentityResult.choices)
    db_full_name = models.CharField("họ và tên theo CSDL", max_length=150, blank=True)
    db_birth_date = models.CharField("ngày sinh theo CSDL", max_length=10, blank=True)
    db_sex = models.CharField("giới tính theo CSDL", max_length=1, blank=True)
    db_id_number = models.CharField("số định danh theo CSDL", max_length=12, blank=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)
    # Result and values in one key: the same answer for the same date is stored once.
    fingerprint = models.CharField(max_length=64)
    exchange = models.ForeignKey(
        Exchange, null=True, blank=True, on_delete=models.PROTECT, related_name="identity_checks"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-checked_on", "-id"]
        indexes = [
            models.Index(fields=["beneficiary", "checked_on"], name="idcheck_benef_date"),
            models.Index(
                fields=["beneficiary", "result", "checked_on"], name="idcheck_benef_result"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "checked_on", "fingerprint"], name="idcheck_once_per_date"
            ),
        ]
