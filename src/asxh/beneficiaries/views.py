from dataclasses import fields

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.beneficiaries import selectors
from asxh.beneficiaries.forms import PersonEditForm
from asxh.beneficiaries.models import PaymentMethod, Status, TargetGroup
from asxh.beneficiaries.services import PERSON_FIELDS, beneficiary_update
from asxh.core.masking import mask_account_number, mask_id_number


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def beneficiary_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    names = [f.name for f in fields(selectors.BeneficiaryFilters)]
    filters = selectors.BeneficiaryFilters(**{n: request.GET.get(n, "").strip() for n in names})
    page = selectors.beneficiary_page(user, filters, cursor=request.GET.get("after", ""))
    query = request.GET.copy()
    query.pop("after", None)
    context = {
        "filters": filters,
        "rows": [(p, mask_id_number(p.id_number)) for p in page.rows],
        "next_cursor": page.next_cursor,
        "query": query.urlencode(),
        "communes": communes_for(user).order_by("name").values_list("code", "name"),
        "groups": TargetGroup.objects.values_list("code", "name"),
        "statuses": Status.choices,
        "methods": PaymentMethod.choices,
    }
    template = "beneficiaries/_rows.html" if request.htmx else "beneficiaries/list.html"  # type: ignore[attr-defined]
    return render(request, template, context)


@login_required
def beneficiary_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    person = selectors.beneficiary_get(user, pk)
    return render(
        request,
        "beneficiaries/detail.html",
        {
            "person": person,
            "masked_id": mask_id_number(person.id_number),
            "accounts": [(a, mask_account_number(a.account_number)) for a in person.accounts.all()],
            "can_edit": user.can(Capability.EDIT_BENEFICIARIES),
            "can_reveal_id": user.can(Capability.REVEAL_ID_NUMBER),
            "can_reveal_account": user.can(Capability.REVEAL_ACCOUNT_NUMBER),
        },
    )


@login_required
def beneficiary_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    require(user, Capability.EDIT_BENEFICIARIES)
    person = selectors.beneficiary_get(user, pk)
    editable = [f for f in PERSON_FIELDS if f in PersonEditForm.base_fields]
    form = PersonEditForm(request.POST or None, initial={f: getattr(person, f) for f in editable})
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in editable}
        try:
            beneficiary_update(
                actor=user, beneficiary_id=pk, changes=changes, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            messages.success(request, "Đã lưu thay đổi; bản cũ được giữ trong lịch sử.")
            return redirect("beneficiary_detail", pk=pk)
    return render(request, "beneficiaries/edit.html", {"person": person, "form": form})


@login_required
@require_POST
def id_number_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    value = selectors.id_number_reveal(_user(request), pk, channel="web")
    return HttpResponse(f'<span class="revealed" data-testid="full-id">{value}</span>')


@login_required
@require_POST
def account_number_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    value = selectors.account_number_reveal(_user(request), pk, channel="web")
    return HttpResponse(f'<span class="revealed" data-testid="full-account">{value}</span>')
