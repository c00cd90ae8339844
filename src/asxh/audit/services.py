"""Writing the audit trail. Called inside the transaction of the change it records."""

from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.audit.logic import GENESIS, EventFields, event_hash, jsonable
from asxh.audit.models import AccessLog, AuditEvent

SYSTEM = "system"


def _lock_chain() -> None:
    """One writer extends the chain at a time. SQLite already serialises writers (IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('asxh.audit_chain'))")


def audit_record(
    *,
    actor: User | None,
    action: str,
    object_type: str,
    object_id: Any = "",
    area_code: str = "",
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    if not connection.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction of the change")
    _lock_chain()
    fields = EventFields(
        at=timezone.now(),
        actor_name=actor.username if actor else SYSTEM,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        area_code=area_code or "",
        before=jsonable(before),
        after=jsonable(after),
        reason=reason,
    )
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    prev_hash = last or GENESIS
    return AuditEvent.objects.create(
        at=fields.at,
        actor=actor,
        actor_name=fields.actor_name,
        action=fields.action,
        object_type=fields.object_type,
        object_id=fields.object_id,
        area_code=fields.area_code,
        before=fields.before,
        after=fields.after,
        reason=fields.reason,
        prev_hash=prev_hash,
        hash=event_hash(prev_hash, fields),
    )


@transaction.atomic
def access_log_record(
    *, user: User, object_type: str, object_id: Any, field: str, area_code: str, channel: str
) -> None:
    AccessLog.objects.create(
        user=user,
        object_type=object_type,
        object_id=str(object_id),
        field=field,
        area_code=area_code,
        channel=channel,
    )
