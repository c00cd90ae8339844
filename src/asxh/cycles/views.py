"""Pages of the monthly cycle: the list of cycles, one cycle (calendar, what blocks, totals,
approve, files for the provider) and the treasury advance request."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for
from asxh.cycles import selectors, services
from asxh.cycles.excel import advance_xlsx
from asxh.cycles.models import ExportFormat, LineKind
from asxh.entitlement.engine import benefit_name
from asxh.entitlement.months import month_first_day, month_label, month_of, month_parse
from asxh.providers.models import Provider

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES: dict[str, str] = {
    ExportFormat.XLSX: XLSX,
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.PAIN001: "application/xml",
    ExportFormat.PDF: "application/pdf",
}


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def cycle_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    cycles = selectors.cycles_for(user).order_by("-month", "province__code")[:60]
    provinces = sorted(
        {(c.province.code, c.province.name) for c in communes_for(user).select_related("province")}
    )
    next_month = month_label(month_of(timezone.localdate()) + 1)
    return render(request, "cycles/list.html", {
        "cycles": cycles, "provinces": provinces, "next_month": next_month,
        "can_build": user.can(Capability.BUILD_CYCLE),
    })  # fmt: skip


@login_required
@require_POST
def cycle_build(request: HttpRequest) -> HttpResponse:
    try:
        month = month_first_day(month_parse(request.POST.get("month", "")))
        result = services.cycle_build(
            actor=_user(request), month=month, province_code=request.POST.get("province", "")
        )
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("cycle_list")
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
        return redirect("cycle_list")
    messages.success(
        request, f"Đã lập danh sách (lần {result.cycle.version}) trong {result.seconds} giây."
    )
    return redirect("cycle_detail", pk=result.cycle.pk)


@login_required
def cycle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    cycle = selectors.cycle_get(user, pk)
    lines = selectors.lines_for(user, cycle)
    figures = selectors.totals(lines)
    for row in figures.by_benefit:
        row["name"], row["kind_label"] = benefit_name(row["benefit"]), LineKind(row["kind"]).label
    provider_ids = lines.exclude(contract=None).values("contract__provider_id")
    communes = selectors.user_communes(user, cycle.province)
    return render(request, "cycles/detail.html", {
        "cycle": cycle,
        "figures": selectors.figures_for(cycle, communes),
        "whole_province": communes is None,
        "steps": selectors.calendar(cycle, timezone.localdate(), communes),
        "blocking": selectors.blocking(cycle, communes),
        "totals": figures,
        "providers": Provider.objects.filter(pk__in=provider_ids).order_by("name"),
        "exports": cycle.exports.select_related("provider", "commune", "created_by"),
        "communes": lines.filter(method="cash").values_list("commune__code", "commune__name").distinct(),
        "can_approve": user.can(Capability.APPROVE_CYCLE) and cycle.built_by_id != user.pk,
        "can_export": user.can(Capability.EXPORT_CYCLE) and cycle.state != "draft",
        "can_build": user.can(Capability.BUILD_CYCLE) and cycle.state == "draft",
    })  # fmt: skip


@login_required
@require_POST
def cycle_approve(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.cycle_approve(actor=_user(request), cycle_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Đã duyệt và khóa danh sách.")
    return redirect("cycle_detail", pk=pk)


@login_required
def cycle_export(
    request: HttpRequest, pk: int, provider: str, fmt: str
) -> HttpResponse | FileResponse:
    """Hand over a provider's file: written and kept at the first request, the same stored
    file (its checksum verified) at every later one."""
    if fmt not in ExportFormat.values:
        raise ValidationError("Định dạng không có.")
    try:
        export = services.cycle_export(actor=_user(request), cycle_id=pk, provider_code=provider,
                                       fmt=fmt, commune_code=request.GET.get("xa", ""))  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cycle_detail", pk=pk)
    stored = export.stored_path
    return FileResponse(stored.open("rb"), as_attachment=True, filename=stored.name,
                        content_type=CONTENT_TYPES[fmt])  # fmt: skip


@login_required
@require_POST
def cycle_transfer(request: HttpRequest, pk: int, provider: str) -> HttpResponse:
    try:
        transfer = services.cycle_transfer_confirm(actor=_user(request), cycle_id=pk,
                                                   provider_code=provider)  # fmt: skip
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Đã ghi nhận chuyển tiền; {transfer.messages} tin nhắn chờ gửi.")
    return redirect("cycle_detail", pk=pk)


@login_required
def cycle_advance(request: HttpRequest, pk: int) -> HttpResponse:
    """Giấy đề nghị tạm ứng: what to transfer to each provider, with its fee (printable)."""
    user = _user(request)
    cycle = selectors.cycle_get(user, pk)
    if selectors.user_communes(user, cycle.province) is not None:
        raise PermissionDenied(
            "Giấy đề nghị tạm ứng là của cả tỉnh: chỉ người làm việc cấp tỉnh xem."
        )
    rows = selectors.advances(cycle)
    context = {"cycle": cycle, "rows": rows, "amount": sum(r.amount for r in rows),
               "fee": sum(r.fee for r in rows), "held_over": sum(r.held_over for r in rows),
               "total": sum(r.total for r in rows), "note": selectors.held_over(cycle).note,
               "today": timezone.localdate()}  # fmt: skip
    if request.GET.get("xlsx"):
        response = HttpResponse(advance_xlsx(cycle, rows), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="de-nghi-tam-ung-ky-{pk}.xlsx"'
        return response
    return render(request, "cycles/advance.html", context)
