from typing import Any

from django.http import HttpRequest

from asxh.access.roles import Capability


def capabilities(request: HttpRequest) -> dict[str, Any]:
    """What the navigation may offer this user."""
    user = request.user
    if not user.is_authenticated:
        return {}
    return {
        "can_view_beneficiaries": user.can(Capability.VIEW_BENEFICIARIES),  # type: ignore[union-attr]
        "can_view_audit": user.can(Capability.VIEW_AUDIT),  # type: ignore[union-attr]
    }
