from django.contrib.auth.models import AbstractUser
from django.db import models

from asxh.access.roles import Capability, Role, role_can
from asxh.units.models import Commune, Province


class User(AbstractUser):
    """A person using asxh: one role, one or more areas."""

    role = models.CharField("vai trò", max_length=32, choices=Role.choices)
    full_name = models.CharField("họ và tên", max_length=150, blank=True)
    organisation = models.CharField("đơn vị", max_length=200, blank=True)

    def can(self, capability: Capability) -> bool:
        return self.is_active and role_can(self.role, capability)

    def __str__(self) -> str:
        return self.full_name or self.username


class AreaAssignment(models.Model):
    """A user works in a whole province or in one commune."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="areas")
    province = models.ForeignKey(Province, null=True, blank=True, on_delete=models.PROTECT)
    commune = models.ForeignKey(Commune, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(province__isnull=False, commune__isnull=True)
                    | models.Q(province__isnull=True, commune__isnull=False)
                ),
                name="area_is_province_xor_commune",
            )
        ]

    def __str__(self) -> str:
        return str(self.commune or self.province)
