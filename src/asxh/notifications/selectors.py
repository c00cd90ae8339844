"""Reading templates and the delivery log, scoped to the user's communes."""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, QuerySet

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for
from asxh.beneficiaries.models import Beneficiary
from asxh.notifications.models import SmsMessage, SmsState, SmsTemplate

LOG_ROWS = 200


def sms_page_allowed(user: User) -> bool:
    """The SMS page is for those who work with payment lists or manage the templates."""
    return user.can(Capability.VIEW_CYCLE) or user.can(Capability.MANAGE_SMS)


def sms_log_allowed(user: User) -> bool:
    """The log names people (text, masked phone): only for roles that see people."""
    return sms_page_allowed(user) and user.can(Capability.VIEW_BENEFICIARIES)


def sms_templates() -> QuerySet[SmsTemplate]:
    return SmsTemplate.objects.select_related("updated_by").prefetch_related("versions")


def _messages_in_area(user: User) -> QuerySet[SmsMessage]:
    communes = list(communes_for(user).values_list("pk", flat=True))
    people = Beneficiary.objects.filter(commune_id__in=communes).values("pk")
    return SmsMessage.objects.filter(beneficiary_id__in=people)


def sms_log(user: User, *, state: str = "", limit: int = LOG_ROWS) -> list[SmsMessage]:
    """The latest messages about people of the user's communes, newest first."""
    if not sms_log_allowed(user):
        raise PermissionDenied("Vai trò này không xem được nhật ký tin nhắn.")
    messages = _messages_in_area(user)
    if state in SmsState.values:
        messages = messages.filter(state=state)
    return list(messages.order_by("-id")[:limit])


def sms_state_counts(user: User) -> dict[str, int]:
    """How many messages of the user's area are in each state (totals only)."""
    if not sms_page_allowed(user):
        raise PermissionDenied("Vai trò này không xem được tin nhắn.")
    rows = _messages_in_area(user).values("state").annotate(n=Count("id"))
    found = {row["state"]: row["n"] for row in rows}
    return {state: found.get(state, 0) for state in SmsState.values}
