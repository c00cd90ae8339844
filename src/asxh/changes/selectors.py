"""Reading changes, within the user's area."""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for
from asxh.changes.models import ChangeRequest, ChangeState


def changes_for(
    user: User, *, state: str | None = None, month: dt.date | None = None, commune: str = ""
) -> QuerySet[ChangeRequest]:
    """Changes of the user's communes: of one state, effective in one month, of one commune
    (its code) when given. For those who propose or approve changes."""
    if not (user.can(Capability.PROPOSE_CHANGES) or user.can(Capability.APPROVE_CHANGES)):
        raise PermissionDenied(f"Vai trò '{user.get_role_display()}' không có quyền này.")
    area = list(communes_for(user).values_list("pk", flat=True))
    changes = ChangeRequest.objects.filter(commune_id__in=area)
    if state:
        changes = changes.filter(state=state)
    if month:
        changes = changes.filter(effective_month=month.replace(day=1))
    if commune:
        changes = changes.filter(commune__code=commune)
    return changes.select_related("beneficiary", "commune", "proposed_by", "decided_by")


def change_get(user: User, change_id: int) -> ChangeRequest:
    try:
        return changes_for(user).get(pk=change_id)
    except ChangeRequest.DoesNotExist:
        raise Http404("Không tìm thấy biến động trong địa bàn của bạn.") from None


def changes_pending_count(area_commune_ids: Iterable[int], month: dt.date) -> int:
    """Changes still waiting for a decision that apply by `month`: they hold the month's
    payment list back."""
    return ChangeRequest.objects.filter(
        commune_id__in=list(area_commune_ids),
        state=ChangeState.PROPOSED,
        effective_month__lte=month,
    ).count()
