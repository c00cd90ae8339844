from typing import Any

from django.http import HttpRequest

from asxh.access.roles import Capability


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """What the navigation may offer this user."""
    user = request.user
    if not user.is_authenticated:
        return {}
    can = {cap.value: user.can(cap) for cap in Capability}  # type: ignore[union-attr]
    return {
        "can": can,
        "can_view_beneficiaries": can[Capability.VIEW_BENEFICIARIES],
        "can_view_audit": can[Capability.VIEW_AUDIT],
    }
