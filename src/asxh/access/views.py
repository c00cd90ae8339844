from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from asxh.access.models import User
from asxh.accounts.models import Verification
from asxh.beneficiaries.models import PaymentMethod, Status
from asxh.beneficiaries.selectors import area_summary

login_view = LoginView.as_view(template_name="access/login.html", redirect_authenticated_user=True)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("login")


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    summary = area_summary(user)
    return render(
        request,
        "access/home.html",
        {
            "summary": summary,
            "areas": user.areas.select_related("province", "commune__province"),
            "statuses": [
                (label, summary.by_status.get(value, 0), value) for value, label in Status.choices
            ],
            "methods": [
                (label, summary.by_method.get(value, 0)) for value, label in PaymentMethod.choices
            ],
            "unregistered": summary.by_method.get("", 0),
            "verifications": [
                (value, label, summary.accounts_by_verification.get(value, 0))
                for value, label in Verification.choices
            ],
        },
    )
