"""Writes of findings: raising them (set-based), the scan that raises and closes its own, and
dismissing one with a reason. Each write is one transaction with its audit event."""

import datetime as dt
import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.audit.services import audit_record
from asxh.core.bulk import bulk_insert
from asxh.quality.logic import FIXED_REASON, SCAN_KINDS, SCAN_PREFIX, Problem
from asxh.quality.models import Finding, FindingState
from asxh.quality.scan import scan_problems
from asxh.units.models import Commune

__all__ = [
    "Problem",
    "ScanResult",
    "finding_dismiss",
    "findings_fix",
    "findings_raise",
    "quality_scan",
]

CHUNK = 5_000


def _lock_findings() -> None:
    """One writer of findings at a time, so two scans never raise the same problem twice."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('asxh.quality_findings'))")


@transaction.atomic
def findings_raise(problems: Iterable[Problem]) -> tuple[int, int]:
    """Store new problems as open findings; one already open is marked as seen again (and
    follows its person to a new commune); one dismissed with a reason is not raised again.

    Returns (raised, seen_again).
    """
    _lock_findings()
    now = timezone.now()
    by_key = {(p.kind, p.key): p for p in problems}
    known: set[tuple[str, str]] = set()
    seen_again = 0
    keys_of: dict[str, list[str]] = defaultdict(list)
    for kind, key in by_key:
        keys_of[kind].append(key)
    for kind, keys in keys_of.items():
        for start in range(0, len(keys), CHUNK):
            chunk = keys[start : start + CHUNK]
            rows = Finding.objects.filter(kind=kind, key__in=chunk).exclude(
                state=FindingState.FIXED
            )
            opened = []
            for pk, key, state, commune_id in rows.values_list("pk", "key", "state", "commune_id"):
                known.add((kind, key))
                if state == FindingState.OPEN:
                    opened.append(pk)
                    _follow_person(pk, commune_id, by_key[kind, key].commune_id)
            seen_again += Finding.objects.filter(pk__in=opened).update(last_seen_at=now)
    new = (p for kk, p in by_key.items() if kk not in known)
    return bulk_insert(Finding, FINDING_COLUMNS, _finding_rows(new, now)), seen_again


FINDING_COLUMNS = [
    "kind", "beneficiary_id", "related_id", "commune_id", "key", "detail", "state",
    "state_reason", "resolved_by_id", "resolved_at", "detected_at", "last_seen_at",
]  # fmt: skip


def _finding_rows(problems: Iterable[Problem], now: dt.datetime) -> Iterator[tuple[Any, ...]]:
    """New open findings in database form, for COPY (a scan raises tens of thousands)."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    for p in problems:
        yield (
            p.kind, p.beneficiary_id, p.related_id, p.commune_id, p.key,
            json.dumps(p.detail, ensure_ascii=False), FindingState.OPEN, "", None, None, stamp,
            stamp,
        )  # fmt: skip


def _follow_person(pk: int, commune_id: int, now_in: int) -> None:
    """A person who moved takes the open finding to the new commune (rare: one row each)."""
    if commune_id != now_in:
        Finding.objects.filter(pk=pk).update(commune_id=now_in)


@dataclass
class ScanResult:
    communes: int
    scanned: int = 0
    raised: int = 0
    seen_again: int = 0
    closed: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0


def _scope(actor: User, commune_code: str) -> list[Commune]:
    communes = communes_for(actor)
    if commune_code:
        communes = communes.filter(code=commune_code)
        if not communes.exists():
            raise PermissionDenied(f"Xã/phường mã {commune_code} không thuộc địa bàn của bạn.")
    return list(communes.select_related("province"))


def _area_code(communes: list[Commune]) -> str:
    if len(communes) == 1:
        return communes[0].code
    provinces = {c.province.code for c in communes}
    return provinces.pop() if len(provinces) == 1 else ""


