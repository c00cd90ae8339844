"""Reads of findings. Every function takes the acting user; the area scope is applied here."""

from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.http import Http404

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.quality.models import Finding, FindingKind, FindingState

PAGE_SIZE = 50


def findings_for(user: User) -> QuerySet[Finding]:
    """The findings about people of the user's communes: a province user sees the province's,
    a commune officer the commune's."""
    require(user, Capability.VIEW_QUALITY)
    commune_ids = list(communes_for(user).values_list("pk", flat=True))
    return Finding.objects.filter(commune_id__in=commune_ids)


@dataclass(frozen=True)
class FindingFilters:
    kind: str = ""
    state: str = FindingState.OPEN
    commune: str = ""


def _filtered(user: User, filters: FindingFilters, *, with_kind: bool = True) -> QuerySet[Finding]:
    qs = findings_for(user)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.commune:
        qs = qs.filter(commune__code=filters.commune)
    if with_kind and filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs


@dataclass(frozen=True)
class FindingPage:
    rows: list[Finding]
    next_before: int | None


def finding_page(
    user: User, filters: FindingFilters, *, before: int | None = None, size: int = PAGE_SIZE
) -> FindingPage:
    """Newest first, keyset-paginated on the id so a deep page costs what the first does."""
    qs = _filtered(user, filters).select_related(
        "beneficiary", "commune", "related__commune", "resolved_by"
    )
    if before:
        qs = qs.filter(pk__lt=before)
    rows = list(qs.order_by("-pk")[: size + 1])
    next_before = rows[size - 1].pk if len(rows) > size else None
    return FindingPage(rows=rows[:size], next_before=next_before)


def finding_counts(user: User, filters: FindingFilters) -> list[tuple[str, str, int]]:
    """(kind, label, count) for every kind, under the state and commune filters."""
    counts = dict(
        _filtered(user, filters, with_kind=False)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
        .values_list("kind", "n")
    )
    return [(kind, label, counts.get(kind, 0)) for kind, label in FindingKind.choices]


def finding_get(user: User, finding_id: int) -> Finding:
    try:
        return findings_for(user).select_related("beneficiary", "commune").get(pk=finding_id)
    except Finding.DoesNotExist:
        raise Http404("Không tìm thấy phát hiện này trong địa bàn của bạn.") from None
