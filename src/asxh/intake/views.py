"""Upload → check (nothing written) → confirm; the error workbook; the commune's list as Excel."""

import json
import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.beneficiaries.models import TargetGroup
from asxh.core.checksums import file_sha256
from asxh.intake.columns import FIELD_LABELS, TITLES
from asxh.intake.excel import beneficiaries_export, errors_workbook
from asxh.intake.models import ImportBatch
from asxh.intake.services import ImportReport, import_beneficiaries

PENDING = "intake_pending"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _uploads() -> Path:
    folder = Path(settings.DATA_DIR) / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _mapping(text: str) -> dict[str, str] | None:
    if not text.strip():
        return None
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError('Khai báo cột phải là JSON dạng {"Tên cột": "trường"}.')
    return {str(k): str(v) for k, v in data.items()}


@login_required
def upload(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Capability.IMPORT_BENEFICIARIES)
    communes = communes_for(user).order_by("name")
    return render(
        request,
        "intake/upload.html",
        {
            "communes": communes.values_list("code", "name"),
            "batches": ImportBatch.objects.filter(commune__in=communes).select_related(
                "commune", "uploaded_by"
            )[:20],
            "titles": [(FIELD_LABELS[f], ", ".join(TITLES[f])) for f in FIELD_LABELS],
            "groups": TargetGroup.objects.values_list("code", "name"),
        },
    )


@login_required
@require_POST
def check(request: HttpRequest) -> HttpResponse:
    """Store the upload and check it; nothing reaches the registry yet."""
    user = _user(request)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Chọn tệp danh sách (.xlsx, .xls hoặc .csv) để tải lên.")
        return redirect("intake_upload")
    suffix = Path(upload.name or "").suffix.lower()[:6]
    with tempfile.NamedTemporaryFile(dir=_uploads(), suffix=suffix, delete=False) as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    path = Path(handle.name)
    pending = {
        "path": path.name,
        "name": upload.name,
        "commune": request.POST.get("commune", ""),
        "sheet": request.POST.get("sheet", "").strip(),
        "mapping": request.POST.get("mapping", ""),
        "sha256": file_sha256(path),
    }
    try:
        report = _run(user, pending, dry_run=True)
    except (ValueError, PermissionDenied) as error:
        path.unlink(missing_ok=True)
        messages.error(request, str(error))
        return redirect("intake_upload")
    if report.rejected:
        errors_workbook(report, path.with_suffix(".loi.xlsx"))
    request.session[PENDING] = pending
    return render(request, "intake/preview.html", {"report": report, "pending": pending})


def _run(user: User, pending: dict[str, Any], *, dry_run: bool) -> ImportReport:
    return import_beneficiaries(
        actor=user,
        commune_code=pending["commune"],
        path=_uploads() / pending["path"],
        dry_run=dry_run,
        file_name=pending["name"],
        sheet=pending["sheet"],
        extra_titles=_mapping(pending["mapping"]),
    )


@login_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    pending = request.session.get(PENDING)
    path = _uploads() / pending["path"] if pending else None
    if not pending or path is None or not path.is_file() or file_sha256(path) != pending["sha256"]:
        messages.error(request, "Không còn tệp đã kiểm tra; tải tệp lên và kiểm tra lại.")
        return redirect("intake_upload")
    report = _run(user, pending, dry_run=False)
    del request.session[PENDING]
    if not report.usable:
        messages.error(request, report.fatal)
        return redirect("intake_upload")
    messages.success(
        request,
        f"Đã ghi: thêm mới {report.created}, cập nhật {report.updated}, không đổi "
        f"{report.unchanged}; {report.skipped} dòng lỗi chưa ghi.",
    )
    return redirect("intake_batch", pk=report.batch_id)


@login_required
def batch(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Capability.IMPORT_BENEFICIARIES)
    found = (
        ImportBatch.objects.filter(pk=pk, commune__in=communes_for(user))
        .select_related("commune", "uploaded_by")
        .first()
    )
    if found is None:
        raise Http404
    return render(request, "intake/batch.html", {"batch": found, "report": found.report})


@login_required
def errors_download(request: HttpRequest) -> FileResponse:
    """The rows the last check rejected, with the reason, to fix and upload again."""
    require(_user(request), Capability.IMPORT_BENEFICIARIES)
    pending = request.session.get(PENDING)
    path = (_uploads() / pending["path"]).with_suffix(".loi.xlsx") if pending else None
    if path is None or not path.is_file():
        raise Http404
    name = Path(pending["name"]).stem + "-can-sua.xlsx"  # type: ignore[index]
    return FileResponse(path.open("rb"), as_attachment=True, filename=name, content_type=XLSX)


@login_required
def export(request: HttpRequest) -> FileResponse:
    user = _user(request)
    code = request.GET.get("commune", "")
    handle = tempfile.NamedTemporaryFile(dir=_uploads(), suffix=".xlsx", delete=False)  # noqa: SIM115
    handle.close()
    path = Path(handle.name)
    try:
        beneficiaries_export(actor=user, commune_code=code, path=path)
    except PermissionDenied:
        path.unlink(missing_ok=True)
        raise
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=f"danh-sach-{code}.xlsx", content_type=XLSX
    )
    path.unlink()  # the open handle keeps the data until the response is sent
    return response
