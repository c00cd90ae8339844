from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.changes.models import ChangeKind
from asxh.core.formatting import number_vn
from asxh.core.masking import mask_id_number
from asxh.quality import selectors, services
from asxh.quality.logic import finding_message
from asxh.quality.models import Finding, FindingKind, FindingState
from asxh.results.outcomes import HOLDER_DECEASED


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _row(finding: Finding, visible: set[int]) -> dict[str, Any]:
    """What one line of the list shows. The other record of a duplicate may live outside the
    user's area: then only where it is registered is said, with no link."""
    related = finding.related
    return {
        "finding": finding,
        "person": finding.beneficiary,
        "masked_id": mask_id_number(finding.beneficiary.id_number),
        "message": finding_message(finding.kind, finding.detail),
        "related": related,
        "related_visible": related is not None and related.commune_id in visible,
        "proposal": _proposal(finding),
    }


def _proposal(finding: Finding) -> tuple[str, str, str] | None:
    """For a refused transfer, the change that resolves it, as (kind, link text, note) for a
    prefilled proposal form: the death the bank reported, else a corrected account."""
    if finding.kind != FindingKind.PAYMENT_FAILED:
        return None
    cycle = finding.detail.get("cycle", "?")
    if finding.detail.get("code") == HOLDER_DECEASED:
        note = (
            f"Ngân hàng báo chủ tài khoản đã chết (mã MD07, kỳ chi số {cycle}). Giấy chứng tử số …"
        )
        return ChangeKind.DECREASE_DEATH, "Đề nghị giảm: chết", note
    note = f"Chuyển khoản kỳ chi số {cycle} không thành công. Tài khoản mới theo …"
    return ChangeKind.ADJUST_ACCOUNT, "Đề nghị điều chỉnh tài khoản", note


def _filters(request: HttpRequest) -> selectors.FindingFilters:
    return selectors.FindingFilters(
        kind=request.GET.get("kind", "").strip(),
        state=request.GET.get("state", FindingState.OPEN).strip(),
        commune=request.GET.get("commune", "").strip(),
    )


@login_required
def finding_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    filters = _filters(request)
    before = request.GET.get("before", "")
    page = selectors.finding_page(user, filters, before=int(before) if before.isdigit() else None)
    communes = communes_for(user).order_by("name")
    visible = set(communes.values_list("pk", flat=True))
    query = request.GET.copy()
    query.pop("before", None)
    context = {
        "filters": filters,
        "rows": [_row(f, visible) for f in page.rows],
        "counts": selectors.finding_counts(user, filters),
        "next_before": page.next_before,
        "query": query.urlencode(),
        "kinds": FindingKind.choices,
        "states": FindingState.choices,
        "communes": communes.values_list("code", "name"),
        "single_commune": len(visible) == 1,
        "can_edit": user.can(Capability.EDIT_BENEFICIARIES),
        "here": request.get_full_path(),
    }
    return render(request, "quality/list.html", context)


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("finding_list")


@login_required
@require_POST
def finding_dismiss(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Capability.EDIT_BENEFICIARIES)
    selectors.finding_get(user, pk)  # 404 outside the user's area
    try:
        services.finding_dismiss(actor=user, finding_id=pk, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Đã bỏ qua phát hiện số {pk}; lý do được ghi nhật ký.")
    return _back(request)


@login_required
@require_POST
def quality_scan(request: HttpRequest) -> HttpResponse:
    """Scan one commune from the page; a whole province is a job for `asxh quality scan`."""
    user = _user(request)
    require(user, Capability.VIEW_QUALITY)
    code = request.POST.get("commune", "").strip()
    communes = communes_for(user)
    if not code and communes.count() == 1:
        code = communes.get().code
    if not code:
        messages.error(
            request,
            "Chọn một xã/phường để quét. Quét cả tỉnh chạy lâu: dùng lệnh "
            "`asxh quality scan --user <tên đăng nhập>`.",
        )
        return _back(request)
    result = services.quality_scan(actor=user, commune_code=code)
    messages.success(
        request,
        f"Đã quét {number_vn(result.scanned)} đối tượng: {number_vn(result.raised)} phát hiện "
        f"mới, {number_vn(result.seen_again)} vẫn còn, {number_vn(result.closed)} đã được sửa.",
    )
    return _back(request)
