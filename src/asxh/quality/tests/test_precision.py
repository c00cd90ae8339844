"""Detection measured on a small seeded province: precision and recall per planted kind.

`bench/quality_eval.py` measures the same on a million people (bench/README.md).
"""

import pytest

from asxh.access.roles import Role
from asxh.quality.evaluation import detection_report
from asxh.synthetic.services import seed_province
from asxh.units.models import Commune
from conftest import make_user

from .helpers import scan

pytestmark = pytest.mark.django_db

PRECISION_MIN, RECALL_MIN = 0.99, 0.98


def test_the_scan_finds_the_planted_defects_and_little_else(areas):
    codes = list(
        Commune.objects.filter(province=areas.province)
        .order_by("code")
        .values_list("code", flat=True)
    )[:12]
    seed_province(
        province_code="91", beneficiaries=12_000, seed=7, defect_rate=0.05, commune_codes=codes
    )
    result = scan(make_user(Role.PROVINCE, province=areas.province))
    assert result.scanned == 12_000
    ids = list(Commune.objects.filter(code__in=codes).values_list("pk", flat=True))
    scores = {s.kind: s for s in detection_report(ids)}
    for kind, s in scores.items():
        assert s.planted >= 60, kind  # enough of each kind to measure
        assert s.precision >= PRECISION_MIN, (kind, s)
        assert s.recall >= RECALL_MIN, (kind, s)
