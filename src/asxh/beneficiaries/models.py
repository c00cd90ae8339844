"""The beneficiary registry: people, their enrolments, payees and payment-method registrations.

Approved data is never overwritten without a trace: each change to a person writes a
BeneficiaryRevision and an audit event; enrolments, payees and registrations are ended and
replaced by new rows, not edited.
"""

from django.conf import settings
from django.db import models

from asxh.units.models import Commune


class Sex(models.TextChoices):
    MALE = "M", "Nam"
    FEMALE = "F", "Nữ"


class DatePrecision(models.TextChoices):
    DAY = "day", "Ngày/tháng/năm"
    MONTH = "month", "Tháng/năm"
    YEAR = "year", "Chỉ có năm"


class Status(models.TextChoices):
    ACTIVE = "active", "Đang hưởng"
    SUSPENDED = "suspended", "Tạm dừng"
    STOPPED = "stopped", "Thôi hưởng"
    DECEASED = "deceased", "Đã chết"


class PaymentMethod(models.TextChoices):
    CASH = "cash", "Tiền mặt"
    ACCOUNT = "account", "Không dùng tiền mặt, đã có tài khoản"
    NO_ACCOUNT = "no_account", "Không dùng tiền mặt, chưa có tài khoản"


class Beneficiary(models.Model):
    """Đối tượng hưởng: one person."""

    full_name = models.CharField("họ và tên", max_length=150)
    # Lower case, no diacritics: the search key ("nguyen thi dao").
    name_folded = models.CharField(max_length=150, editable=False)
    birth_date = models.DateField("ngày sinh", null=True, blank=True)
    birth_date_precision = models.CharField(
        max_length=5, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    sex = models.CharField("giới tính", max_length=1, choices=Sex.choices)
    id_number = models.CharField("số định danh/CCCD", max_length=12, blank=True)
    # Indexed by benef_commune_name, whose first column it is; a second index only slows loads.
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        related_name="beneficiaries",
        verbose_name="xã/phường",
        db_index=False,
    )
    village = models.CharField("thôn/ấp/tổ dân phố", max_length=150, blank=True)
    phone = models.CharField("điện thoại", max_length=10, blank=True)
    ethnicity = models.CharField("dân tộc", max_length=50, blank=True)
    status = models.CharField(
        "tình trạng", max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_since = models.DateField("từ ngày", null=True, blank=True)
    death_date = models.DateField("ngày chết", null=True, blank=True)
    # The method of the newest registration, kept here so the list can filter by it.
    payment_method = models.CharField(
        "hình thức nhận", max_length=10, choices=PaymentMethod.choices, blank=True
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "đối tượng"
        indexes = [
            models.Index(fields=["commune", "name_folded", "id"], name="benef_commune_name"),
            models.Index(fields=["name_folded", "id"], name="benef_name"),
            models.Index(fields=["id_number"], name="benef_id_number"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(id_number="")
                | models.Q(id_number__regex=r"^([0-9]{9}|[0-9]{12})$"),
                name="benef_id_number_9_or_12_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def id_kind(self) -> str:
        return {12: "CCCD", 9: "CMND"}.get(len(self.id_number), "")


class BeneficiaryRevision(models.Model):
    """A snapshot of the person after each change: the history the detail page shows."""

    # Indexed by revision_unique (beneficiary, version).
    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.CASCADE, related_name="revisions", db_index=False
    )
    version = models.PositiveIntegerField()
    data = models.JSONField()
    changed_at = models.DateTimeField(auto_now_add=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["beneficiary", "version"], name="revision_unique")
        ]


class Programme(models.Model):
    """A benefit programme: BTXH (NĐ 20/2021), NCC, poor households, social pension, one-offs."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    legal_basis = models.CharField(max_length=200, blank=True)
    is_one_off = models.BooleanField(default=False)

    def __str__(self) -> str:
        return self.name


class TargetGroup(models.Model):
    """A group within a programme (e.g. NĐ 20/2021 Điều 5 khoản 6: người khuyết tật nặng)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="groups")
    code = models.CharField(max_length=48, unique=True)
    name = models.CharField(max_length=250)
    legal_basis = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["programme_id", "code"]

    def __str__(self) -> str:
        return self.name


class DisabilityLevel(models.TextChoices):
    NONE = "", "Không"
    SEVERE = "severe", "Nặng"
    VERY_SEVERE = "very_severe", "Đặc biệt nặng"


class HouseholdPoverty(models.TextChoices):
    NONE = "", "Không"
    POOR = "poor", "Hộ nghèo"
    NEAR_POOR = "near_poor", "Hộ cận nghèo"


class Enrolment(models.Model):
    """A person's membership of a group from a start month to an optional end month.

    The attributes are those the entitlement rules read. An enrolment is never edited: ending
    it sets end_month once (audited); a change of attributes is a new enrolment.
    """

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="enrolments"
    )
    # Indexed by enrol_group_benef (group, beneficiary).
    group = models.ForeignKey(
        TargetGroup, on_delete=models.PROTECT, related_name="enrolments", db_index=False
    )
    start_month = models.DateField("từ tháng")
    end_month = models.DateField("đến hết tháng", null=True, blank=True)
    decision_number = models.CharField("số quyết định", max_length=64, blank=True)
    decision_date = models.DateField("ngày quyết định", null=True, blank=True)
    disability_level = models.CharField(
        max_length=12, choices=DisabilityLevel.choices, blank=True, default=""
    )
    household_poverty = models.CharField(
        max_length=10, choices=HouseholdPoverty.choices, blank=True, default=""
    )
    in_education = models.BooleanField(default=False)
    impairment_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    martyr_count = models.PositiveSmallIntegerField(null=True, blank=True)
    # Health data: sensitive under Luật 91/2025/QH15; never shown on public lists.
    hiv_positive = models.BooleanField(default=False)
    # Single parent (Điều 5 khoản 4): children being raised; Điều 20: children under 36 months.
    children = models.PositiveSmallIntegerField("số con", null=True, blank=True)
    pregnant = models.BooleanField("đang mang thai", default=False, db_default=False)
    # Điều 20: which care is supported (asxh.entitlement.engine.CARE_KINDS).
    care_kind = models.CharField(
        "loại hỗ trợ chăm sóc", max_length=24, blank=True, default="", db_default=""
    )
    cared_birth_date = models.DateField("ngày sinh người được nhận nuôi", null=True, blank=True)
    ended_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start_month", "id"]
        indexes = [models.Index(fields=["group", "beneficiary"], name="enrol_group_benef")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_month__isnull=True)
                | models.Q(end_month__gte=models.F("start_month")),
                name="enrolment_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(impairment_percent__isnull=True)
                | models.Q(impairment_percent__lte=100),
                name="enrolment_impairment_at_most_100",
            ),
        ]


