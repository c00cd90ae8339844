"""The audit trail: append-only, hash-chained events, and the log of who saw full personal data."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One change by a person (or by the system during set-up), chained to the one before."""

    at = models.DateTimeField("lúc")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField("người thực hiện", max_length=150)
    action = models.CharField("thao tác", max_length=64)
    object_type = models.CharField("đối tượng", max_length=64)
    object_id = models.CharField(max_length=64, blank=True)
    area_code = models.CharField("địa bàn", max_length=5, blank=True)
    before = models.JSONField(null=True)
    after = models.JSONField(null=True)
    reason = models.TextField("lý do", blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]


class AccessLog(models.Model):
    """A full ID or account number was shown to someone."""

    at = models.DateTimeField(auto_now_add=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    field = models.CharField(max_length=64)
    area_code = models.CharField(max_length=5, blank=True)
    channel = models.CharField(max_length=16, default="web")

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
