"""Proposing, deciding and applying changes. Each is one transaction with its audit event.

An approved change is applied through the registry's own services (beneficiaries, accounts)
in the approval's transaction. Those services write as a user who may edit the commune's
registry; the approver's role may not, so the writes are made in the name of the commune
officer who proposed the change, each with the reason "Biến động số N …, <approver> phê
duyệt", next to the approver's own `change.approve` event.
"""

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Capability
from asxh.access.selectors import communes_for, require
from asxh.accounts.models import Institution
from asxh.accounts.services import account_add
from asxh.audit.services import audit_record
from asxh.beneficiaries.models import Beneficiary, Enrolment, Status
from asxh.beneficiaries.selectors import beneficiaries_for
from asxh.beneficiaries.services import (
    PayeeInput,
    PersonInput,
    beneficiary_register,
    beneficiary_status_set,
    enrolment_add,
    enrolment_end,
    payee_add,
    payment_method_register,
)
from asxh.changes import logic
from asxh.changes.models import ChangeKind, ChangeRequest, ChangeState
from asxh.quality.models import FindingKind
from asxh.quality.services import findings_fix

K = ChangeKind


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _terms_of(enrolment: Enrolment) -> dict[str, Any]:
    """An enrolment's terms in payload form."""
    terms: dict[str, Any] = {name: getattr(enrolment, name) for name in logic.TERM_NAMES[1:]}
    terms["group"] = enrolment.group.code
    for name in logic.DATE_TERMS:
        terms[name] = terms[name].isoformat() if terms[name] else None
    return terms


def _attributes(terms: Mapping[str, Any]) -> dict[str, Any]:
    """Payload terms as enrolment_add's keyword arguments (absent ones take the defaults)."""
    attributes = {
        n: terms[n] for n in logic.TERM_NAMES if n != "group" and terms.get(n) is not None
    }
    for name in logic.DATE_TERMS:
        if name in attributes:
            attributes[name] = _date(attributes[name])
    return attributes


def _open_enrolment(person: Beneficiary, enrolment_id: int, month: dt.date) -> Enrolment:
    enrolment = (
        person.enrolments.select_related("group")
        .filter(pk=enrolment_id, end_month__isnull=True)
        .first()
    )
    if enrolment is None:
        raise ValidationError(
            {
                "enrolment": f"Diện hưởng: số {enrolment_id} không phải diện đang hưởng của đối tượng."
            }
        )
    if enrolment.start_month >= month:
        raise ValidationError(
            {
                "effective_month": f"Tháng hiệu lực: diện hưởng số {enrolment.pk} bắt đầu từ "
                f"{enrolment.start_month:%m/%Y}; tháng hiệu lực phải sau tháng đó."
            }
        )
    return enrolment


def _enrolments_to_end(
    person: Beneficiary, payload: Mapping[str, Any], month: dt.date
) -> list[Enrolment]:
    """The enrolment named, or every enrolment still running, for a decrease from `month`."""
    if "enrolment" in payload:
        return [_open_enrolment(person, payload["enrolment"], month)]
    running = list(person.enrolments.select_related("group").filter(end_month__isnull=True))
    for enrolment in running:
        _open_enrolment(person, enrolment.pk, month)
    return running


def _check_new_person(user: User, payload: Mapping[str, Any]) -> None:
    number = payload.get("id_number")
    if not number:
        return
    same = beneficiaries_for(user).filter(id_number=number).exclude(status=Status.DECEASED)
    found = same.values_list("pk", flat=True).first()
    if found is not None:
        raise ValidationError(
            {"id_number": f"Số định danh/CCCD: đã có đối tượng số {found} mang số này."}
        )