class PayeeKind(models.TextChoices):
    SELF = "self", "Bản thân"
    GUARDIAN = "guardian", "Người giám hộ"
    AUTHORISED = "authorised", "Người được ủy quyền"
    CAREGIVER = "caregiver", "Hộ gia đình chăm sóc, nuôi dưỡng"


class Payee(models.Model):
    """Người nhận: who receives the money for a beneficiary."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="payees")
    kind = models.CharField("loại", max_length=12, choices=PayeeKind.choices)
    full_name = models.CharField("họ và tên", max_length=150)
    id_number = models.CharField("số định danh/CCCD", max_length=12, blank=True)
    phone = models.CharField("điện thoại", max_length=10, blank=True)
    relationship = models.CharField("quan hệ", max_length=100, blank=True)
    valid_from = models.DateField("hiệu lực từ")
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="authorised") | models.Q(valid_to__isnull=False),
                name="authorisation_has_end_date",
            ),
        ]


class PaymentMethodRegistration(models.Model):
    """Đăng ký hình thức nhận: the newest one is in force."""

    beneficiary = models.ForeignKey(
        Beneficiary, on_delete=models.PROTECT, related_name="method_registrations"
    )
    payee = models.ForeignKey(Payee, null=True, blank=True, on_delete=models.PROTECT)
    method = models.CharField("hình thức", max_length=10, choices=PaymentMethod.choices)
    registered_on = models.DateField("ngày đăng ký")
    source = models.CharField("nguồn", max_length=100)
    note = models.CharField(max_length=250, blank=True)
    # Special case of NĐ 20/2021 practice: frail, disabled, no phone → cash at home.
    cash_at_home = models.BooleanField("chi tại nhà", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-registered_on", "-id"]
