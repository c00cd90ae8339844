"""The SMS page: templates with a live preview, editing them, and the delivery log."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import require
from asxh.notifications import selectors, services
from asxh.notifications.logic import PLACEHOLDERS, phone_masked, template_preview
from asxh.notifications.models import SmsState


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _allowed(user: User) -> None:
    if not selectors.sms_page_allowed(user):
        raise PermissionDenied("Vai trò này không dùng trang tin nhắn.")


def _previews(body_vi: str, body_ascii: str) -> dict[str, Any]:
    return {
        "vi": template_preview(body_vi, ascii_only=False),
        "ascii": template_preview(body_ascii, ascii_only=True),
    }


def _page(
    request: HttpRequest, *, draft: dict[str, str] | None = None, status: int = 200
) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("trang_thai", "")
    templates = [
        {
            "t": t,
            "previews": _previews(t.body_vi, t.body_ascii),
            "versions": list(t.versions.all()[:5]),
        }
        for t in selectors.sms_templates()
    ]
    context: dict[str, Any] = {
        "templates": templates,
        "can_manage": user.can(Capability.MANAGE_SMS),
        "can_log": selectors.sms_log_allowed(user),
        "counts": [
            (s, label, n)
            for (s, label), n in zip(
                SmsState.choices, selectors.sms_state_counts(user).values(), strict=True
            )
        ],
        "states": SmsState.choices,
        "state": state,
        "placeholders": PLACEHOLDERS,
        "draft": draft,
        "draft_previews": _previews(draft["body_vi"], draft["body_ascii"]) if draft else None,
    }
    if context["can_log"]:
        context["log"] = [(m, phone_masked(m.phone)) for m in selectors.sms_log(user, state=state)]
    return render(request, "notifications/index.html", context, status=status)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    _allowed(_user(request))
    return _page(request)


@login_required
@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    """The htmx fragment under an edit form: both variants as typed, with their length."""
    _allowed(_user(request))
    previews = _previews(request.GET.get("body_vi", ""), request.GET.get("body_ascii", ""))
    return render(request, "notifications/_preview.html", {"previews": previews})


@login_required
@require_POST
def template_save(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Capability.MANAGE_SMS)
    draft = {
        name: request.POST.get(name, "")
        for name in ("code", "name", "body_vi", "body_ascii", "reason")
    }
    try:
        template = services.sms_template_save(
            actor=user,
            code=draft["code"],
            name=draft["name"],
            body_vi=draft["body_vi"],
            body_ascii=draft["body_ascii"],
            reason=draft["reason"],
            active=request.POST.get("active") == "on",
        )
    except ValidationError as error:
        messages.error(request, "Chưa lưu: " + " ".join(error.messages))
        return _page(request, draft=draft, status=400)
    messages.success(request, f"Đã lưu mẫu tin nhắn {template.code}.")
    return redirect("sms_index")
