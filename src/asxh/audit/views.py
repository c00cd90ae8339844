from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from asxh.audit.selectors import access_logs_for, audit_events_for


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    events = Paginator(audit_events_for(user), 50).get_page(request.GET.get("page"))  # type: ignore[arg-type]
    accesses = access_logs_for(user).select_related("user")[:50]  # type: ignore[arg-type]
    return render(request, "audit/list.html", {"events": events, "accesses": accesses})
