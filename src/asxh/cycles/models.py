"""The monthly payment list of a province: a cycle, its lines, the files sent to providers.

A draft is rebuilt freely (all lines replaced in one transaction). Approval by someone other
than the preparer locks it: a database trigger then refuses any change to its lines, and a
partial unique key makes sure a person is never listed twice for the same benefit and month.
"""

from pathlib import Path

from django.conf import settings
from django.db import models

from asxh.beneficiaries.models import Beneficiary, Payee
from asxh.providers.models import Contract, Provider
from asxh.units.models import Commune, Province


class CycleState(models.TextChoices):
    DRAFT = "draft", "Đang lập"
    LOCKED = "locked", "Đã duyệt, khóa danh sách"
    CLOSED = "closed", "Đã quyết toán"


class Cycle(models.Model):
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    month = models.DateField("tháng")  # the first day of the month paid
    state = models.CharField(max_length=8, choices=CycleState.choices, default=CycleState.DRAFT)
    version = models.PositiveIntegerField("lần lập", default=0)
    built_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    built_at = models.DateTimeField(null=True)
    build_seconds = models.FloatField(null=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField(null=True)
    people = models.PositiveIntegerField(default=0)
    lines = models.PositiveIntegerField(default=0)
    total = models.BigIntegerField("tổng tiền chi", default=0)  # lines not held
    held = models.PositiveIntegerField("dòng tạm giữ", default=0)
    held_total = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["province", "month"], name="one_cycle_per_month"),
            models.CheckConstraint(
                condition=models.Q(locked_by__isnull=True)
                | ~models.Q(locked_by=models.F("built_by")),
                name="cycle_approver_is_not_preparer",
            ),
        ]

    def __str__(self) -> str:
        return f"Kỳ chi {self.month:%m/%Y} — {self.province}"


class LineKind(models.TextChoices):
    MONTHLY = "monthly", "Trợ cấp hằng tháng"
    FUNERAL = "funeral", "Hỗ trợ chi phí mai táng"
    ONE_OFF = "one_off", "Chi một lần"
    ARREARS = "arrears", "Truy lĩnh"
    RECOVERY = "recovery", "Thu hồi"
    CARRY_OVER = "carry_over", "Chưa nhận kỳ trước chuyển sang"


# Kinds that pay a benefit for a month once and only once, whatever the cycle.
ONCE_KINDS = [LineKind.MONTHLY, LineKind.FUNERAL, LineKind.ONE_OFF]