def _check_for_person(
    kind: str, person: Beneficiary, payload: dict[str, Any], month: dt.date
) -> dict[str, Any]:
    """Checks against the person as they are now; returns the payload to store (the merged
    terms for adjust_enrolment). Run when proposed and again when approved."""
    if person.status == Status.DECEASED:
        raise ValidationError(
            f"Đối tượng đã được ghi nhận là đã chết ngày {person.death_date:%d/%m/%Y}."
        )
    if kind == K.DECREASE_DEATH:
        died = dt.date.fromisoformat(payload["death_date"])
        if person.birth_date and died < person.birth_date:
            raise ValidationError({"death_date": "Ngày chết: trước ngày sinh của đối tượng."})
    if kind in logic.DECREASES:
        running = _enrolments_to_end(person, payload, month)
        if not running and kind != K.DECREASE_DEATH:
            raise ValidationError("Đối tượng không còn diện hưởng nào để báo giảm.")
    if kind == K.INCREASE_ENROLMENT:
        taken = person.enrolments.filter(group__code=payload["group"], end_month__isnull=True)
        if taken.exists():
            raise ValidationError(
                {"group": "Nhóm đối tượng: đối tượng đang hưởng nhóm này; dùng điều chỉnh."}
            )
    if kind == K.ADJUST_ENROLMENT:
        old = _terms_of(_open_enrolment(person, payload["enrolment"], month))
        given = {k: v for k, v in payload.items() if k != "enrolment"}
        terms = logic.terms_merge(old, given)
        problems = logic.terms_problems(terms)
        if problems:
            raise ValidationError(
                {n: f"{logic.field_label(kind, n)}: {text}" for n, text in problems.items()}
            )
        if not logic.terms_changed(old, terms):
            raise ValidationError("Không có điều kiện hưởng nào thay đổi so với diện đang hưởng.")
        payload = {"enrolment": payload["enrolment"], **terms}
    if kind == K.ADJUST_PAYEE:
        current = person.payees.filter(valid_to__isnull=True).first()
        if current is not None and current.valid_from >= month:
            raise ValidationError(
                {
                    "effective_month": "Tháng hiệu lực: người nhận hiện tại có hiệu lực từ "
                    f"{current.valid_from:%d/%m/%Y}; tháng hiệu lực phải sau ngày đó."
                }
            )
    if kind == K.ADJUST_ACCOUNT:
        if not person.payees.filter(valid_to__isnull=True).exists():
            raise ValidationError(
                "Đối tượng chưa có người nhận: đề nghị điều chỉnh người nhận trước."
            )
        if not Institution.objects.filter(bin=payload["institution_bin"]).exists():
            raise ValidationError(
                {
                    "institution_bin": "Mã BIN ngân hàng/tổ chức: không có tổ chức mã "
                    f"{payload['institution_bin']}."
                }
            )
    return payload


def _audit(actor: User, action: str, change: ChangeRequest, before: Any, reason: str) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="change",
        object_id=change.pk,
        area_code=change.commune.code,
        before=before,
        after={
            "state": change.state,
            "kind": change.kind,
            "beneficiary": change.beneficiary_id,
            "effective_month": change.effective_month,
            "payload": logic.payload_for_audit(change.payload),
            "note": change.note,
        },
        reason=reason,
    )


@transaction.atomic
def change_propose(
    *,
    actor: User,
    kind: str,
    payload: Mapping[str, Any],
    note: str,
    effective_month: dt.date | None = None,
    beneficiary_id: int | None = None,
    commune_code: str = "",
) -> ChangeRequest:
    """A commune's proposal: a person of its area (or a new person in one of its communes)."""
    require(actor, Capability.PROPOSE_CHANGES)
    note = note.strip()
    if not note:
        raise ValidationError(
            {"note": "Căn cứ, hồ sơ kèm theo: bắt buộc (ví dụ: giấy chứng tử số…, quyết định số…)."}
        )
    cleaned = logic.payload_clean(kind, payload, today=timezone.localdate())
    month = logic.effective_month_for(kind, cleaned, effective_month)
    person = None
    if kind == K.INCREASE_PERSON:
        commune = communes_for(actor).filter(code=commune_code).first()
        if commune is None:
            raise PermissionDenied(f"Xã/phường mã {commune_code} không thuộc địa bàn của bạn.")
        _check_new_person(actor, cleaned)
    else:
        if beneficiary_id is None:
            raise ValidationError({"beneficiary": "Đối tượng: bắt buộc."})
        people = beneficiaries_for(actor).select_related("commune")
        person = people.filter(pk=beneficiary_id).first()
        if person is None:
            raise PermissionDenied("Đối tượng không thuộc địa bàn của bạn.")
        commune = person.commune
        cleaned = _check_for_person(kind, person, cleaned, month)
        if kind in logic.DECREASES:
            pending = ChangeRequest.objects.filter(
                beneficiary=person, kind__in=logic.DECREASES, state=ChangeState.PROPOSED
            ).first()
            if pending is not None:
                raise ValidationError(
                    f"Đối tượng đã có đề nghị báo giảm số {pending.pk} đang chờ thẩm định."
                )
    change = ChangeRequest.objects.create(
        beneficiary=person,
        commune=commune,
        kind=kind,
        payload=cleaned,
        effective_month=month,
        note=note,
        proposed_by=actor,
    )
    _audit(actor, "change.propose", change, None, note)
    return change


