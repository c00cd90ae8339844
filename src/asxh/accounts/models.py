"""Receiving accounts and the institutions (banks, mobile money, e-wallets) that hold them."""

from django.db import models

from asxh.beneficiaries.models import Beneficiary, Payee


class AccountKind(models.TextChoices):
    BANK = "bank", "Tài khoản ngân hàng"
    MOBILE_MONEY = "mobile_money", "Mobile Money"
    E_WALLET = "e_wallet", "Ví điện tử"


class Institution(models.Model):
    """A bank or payment institution, identified by its NAPAS BIN."""

    bin = models.CharField("mã BIN", max_length=6, unique=True)
    code = models.CharField(max_length=32)
    short_name = models.CharField("tên viết tắt", max_length=100)
    name = models.CharField("tên", max_length=200)
    kind = models.CharField(max_length=12, choices=AccountKind.choices, default=AccountKind.BANK)
    # Former names (LienVietPostBank → LPBank …), for matching names in old files.
    aliases = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["short_name"]

    def __str__(self) -> str:
        return f"{self.short_name} ({self.bin})"


class Verification(models.TextChoices):
    UNVERIFIED = "unverified", "Chưa xác thực"
    VERIFIED = "verified", "Đã xác thực"
    MISMATCH = "mismatch", "Sai lệch tên chủ tài khoản"
    FAILED = "failed", "Không tồn tại/không hợp lệ"


class AccountStatus(models.TextChoices):
    ACTIVE = "active", "Đang dùng"
    SUPERSEDED = "superseded", "Đã thay thế"
    CLOSED = "closed", "Đã đóng"


class ReceivingAccount(models.Model):
    """An account a payee receives benefits into. A new account supersedes the old one."""

    # Indexed by account_benef_status (beneficiary, status).
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="accounts", db_index=False
    )
    payee = models.ForeignKey(Payee, on_delete=models.PROTECT, related_name="accounts")
    kind = models.CharField("loại", max_length=12, choices=AccountKind.choices)
    institution = models.ForeignKey(Institution, on_delete=models.PROTECT, related_name="+")
    account_number = models.CharField("số tài khoản", max_length=34)
    holder_name = models.CharField("chủ tài khoản", max_length=150)
    verification = models.CharField(
        "xác thực", max_length=10, choices=Verification.choices, default=Verification.UNVERIFIED
    )
    verified_on = models.DateField("ngày xác thực", null=True, blank=True)
    status = models.CharField(max_length=10, choices=AccountStatus.choices, default="active")
    opened_on = models.DateField("ngày ghi nhận")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        indexes = [models.Index(fields=["beneficiary", "status"], name="account_benef_status")]
        constraints = [
            # One account in use per payee; the old one is superseded, not overwritten.
            models.UniqueConstraint(
                fields=["payee"],
                condition=models.Q(status="active"),
                name="one_active_account_per_payee",
            ),
            models.CheckConstraint(
                condition=models.Q(account_number__regex=r"^[0-9A-Za-z]{4,34}$"),
                name="account_number_format",
            ),
        ]
