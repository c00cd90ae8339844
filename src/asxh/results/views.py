"""The results page of a locked list: the provider's files, the books per provider, the
settlement (quyết toán) printable and in Excel, prepared and approved by two people."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.core.formatting import number_vn
from asxh.cycles.selectors import cycle_get
from asxh.results import selectors, services
from asxh.results.excel import settlement_xlsx
from asxh.results.outcomes import ResultFileError
from asxh.results.pdf import settlement_pdf

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def results_page(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    cycle = cycle_get(user, pk)
    found = selectors.standing_for(user, cycle)
    books = selectors.books(cycle, found)
    if request.GET.get("pdf"):
        response = HttpResponse(settlement_pdf(cycle, books), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="quyet-toan-ky-{pk}.pdf"'
        return response
    if request.GET.get("xlsx"):
        response = HttpResponse(
            settlement_xlsx(cycle, books, timezone.localdate()), content_type=XLSX
        )
        response["Content-Disposition"] = f'attachment; filename="quyet-toan-ky-{pk}.xlsx"'
        return response
    settlement = cycle.settlements.order_by("-prepared_at", "-pk").first()  # type: ignore[attr-defined]
    return render(request, "results/page.html", {
        "cycle": cycle, "books": books, "settlement": settlement,
        "outcomes": selectors.outcomes(cycle, found),
        "recoveries": [] if user.role == "provider" else selectors.recoveries(cycle),
        "files": selectors.result_files_for(user, cycle),
        "balanced": bool(books) and all(b.balanced for b in books),
        "can_import": user.can(Capability.IMPORT_RESULTS) and cycle.state == "locked",
        "can_settle": user.can(Capability.SETTLE_CYCLE) and cycle.state == "locked",
        "today": timezone.localdate(),
    })  # fmt: skip


@login_required
@require_POST
def results_upload(request: HttpRequest, pk: int) -> HttpResponse:
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Chọn tệp kết quả để nhập.")
        return redirect("results_page", pk=pk)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ket-qua"
        with path.open("wb") as out:
            for chunk in upload.chunks():
                out.write(chunk)
        try:
            summary = services.results_import(actor=_user(request), cycle_id=pk, path=path,
                                              name=upload.name or "ket-qua")  # fmt: skip
        except ResultFileError as error:
            messages.error(request, "Tệp không nhập được, chưa có gì được ghi:\n"
                           + "\n".join(error.problems))  # fmt: skip
            return redirect("results_page", pk=pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("results_page", pk=pk)
    if summary.already:
        messages.info(request, "Tệp này đã được nhập trước đó: không có gì thay đổi.")
    else:
        messages.success(request, f"Đã đọc {number_vn(summary.rows)} dòng, ghi nhận "
                         f"{number_vn(summary.events)} kết quả mới.")  # fmt: skip
    return redirect("results_page", pk=pk)


@login_required
@require_POST
def results_settle(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.cycle_settle(actor=_user(request), cycle_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Đã lập quyết toán; chờ người khác duyệt.")
    return redirect("results_page", pk=pk)


@login_required
@require_POST
def results_close(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.cycle_close(actor=_user(request), cycle_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Đã duyệt quyết toán, kỳ chi đã đóng.")
    return redirect("results_page", pk=pk)
