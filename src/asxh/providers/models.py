"""Payment providers (post office, bank, mobile money) and their contracts with the province:
which communes and payment methods each serves, for which period, at which fee."""

from django.conf import settings
from django.db import models

from asxh.units.models import Commune, Province


class ProviderKind(models.TextChoices):
    POST = "post", "Bưu điện"
    BANK = "bank", "Ngân hàng"
    MOBILE_MONEY = "mobile_money", "Mobile Money / ví điện tử"


class Provider(models.Model):
    code = models.SlugField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=200)
    kind = models.CharField("loại", max_length=16, choices=ProviderKind.choices)
    # The NAPAS BIN of the provider's own bank (the debtor agent of its transfers).
    bank_bin = models.CharField("mã BIN ngân hàng", max_length=6, blank=True)
    # Its own users (role provider): they export and confirm for this provider only.
    staff = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="providers")

    def __str__(self) -> str:
        return self.name


class FeeKind(models.TextChoices):
    PER_HEAD = "per_head", "Đồng/người/tháng"
    PERCENT = "percent", "% số tiền chi trả"


class Contract(models.Model):
    """A provider's contract. It is never edited: a new contract (or an end date set once)
    changes who pays from a month on."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField("số hợp đồng", max_length=64)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    # Empty: every commune of the province.
    communes = models.ManyToManyField(Commune, blank=True, related_name="+")
    methods = models.JSONField("hình thức chi trả")  # ["account"], ["cash"] or both
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    fee_kind = models.CharField("cách tính phí", max_length=10, choices=FeeKind.choices)
    fee_value = models.DecimalField("mức phí", max_digits=12, decimal_places=2)
    # Who pays and from which account (the debtor of the transfer file).
    payer_name = models.CharField("đơn vị chi trả", max_length=200)
    payer_account = models.CharField("tài khoản đơn vị", max_length=34)
    payer_bank_bin = models.CharField("BIN ngân hàng của đơn vị", max_length=6)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(valid_to__isnull=True)
                | models.Q(valid_to__gte=models.F("valid_from")),
                name="contract_ends_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(fee_value__gte=0), name="contract_fee_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} — HĐ {self.number}"
