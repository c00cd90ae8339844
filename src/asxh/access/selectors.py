"""Area scoping: which communes a user may see. Every other selector starts here."""

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from asxh.access.models import User
from asxh.access.roles import Capability, Role
from asxh.units.models import Commune


def communes_for(user: User) -> QuerySet[Commune]:
    """The communes in the user's areas: assigned communes plus every commune of assigned provinces."""
    if not user.is_active:
        return Commune.objects.none()
    areas = user.areas.all()
    return Commune.objects.filter(
        Q(pk__in=areas.exclude(commune=None).values("commune"))
        | Q(province__in=areas.exclude(province=None).values("province"))
    )


def rate_scopes_for(user: User) -> set[str] | None:
    """Where a user may add rates: None = anywhere (national and any province), else the
    codes of the provinces they work in. Empty when they may not add rates at all."""
    if not user.can(Capability.MANAGE_RATES):
        return set()
    if user.role == Role.POLICY:
        return None
    return set(user.areas.exclude(province=None).values_list("province__code", flat=True))


def require(user: User, capability: Capability) -> None:
    if not user.can(capability):
        raise PermissionDenied(f"Vai trò '{user.get_role_display()}' không có quyền này.")


def user_by_username(username: str) -> User:
    """The acting user of a command (`--user`), who must exist and be active."""
    try:
        user = User.objects.get(username=username)
    except User.DoesNotExist:
        raise PermissionDenied(f"Không có người dùng '{username}'.") from None
    if not user.is_active:
        raise PermissionDenied(f"Người dùng '{username}' đã bị khoá.")
    return user
