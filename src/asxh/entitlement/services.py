"""Adding and withdrawing rates. A rate is never edited: a new decree adds rows with a later
start date, and a row may only be withdrawn before it comes into force."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import rate_scopes_for, require
from asxh.audit.services import audit_record
from asxh.beneficiaries.reference import GROUPS
from asxh.beneficiaries.selectors import beneficiaries_for
from asxh.core.formatting import date_vn
from asxh.entitlement.models import OneOffListEntry, OneOffPayment, OneOffTarget, RateEntry
from asxh.entitlement.rates import Rate, Unit, national_rates
from asxh.intake.normalise import CellError, id_number
from asxh.intake.reader import FileUnusable, table_open
from asxh.units.models import Province


@dataclass
class RatesAdded:
    added: int = 0
    # Rows starting before today: months already paid will owe arrears (or recoveries).
    retroactive: list[str] = field(default_factory=list)


def _entry(rate: Rate, actor: User | None) -> RateEntry:
    return RateEntry(
        key=rate.key,
        scope=rate.scope,
        unit=rate.unit.value,
        value=rate.value,
        effective_from=rate.effective_from,
        until=rate.until,
        source=rate.source,
        created_by=actor,
    )


def _check(rates: Sequence[Rate], actor: User) -> None:
    scopes = rate_scopes_for(actor)
    provinces = set(Province.objects.values_list("code", flat=True))
    units = dict(RateEntry.objects.filter(withdrawn_at=None).values_list("key", "unit"))
    problems = []
    for n, rate in enumerate(rates, start=1):
        if rate.scope and rate.scope not in provinces:
            problems.append(f"Dòng {n}: mã tỉnh '{rate.scope}' không có.")
        elif scopes is not None and rate.scope not in scopes:
            where = f"tỉnh {rate.scope}" if rate.scope else "toàn quốc"
            problems.append(f"Dòng {n}: không có quyền thêm mức {where}.")
        if units.get(rate.key, rate.unit.value) != rate.unit.value:
            problems.append(
                f"Dòng {n}: mức '{rate.key}' đang tính theo '{units[rate.key]}', "
                f"không đổi sang '{rate.unit.value}'."
            )
        taken = RateEntry.objects.filter(
            key=rate.key, scope=rate.scope, effective_from=rate.effective_from, withdrawn_at=None
        ).first()
        if taken is not None:
            problems.append(
                f"Dòng {n}: đã có mức '{rate.key}' từ {date_vn(rate.effective_from)} "
                f"({taken.source}). Mức đã ban hành không sửa: ghi mức mới với ngày hiệu lực sau, "
                "hoặc thu hồi mức chưa có hiệu lực trước."
            )
    if problems:
        raise ValidationError(problems)


def rates_add(
    *, actor: User, rates: Sequence[Rate], reason: str, today: dt.date | None = None
) -> RatesAdded:
    """Store a decree's rates, all or none, with one audit event."""
    require(actor, Capability.MANAGE_RATES)
    if not rates:
        raise ValidationError("Không có mức nào để thêm.")
    if not reason.strip():
        raise ValidationError("Ghi lý do (văn bản ban hành) khi thêm mức.")
    today = today or timezone.localdate()
    with transaction.atomic():
        _check(rates, actor)
        entries = RateEntry.objects.bulk_create([_entry(r, actor) for r in rates])
        audit_record(
            actor=actor,
            action="rate.add",
            object_type="rate",
            object_id=",".join(str(e.pk) for e in entries if e.pk),
            area_code=rates[0].scope,
            after=[r.record() for r in rates],
            reason=reason,
        )
    retroactive = [
        f"{r.key} từ {date_vn(r.effective_from)}" for r in rates if r.effective_from < today
    ]
    return RatesAdded(added=len(entries), retroactive=retroactive)


def rate_withdraw(
    *, actor: User, entry_id: int, reason: str, today: dt.date | None = None
) -> RateEntry:
    """Withdraw a row entered by mistake, only while it is not yet in force."""
    require(actor, Capability.MANAGE_RATES)
    today = today or timezone.localdate()
    if not reason.strip():
        raise ValidationError("Ghi lý do thu hồi.")
    with transaction.atomic():
        entry = RateEntry.objects.select_for_update().filter(pk=entry_id, withdrawn_at=None).first()
        if entry is None:
            raise ValidationError(f"Không có mức số {entry_id} (hoặc mức đã thu hồi).")
        scopes = rate_scopes_for(actor)
        if scopes is not None and entry.scope not in scopes:
            raise PermissionDenied("Không có quyền với mức của phạm vi này.")
        if entry.effective_from <= today:
            raise ValidationError(
                f"Mức đã có hiệu lực từ {date_vn(entry.effective_from)}: không thu hồi được, "
                "chỉ thay bằng mức mới."
            )
        now = timezone.now()
        RateEntry.objects.filter(pk=entry.pk).update(
            withdrawn_at=now, withdrawn_by=actor, withdrawn_reason=reason
        )
        audit_record(
            actor=actor,
            action="rate.withdraw",
            object_type="rate",
            object_id=entry.pk,
            area_code=entry.scope,
            before={"key": entry.key, "scope": entry.scope, "from": entry.effective_from},
            reason=reason,
        )
    entry.refresh_from_db()
    return entry


