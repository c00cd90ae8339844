"""A record of every file imported (or only checked): who, when, which file, what it did."""

from django.conf import settings
from django.db import models

from asxh.units.models import Commune


class BatchStatus(models.TextChoices):
    CHECKED = "checked", "Đã kiểm tra (chưa ghi)"
    STORED = "stored", "Đã ghi vào danh sách"
    UNUSABLE = "unusable", "Tệp không dùng được"


class ImportBatch(models.Model):
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField("tên tệp", max_length=255)
    sha256 = models.CharField(max_length=64)
    # The uploaded file, kept under DATA_DIR/uploads so a checked file can be confirmed.
    stored_path = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=BatchStatus.choices)
    rows_read = models.PositiveIntegerField(default=0)
    rows_stored = models.PositiveIntegerField(default=0)
    rows_skipped = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField("thêm mới", default=0)
    updated = models.PositiveIntegerField("cập nhật", default=0)
    unchanged = models.PositiveIntegerField("không đổi", default=0)
    # The whole report ({"errors": [...], "warnings": [...], ...}) as the user saw it.
    report = models.JSONField(default=dict)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["commune", "sha256"], name="import_commune_file")]
