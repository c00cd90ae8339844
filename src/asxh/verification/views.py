"""Pages of verification: the police's list and uploads, the officer's account status."""

import datetime as dt
import os
import tempfile
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.accounts.models import Verification
from asxh.beneficiaries.logic import partial_date_parse
from asxh.core.formatting import date_vn
from asxh.core.masking import mask_account_number, mask_id_number
from asxh.verification import selectors, services
from asxh.verification.logic import RESULT_LABELS
from asxh.verification.models import ExchangeKind, IdentityResult

PAGE_SIZE = 100
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _date_or_none(text: str) -> dt.date | None:
    """A dd/mm/yyyy filter value; anything else is ignored (the field shows what was typed)."""
    try:
        value, precision = partial_date_parse(text)
    except ValueError:
        return None
    return value if precision == "day" else None


def _communes(user: User) -> list[tuple[str, str]]:
    return list(communes_for(user).order_by("name").values_list("code", "name"))


def _default_commune(request: HttpRequest, communes: list[tuple[str, str]]) -> str:
    chosen = request.GET.get("commune", "").strip()
    return chosen or (communes[0][0] if len(communes) == 1 else "")


def _page(request: HttpRequest, queryset: Any) -> Any:
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _query_without_page(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


@login_required
def identity_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    selectors.require_identity_view(user)
    communes = _communes(user)
    since_text = request.GET.get("since", "").strip()
    filters = selectors.IdentityFilters(
        commune=_default_commune(request, communes),
        result=request.GET.get("result", "").strip(),
        unverified_since=_date_or_none(since_text),
    )
    page = _page(request, selectors.identity_overview(user, filters))
    context = {
        "filters": filters,
        "since_text": since_text,
        "page": page,
        "rows": _identity_rows(user, page.object_list),
        "labels": RESULT_LABELS,
        "results": [(selectors.NEVER, "Chưa xác minh lần nào"), *IdentityResult.choices],
        "communes": communes,
        "query": _query_without_page(request),
        "can_export": selectors.may_export_identity(user),
        "can_upload": user.can(Capability.VERIFY_IDENTITY),
    }
    return render(request, "verification/identity_list.html", context)


def _identity_rows(user: User, people: Any) -> list[tuple[Any, str, str]]:
    """Each person with the masked ID and what the population database says when it differs."""
    latest = selectors.latest_checks(user, [p.pk for p in people])
    rows = []
    for person in people:
        check = latest.get(person.pk)
        said = ""
        if check and check.result == IdentityResult.MISMATCH:
            parts = [
                check.db_full_name,
                check.db_birth_date,
                {"M": "Nam", "F": "Nữ"}.get(check.db_sex, ""),
                mask_id_number(check.db_id_number),
                check.note,
            ]
            said = " · ".join(p for p in parts if p)
        elif check:
            said = check.note
        rows.append((person, mask_id_number(person.id_number), said))
    return rows


def _xlsx_response(path: str, filename: str) -> FileResponse:
    handle = open(path, "rb")  # noqa: SIM115 - FileResponse closes it
    os.unlink(path)  # the open handle keeps the data until the response is sent
    return FileResponse(handle, as_attachment=True, filename=filename)


def _temp_path() -> str:
    handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="asxh-")
    os.close(handle)
    return path


def _export(request: HttpRequest, export: Any, name: str) -> FileResponse:
    """Write the list for the posted commune to a temporary file and send it."""
    commune = request.POST.get("commune", "").strip()
    path = _temp_path()
    try:
        exchange = export(
            actor=_user(request),
            commune_code=commune,
            out=path,
            unverified_since=_date_or_none(request.POST.get("since", "")),
        )
    except BaseException:
        os.unlink(path)
        raise
    return _xlsx_response(path, f"{name}-{commune}-{exchange.pk}.xlsx")


@login_required
@require_POST
def identity_export(request: HttpRequest) -> HttpResponseBase:
    return _export(request, services.identity_list_export, "xac-minh-danh-tinh")


@login_required
def account_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, Capability.VERIFY_ACCOUNT)
    communes = _communes(user)
    since_text = request.GET.get("since", "").strip()
    filters = selectors.AccountFilters(
        commune=_default_commune(request, communes),
        verification=request.GET.get("verification", "").strip(),
        unverified_since=_date_or_none(since_text),
    )
    page = _page(request, selectors.account_overview(user, filters))
    context = {
        "filters": filters,
        "since_text": since_text,
        "page": page,
        "rows": [(a, mask_account_number(a.account_number)) for a in page.object_list],
        "verifications": Verification.choices,
        "communes": communes,
        "query": _query_without_page(request),
        "can_export": user.can(Capability.REVEAL_ACCOUNT_NUMBER),
    }
    return render(request, "verification/account_list.html", context)


