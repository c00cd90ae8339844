"""Pages: the list of changes, the proposal form, a change with its decision."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.beneficiaries.models import Beneficiary
from asxh.beneficiaries.selectors import beneficiary_get
from asxh.changes import logic, selectors, services
from asxh.changes.models import ChangeKind, ChangeRequest, ChangeState

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _errors(error: ValidationError) -> tuple[dict[str, list[str]], list[str]]:
    """A service's error as (field → messages, messages of no field)."""
    if not hasattr(error, "error_dict"):
        return {}, list(error.messages)
    fields = dict(error.message_dict)
    return fields, fields.pop("__all__", [])


@login_required
def change_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    state = request.GET.get("state", "")
    commune = request.GET.get("commune", "").strip()
    month_text = request.GET.get("month", "").strip()
    month = None
    if month_text:
        try:
            month = logic.month_read(month_text)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
    changes = selectors.changes_for(
        user, state=state if state in ChangeState.values else None, month=month, commune=commune
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": Paginator(changes, PAGE_SIZE).get_page(request.GET.get("page")),
        "query": query.urlencode(),
        "state": state,
        "month": month_text,
        "commune": commune,
        "states": ChangeState.choices,
        "communes": communes_for(user).order_by("name").values_list("code", "name"),
        "can_propose": user.can(Capability.PROPOSE_CHANGES),
    }
    return render(request, "changes/list.html", context)


def _form_fields(
    kind: str, person: Beneficiary | None, values: Any, errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The kind's fields as the template draws them; a person's running enrolments as choices."""
    rows = []
    for field in logic.FIELDS.get(kind, ()):
        options: list[tuple[str, str]] = list(field.choices)
        if field.type == logic.BOOL:
            options = [("1", "Có"), ("0", "Không")]
        if field.type == logic.ID and person is not None:
            options = [
                (str(e.pk), f"{e.group.name} (từ {e.start_month:%m/%Y})")
                for e in person.enrolments.all()
                if e.end_month is None
            ]
        rows.append(
            {
                "field": field,
                "options": options,
                "select": bool(options) or field.type in (logic.CHOICE, logic.BOOL),
                "value": values.get(field.name, ""),
                "errors": errors.get(field.name, []),
            }
        )
    return rows


@login_required
def change_propose(request: HttpRequest) -> HttpResponse:
    """Choose the kind and the person (GET), then fill the kind's fields (POST)."""
    user = _user(request)
    require(user, Capability.PROPOSE_CHANGES)
    data = request.POST if request.method == "POST" else request.GET
    kind = data.get("kind", "")
    kind = kind if kind in ChangeKind.values else ""
    person_id = data.get("beneficiary", "").strip()
    person = beneficiary_get(user, int(person_id)) if person_id.isdigit() else None
    errors: dict[str, list[str]] = {}
    general: list[str] = []
    if request.method == "POST" and kind:
        fields = {f.name for f in logic.FIELDS[kind]}
        payload = {n: request.POST[n] for n in fields if request.POST.get(n, "").strip()}
        try:
            month_text = request.POST.get("effective_month", "").strip()
            change = services.change_propose(
                actor=user,
                kind=kind,
                payload=payload,
                note=request.POST.get("note", ""),
                effective_month=logic.month_read(month_text) if month_text else None,
                beneficiary_id=person.pk if person else None,
                commune_code=request.POST.get("commune", ""),
            )
        except ValidationError as error:
            errors, general = _errors(error)
        else:
            messages.success(request, f"Đã gửi đề nghị biến động số {change.pk} để thẩm định.")
            return redirect("change_detail", pk=change.pk)
    context = {
        "kind": kind,
        "kinds": ChangeKind.choices,
        "person": person,
        "fields": _form_fields(kind, person, data, errors) if kind else [],
        "errors": errors,
        "general": general,
        "values": data,
        "communes": communes_for(user).order_by("name").values_list("code", "name"),
        "is_new_person": kind == ChangeKind.INCREASE_PERSON,
        "is_death": kind == ChangeKind.DECREASE_DEATH,
    }
    return render(request, "changes/propose.html", context)


@login_required
def change_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    change = selectors.change_get(user, pk)
    waiting = change.state == ChangeState.PROPOSED
    is_proposer = change.proposed_by_id == user.pk
    context = {
        "change": change,
        "rows": logic.payload_rows(change.kind, change.payload),
        "is_proposer": is_proposer,
        "can_decide": waiting and not is_proposer and user.can(Capability.APPROVE_CHANGES),
        "can_withdraw": waiting and is_proposer and user.can(Capability.PROPOSE_CHANGES),
    }
    return render(request, "changes/detail.html", context)


def _decide(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    reason = request.POST.get("reason", "")
    done: dict[str, tuple[Any, str]] = {
        "approve": (services.change_approve, "Đã phê duyệt và áp dụng biến động số {}."),
        "return": (services.change_return, "Đã trả lại biến động số {} cho xã."),
        "withdraw": (services.change_withdraw, "Đã rút đề nghị biến động số {}."),
    }
    service, text = done[action]
    try:
        change: ChangeRequest = service(actor=user, change_id=pk, reason=reason)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, text.format(change.pk))
    return redirect("change_detail", pk=pk)


@login_required
@require_POST
def change_approve(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@login_required
@require_POST
def change_return(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "return")


@login_required
@require_POST
def change_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "withdraw")
