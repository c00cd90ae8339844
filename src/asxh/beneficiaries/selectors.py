"""Reads of the registry. Every function takes the acting user; the area scope is applied here."""

import base64
import json
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.accounts.models import ReceivingAccount
from asxh.audit.services import access_log_record
from asxh.beneficiaries.models import Beneficiary, Enrolment, Payee, PaymentMethodRegistration
from asxh.core.text import fold

PAGE_SIZE = 50


def beneficiaries_for(user: User) -> QuerySet[Beneficiary]:
    """Every beneficiary the user may see: those living in the user's communes."""
    require(user, Capability.VIEW_BENEFICIARIES)
    # A literal id list (a province has at most a few hundred communes) lets the planner use
    # the (commune, name) index; a subquery hides it.
    commune_ids = list(communes_for(user).values_list("pk", flat=True))
    return Beneficiary.objects.filter(commune_id__in=commune_ids)


@dataclass(frozen=True)
class BeneficiaryFilters:
    q: str = ""
    commune: str = ""
    group: str = ""
    status: str = ""
    method: str = ""


@dataclass(frozen=True)
class BeneficiaryPage:
    rows: list[Beneficiary]
    next_cursor: str | None


def _encode_cursor(row: Beneficiary) -> str:
    raw = json.dumps([row.name_folded, row.pk], ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _decode_cursor(cursor: str) -> tuple[str, int] | None:
    try:
        name, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return str(name), int(pk)
    except (ValueError, TypeError):
        return None


def beneficiary_search(user: User, filters: BeneficiaryFilters) -> QuerySet[Beneficiary]:
    qs = beneficiaries_for(user)
    q = filters.q.strip()
    if q.isdigit():
        qs = qs.filter(id_number__startswith=q)
    elif q:
        qs = qs.filter(name_folded__contains=fold(q))
    if filters.commune:
        qs = qs.filter(commune__code=filters.commune)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.method:
        qs = qs.filter(payment_method=filters.method)
    if filters.group:
        in_group = Enrolment.objects.filter(
            beneficiary=OuterRef("pk"), group__code=filters.group, end_month__isnull=True
        )
        qs = qs.filter(Exists(in_group))
    return qs


def beneficiary_page(
    user: User, filters: BeneficiaryFilters, *, cursor: str = "", size: int = PAGE_SIZE
) -> BeneficiaryPage:
    """One page in name order, keyset-paginated on (name_folded, id) so page 1000 costs page 1."""
    qs = beneficiary_search(user, filters).select_related("commune")
    after = _decode_cursor(cursor) if cursor else None
    if after:
        name, pk = after
        # A row comparison, so the database seeks into the (name_folded, id) index.
        table = Beneficiary._meta.db_table
        qs = qs.extra(  # noqa: S610 - fixed column names, values passed as parameters
            where=[f'("{table}"."name_folded", "{table}"."id") > (%s, %s)'], params=[name, pk]
        )
    rows = list(qs.order_by("name_folded", "id")[: size + 1])
    next_cursor = _encode_cursor(rows[size - 1]) if len(rows) > size else None
    return BeneficiaryPage(rows=rows[:size], next_cursor=next_cursor)


def beneficiary_get(user: User, beneficiary_id: int) -> Beneficiary:
    """One beneficiary with everything the detail page shows; 404 outside the user's area."""
    qs = (
        beneficiaries_for(user)
        .select_related("commune__province")
        .prefetch_related(
            Prefetch("enrolments", queryset=Enrolment.objects.select_related("group__programme")),
            Prefetch("payees", queryset=Payee.objects.all()),
            Prefetch(
                "method_registrations",
                queryset=PaymentMethodRegistration.objects.select_related("payee"),
            ),
            Prefetch(
                "accounts", queryset=ReceivingAccount.objects.select_related("institution", "payee")
            ),
            "revisions",
        )
    )
    try:
        return qs.get(pk=beneficiary_id)
    except Beneficiary.DoesNotExist:
        raise Http404("Không tìm thấy đối tượng trong địa bàn của bạn.") from None


def id_number_reveal(user: User, beneficiary_id: int, *, channel: str) -> str:
    """The full ID number, for those whose work needs it; every reveal is logged."""
    require(user, Capability.REVEAL_ID_NUMBER)
    person = beneficiary_get(user, beneficiary_id)
    access_log_record(
        user=user,
        object_type="beneficiary",
        object_id=person.pk,
        field="id_number",
        area_code=person.commune.code,
        channel=channel,
    )
    return person.id_number


def account_number_reveal(user: User, account_id: int, *, channel: str) -> str:
    require(user, Capability.REVEAL_ACCOUNT_NUMBER)
    try:
        account = ReceivingAccount.objects.select_related("beneficiary__commune").get(
            pk=account_id, beneficiary__in=beneficiaries_for(user)
        )
    except ReceivingAccount.DoesNotExist:
        raise Http404("Không tìm thấy tài khoản trong địa bàn của bạn.") from None
    access_log_record(
        user=user,
        object_type="account",
        object_id=account.pk,
        field="account_number",
        area_code=account.beneficiary.commune.code,
        channel=channel,
    )
    return account.account_number


@dataclass(frozen=True)
class AreaSummary:
    total: int
    by_status: dict[str, int]
    by_method: dict[str, int]
    by_commune: list[dict[str, object]]
    accounts_by_verification: dict[str, int]


def area_summary(user: User, *, top_communes: int = 20) -> AreaSummary:
    """Counts for the home page: no personal data, so every role sees those of its own area."""
    people = Beneficiary.objects.filter(commune__in=communes_for(user))
    by_status = dict(people.values_list("status").annotate(n=Count("id")).order_by())
    by_method = dict(people.values_list("payment_method").annotate(n=Count("id")).order_by())
    by_commune = list(
        people.values("commune__code", "commune__name")
        .annotate(
            total=Count("id"),
            non_cash=Count("id", filter=Q(payment_method__in=["account", "no_account"])),
        )
        .order_by("-total")[:top_communes]
    )
    accounts = ReceivingAccount.objects.filter(
        beneficiary__commune__in=communes_for(user), status="active"
    )
    by_verification = dict(accounts.values_list("verification").annotate(n=Count("id")).order_by())
    return AreaSummary(
        total=sum(by_status.values()),
        by_status=by_status,
        by_method=by_method,
        by_commune=by_commune,
        accounts_by_verification=by_verification,
    )
