"""Changes (biến động): increases, decreases and adjustments the commune proposes and someone
else approves. A change is applied to the registry when approved and is never edited after its
decision: a returned change is corrected by a new proposal."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from asxh.beneficiaries.models import Beneficiary
from asxh.units.models import Commune


class ChangeKind(models.TextChoices):
    INCREASE_PERSON = "increase_person", "Tăng: đối tượng mới"
    INCREASE_ENROLMENT = "increase_enrolment", "Tăng: thêm diện hưởng"
    DECREASE_DEATH = "decrease_death", "Giảm: chết"
    DECREASE_MOVED = "decrease_moved", "Giảm: chuyển đi nơi khác"
    DECREASE_INELIGIBLE = "decrease_ineligible", "Giảm: không còn đủ điều kiện"
    DECREASE_SOCIAL_INSURANCE = "decrease_social_insurance", "Giảm: chuyển sang hưởng BHXH"
    ADJUST_ENROLMENT = "adjust_enrolment", "Điều chỉnh: diện hưởng, mức độ khuyết tật"
    ADJUST_PAYEE = "adjust_payee", "Điều chỉnh: người nhận"
    ADJUST_ACCOUNT = "adjust_account", "Điều chỉnh: tài khoản nhận"
    ADJUST_METHOD = "adjust_method", "Điều chỉnh: hình thức nhận"
    # Lifts the suspension after 3 months not collected (TT 02/2021 Điều 6 khoản 1 điểm b):
    # paid again from the effective month, the suspended months owed as arrears.
    RESUME_PAYMENT = "resume_payment", "Tiếp tục chi trả sau tạm dừng (không nhận tiền)"


class ChangeState(models.TextChoices):
    PROPOSED = "proposed", "Chờ thẩm định"
    APPROVED = "approved", "Đã phê duyệt"
    RETURNED = "returned", "Trả lại"
    WITHDRAWN = "withdrawn", "Đã rút"


class ChangeRequest(models.Model):
    """One proposed change, its decision and when it was applied."""

    # Null only for a new person until the approval registers them.
    beneficiary = models.ForeignKey(
        Beneficiary,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="change_requests",
        verbose_name="đối tượng",
    )
    # Indexed by change_commune_state (commune, state, effective_month).
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="+", db_index=False)
    kind = models.CharField("loại biến động", max_length=32, choices=ChangeKind.choices)
    payload = models.JSONField("nội dung", default=dict)
    effective_month = models.DateField("tháng hiệu lực")  # the first day of the month
    note = models.TextField("căn cứ, hồ sơ kèm theo")
    state = models.CharField(
        "trạng thái", max_length=10, choices=ChangeState.choices, default=ChangeState.PROPOSED
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Also the time of a withdrawal (which has no decided_by: the proposer withdraws).
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField("lý do", blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "biến động"
        ordering = ["-proposed_at", "-id"]
        indexes = [
            models.Index(
                fields=["commune", "state", "effective_month"], name="change_commune_state"
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("proposed_by")),
                name="change_decider_not_proposer",
            ),
            models.CheckConstraint(
                condition=Q(beneficiary__isnull=False) | Q(kind="increase_person"),
                name="change_has_beneficiary",
            ),
            models.CheckConstraint(condition=~Q(note=""), name="change_has_note"),
            models.CheckConstraint(
                condition=(
                    Q(
                        state="proposed",
                        decided_by__isnull=True,
                        decided_at__isnull=True,
                        applied_at__isnull=True,
                    )
                    | Q(
                        state="approved",
                        decided_by__isnull=False,
                        decided_at__isnull=False,
                        applied_at__isnull=False,
                        beneficiary__isnull=False,
                    )
                    | (
                        Q(
                            state="returned",
                            decided_by__isnull=False,
                            decided_at__isnull=False,
                            applied_at__isnull=True,
                        )
                        & ~Q(decision_reason="")
                    )
                    | Q(
                        state="withdrawn",
                        decided_by__isnull=True,
                        decided_at__isnull=False,
                        applied_at__isnull=True,
                    )
                ),
                name="change_state_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"Biến động số {self.pk}: {self.get_kind_display()}"
