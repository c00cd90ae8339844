"""Adding providers and contracts (audited). A contract is never edited; ending it sets its
last day once."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from asxh.access.models import User
from asxh.access.roles import Capability, Role
from asxh.access.selectors import communes_for, require
from asxh.audit.services import audit_record
from asxh.core.formatting import date_vn
from asxh.entitlement.months import month_of
from asxh.providers import logic
from asxh.providers.models import Contract, FeeKind, Provider, ProviderKind
from asxh.providers.selectors import contract_terms, provider_for
from asxh.units.models import Commune, Province

METHODS = ("account", "cash")


def provider_add(*, actor: User, code: str, name: str, kind: str, bank_bin: str = "") -> Provider:
    require(actor, Capability.MANAGE_PROVIDERS)
    if kind not in ProviderKind.values:
        raise ValidationError(f"Loại tổ chức là một trong: {', '.join(ProviderKind.values)}.")
    if bank_bin and not (bank_bin.isdigit() and len(bank_bin) == 6):
        raise ValidationError("Mã BIN ngân hàng gồm 6 chữ số (theo NAPAS).")
    with transaction.atomic():
        if Provider.objects.filter(code=code).exists():
            raise ValidationError(f"Đã có tổ chức mã '{code}'.")
        provider = Provider.objects.create(code=code, name=name, kind=kind, bank_bin=bank_bin)
        audit_record(actor=actor, action="provider.add", object_type="provider",
                     object_id=provider.pk, after={"code": code, "name": name, "kind": kind})  # fmt: skip
    return provider


def provider_staff_add(*, actor: User, provider_code: str, username: str) -> Provider:
    """Make a user (role provider) one of the provider's own users (audited)."""
    require(actor, Capability.MANAGE_PROVIDERS)
    provider = provider_for(actor, provider_code)
    user = User.objects.filter(username=username).first()
    if user is None or user.role != Role.PROVIDER:
        raise ValidationError(
            f"'{username}' không phải tài khoản có vai trò tổ chức chi trả: tạo tài khoản đó trước."
        )
    with transaction.atomic():
        provider.staff.add(user)
        audit_record(actor=actor, action="provider.staff_add", object_type="provider",
                     object_id=provider.pk, after={"user": username})  # fmt: skip
    return provider


@dataclass(frozen=True)
class ContractInput:
    provider_code: str
    number: str
    province_code: str
    commune_codes: tuple[str, ...]  # empty: the whole province
    methods: tuple[str, ...]
    valid_from: dt.date
    valid_to: dt.date | None
    fee_kind: str
    fee_value: Decimal
    payer_name: str
    payer_account: str
    payer_bank_bin: str


def _province(actor: User, code: str) -> Province:
    province = Province.objects.filter(code=code).first()
    if province is None:
        raise ValidationError(f"Không có tỉnh mã '{code}'.")
    if not communes_for(actor).filter(province=province).exists():
        raise PermissionDenied("Tỉnh này không thuộc địa bàn của bạn.")
    return province


def contract_add(*, actor: User, data: ContractInput) -> Contract:
    """A contract, refused when it would serve a commune and method already served by another
    contract in an overlapping period (each payment line must have exactly one provider)."""
    require(actor, Capability.MANAGE_PROVIDERS)
    province = _province(actor, data.province_code)
    provider = Provider.objects.filter(code=data.provider_code).first()
    problems = []
    if provider is None:
        problems.append(f"Không có tổ chức mã '{data.provider_code}'.")
    if not data.methods or set(data.methods) - set(METHODS):
        problems.append(f"Hình thức chi trả là một hoặc cả hai: {', '.join(METHODS)}.")
    if data.fee_kind not in FeeKind.values or data.fee_value < 0:
        problems.append("Phí: 'per_head' (đồng/người/tháng) hoặc 'percent' (%), không âm.")
    if data.valid_to is not None and data.valid_to < data.valid_from:
        problems.append("Ngày hết hiệu lực trước ngày có hiệu lực.")
    communes = list(Commune.objects.filter(province=province, code__in=data.commune_codes))
    unknown = set(data.commune_codes) - {c.code for c in communes}
    if unknown:
        problems.append(f"Xã không thuộc tỉnh {province.code}: {', '.join(sorted(unknown))}.")
    if problems or provider is None:
        raise ValidationError(problems)
    with transaction.atomic():
        # One writer at a time per province, so two overlapping contracts cannot both pass.
        Province.objects.select_for_update().get(pk=province.pk)
        new = logic.Terms(
            0,
            data.provider_code,
            frozenset(c.pk for c in communes) if communes else None,
            frozenset(data.methods),
            month_of(data.valid_from),
            month_of(data.valid_to) if data.valid_to else None,
        )
        clashes = logic.overlaps(new, contract_terms(province))
        if clashes:
            raise ValidationError(
                "Trùng phạm vi với hợp đồng đang có (cùng xã, cùng hình thức, cùng thời gian): "
                + ", ".join(f"{c.provider_code} (số {c.contract_id})" for c in clashes)
            )
        contract = Contract.objects.create(
            provider=provider,
            number=data.number,
            province=province,
            methods=list(data.methods),
            valid_from=data.valid_from,
            valid_to=data.valid_to,
            fee_kind=data.fee_kind,
            fee_value=data.fee_value,
            payer_name=data.payer_name,
            payer_account=data.payer_account,
            payer_bank_bin=data.payer_bank_bin,
            created_by=actor,
        )
        contract.communes.set(communes)
        audit_record(
            actor=actor,
            action="contract.add",
            object_type="contract",
            object_id=contract.pk,
            area_code=province.code,
            after={**vars(data), "valid_from": date_vn(data.valid_from)},
        )
    return contract
