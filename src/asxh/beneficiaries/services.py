"""Writes to the registry. Each is one transaction that writes its audit event inside it."""

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.audit.logic import jsonable
from asxh.audit.services import audit_record
from asxh.beneficiaries.logic import id_number_problems, phone_normalise, phone_problems
from asxh.beneficiaries.models import (
    Beneficiary,
    BeneficiaryRevision,
    DatePrecision,
    Enrolment,
    Payee,
    PayeeKind,
    PaymentMethod,
    PaymentMethodRegistration,
    Sex,
    Status,
    TargetGroup,
)
from asxh.core.text import fold, nfc
from asxh.units.models import Commune

# The fields of a person that a change may touch, and that a revision records.
PERSON_FIELDS = (
    "full_name", "birth_date", "birth_date_precision", "sex", "id_number", "village", "phone",
    "ethnicity", "status", "status_since", "death_date", "payment_method",
)  # fmt: skip


def _editable_commune(actor: User, commune_code: str) -> Commune:
    require(actor, Capability.EDIT_BENEFICIARIES)
    commune = communes_for(actor).filter(code=commune_code).first()
    if commune is None:
        raise PermissionDenied(f"Xã/phường mã {commune_code} không thuộc địa bàn của bạn.")
    return commune


def person_for_edit(actor: User, beneficiary_id: int) -> Beneficiary:
    """The person, locked for this transaction, if the actor may edit them."""
    require(actor, Capability.EDIT_BENEFICIARIES)
    person = (
        Beneficiary.objects.select_for_update()
        .filter(pk=beneficiary_id, commune__in=communes_for(actor))
        .select_related("commune")
        .first()
    )
    if person is None:
        raise PermissionDenied("Đối tượng không thuộc địa bàn của bạn.")
    return person


def _snapshot(person: Beneficiary) -> dict[str, Any]:
    data = {name: getattr(person, name) for name in PERSON_FIELDS}
    data["commune"] = person.commune.code
    return data


def revision_data(person: Beneficiary) -> dict[str, Any]:
    """What a revision stores: the person's fields as plain JSON."""
    return dict(jsonable(_snapshot(person)))


def _touch(person: Beneficiary) -> None:
    """Mark the person changed: the next payment list recomputes their past months."""
    Beneficiary.objects.filter(pk=person.pk).update(updated_at=timezone.now())


