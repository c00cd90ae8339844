from collections.abc import Iterator

from django.db.models import QuerySet

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.audit.logic import ChainBreak, EventFields, first_break
from asxh.audit.models import AccessLog, AuditEvent


def audit_events_for(user: User) -> QuerySet[AuditEvent]:
    """Events in the user's areas (plus area-less system events), newest first."""
    require(user, Capability.VIEW_AUDIT)
    codes = communes_for(user).values("code")
    return AuditEvent.objects.filter(area_code__in=codes).order_by("-id") | (
        AuditEvent.objects.filter(area_code="").order_by("-id")
    )


def access_logs_for(user: User) -> QuerySet[AccessLog]:
    require(user, Capability.VIEW_AUDIT)
    return AccessLog.objects.filter(area_code__in=communes_for(user).values("code"))


def _chain_rows() -> Iterator[tuple[int, str, str, EventFields]]:
    rows = AuditEvent.objects.order_by("id").values_list(
        "id",
        "prev_hash",
        "hash",
        "at",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "area_code",
        "before",
        "after",
        "reason",
    )
    for row in rows.iterator(chunk_size=5000):
        yield row[0], row[1], row[2], EventFields(*row[3:])


def audit_chain_first_break() -> ChainBreak | None:
    """The whole chain is checked: verification is not scoped, it is about integrity."""
    return first_break(_chain_rows())