class PaymentLine(models.Model):
    """One amount for one benefit and month. Arrears and recoveries are stored one line per
    month they correct (so that what was paid for a month is a plain sum); lists show them
    grouped ("Truy lĩnh tháng 7–9/2026")."""

    # Lines are written only by the build, from rows it has just read in the same
    # transaction (the cycle row included); checking five foreign keys per row at commit
    # would cost more than writing the lines, so none is a database constraint.
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="payment_lines", db_constraint=False
    )
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    commune = models.ForeignKey(
        Commune, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    payee = models.ForeignKey(
        Payee, null=True, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    contract = models.ForeignKey(
        Contract, null=True, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    method = models.CharField(max_length=8)  # account | cash
    cash_at_home = models.BooleanField(default=False)
    benefit = models.CharField(max_length=48)
    kind = models.CharField(max_length=10, choices=LineKind.choices)
    for_month = models.DateField()
    amount = models.BigIntegerField()
    title = models.CharField(max_length=200)
    # Snapshot of the account paid into, as it was when the list was built.
    bank_bin = models.CharField(max_length=6, blank=True)
    account_number = models.CharField(max_length=34, blank=True)
    # Why the line is listed but not sent this cycle (it is carried to the next one).
    held_reason = models.CharField(max_length=120, blank=True)

    class Meta:
        # Few indexes: each costs every build a B-tree insert per line (a million a month);
        # the cycle's foreign-key index serves the reads, which all select one cycle.
        constraints = [
            models.UniqueConstraint(
                fields=["beneficiary", "benefit", "for_month"],
                condition=models.Q(kind__in=ONCE_KINDS),
                name="paid_once_per_benefit_and_month",
            ),
            models.CheckConstraint(
                # A recovery, or a recovery carried over while it exceeds what is due.
                condition=models.Q(amount__gt=0)
                | models.Q(kind__in=[LineKind.RECOVERY, LineKind.CARRY_OVER], amount__lt=0),
                name="line_amount_positive_except_recovery",
            ),
        ]


class Payment(models.Model):
    """One person's money sent to one provider by a locked list: the person's lines not held,
    summed (a person's lines of one list share commune, method and contract). Written once when
    the list is locked and never changed: what the provider's results are matched against and
    the settlement counts, without summing the lines again."""

    # Written a million at a time from the cycle's lines in the same transaction: no foreign
    # key is checked at commit (as for the lines); payment_once is the index of every read.
    cycle = models.ForeignKey(
        Cycle, on_delete=models.PROTECT, related_name="payments", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    commune = models.ForeignKey(
        Commune, on_delete=models.DO_NOTHING, related_name="+", db_index=False, db_constraint=False
    )
    contract = models.ForeignKey(
        Contract, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
        db_constraint=False,
    )  # fmt: skip
    method = models.CharField(max_length=8)  # account | cash
    at_home = models.BooleanField()
    amount = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "beneficiary"], name="payment_once")
        ]


# The payments of a locked list, from its lines (cycle_approve; migration 0005 for older lists),
# in index order: inserted in that order the unique index grows at its end (5 s instead of 8 s
# for a million payments, measured).
PAYMENTS_WRITE = """
INSERT INTO cycles_payment (cycle_id, beneficiary_id, commune_id, contract_id, method, at_home,
                            amount)
SELECT cycle_id, beneficiary_id, MAX(commune_id), contract_id, MAX(method),
       MAX(CASE WHEN cash_at_home THEN 1 ELSE 0 END) = 1, SUM(amount)
FROM cycles_paymentline
WHERE cycle_id = %s AND held_reason = '' AND contract_id IS NOT NULL
GROUP BY cycle_id, beneficiary_id, contract_id
ORDER BY cycle_id, beneficiary_id
"""


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel"
    CSV = "csv", "CSV"
    PAIN001 = "pain001", "ISO 20022 pain.001"
    PDF = "pdf", "Danh sách chi tiền mặt (PDF)"


class ExportFile(models.Model):
    """A file given to a provider. It is kept under DATA_DIR as it was first written; asking
    for it again hands out that stored file once its SHA-256 matches this record, and is
    refused when the file is missing or changed: a file given out is never replaced by
    another (a new export would differ anyway: the Excel writer stamps the time in it)."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="exports")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(max_length=8, choices=ExportFormat.choices)
    # A PDF cash list is per commune; other files cover the provider's whole list.
    commune = models.ForeignKey(Commune, null=True, on_delete=models.PROTECT, related_name="+")
    sha256 = models.CharField(max_length=64)
    # The stored file, relative to DATA_DIR ('' for files exported before files were kept).
    stored_name = models.CharField(max_length=255, blank=True)
    rows = models.PositiveIntegerField()
    total = models.BigIntegerField()
    message_id = models.CharField(max_length=35)  # fixes what the file says about itself
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cycle", "provider", "format"],
                condition=models.Q(commune__isnull=True),
                name="one_export_per_provider_format",
            ),
            models.UniqueConstraint(
                fields=["cycle", "provider", "format", "commune"],
                condition=models.Q(commune__isnull=False),
                name="one_export_per_commune_format",
            ),
        ]

    @property
    def stored_path(self) -> Path:
        return Path(settings.DATA_DIR) / self.stored_name


class Transfer(models.Model):
    """The provider's word that it has transferred a locked list's account payments (by day
    8); the SMS to the people paid are queued with it."""

    cycle = models.ForeignKey(Cycle, on_delete=models.PROTECT, related_name="transfers")
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="+")
    confirmed_at = models.DateTimeField()
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    messages = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cycle", "provider"], name="one_transfer_per_provider")
        ]