def national_rates_load() -> int:
    """`asxh setup`: add the shipped rates not stored yet (never changing stored ones)."""
    stored = set(
        RateEntry.objects.filter(withdrawn_at=None).values_list("key", "scope", "effective_from")
    )
    missing = [r for r in national_rates() if (r.key, r.scope, r.effective_from) not in stored]
    if not missing:
        return 0
    with transaction.atomic():
        RateEntry.objects.bulk_create([_entry(r, None) for r in missing])
        audit_record(
            actor=None,
            action="rate.load",
            object_type="rate",
            after=[r.record() for r in missing],
            reason="Mức quy định kèm theo asxh (src/asxh/entitlement/data/rates.json)",
        )
    return len(missing)


@dataclass(frozen=True)
class OneOffInput:
    code: str
    name: str
    month: dt.date
    target: str
    groups: tuple[str, ...]
    scope: str
    source: str
    amount: int


def one_off_create(*, actor: User, data: OneOffInput) -> OneOffPayment:
    """A one-off payment and its amount (the rate `oneoff.<code>`), in one transaction."""
    require(actor, Capability.MANAGE_RATES)
    problems = []
    if data.target not in OneOffTarget.values:
        problems.append(f"Đối tượng '{data.target}' phải là: {', '.join(OneOffTarget.values)}.")
    unknown = sorted(set(data.groups) - {code for _, code, _, _ in GROUPS})
    if unknown:
        problems.append(f"Nhóm không có: {', '.join(unknown)}.")
    if data.amount <= 0:
        problems.append("Số tiền mỗi người phải lớn hơn 0.")
    if OneOffPayment.objects.filter(code=data.code).exists():
        problems.append(f"Đã có khoản chi một lần mã '{data.code}'.")
    if problems:
        raise ValidationError(problems)
    month = data.month.replace(day=1)
    rate = Rate(
        f"oneoff.{data.code}", Decimal(data.amount), Unit.VND, month, None, data.scope, data.source
    )
    with transaction.atomic():
        rates_add(actor=actor, rates=[rate], reason=data.source)
        payment = OneOffPayment.objects.create(
            code=data.code,
            name=data.name,
            month=month,
            target=data.target,
            groups=list(data.groups),
            scope=data.scope,
            source=data.source,
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="one_off.create",
            object_type="one_off",
            object_id=payment.pk,
            area_code=data.scope,
            after={**vars(data), "month": month},
            reason=data.source,
        )
    return payment


def one_off_list_import(*, actor: User, code: str, path: Path) -> int:
    """Add the people of a list file (their ID numbers, as the commune writes them) to a
    one-off payment's target list: every row must be a person of the actor's area, or
    nothing is added. Returns how many were added (people already on it are skipped)."""
    require(actor, Capability.EDIT_BENEFICIARIES)
    payment = OneOffPayment.objects.filter(code=code, target=OneOffTarget.LIST).first()
    if payment is None:
        raise ValidationError(f"Không có khoản chi một lần theo danh sách mã '{code}'.")
    wanted = _list_ids(path)
    found = dict(
        beneficiaries_for(actor)
        .filter(id_number__in=set(wanted.values()))
        .values_list("id_number", "pk")
    )
    missing = [f"Dòng {row}: không có người số định danh {number} trong địa bàn."
               for row, number in wanted.items() if number not in found]  # fmt: skip
    if missing:
        raise ValidationError(missing)
    with transaction.atomic():
        on_list = set(payment.entries.values_list("beneficiary_id", flat=True))
        new = sorted({found[n] for n in wanted.values()} - on_list)
        OneOffListEntry.objects.bulk_create(
            [OneOffListEntry(payment=payment, beneficiary_id=pk, added_by=actor) for pk in new]
        )
        audit_record(
            actor=actor,
            action="one_off.list_add",
            object_type="one_off",
            object_id=payment.pk,
            after={"file": path.name, "added": new},
        )
    return len(new)


def _list_ids(path: Path) -> dict[int, str]:
    """Row number → ID number, from a list in the import layout (a 'Số CCCD' column)."""
    try:
        table = table_open(path)
    except FileUnusable as error:
        raise ValidationError(str(error)) from None
    column = next((c for c, f in table.layout.columns.items() if f == "id_number"), None)
    if column is None:
        raise ValidationError("Tệp không có cột số định danh (Số CCCD / Số định danh cá nhân).")
    ids, problems = {}, []
    for row, cells in table.rows:
        value = cells[column] if column < len(cells) else None
        try:
            number, _ = id_number(value)
        except CellError as error:
            problems.append(f"Dòng {row}: {error.message} {error.fix}")
            continue
        if number:
            ids[row] = number
        else:
            problems.append(f"Dòng {row}: thiếu số định danh.")
    if problems:
        raise ValidationError(problems)
    if not ids:
        raise ValidationError("Tệp không có dòng nào.")
    return ids