def _reason_required(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Ghi lý do thay đổi (ví dụ: theo quyết định số…)."})
    return reason


def _validate_person(person: Beneficiary) -> None:
    errors: dict[str, list[str]] = {}
    if not person.full_name:
        errors["full_name"] = ["Nhập họ và tên."]
    if person.sex not in Sex.values:
        errors["sex"] = ["Giới tính là Nam (M) hoặc Nữ (F)."]
    if person.birth_date_precision not in DatePrecision.values:
        errors["birth_date_precision"] = ["Độ chính xác ngày sinh là day, month hoặc year."]
    if person.status not in Status.values:
        errors["status"] = [f"Tình trạng là một trong: {', '.join(Status.values)}."]
    birth_year = person.birth_date.year if person.birth_date else None
    if problems := id_number_problems(person.id_number, sex=person.sex, birth_year=birth_year):
        errors["id_number"] = problems
    if problems := phone_problems(person.phone):
        errors["phone"] = problems
    if errors:
        raise ValidationError(errors)


def _save_revision(person: Beneficiary, actor: User, reason: str) -> None:
    BeneficiaryRevision.objects.create(
        beneficiary=person,
        version=person.version,
        data=revision_data(person),
        changed_by=actor,
        reason=reason,
    )


def _person_save(
    person: Beneficiary,
    actor: User,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    fields: list[str],
    reason: str,
) -> None:
    """Save a changed person as a new version: revision and audit event in this transaction."""
    person.version += 1
    person.save()
    _save_revision(person, actor, reason)
    audit_record(
        actor=actor,
        action=action,
        object_type="beneficiary",
        object_id=person.pk,
        area_code=person.commune.code,
        before={k: before[k] for k in fields},
        after={k: after[k] for k in fields},
        reason=reason,
    )


@dataclass
class PersonInput:
    full_name: str
    sex: str
    commune_code: str
    birth_date: dt.date | None = None
    birth_date_precision: str = DatePrecision.DAY
    id_number: str = ""
    village: str = ""
    phone: str = ""
    ethnicity: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@transaction.atomic
def beneficiary_register(*, actor: User, person: PersonInput, reason: str) -> Beneficiary:
    """A new person in the actor's commune, with revision 1 and an audit event."""
    commune = _editable_commune(actor, person.commune_code)
    name = nfc(person.full_name)
    record = Beneficiary(
        full_name=name,
        name_folded=fold(name),
        birth_date=person.birth_date,
        birth_date_precision=person.birth_date_precision,
        sex=person.sex,
        id_number=person.id_number.strip(),
        commune=commune,
        village=nfc(person.village),
        phone=phone_normalise(person.phone),
        ethnicity=nfc(person.ethnicity),
        status=Status.ACTIVE,
        status_since=timezone.localdate(),
    )
    _validate_person(record)
    record.save()
    _save_revision(record, actor, reason)
    audit_record(
        actor=actor,
        action="beneficiary.register",
        object_type="beneficiary",
        object_id=record.pk,
        area_code=commune.code,
        after=_snapshot(record),
        reason=reason,
    )
    return record


@transaction.atomic
def beneficiary_update(
    *, actor: User, beneficiary_id: int, changes: dict[str, Any], reason: str
) -> Beneficiary:
    """Change a person's own fields. The old values stay in the revision history."""
    reason = _reason_required(reason)
    unknown = set(changes) - set(PERSON_FIELDS) - {"status", "payment_method"}
    if unknown or {"status", "status_since", "death_date", "payment_method"} & set(changes):
        raise ValidationError(
            "Chỉ sửa được thông tin cá nhân ở đây; tình trạng hưởng và hình thức nhận "
            "có thao tác riêng."
        )
    person = person_for_edit(actor, beneficiary_id)
    before = _snapshot(person)
    for name, value in changes.items():
        if name in ("full_name", "village", "ethnicity"):
            value = nfc(value)
        if name == "phone":
            value = phone_normalise(value)
        setattr(person, name, value)
    person.name_folded = fold(person.full_name)
    _validate_person(person)
    after = _snapshot(person)
    changed = {k for k in after if after[k] != before[k]}
    if changed:
        _person_save(person, actor, "beneficiary.update", before, after, sorted(changed), reason)
    return person


@transaction.atomic
def beneficiary_status_set(
    *,
    actor: User,
    beneficiary_id: int,
    status: str,
    since: dt.date,
    reason: str,
    death_date: dt.date | None = None,
) -> Beneficiary:
    """Suspend, stop, resume, or record a death (the date is required then)."""
    reason = _reason_required(reason)
    if status not in Status.values:
        raise ValidationError({"status": f"Tình trạng là một trong: {', '.join(Status.values)}."})
    if status == Status.DECEASED and death_date is None:
        raise ValidationError({"death_date": "Ghi ngày chết (dd/mm/yyyy)."})
    person = person_for_edit(actor, beneficiary_id)
    if person.status == Status.DECEASED:
        raise ValidationError("Đối tượng đã được ghi nhận là đã chết; không đổi tình trạng được.")
    before = _snapshot(person)
    person.status, person.status_since = status, since
    person.death_date = death_date if status == Status.DECEASED else None
    fields = ["status", "status_since", "death_date"]
    _person_save(person, actor, "beneficiary.status", before, _snapshot(person), fields, reason)
    return person


@transaction.atomic
def enrolment_add(
    *,
    actor: User,
    beneficiary_id: int,
    group_code: str,
    start_month: dt.date,
    reason: str,
    **attributes: Any,
) -> Enrolment:
    person = person_for_edit(actor, beneficiary_id)
    group = TargetGroup.objects.filter(code=group_code).first()
    if group is None:
        raise ValidationError({"group": f"Không có nhóm đối tượng mã '{group_code}'."})
    enrolment = Enrolment.objects.create(
        beneficiary=person, group=group, start_month=start_month.replace(day=1), **attributes
    )
    _touch(person)
    audit_record(
        actor=actor,
        action="enrolment.add",
        object_type="enrolment",
        object_id=enrolment.pk,
        area_code=person.commune.code,
        after={
            "beneficiary": person.pk,
            "group": group.code,
            "start_month": start_month,
            **attributes,
        },
        reason=reason,
    )
    return enrolment


@transaction.atomic
def enrolment_end(*, actor: User, enrolment_id: int, end_month: dt.date, reason: str) -> Enrolment:
    """Set the last month of an enrolment, once; correcting it takes a new enrolment."""
    reason = _reason_required(reason)
    enrolment = Enrolment.objects.select_related("group").get(pk=enrolment_id)
    person = person_for_edit(actor, enrolment.beneficiary_id)
    if enrolment.end_month is not None:
        raise ValidationError("Diện hưởng này đã kết thúc; không sửa lại được.")
    enrolment.end_month = end_month.replace(day=1)
    enrolment.ended_reason = reason
    enrolment.full_clean(exclude=["beneficiary", "group"])
    enrolment.save(update_fields=["end_month", "ended_reason"])
    _touch(person)
    audit_record(
        actor=actor,
        action="enrolment.end",
        object_type="enrolment",
        object_id=enrolment.pk,
        area_code=person.commune.code,
        before={"end_month": None},
        after={"end_month": enrolment.end_month},
        reason=reason,
    )
    return enrolment


@dataclass
class PayeeInput:
    kind: str
    full_name: str = ""
    id_number: str = ""
    phone: str = ""
    relationship: str = ""
    valid_from: dt.date = field(default_factory=timezone.localdate)
    valid_to: dt.date | None = None


@transaction.atomic
def payee_add(*, actor: User, beneficiary_id: int, payee: PayeeInput, reason: str) -> Payee:
    """A new payee; the one in force ends the day before (a change is a new record)."""
    person = person_for_edit(actor, beneficiary_id)
    if payee.kind not in PayeeKind.values:
        raise ValidationError(
            {"kind": f"Loại người nhận là một trong: {', '.join(PayeeKind.values)}."}
        )
    if payee.kind == PayeeKind.AUTHORISED and payee.valid_to is None:
        raise ValidationError({"valid_to": "Giấy ủy quyền phải có ngày hết hiệu lực."})
    is_self = payee.kind == PayeeKind.SELF
    current = person.payees.filter(valid_to__isnull=True)
    ended = list(current.values_list("pk", flat=True))
    current.update(valid_to=payee.valid_from - dt.timedelta(days=1))
    record = Payee.objects.create(
        beneficiary=person,
        kind=payee.kind,
        full_name=person.full_name if is_self else nfc(payee.full_name),
        id_number=person.id_number if is_self else payee.id_number,
        phone=person.phone if is_self else phone_normalise(payee.phone),
        relationship="" if is_self else nfc(payee.relationship),
        valid_from=payee.valid_from,
        valid_to=payee.valid_to,
    )
    audit_record(
        actor=actor,
        action="payee.add",
        object_type="payee",
        object_id=record.pk,
        area_code=person.commune.code,
        before={"ended_payees": ended} if ended else None,
        after={**asdict(payee), "beneficiary": person.pk},
        reason=reason,
    )
    return record


@transaction.atomic
def payment_method_register(
    *,
    actor: User,
    beneficiary_id: int,
    method: str,
    registered_on: dt.date,
    source: str,
    cash_at_home: bool = False,
    note: str = "",
) -> PaymentMethodRegistration:
    person = person_for_edit(actor, beneficiary_id)
    if method not in PaymentMethod.values:
        raise ValidationError(
            {"method": f"Hình thức là một trong: {', '.join(PaymentMethod.values)}."}
        )
    payee = person.payees.filter(valid_to__isnull=True).first()
    registration = PaymentMethodRegistration.objects.create(
        beneficiary=person,
        payee=payee,
        method=method,
        registered_on=registered_on,
        source=source,
        cash_at_home=cash_at_home,
        note=note,
    )
    before = person.payment_method
    if before != method:
        person.payment_method = method
        person.version += 1
        person.save(update_fields=["payment_method", "version", "updated_at"])
        _save_revision(
            person, actor, f"Đăng ký hình thức nhận: {registration.get_method_display()}"
        )
    audit_record(
        actor=actor,
        action="payment_method.register",
        object_type="payment_method_registration",
        object_id=registration.pk,
        area_code=person.commune.code,
        before={"payment_method": before},
        after={
            "payment_method": method,
            "registered_on": registered_on,
            "source": source,
            "cash_at_home": cash_at_home,
        },
        reason=note,
    )
    return registration
