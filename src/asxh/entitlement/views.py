"""Pages: the rate tables (and adding a decree's rates), the calculator, a person's amounts."""

from collections.abc import Iterable, Sequence
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import rate_scopes_for, require
from asxh.audit.services import access_log_record
from asxh.beneficiaries.selectors import beneficiary_get
from asxh.entitlement import selectors, services
from asxh.entitlement.engine import (
    Enrolment,
    MonthResult,
    Person,
    benefit_name,
    line_title,
    months_evaluate,
)
from asxh.entitlement.forms import CalculatorForm
from asxh.entitlement.months import month_label, month_of, month_parse
from asxh.entitlement.rates import RateError, RateMissing, rate_parse, rates_read


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _results(
    person: Person, enrolments: Sequence[Enrolment], months: Iterable[int]
) -> dict[str, Any]:
    """Priced months for a template, or the error that stopped the pricing."""
    one_offs = selectors.one_offs(person.province)
    try:
        results = months_evaluate(person, enrolments, months, selectors.ratebook(), one_offs)
    except RateMissing as error:
        return {"error": str(error)}
    return {"months": [_month_view(r) for r in results], "total": sum(r.total for r in results)}


def _month_view(result: MonthResult) -> dict[str, Any]:
    return {
        "label": month_label(result.month),
        "total": result.total,
        "notes": result.notes,
        "lines": [
            {"title": line_title(line), "amount": line.amount, "why": line.explain()[1:]}
            for line in result.lines
        ],
    }


def _this_month() -> int:
    return month_of(timezone.localdate())


@login_required
def calculator(request: HttpRequest) -> HttpResponse:
    """ "What would this person get from month X?": a GET form, so a result can be linked."""
    this = month_label(_this_month())
    form = CalculatorForm(request.GET or None, initial={"month_from": this, "month_to": this})
    context: dict[str, Any] = {"form": form}
    if form.is_bound and form.is_valid():
        context.update(_results(*form.case()))
    return render(request, "entitlement/calculator.html", context)


@login_required
def person_amounts(request: HttpRequest, pk: int) -> HttpResponse:
    """A registered person's amounts month by month, from their enrolments (logged: the
    grounds may reveal disability or HIV status)."""
    user = _user(request)
    require(user, Capability.VIEW_BENEFICIARIES)
    beneficiary = beneficiary_get(user, pk)
    this = _this_month()
    try:
        first = month_parse(request.GET.get("tu") or month_label(this - 11))
        last = month_parse(request.GET.get("den") or month_label(this))
    except ValueError as error:
        messages.error(request, str(error))
        first, last = this - 11, this
    last = min(max(last, first), first + 59)
    person, enrolments = selectors.person_case(beneficiary)
    access_log_record(
        user=user,
        object_type="beneficiary",
        object_id=beneficiary.pk,
        field="entitlement",
        area_code=beneficiary.commune.code,
        channel="web",
    )
    context = {
        "person": beneficiary,
        "first": month_label(first),
        "last": month_label(last),
        "groups": sorted({benefit_name(e.group) for e in enrolments}),
        **_results(person, enrolments, range(first, last + 1)),
    }
    return render(request, "entitlement/person.html", context)


@login_required
def rate_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    entries = selectors.rates_in_force().select_related("created_by")
    prefix = request.GET.get("ma", "").strip()
    if prefix:
        entries = entries.filter(key__startswith=prefix)
    groups = [
        (benefit_name(programme), [(e, selectors.rate_of(e).shown()) for e in rows])
        for programme, rows in groupby(entries, key=lambda e: e.key.split(".")[0])
    ]
    scopes = rate_scopes_for(user)
    return render(
        request,
        "entitlement/rates.html",
        {
            "groups": groups,
            "prefix": prefix,
            "count": sum(len(rows) for _, rows in groups),
            "can_manage": user.can(Capability.MANAGE_RATES),
            "scopes": "mọi phạm vi" if scopes is None else ", ".join(sorted(scopes)) or "—",
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def rate_add(request: HttpRequest) -> HttpResponse:
    """One row typed on the page, or a file of a decree's rows: all stored or none."""
    user = _user(request)
    upload = request.FILES.get("file")
    try:
        if upload is not None:
            rates = rates_read(upload.name or "", upload.read())
        else:
            rates = [rate_parse(request.POST, "Mức nhập")]
        result = services.rates_add(actor=user, rates=rates, reason=request.POST.get("reason", ""))
    except (RateError, ValidationError) as error:
        text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, text)
        return redirect("rate_list")
    messages.success(request, f"Đã thêm {result.added} mức.")
    if result.retroactive:
        messages.warning(
            request,
            "Có hiệu lực từ trước hôm nay: các tháng đã chi sẽ được truy lĩnh hoặc thu hồi ở kỳ "
            "chi sau — " + "; ".join(result.retroactive),
        )
    return redirect("rate_list")


@login_required
@require_POST
def rate_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        entry = services.rate_withdraw(
            actor=_user(request), entry_id=pk, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, f"Đã thu hồi mức {entry.key} chưa có hiệu lực.")
    return redirect("rate_list")