def quality_scan(
    *, actor: User, commune_code: str = "", today: dt.date | None = None
) -> ScanResult:
    """Scan the people of the actor's area (or of one commune of it): raise what is wrong,
    close as fixed the scan's open findings it no longer sees. The registry is read first,
    outside the transaction; the findings are written in one transaction with the audit event.
    """
    require(actor, Capability.VIEW_QUALITY)
    started = time.perf_counter()
    communes = _scope(actor, commune_code)
    ids = [c.pk for c in communes]
    outcome = scan_problems(ids, today=today or timezone.localdate())
    result = ScanResult(communes=len(ids), scanned=outcome.scanned)
    result.by_kind = dict(sorted(Counter(p.kind for p in outcome.problems).items()))
    with transaction.atomic():
        result.raised, result.seen_again = findings_raise(outcome.problems)
        result.closed = _close_unseen(ids, outcome.problems, actor)
        result.seconds = round(time.perf_counter() - started, 3)
        audit_record(
            actor=actor,
            action="quality.scan",
            object_type="area",
            object_id=commune_code or _area_code(communes),
            area_code=_area_code(communes),
            after={k: v for k, v in vars(result).items() if k != "seconds"},
        )
    return result


def _close_unseen(commune_ids: list[int], problems: list[Problem], actor: User) -> int:
    """The scan's open findings about people of the scope that this scan did not see again."""
    seen = {(p.kind, p.key) for p in problems}
    rows = Finding.objects.filter(
        beneficiary__commune_id__in=commune_ids,
        state=FindingState.OPEN,
        kind__in=SCAN_KINDS,
        key__startswith=SCAN_PREFIX,
    ).values_list("pk", "kind", "key")
    gone = [pk for pk, kind, key in rows.iterator(chunk_size=CHUNK) if (kind, key) not in seen]
    now = timezone.now()
    for start in range(0, len(gone), CHUNK):
        Finding.objects.filter(pk__in=gone[start : start + CHUNK]).update(
            state=FindingState.FIXED, state_reason=FIXED_REASON, resolved_by=actor, resolved_at=now
        )
    return len(gone)


@transaction.atomic
def findings_fix(
    *,
    actor: User,
    beneficiary_ids: Iterable[int],
    kinds: Iterable[str],
    reason: str,
    key_prefix: str = "",
) -> int:
    """Close as fixed the open findings of these kinds (and key prefix) about these people, when
    a later check shows the problem is gone (the police now answer "Khớp", the bank now gives
    the holder's name). Returns how many were closed."""
    ids = sorted(set(beneficiary_ids))
    now, closed = timezone.now(), 0
    for start in range(0, len(ids), CHUNK):
        rows = Finding.objects.filter(
            beneficiary_id__in=ids[start : start + CHUNK],
            kind__in=list(kinds),
            state=FindingState.OPEN,
            key__startswith=key_prefix,
        )
        found = list(rows.values_list("pk", "commune__code"))
        closed += rows.update(
            state=FindingState.FIXED, state_reason=reason, resolved_by=actor, resolved_at=now
        )
        by_commune: dict[str, list[int]] = defaultdict(list)
        for pk, code in found:
            by_commune[code].append(pk)
        for code, pks in sorted(by_commune.items()):
            audit_record(
                actor=actor,
                action="quality.fixed",
                object_type="commune",
                object_id=code,
                area_code=code,
                after={"findings": pks, "state": FindingState.FIXED},
                reason=reason,
            )
    return closed


@transaction.atomic
def finding_dismiss(*, actor: User, finding_id: int, reason: str) -> Finding:
    """Close an open finding as not a problem; the reason is kept and audited, and a rescan
    will not raise the same problem again."""
    require(actor, Capability.EDIT_BENEFICIARIES)
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            {"reason": "Ghi lý do bỏ qua (ví dụ: đã đối chiếu CCCD, là hai người khác nhau)."}
        )
    finding = (
        Finding.objects.select_for_update()
        .filter(pk=finding_id, commune__in=communes_for(actor))
        .select_related("commune")
        .first()
    )
    if finding is None:
        raise PermissionDenied("Phát hiện này không thuộc địa bàn của bạn.")
    if finding.state != FindingState.OPEN:
        raise ValidationError(
            f"Phát hiện số {finding.pk} đã ở trạng thái “{finding.get_state_display()}”."
        )
    finding.state = FindingState.DISMISSED
    finding.state_reason = reason
    finding.resolved_by = actor
    finding.resolved_at = timezone.now()
    finding.save(update_fields=["state", "state_reason", "resolved_by", "resolved_at"])
    audit_record(
        actor=actor,
        action="quality.dismiss",
        object_type="finding",
        object_id=finding.pk,
        area_code=finding.commune.code,
        before={"state": FindingState.OPEN},
        after={
            "state": FindingState.DISMISSED,
            "kind": finding.kind,
            "beneficiary": finding.beneficiary_id,
        },
        reason=reason,
    )
    return finding
