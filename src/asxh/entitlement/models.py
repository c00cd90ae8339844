"""Rates as stored: one row per decree's level for a key, scope and start date.

Rows are never edited. A database trigger refuses any change to what a row says; the only
update allowed is withdrawing a row before it comes into force (with who and why).
"""

from django.conf import settings
from django.db import models

from asxh.entitlement.rates import Unit


class RateEntry(models.Model):
    key = models.CharField("mã mức", max_length=80)
    scope = models.CharField("phạm vi (mã tỉnh, trống = toàn quốc)", max_length=2, blank=True)
    unit = models.CharField("đơn vị", max_length=12, choices=[(u.value, u.value) for u in Unit])
    value = models.DecimalField("giá trị", max_digits=16, decimal_places=2)
    effective_from = models.DateField("hiệu lực từ")
    until = models.DateField("hết hiệu lực sau", null=True, blank=True)
    source = models.CharField("căn cứ", max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    # None: shipped with asxh and loaded by `asxh setup`.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["key", "scope", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "scope", "effective_from"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="rate_one_per_key_scope_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.scope or 'toàn quốc'} từ {self.effective_from}"