def _for_decision(actor: User, change_id: int) -> ChangeRequest:
    """The change, locked, if this approver may decide it now."""
    require(actor, Capability.APPROVE_CHANGES)
    area = list(communes_for(actor).values_list("pk", flat=True))
    change = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("commune", "proposed_by")
        .filter(pk=change_id, commune_id__in=area)
        .first()
    )
    if change is None:
        raise PermissionDenied(f"Biến động số {change_id} không thuộc địa bàn của bạn.")
    if change.proposed_by_id == actor.pk:
        raise PermissionDenied(
            "Người đề nghị không được tự thẩm định, phê duyệt biến động của mình."
        )
    if change.state != ChangeState.PROPOSED:
        raise ValidationError(
            f"Biến động số {change.pk} đã ở trạng thái '{change.get_state_display()}'; "
            "không quyết định lại được."
        )
    return change


@transaction.atomic
def change_approve(*, actor: User, change_id: int, reason: str = "") -> ChangeRequest:
    """Approve and apply, all or nothing; a second approval of the same change is refused."""
    change = _for_decision(actor, change_id)
    _apply(change, actor)
    now = timezone.now()
    change.state = ChangeState.APPROVED
    change.decided_by, change.decided_at, change.applied_at = actor, now, now
    change.decision_reason = reason.strip()
    change.save()
    _audit(
        actor,
        "change.approve",
        change,
        {"state": ChangeState.PROPOSED},
        reason.strip() or change.note,
    )
    return change


