"""Reads for verification. Every one takes the acting user; areas come from `communes_for`.

Verification concerns the people being paid: status active or suspended.
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.accounts.models import AccountStatus, ReceivingAccount, Verification
from asxh.beneficiaries.models import Beneficiary, Sex, Status
from asxh.core.formatting import partial_date_vn
from asxh.units.models import Commune
from asxh.verification.adapters import AccountRequest, IdentityRequest
from asxh.verification.logic import AccountFacts, PersonFacts
from asxh.verification.models import Exchange, ExchangeState, IdentityCheck, IdentityResult

IN_PAYMENT = (Status.ACTIVE, Status.SUSPENDED)
NEVER = "never"
CHUNK = 2000


def may_export_identity(user: User) -> bool:
    """Full ID numbers go to the commune police: to the police themselves or the officer."""
    return user.can(Capability.REVEAL_ID_NUMBER) and (
        user.can(Capability.VERIFY_IDENTITY) or user.can(Capability.EDIT_BENEFICIARIES)
    )


def require_identity_view(user: User) -> None:
    if not (user.can(Capability.VERIFY_IDENTITY) or may_export_identity(user)):
        raise PermissionDenied(f"Vai trò '{user.get_role_display()}' không xem được xác minh.")


def require_identity_export(user: User) -> None:
    if not may_export_identity(user):
        raise PermissionDenied(
            "Chỉ Công an xã hoặc công chức xã được xuất danh sách có số định danh đầy đủ."
        )


def require_account_export(user: User) -> None:
    require(user, Capability.VERIFY_ACCOUNT)
    require(user, Capability.REVEAL_ACCOUNT_NUMBER)


def area_commune(user: User, code: str) -> Commune:
    """A commune of the user's area, by code; refused otherwise."""
    commune = communes_for(user).select_related("province").filter(code=code).first()
    if commune is None:
        raise PermissionDenied(f"Xã/phường mã '{code}' không thuộc địa bàn của bạn.")
    return commune


def _area_ids(user: User) -> list[int]:
    # A literal list lets the planner use the (commune, name) index, as in the registry.
    return list(communes_for(user).values_list("pk", flat=True))


def _in_area_people(user: User) -> QuerySet[Beneficiary]:
    return Beneficiary.objects.filter(commune_id__in=_area_ids(user), status__in=IN_PAYMENT)


def _match_since(since: dt.date) -> Exists:
    return Exists(
        IdentityCheck.objects.filter(
            beneficiary=OuterRef("pk"), result=IdentityResult.MATCH, checked_on__gte=since
        )
    )


def identity_unverified_since(
    user: User, since: dt.date, *, commune_code: str = ""
) -> QuerySet[Beneficiary]:
    """People in payment whose identity the police have not confirmed (Khớp) on or after `since`."""
    require(user, Capability.VIEW_BENEFICIARIES)
    people = _in_area_people(user)
    if commune_code:
        people = people.filter(commune__code=commune_code)
    return people.filter(~_match_since(since))


def accounts_unverified_since(
    user: User, since: dt.date, *, commune_code: str = ""
) -> QuerySet[ReceivingAccount]:
    """Accounts in use whose holder name has not been confirmed (verified) on or after `since`."""
    require(user, Capability.VIEW_BENEFICIARIES)
    accounts = ReceivingAccount.objects.filter(
        status=AccountStatus.ACTIVE,
        beneficiary__commune_id__in=_area_ids(user),
        beneficiary__status__in=IN_PAYMENT,
    ).exclude(verification=Verification.VERIFIED, verified_on__gte=since)
    if commune_code:
        accounts = accounts.filter(beneficiary__commune__code=commune_code)
    return accounts


@dataclass(frozen=True)
class IdentityFilters:
    commune: str = ""
    result: str = ""
    unverified_since: dt.date | None = None


def identity_overview(user: User, filters: IdentityFilters) -> QuerySet[Beneficiary]:
    """The people of the area with their latest police check (date and result)."""
    require_identity_view(user)
    people = _in_area_people(user).select_related("commune")
    if filters.commune:
        people = people.filter(commune__code=filters.commune)
    if filters.unverified_since:
        people = people.filter(~_match_since(filters.unverified_since))
    latest = IdentityCheck.objects.filter(beneficiary=OuterRef("pk")).order_by("-checked_on", "-id")
    people = people.annotate(
        last_checked_on=Subquery(latest.values("checked_on")[:1]),
        last_result=Subquery(latest.values("result")[:1]),
    )
    if filters.result == NEVER:
        people = people.filter(last_result__isnull=True)
    elif filters.result in IdentityResult.values:
        people = people.filter(last_result=filters.result)
    return people.order_by("name_folded", "id")


def latest_checks(user: User, beneficiary_ids: Iterable[int]) -> dict[int, IdentityCheck]:
    """The latest police check of each of these people (a page of the list), in the area."""
    require_identity_view(user)
    ids = list(
        _in_area_people(user).filter(pk__in=list(beneficiary_ids)).values_list("pk", flat=True)
    )
    latest: dict[int, IdentityCheck] = {}
    for check in IdentityCheck.objects.filter(beneficiary_id__in=ids).order_by(
        "beneficiary_id", "-checked_on", "-id"
    ):
        latest.setdefault(check.beneficiary_id, check)
    return latest