@login_required
@require_POST
def account_export(request: HttpRequest) -> HttpResponseBase:
    return _export(request, services.account_list_export, "tra-cuu-tai-khoan")


class UploadForm(forms.Form):
    file = forms.FileField(label="Tệp kết quả (.xlsx)")
    checked_on = forms.CharField(
        label="Ngày xác minh (nếu tệp chưa ghi)", required=False, help_text="dd/mm/yyyy"
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("Tệp lớn hơn 20 MB: chia danh sách theo thôn/ấp.")
        return upload

    def clean_checked_on(self) -> dt.date | None:
        text = self.cleaned_data["checked_on"].strip()
        if not text:
            return None
        value = _date_or_none(text)
        if value is None:
            raise forms.ValidationError(f"'{text}' không đúng dạng dd/mm/yyyy.")
        return value


KINDS: dict[str, dict[str, Any]] = {
    ExchangeKind.IDENTITY: {
        "capability": Capability.VERIFY_IDENTITY,
        "title": "Nhập kết quả xác minh của Công an xã",
        "back": "identity_list",
        "preview": "identity_upload_preview",
        "store": "identity_upload_store",
        "labels": RESULT_LABELS,
    },
    ExchangeKind.ACCOUNT: {
        "capability": Capability.VERIFY_ACCOUNT,
        "title": "Nhập kết quả tra cứu tên chủ tài khoản",
        "back": "account_verification_list",
        "preview": "account_upload_preview",
        "store": "account_upload_store",
        "labels": {"found": "Có tài khoản", "not_found": "Không tìm thấy"},
    },
}


def _upload(request: HttpRequest, kind: str) -> HttpResponse:
    user = _user(request)
    spec = KINDS[kind]
    require(user, spec["capability"])
    form = UploadForm(request.POST or None, request.FILES or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        outcome = services.answers_preview(
            actor=user,
            kind=kind,
            file_name=upload.name,
            data=upload.read(),
            checked_on=form.cleaned_data["checked_on"],
        )
        if outcome.already:
            messages.info(
                request,
                f"Tệp này đã được nhập lúc {date_vn(outcome.already.stored_at)}: không ghi gì thêm.",
            )
            return redirect(spec["back"])
        if outcome.exchange:
            return redirect(spec["preview"], pk=outcome.exchange.pk)
    context = {"form": form, "outcome": outcome, "spec": spec, "kind": kind}
    return render(request, "verification/upload.html", context)


def _preview(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = _user(request)
    spec = KINDS[kind]
    require(user, spec["capability"])
    exchange = selectors.exchange_for(user, pk, kind=kind)
    counts = [
        (spec["labels"].get(key, key), n)
        for key, n in exchange.summary.get("by_result", {}).items()
    ]
    context = {"exchange": exchange, "spec": spec, "counts": counts, "kind": kind}
    return render(request, "verification/preview.html", context)


def _store(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    user = _user(request)
    spec = KINDS[kind]
    require(user, spec["capability"])
    outcome = services.answers_store(actor=user, kind=kind, exchange_id=pk)
    if outcome.errors:
        context = {"form": UploadForm(), "outcome": outcome, "spec": spec, "kind": kind}
        return render(request, "verification/upload.html", context)
    if outcome.already:
        messages.info(request, "Tệp này đã được nhập trước đây: không ghi gì thêm.")
    else:
        messages.success(
            request,
            f"Đã ghi {outcome.stored} kết quả ngày {date_vn(outcome.checked_on)}"
            f" (trùng lần nhập trước: {outcome.repeated}); việc cần làm sạch mới: "
            f"{outcome.findings_raised}.",
        )
    return redirect(reverse(spec["back"]))


@login_required
def identity_upload(request: HttpRequest) -> HttpResponse:
    return _upload(request, ExchangeKind.IDENTITY)


@login_required
def identity_upload_preview(request: HttpRequest, pk: int) -> HttpResponse:
    return _preview(request, ExchangeKind.IDENTITY, pk)


@login_required
@require_POST
def identity_upload_store(request: HttpRequest, pk: int) -> HttpResponse:
    return _store(request, ExchangeKind.IDENTITY, pk)


@login_required
def account_upload(request: HttpRequest) -> HttpResponse:
    return _upload(request, ExchangeKind.ACCOUNT)


@login_required
def account_upload_preview(request: HttpRequest, pk: int) -> HttpResponse:
    return _preview(request, ExchangeKind.ACCOUNT, pk)


@login_required
@require_POST
def account_upload_store(request: HttpRequest, pk: int) -> HttpResponse:
    return _store(request, ExchangeKind.ACCOUNT, pk)
