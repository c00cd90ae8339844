"""Creating users and giving them areas; only an administrator may, and it is audited."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from asxh.access.models import AreaAssignment, User
from asxh.access.roles import Capability, Role
from asxh.access.selectors import communes_for, require
from asxh.audit.services import audit_record
from asxh.units.models import Commune, Province


def _create(
    *,
    actor: User | None,
    username: str,
    password: str,
    role: str,
    full_name: str,
    provinces: list[Province],
    communes: list[Commune],
) -> User:
    if role not in Role.values:
        raise ValidationError({"role": f"Vai trò là một trong: {', '.join(Role.values)}."})
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"Đã có người dùng '{username}'."})
    user = User.objects.create_user(
        username=username, password=password, role=role, full_name=full_name
    )
    AreaAssignment.objects.bulk_create(
        [AreaAssignment(user=user, province=p) for p in provinces]
        + [AreaAssignment(user=user, commune=c) for c in communes]
    )
    audit_record(
        actor=actor,
        action="user.create",
        object_type="user",
        object_id=user.pk,
        after={
            "username": username,
            "role": role,
            "provinces": [p.code for p in provinces],
            "communes": [c.code for c in communes],
        },
    )
    return user


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    password: str,
    role: str,
    full_name: str = "",
    province_codes: tuple[str, ...] = (),
    commune_codes: tuple[str, ...] = (),
) -> User:
    """An administrator creates a user inside the administrator's own areas."""
    require(actor, Capability.MANAGE_USERS)
    validate_password(password)
    own = communes_for(actor)
    communes = list(own.filter(code__in=commune_codes))
    provinces = list(Province.objects.filter(code__in=province_codes))
    outside = [p.code for p in provinces if own.filter(province=p).count() != p.communes.count()]
    missing = set(commune_codes) - {c.code for c in communes}
    if outside or missing:
        raise ValidationError(
            f"Địa bàn ngoài phạm vi quản trị của bạn: {', '.join(sorted([*outside, *missing]))}."
        )
    return _create(
        actor=actor,
        username=username,
        password=password,
        role=role,
        full_name=full_name,
        provinces=provinces,
        communes=communes,
    )


@transaction.atomic
def user_bootstrap(
    *,
    username: str,
    password: str,
    role: str,
    full_name: str,
    provinces: list[Province],
    communes: list[Commune],
) -> User:
    """Set-up only (`asxh setup --demo`, first administrator): recorded as done by the system."""
    return _create(
        actor=None,
        username=username,
        password=password,
        role=role,
        full_name=full_name,
        provinces=provinces,
        communes=communes,
    )