def identity_requests(
    user: User, commune: Commune, *, unverified_since: dt.date | None = None
) -> Iterator[IdentityRequest]:
    """The people of one commune to send to the police, with their full ID numbers."""
    require_identity_export(user)
    people = _in_area_people(user).filter(commune=commune)
    if unverified_since:
        people = people.filter(~_match_since(unverified_since))
    sexes = dict(Sex.choices)
    columns = ("pk", "full_name", "birth_date", "birth_date_precision", "sex", "id_number")
    for pk, name, birth, precision, sex, id_number, village in (
        people.order_by("name_folded", "id")
        .values_list(*columns, "village")
        .iterator(chunk_size=CHUNK)
    ):
        yield IdentityRequest(
            ref=pk,
            full_name=name,
            birth=partial_date_vn(birth, precision),
            sex=sexes.get(sex, sex),
            id_number=id_number,
            residence=f"{village}, {commune.name}" if village else commune.name,
        )


def people_facts(user: User, ids: Iterable[int]) -> dict[int, PersonFacts]:
    """The people among `ids` the user may verify (in the area, in payment)."""
    wanted = sorted(set(ids))
    facts: dict[int, PersonFacts] = {}
    columns = ("pk", "full_name", "birth_date", "birth_date_precision", "sex", "id_number")
    for start in range(0, len(wanted), CHUNK):
        rows = (
            _in_area_people(user)
            .filter(pk__in=wanted[start : start + CHUNK])
            .values_list(*columns, "commune_id")
        )
        for pk, name, birth, precision, sex, id_number, commune_id in rows:
            facts[pk] = PersonFacts(
                pk, name, partial_date_vn(birth, precision), sex, id_number, commune_id
            )
    return facts


def _active_accounts(user: User) -> QuerySet[ReceivingAccount]:
    return ReceivingAccount.objects.filter(
        status=AccountStatus.ACTIVE,
        beneficiary__commune_id__in=_area_ids(user),
        beneficiary__status__in=IN_PAYMENT,
    )


_FACT_COLUMNS = (
    "pk",
    "beneficiary_id",
    "beneficiary__commune_id",
    "institution__bin",
    "account_number",
    "holder_name",
)


def account_facts(
    user: User, *, ids: Iterable[int] | None = None, commune: Commune | None = None
) -> dict[int, AccountFacts]:
    """Accounts in use in the user's area: those among `ids`, or all of one commune."""
    require(user, Capability.VERIFY_ACCOUNT)
    base = _active_accounts(user)
    if commune is not None:
        chunks = [base.filter(beneficiary__commune=commune)]
    else:
        wanted = sorted(set(ids or ()))
        chunks = [base.filter(pk__in=wanted[s : s + CHUNK]) for s in range(0, len(wanted), CHUNK)]
    return {
        row[0]: AccountFacts(*row)
        for chunk in chunks
        for row in chunk.order_by("pk").values_list(*_FACT_COLUMNS)
    }


def account_requests(
    user: User, commune: Commune, *, unverified_since: dt.date | None = None
) -> Iterator[AccountRequest]:
    """The accounts of one commune for the provider to look up, with full numbers."""
    require_account_export(user)
    accounts = _active_accounts(user).filter(beneficiary__commune=commune)
    if unverified_since:
        accounts = accounts.exclude(
            verification=Verification.VERIFIED, verified_on__gte=unverified_since
        )
    rows = accounts.order_by("beneficiary__name_folded", "pk").values_list(
        "pk",
        "beneficiary__full_name",
        "institution__bin",
        "institution__short_name",
        "account_number",
        "holder_name",
    )
    for row in rows.iterator(chunk_size=CHUNK):
        yield AccountRequest(*row)


@dataclass(frozen=True)
class AccountFilters:
    commune: str = ""
    verification: str = ""
    unverified_since: dt.date | None = None


def account_overview(user: User, filters: AccountFilters) -> QuerySet[ReceivingAccount]:
    """Accounts in use in the area with their verification state, for the officer's page."""
    require(user, Capability.VERIFY_ACCOUNT)
    accounts = _active_accounts(user).select_related("beneficiary__commune", "institution")
    if filters.commune:
        accounts = accounts.filter(beneficiary__commune__code=filters.commune)
    if filters.verification in Verification.values:
        accounts = accounts.filter(verification=filters.verification)
    if filters.unverified_since:
        accounts = accounts.exclude(
            verification=Verification.VERIFIED, verified_on__gte=filters.unverified_since
        )
    return accounts.order_by("beneficiary__name_folded", "pk")


def exchange_for(user: User, exchange_id: int, *, kind: str) -> Exchange:
    """An uploaded file waiting in preview: only its uploader sees it."""
    exchange = Exchange.objects.filter(
        pk=exchange_id, kind=kind, created_by=user, state__in=[ExchangeState.PREVIEW]
    ).first()
    if exchange is None:
        raise Http404("Không tìm thấy tệp tải lên này (hoặc đã được ghi).")
    return exchange