@transaction.atomic
def change_return(*, actor: User, change_id: int, reason: str) -> ChangeRequest:
    """Return to the commune with the reason; nothing is applied. A corrected change is a new
    proposal."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Lý do trả lại: bắt buộc."})
    change = _for_decision(actor, change_id)
    change.state = ChangeState.RETURNED
    change.decided_by, change.decided_at = actor, timezone.now()
    change.decision_reason = reason
    change.save()
    _audit(actor, "change.return", change, {"state": ChangeState.PROPOSED}, reason)
    return change


@transaction.atomic
def change_withdraw(*, actor: User, change_id: int, reason: str = "") -> ChangeRequest:
    """The proposer takes back a change not yet decided."""
    require(actor, Capability.PROPOSE_CHANGES)
    change = (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("commune")
        .filter(pk=change_id, proposed_by=actor)
        .first()
    )
    if change is None:
        raise PermissionDenied(f"Chỉ người đề nghị rút được biến động số {change_id}.")
    if change.state != ChangeState.PROPOSED:
        raise ValidationError(
            f"Biến động số {change.pk} đã ở trạng thái '{change.get_state_display()}'; "
            "không rút được."
        )
    change.state, change.decided_at = ChangeState.WITHDRAWN, timezone.now()
    change.decision_reason = reason.strip()
    change.save()
    _audit(
        actor,
        "change.withdraw",
        change,
        {"state": ChangeState.PROPOSED},
        reason.strip() or "Rút đề nghị",
    )
    return change


# --- applying an approved change -------------------------------------------------------------


def _apply(change: ChangeRequest, approver: User) -> None:
    officer = change.proposed_by
    if not (
        officer.can(Capability.EDIT_BENEFICIARIES)
        and communes_for(officer).filter(pk=change.commune_id).exists()
    ):
        raise ValidationError(
            f"Người đề nghị ({officer.username}) không còn quyền ghi sổ đối tượng của xã "
            f"{change.commune.name}: trả lại để xã đề nghị lại."
        )
    reason = (
        f"Biến động số {change.pk} ({change.get_kind_display()}), {approver.username} phê duyệt"
    )
    reason = reason[:200]  # an enrolment keeps at most 200 characters of its end reason
    if change.kind == K.INCREASE_PERSON:
        _apply_new_person(change, officer, approver, reason)
        return
    assert change.beneficiary_id is not None
    person = Beneficiary.objects.get(pk=change.beneficiary_id)
    payload = _check_for_person(change.kind, person, dict(change.payload), change.effective_month)
    month, pk = change.effective_month, person.pk
    if change.kind in logic.DECREASES:
        for enrolment in _enrolments_to_end(person, payload, month):
            enrolment_end(
                actor=officer,
                enrolment_id=enrolment.pk,
                end_month=logic.previous_month(month),
                reason=reason,
            )
        if change.kind == K.DECREASE_DEATH:
            died = dt.date.fromisoformat(payload["death_date"])
            beneficiary_status_set(
                actor=officer,
                beneficiary_id=pk,
                status=Status.DECEASED,
                since=died,
                death_date=died,
                reason=reason,
            )
        elif (
            person.status != Status.STOPPED
            and not person.enrolments.filter(end_month__isnull=True).exists()
        ):
            beneficiary_status_set(
                actor=officer, beneficiary_id=pk, status=Status.STOPPED, since=month, reason=reason
            )
    elif change.kind == K.INCREASE_ENROLMENT:
        enrolment_add(
            actor=officer,
            beneficiary_id=pk,
            group_code=payload["group"],
            start_month=month,
            reason=reason,
            **_attributes(payload),
        )
    elif change.kind == K.ADJUST_ENROLMENT:
        enrolment_end(
            actor=officer,
            enrolment_id=payload["enrolment"],
            end_month=logic.previous_month(month),
            reason=reason,
        )
        enrolment_add(
            actor=officer,
            beneficiary_id=pk,
            group_code=payload["group"],
            start_month=month,
            reason=reason,
            **_attributes(payload),
        )
    elif change.kind == K.ADJUST_PAYEE:
        payee = PayeeInput(
            kind=payload["payee_kind"],
            full_name=payload.get("full_name", ""),
            id_number=payload.get("id_number", ""),
            phone=payload.get("phone", ""),
            relationship=payload.get("relationship", ""),
            valid_from=month,
            valid_to=_date(payload.get("valid_to")),
        )
        payee_add(actor=officer, beneficiary_id=pk, payee=payee, reason=reason)
    elif change.kind == K.ADJUST_ACCOUNT:
        account_add(
            actor=officer,
            beneficiary_id=pk,
            kind=payload["account_kind"],
            institution_bin=payload["institution_bin"],
            account_number=payload["account_number"],
            holder_name=payload["holder_name"],
            opened_on=month,
            reason=reason,
        )
    elif change.kind == K.ADJUST_METHOD:
        payment_method_register(
            actor=officer,
            beneficiary_id=pk,
            method=payload["method"],
            registered_on=month,
            source=f"Biến động số {change.pk}",
            cash_at_home=payload.get("cash_at_home", False),
            note=reason,
        )
    elif change.kind == K.RESUME_PAYMENT:
        # The approved change is the record the build reads (cycles.build); the person's past
        # is recomputed at the next build, which owes the suspended months.
        Beneficiary.objects.filter(pk=pk).update(updated_at=timezone.now())
    else:  # pragma: no cover - every kind is handled above
        raise ValidationError(f"Loại biến động '{change.kind}' không áp dụng được.")
    if change.kind in RESOLVES_REFUSED_TRANSFER:
        # The refused transfer's work is done: its finding stops holding the person's lines.
        findings_fix(actor=approver, beneficiary_ids=[pk], kinds=[FindingKind.PAYMENT_FAILED],
                     reason=reason)  # fmt: skip


# Changes that settle a refused transfer (results): a new account, another way of being paid,
# or the death the bank reported.
RESOLVES_REFUSED_TRANSFER = frozenset({K.ADJUST_ACCOUNT, K.ADJUST_METHOD, K.DECREASE_DEATH})


def _apply_new_person(change: ChangeRequest, officer: User, approver: User, reason: str) -> None:
    payload = change.payload
    _check_new_person(approver, payload)
    person = beneficiary_register(
        actor=officer,
        person=PersonInput(
            full_name=payload["full_name"],
            sex=payload["sex"],
            commune_code=change.commune.code,
            birth_date=_date(payload.get("birth_date")),
            birth_date_precision=payload.get("birth_date_precision", "day"),
            id_number=payload.get("id_number", ""),
            village=payload.get("village", ""),
            phone=payload.get("phone", ""),
            ethnicity=payload.get("ethnicity", ""),
        ),
        reason=reason,
    )
    month = change.effective_month
    enrolment_add(
        actor=officer,
        beneficiary_id=person.pk,
        group_code=payload["group"],
        start_month=month,
        reason=reason,
        **_attributes(payload),
    )
    payee_add(
        actor=officer,
        beneficiary_id=person.pk,
        payee=PayeeInput(kind="self", valid_from=month),
        reason=reason,
    )
    payment_method_register(
        actor=officer,
        beneficiary_id=person.pk,
        method=payload["method"],
        registered_on=month,
        source=f"Biến động số {change.pk}",
        note=reason,
    )
    change.beneficiary = person
