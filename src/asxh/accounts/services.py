"""Writes of receiving accounts: a new account supersedes the old one, which is kept."""

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.accounts.models import (
    AccountKind,
    AccountStatus,
    Institution,
    ReceivingAccount,
    Verification,
)
from asxh.audit.services import audit_record
from asxh.beneficiaries.services import person_for_edit
from asxh.core.masking import mask_account_number
from asxh.core.text import nfc
from asxh.quality.models import FindingKind
from asxh.quality.services import Problem, findings_fix, findings_raise
from asxh.verification.logic import holder_outcome, name_key

# Ids per query when a batch names many accounts (SQLite allows ~32k parameters).
ID_CHUNK = 5000


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


@dataclass(frozen=True)
class HolderAnswer:
    """The bank's answer to an account-name inquiry: its holder name, or None (no such account)."""

    account_id: int
    bank_name: str | None


def _verification_problem(
    account: ReceivingAccount, outcome: str, detail: dict[str, Any]
) -> Problem:
    answer = f"{outcome}:{name_key(detail['bank_name'] or '')}"
    return Problem(
        kind=FindingKind.HOLDER_MISMATCH,
        beneficiary_id=account.beneficiary_id,
        commune_id=account.beneficiary.commune_id,
        # The bank's answer in the key: the same answer again is the same finding (and stays
        # closed if dismissed); a different answer later is a new one.
        key=f"acct:{account.pk}:{hashlib.sha256(answer.encode()).hexdigest()[:12]}",
        detail={**detail, "outcome": outcome},
    )


@transaction.atomic
def account_verifications_record(
    *,
    actor: User,
    answers: Iterable[HolderAnswer],
    checked_on: dt.date,
    source: str,
) -> dict[str, int]:
    """Set each account's verification from the bank's answer, dated `checked_on`.

    The bank's name is compared with the stored holder name after folding accents and case:
    same → verified; different → mismatch; no such account → failed. Mismatch and failed become
    cleaning tasks (HOLDER_MISMATCH, key "acct:<id>:<digest of the answer>"). Set-based: one UPDATE per outcome, one
    audit event per commune listing every account's before and after.
    """
    require(actor, Capability.VERIFY_ACCOUNT)
    by_id = {a.account_id: a for a in answers}
    ids = sorted(by_id)
    area = list(communes_for(actor).values_list("pk", flat=True))
    accounts = [
        account
        for start in range(0, len(ids), ID_CHUNK)
        for account in ReceivingAccount.objects.select_for_update(of=("self",))
        .filter(
            pk__in=ids[start : start + ID_CHUNK],
            status=AccountStatus.ACTIVE,
            beneficiary__commune_id__in=area,
        )
        .select_related("beneficiary__commune")
    ]
    if missing := set(by_id) - {a.pk for a in accounts}:
        raise PermissionDenied(
            f"Tài khoản mã {', '.join(map(str, sorted(missing)[:10]))} không còn dùng "
            "hoặc không thuộc địa bàn của bạn."
        )
    outcomes: dict[str, list[int]] = defaultdict(list)
    events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    problems = []
    for account in accounts:
        bank_name = by_id[account.pk].bank_name
        outcome = holder_outcome(account.holder_name, bank_name)
        outcomes[outcome].append(account.pk)
        detail = {
            "account": account.pk,
            "account_number": mask_account_number(account.account_number),
            "holder_name": account.holder_name,
            "bank_name": bank_name,
            "checked_on": checked_on.isoformat(),
            "source": source,
        }
        events[account.beneficiary.commune.code].append(
            {**detail, "before": account.verification, "after": outcome}
        )
        if outcome != Verification.VERIFIED:
            problems.append(_verification_problem(account, outcome, detail))
    for outcome, same in outcomes.items():
        for start in range(0, len(same), ID_CHUNK):
            ReceivingAccount.objects.filter(pk__in=same[start : start + ID_CHUNK]).update(
                verification=outcome, verified_on=checked_on
            )
    raised, _ = findings_raise(problems)
    # The person's account in use now answers with the holder's name: earlier bank answers
    # about their accounts (keys "acct:…") no longer stand; the scan's own findings stay.
    verified = set(outcomes.get(Verification.VERIFIED, []))
    findings_fix(
        actor=actor,
        beneficiary_ids=[a.beneficiary_id for a in accounts if a.pk in verified],
        kinds=[FindingKind.HOLDER_MISMATCH],
        reason=f"Ngân hàng xác nhận đúng tên chủ tài khoản ngày {checked_on:%d/%m/%Y}",
        key_prefix="acct:",
    )
    for commune_code, changes in sorted(events.items()):
        audit_record(
            actor=actor,
            action="account.verify",
            object_type="commune",
            object_id=commune_code,
            area_code=commune_code,
            after={"source": source, "checked_on": checked_on, "accounts": changes},
            reason=f"Tra cứu tên chủ tài khoản ({source}) ngày {checked_on:%d/%m/%Y}",
        )
    counts = {outcome: len(same) for outcome, same in outcomes.items()}
    return {**counts, "findings_raised": raised}
