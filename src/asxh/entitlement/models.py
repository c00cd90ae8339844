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


class OneOffTarget(models.TextChoices):
    BENEFICIARIES = "beneficiaries", "Mọi người đang hưởng (của các nhóm chọn)"
    LIST = "list", "Những người trong danh sách"


class OneOffPayment(models.Model):
    """A one-off payment (Tết gift, emergency support, a national gift): who, which month;
    the amount is the rate `oneoff.<code>` in force on the first of that month."""

    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=200)
    month = models.DateField("tháng chi")
    target = models.CharField("đối tượng", max_length=16, choices=OneOffTarget.choices)
    groups = models.JSONField("nhóm (trống = mọi nhóm)", default=list, blank=True)
    scope = models.CharField("phạm vi (mã tỉnh, trống = toàn quốc)", max_length=2, blank=True)
    source = models.CharField("căn cứ", max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.name


class OneOffListEntry(models.Model):
    """A person on a one-off payment's target list (e.g. a household hit by the flood)."""

    payment = models.ForeignKey(OneOffPayment, on_delete=models.PROTECT, related_name="entries")
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary", on_delete=models.PROTECT, related_name="one_off_entries"
    )
    note = models.CharField("ghi chú", max_length=200, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["payment", "beneficiary"], name="one_off_once_per_person")
        ]
