"""Cleaning tasks: what the quality scan, the police and the provider found wrong with a record.

A finding is assigned to the commune of the person it is about. It is open until the officer
fixes the record (through the registry's history) or dismisses it with a reason; a rescan that
finds the same problem again touches the open finding instead of raising a second one, never
raises again a problem dismissed with a reason, and closes as fixed an open finding of its own
that it no longer sees.
"""

from django.conf import settings
from django.db import models

from asxh.beneficiaries.models import Beneficiary
from asxh.units.models import Commune


class FindingKind(models.TextChoices):
    DUPLICATE_ID = "duplicate_id", "Trùng số định danh"
    DUPLICATE_PERSON = "duplicate_person", "Có thể trùng người (họ tên, ngày sinh)"
    ID_BIRTH_YEAR = "id_birth_year", "Số định danh không khớp năm sinh"
    ID_SEX = "id_sex", "Số định danh không khớp giới tính"
    ID_INVALID = "id_invalid", "Số định danh không hợp lệ"
    ID_LEGACY = "id_legacy", "CMND 9 số, cần cập nhật số định danh 12 số"
    NAME_ENCODING = "name_encoding", "Họ tên sai bảng mã (TCVN3/VNI/tổ hợp)"
    HOLDER_MISMATCH = "holder_mismatch", "Tên chủ tài khoản không khớp"
    DEAD_BUT_ENROLLED = "dead_but_enrolled", "Đã chết hoặc thôi hưởng nhưng còn diện hưởng"
    MISSING_FIELD = "missing_field", "Thiếu thông tin cần cho chi trả"
    POLICE_MISMATCH = "police_mismatch", "Công an xác minh: sai lệch với CSDL dân cư"
    POLICE_NOT_FOUND = "police_not_found", "Công an xác minh: không có trong CSDL dân cư"
    # The provider could not pay into the account (results of a locked list).
    PAYMENT_FAILED = "payment_failed", "Chuyển khoản không thành công"


class FindingState(models.TextChoices):
    OPEN = "open", "Chưa xử lý"
    FIXED = "fixed", "Đã sửa"
    DISMISSED = "dismissed", "Bỏ qua (có lý do)"


class Finding(models.Model):
    kind = models.CharField("loại", max_length=24, choices=FindingKind.choices)
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="findings")
    # The other record of a duplicate pair, when there is one.
    related = models.ForeignKey(
        Beneficiary, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Indexed as the first column of finding_commune_state.
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="findings", db_index=False
    )
    # Identifies the problem so a rescan does not raise it twice: e.g. "12:345" for a pair.
    key = models.CharField(max_length=100)
    detail = models.JSONField(default=dict)
    state = models.CharField(
        "trạng thái", max_length=10, choices=FindingState.choices, default=FindingState.OPEN
    )
    state_reason = models.TextField("lý do", blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    detected_at = models.DateTimeField("phát hiện lúc")
    last_seen_at = models.DateTimeField()

    class Meta:
        ordering = ["-detected_at", "-id"]
        indexes = [
            models.Index(fields=["commune", "state", "kind"], name="finding_commune_state"),
            # A rescan looks up every key it finds, open or dismissed.
            models.Index(fields=["kind", "key"], name="finding_kind_key"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=models.Q(state="open"),
                name="finding_open_once",
            ),
            models.CheckConstraint(
                condition=models.Q(state="open") | ~models.Q(state_reason=""),
                name="finding_closed_with_reason",
            ),
        ]
