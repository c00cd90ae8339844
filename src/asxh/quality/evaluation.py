"""How well the scan finds the defects `asxh seed` planted: precision and recall per kind.

Synthetic data only: the planted defects are in `synthetic_seeddefect`. Reads the open scan
findings of the communes, so run the scan on them first.
"""

from asxh.quality.logic import (
    DEFECT_OF_KIND,
    NAME_ENCODING,
    SCAN_PREFIX,
    Found,
    Planted,
    Score,
    detection_scores,
)
from asxh.quality.models import Finding, FindingState
from asxh.synthetic.models import SeedDefect

CHUNK = 20_000


def planted_defects(commune_ids: list[int]) -> list[Planted]:
    rows = SeedDefect.objects.filter(beneficiary__commune_id__in=commune_ids).values_list(
        "kind", "beneficiary_id", "detail"
    )
    return [
        Planted(kind, pk, (detail or {}).get("original"))
        for kind, pk, detail in rows.iterator(chunk_size=CHUNK)
    ]


def scan_findings(commune_ids: list[int]) -> list[Found]:
    rows = Finding.objects.filter(
        commune_id__in=commune_ids,
        state=FindingState.OPEN,
        kind__in=[*DEFECT_OF_KIND, NAME_ENCODING],
        key__startswith=SCAN_PREFIX,
    ).values_list("kind", "beneficiary_id", "related_id", "detail")
    return [
        Found(kind, pk, related, (detail or {}).get("encoding"))
        for kind, pk, related, detail in rows.iterator(chunk_size=CHUNK)
    ]


def detection_report(commune_ids: list[int]) -> list[Score]:
    return detection_scores(planted_defects(commune_ids), scan_findings(commune_ids))
