"""Writes of findings. Raising is set-based: a scan of a province raises them in one call."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from asxh.quality.models import Finding, FindingState


@dataclass(frozen=True)
class Problem:
    """A problem found with one record, before it is stored as a finding."""

    kind: str
    beneficiary_id: int
    commune_id: int
    key: str
    detail: dict[str, Any] = field(default_factory=dict)
    related_id: int | None = None


@transaction.atomic
def findings_raise(problems: Iterable[Problem]) -> tuple[int, int]:
    """Store new problems as open findings; one already open is marked as seen again.

    Returns (raised, seen_again).
    """
    now = timezone.now()
    by_key = {(p.kind, p.key): p for p in problems}
    open_keys: set[tuple[str, str]] = set()
    kinds = {kind for kind, _ in by_key}
    for kind in kinds:
        keys = [key for k, key in by_key if k == kind]
        for start in range(0, len(keys), 5000):
            chunk = keys[start : start + 5000]
            found = Finding.objects.filter(state=FindingState.OPEN, kind=kind, key__in=chunk)
            open_keys.update((kind, key) for key in found.values_list("key", flat=True))
            found.update(last_seen_at=now)
    new = [
        Finding(
            kind=p.kind,
            beneficiary_id=p.beneficiary_id,
            related_id=p.related_id,
            commune_id=p.commune_id,
            key=p.key,
            detail=p.detail,
            detected_at=now,
            last_seen_at=now,
        )
        for kk, p in by_key.items()
        if kk not in open_keys
    ]
    Finding.objects.bulk_create(new, batch_size=5000)
    return len(new), len(open_keys)
