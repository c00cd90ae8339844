"""Administrative units: the two-level structure in force from 1/7/2025 and the legacy three levels.

Both come from the `vietnamadminunits` package (MIT), loaded by `asxh units load`.
"""

from django.db import models


class Province(models.Model):
    """Tỉnh/thành phố from 1/7/2025 (34 units)."""

    code = models.CharField("mã", max_length=2, unique=True)
    name = models.CharField("tên", max_length=100)
    short_name = models.CharField("tên ngắn", max_length=100)
    key = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "tỉnh/thành phố"

    def __str__(self) -> str:
        return self.name


class Commune(models.Model):
    """Xã/phường/đặc khu from 1/7/2025 (3,321 units)."""

    code = models.CharField("mã", max_length=5, unique=True)
    name = models.CharField("tên", max_length=100)
    short_name = models.CharField("tên ngắn", max_length=100)
    kind = models.CharField("loại", max_length=20)
    key = models.CharField(max_length=100)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="communes")

    class Meta:
        ordering = ["code"]
        verbose_name = "xã/phường"
        constraints = [
            models.UniqueConstraint(
                fields=["province", "key"], name="commune_key_unique_in_province"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}, {self.province.short_name}"


class LegacyProvince(models.Model):
    """Tỉnh before 1/7/2025 (63 units); its code is also the ID-number birth-province code."""

    code = models.CharField(max_length=2, unique=True)
    name = models.CharField(max_length=100)
    key = models.CharField(max_length=100, unique=True)
    successor = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="predecessors")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class LegacyDistrict(models.Model):
    """Huyện/quận before 1/7/2025 (696 units)."""

    code = models.CharField(max_length=3, unique=True)
    name = models.CharField(max_length=100)
    key = models.CharField(max_length=100)
    province = models.ForeignKey(LegacyProvince, on_delete=models.PROTECT, related_name="districts")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class LegacyCommune(models.Model):
    """Xã/phường/thị trấn before 1/7/2025 (~10,040 units)."""

    code = models.CharField(max_length=5, unique=True)
    name = models.CharField(max_length=100)
    key = models.CharField(max_length=100)
    district = models.ForeignKey(LegacyDistrict, on_delete=models.PROTECT, related_name="communes")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name}, {self.district.name}, {self.district.province.name}"


class CommuneSuccession(models.Model):
    """Old commune → new commune. A split commune has several rows, one marked default."""

    legacy_commune = models.ForeignKey(
        LegacyCommune, on_delete=models.CASCADE, related_name="successions"
    )
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, related_name="successions")
    is_default = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["legacy_commune", "commune"], name="succession_unique_pair"
            )
        ]
