"""Writes of receiving accounts: a new account supersedes the old one, which is kept."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from asxh.access.models import User
from asxh.accounts.models import AccountKind, AccountStatus, Institution, ReceivingAccount
from asxh.audit.services import audit_record
from asxh.beneficiaries.services import person_for_edit
from asxh.core.masking import mask_account_number
from asxh.core.text import nfc


@transaction.atomic
def account_add(
    *,
    actor: User,
    beneficiary_id: int,
    kind: str,
    institution_bin: str,
    account_number: str,
    holder_name: str,
    opened_on: dt.date,
    reason: str,
) -> ReceivingAccount:
    person = person_for_edit(actor, beneficiary_id)
    payee = person.payees.filter(valid_to__isnull=True).first()
    if payee is None:
        raise ValidationError("Ghi người nhận (bản thân, người giám hộ…) trước khi ghi tài khoản.")
    if kind not in AccountKind.values:
        raise ValidationError(
            {"kind": f"Loại tài khoản là một trong: {', '.join(AccountKind.values)}."}
        )
    institution = Institution.objects.filter(bin=institution_bin).first()
    if institution is None:
        raise ValidationError(
            {"institution": f"Không có ngân hàng/tổ chức mã BIN {institution_bin}."}
        )
    number = account_number.replace(" ", "").strip()
    if not number.isalnum() or not 4 <= len(number) <= 34:
        raise ValidationError(
            {"account_number": "Số tài khoản gồm 4–34 chữ số hoặc chữ cái, không dấu cách."}
        )
    superseded = list(
        ReceivingAccount.objects.select_for_update()
        .filter(payee=payee, status=AccountStatus.ACTIVE)
        .values_list("pk", flat=True)
    )
    ReceivingAccount.objects.filter(pk__in=superseded).update(status=AccountStatus.SUPERSEDED)
    account = ReceivingAccount.objects.create(
        beneficiary=person,
        payee=payee,
        kind=kind,
        institution=institution,
        account_number=number,
        holder_name=nfc(holder_name),
        opened_on=opened_on,
    )
    audit_record(
        actor=actor,
        action="account.add",
        object_type="account",
        object_id=account.pk,
        area_code=person.commune.code,
        before={"superseded_accounts": superseded} if superseded else None,
        after={
            "beneficiary": person.pk,
            "payee": payee.pk,
            "kind": kind,
            "bin": institution.bin,
            "account_number": mask_account_number(number),
            "holder_name": account.holder_name,
        },
        reason=reason,
    )
    return account


# Institutions the bank list of `vietnam-qr-pay` lacks (BINs as published by NAPAS members).
EXTRA_INSTITUTIONS = [
    ("999888", "VBSP", "NHCSXH", "Ngân hàng Chính sách xã hội", AccountKind.BANK),
    (
        "971005",
        "VIETTELMONEY",
        "Viettel Money",
        "Tổng Công ty Dịch vụ số Viettel",
        AccountKind.MOBILE_MONEY,
    ),
    (
        "971011",
        "VNPTMONEY",
        "VNPT Money",
        "Tổng Công ty Truyền thông VNPT (VNPT Money)",
        AccountKind.MOBILE_MONEY,
    ),
]


@transaction.atomic
def institutions_load() -> int:
    """The bank list from `vietnam-qr-pay` plus VBSP and the mobile-money operators.

    Renamed banks keep one row under the current name with the old name as an alias.
    """
    from vietnam_qr_pay.constants.banks import BanksObject

    rows: dict[str, dict[str, str]] = {}
    aliases: dict[str, list[str]] = {}
    for bank in BanksObject.values():
        if bank.deprecated:
            aliases.setdefault(bank.bin, []).append(bank.short_name)
            continue
        rows[bank.bin] = {
            "bin": bank.bin,
            "code": str(bank.code.value),
            "short_name": bank.short_name,
            "name": bank.name,
            "kind": AccountKind.BANK,
        }
    for bin_, code, short, name, kind in EXTRA_INSTITUTIONS:
        rows[bin_] = {"bin": bin_, "code": code, "short_name": short, "name": name, "kind": kind}
    objs = [Institution(**row, aliases=", ".join(aliases.get(b, []))) for b, row in rows.items()]
    Institution.objects.bulk_create(
        objs,
        update_conflicts=True,
        unique_fields=["bin"],
        update_fields=["code", "short_name", "name", "kind", "aliases"],
    )
    audit_record(
        actor=None,
        action="institutions.load",
        object_type="institution",
        after={"count": len(objs)},
    )
    return len(objs)
