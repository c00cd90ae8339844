from django.db import models

from asxh.beneficiaries.models import Beneficiary


class DefectKind(models.TextChoices):
    DUPLICATE_PERSON = "duplicate_person", "Một người ở hai xã"
    ID_BIRTH_YEAR = "id_birth_year", "Số định danh mâu thuẫn năm sinh"
    ID_SEX = "id_sex", "Số định danh mâu thuẫn giới tính"
    LEGACY_ENCODING = "legacy_encoding", "Tên mã TCVN3"
    DECOMPOSED_UNICODE = "decomposed_unicode", "Tên Unicode tổ hợp"
    DEAD_BUT_ACTIVE = "dead_but_active", "Đã chết nhưng còn hưởng"


class SeedDefect(models.Model):
    """A deliberate error planted by `asxh seed`, so detection can be measured later."""

    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=24, choices=DefectKind.choices)
    # For a duplicate: the id of the original record; otherwise what was changed.
    detail = models.JSONField(default=dict)
    seed = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["kind"])]
