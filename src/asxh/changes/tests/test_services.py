"""Proposing, deciding and applying changes: who may, where, and what the registry and the
entitlement engine show afterwards."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from asxh.access.models import User
from asxh.access.roles import Role
from asxh.accounts.models import AccountStatus, ReceivingAccount
from asxh.audit.models import AuditEvent
from asxh.beneficiaries.models import Beneficiary, Enrolment, Status
from asxh.changes.models import ChangeKind, ChangeRequest, ChangeState
from asxh.changes.selectors import changes_for, changes_pending_count
from asxh.changes.services import change_approve, change_propose, change_return, change_withdraw
from asxh.entitlement.engine import FUNERAL, MonthResult, month_evaluate
from asxh.entitlement.months import month_of
from asxh.entitlement.selectors import person_case, ratebook
from conftest import make_user

pytestmark = pytest.mark.django_db
K = ChangeKind
AUG, SEP, OCT = dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)


def month_result(beneficiary_id: int, month: dt.date) -> MonthResult:
    """What the entitlement engine pays the stored person for a month."""
    person, enrolments = person_case(Beneficiary.objects.get(pk=beneficiary_id))
    return month_evaluate(person, enrolments, month_of(month), ratebook())


def amounts(beneficiary_id: int, month: dt.date) -> dict[str, int]:
    return {line.benefit: line.amount for line in month_result(beneficiary_id, month).lines}


def propose(officer: User, person: int, kind: str = K.DECREASE_INELIGIBLE, **kw) -> ChangeRequest:  # type: ignore[no-untyped-def]
    kw.setdefault("payload", {})
    kw.setdefault("note", "Biên bản rà soát số 3/BB-UBND")
    if kind != K.DECREASE_DEATH:
        kw.setdefault("effective_month", SEP)
    return change_propose(actor=officer, kind=kind, beneficiary_id=person, **kw)


def test_a_death_approved_records_the_date_and_pays_funeral_support_in_that_month_only(
    officer, approver, people
):
    home = people["home"]
    change = propose(officer, home, K.DECREASE_DEATH, payload={"death_date": "15/09/2026"},
                     note="Giấy chứng tử số 45/2026")  # fmt: skip
    assert change.effective_month == OCT  # the death month is still paid
    change_approve(actor=approver, change_id=change.pk)

    person = Beneficiary.objects.get(pk=home)
    assert person.status == Status.DECEASED and person.death_date == dt.date(2026, 9, 15)
    assert list(person.enrolments.values_list("end_month", flat=True)) == [SEP]
    september = amounts(home, SEP)
    assert september[FUNERAL] == 10_000_000  # 20 × 500.000 đ
    assert september["btxh_khuyet_tat"] == 1_000_000
    assert month_result(home, OCT).lines == ()
    change.refresh_from_db()
    assert change.state == ChangeState.APPROVED and change.applied_at is not None


def test_no_longer_eligible_stops_the_monthly_line_from_the_effective_month(
    officer, approver, people
):
    home = people["home"]
    change_approve(actor=approver, change_id=propose(officer, home).pk)
    assert amounts(home, AUG) == {"btxh_khuyet_tat": 1_000_000}
    assert amounts(home, SEP) == {}
    person = Beneficiary.objects.get(pk=home)
    assert person.status == Status.STOPPED and person.status_since == SEP


@pytest.mark.parametrize("kind", [K.DECREASE_MOVED, K.DECREASE_SOCIAL_INSURANCE])
def test_moving_away_and_social_insurance_stop_payment_from_the_effective_month(
    kind, officer, approver, people
):
    home = people["home"]
    payload = {"destination": "Phường Long Xuyên, An Giang"} if kind == K.DECREASE_MOVED else {}
    change_approve(actor=approver, change_id=propose(officer, home, kind, payload=payload).pk)
    assert amounts(home, AUG) and not amounts(home, SEP)


def test_adjusting_the_disability_level_changes_the_amount_from_the_effective_month(
    officer, approver, people
):
    home = people["home"]
    old = Enrolment.objects.get(beneficiary_id=home)
    change = propose(officer, home, K.ADJUST_ENROLMENT,
                     payload={"enrolment": old.pk, "disability_level": "very_severe"},
                     note="Biên bản Hội đồng xác định mức độ khuyết tật số 7")  # fmt: skip
    # The stored payload is the whole new set of terms, the rest kept from the old enrolment.
    assert change.payload["group"] == "btxh_khuyet_tat"
    change_approve(actor=approver, change_id=change.pk)
    assert amounts(home, AUG) == {"btxh_khuyet_tat": 1_000_000}
    assert amounts(home, SEP) == {"btxh_khuyet_tat": 1_250_000}
    old.refresh_from_db()
    new = Enrolment.objects.get(beneficiary_id=home, end_month__isnull=True)
    assert old.end_month == AUG and new.start_month == SEP
    assert new.disability_level == "very_severe"


def test_an_adjustment_that_changes_nothing_is_refused(officer, people):
    old = Enrolment.objects.get(beneficiary_id=people["home"])
    with pytest.raises(ValidationError, match="Không có điều kiện hưởng nào thay đổi"):
        propose(officer, people["home"], K.ADJUST_ENROLMENT,
                payload={"enrolment": old.pk, "disability_level": "severe"})  # fmt: skip


def test_the_proposer_cannot_approve_even_after_becoming_an_approver(officer, people, areas):
    change = propose(officer, people["home"])
    officer.role = Role.APPROVER  # promoted, now working for the whole province
    officer.save()
    officer.areas.create(province=areas.province)
    for decide in (change_approve, change_return):
        with pytest.raises(PermissionDenied, match="Người đề nghị không được tự thẩm định"):
            decide(actor=officer, change_id=change.pk, reason="Tự duyệt")
    change.refresh_from_db()
    assert change.state == ChangeState.PROPOSED
    # The database refuses it too.
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=change.pk).update(
            state=ChangeState.RETURNED,
            decided_by=change.proposed_by,
            decided_at=timezone.now(),
            decision_reason="x",
        )


def test_another_approver_can(officer, approver, people):
    change = change_approve(actor=approver, change_id=propose(officer, people["home"]).pk)
    assert change.decided_by == approver and change.proposed_by == officer


def test_an_officer_proposes_only_for_people_and_communes_of_its_area(officer, people, areas):
    for other in ("neighbour", "foreign"):
        with pytest.raises(PermissionDenied, match="không thuộc địa bàn"):
            propose(officer, people[other])
    with pytest.raises(PermissionDenied, match="không thuộc địa bàn"):
        change_propose(actor=officer, kind=K.INCREASE_PERSON, payload=NEW_PERSON,
                       commune_code=areas.neighbour.code, note="Hồ sơ", effective_month=SEP)  # fmt: skip
    assert not ChangeRequest.objects.exists()


def test_only_approvers_of_the_area_decide(officer, approver, people, areas, users):
    change = propose(officer, people["home"])
    outsiders = [
        make_user(Role.APPROVER, province=areas.foreign_province, username="duyet-tinh-khac"),
        make_user(Role.APPROVER, commune=areas.neighbour, username="duyet-xa-ben"),
    ]
    for outsider in outsiders:
        with pytest.raises(PermissionDenied, match="không thuộc địa bàn"):
            change_approve(actor=outsider, change_id=change.pk)
        assert not changes_for(outsider).exists()
    for role in Role.values:
        if role != Role.APPROVER:
            with pytest.raises(PermissionDenied):
                change_approve(actor=users[role], change_id=change.pk)
        if role != Role.COMMUNE_OFFICER:
            with pytest.raises(PermissionDenied):
                propose(users[role], people["home"], payload={}, effective_month=OCT)
    assert changes_for(approver).get() == change and changes_for(officer).get() == change
    change_approve(actor=approver, change_id=change.pk)


def test_a_returned_change_is_not_applied_and_keeps_its_reason(officer, approver, people):
    change = propose(officer, people["home"])
    with pytest.raises(ValidationError, match="Lý do trả lại: bắt buộc"):
        change_return(actor=approver, change_id=change.pk, reason="  ")
    change_return(actor=approver, change_id=change.pk, reason="Thiếu biên bản họp thôn")
    change.refresh_from_db()
    assert change.state == ChangeState.RETURNED
    assert change.decision_reason == "Thiếu biên bản họp thôn" and change.applied_at is None
    assert amounts(people["home"], SEP) == {"btxh_khuyet_tat": 1_000_000}
    assert Beneficiary.objects.get(pk=people["home"]).status == Status.ACTIVE
    with pytest.raises(ValidationError, match="không quyết định lại được"):
        change_approve(actor=approver, change_id=change.pk)
    # The commune corrects it with a new proposal.
    again = propose(officer, people["home"], note="Biên bản họp thôn số 2")
    change_approve(actor=approver, change_id=again.pk)


def test_a_change_is_decided_once(officer, approver, people, areas):
    change = propose(officer, people["home"])
    change_approve(actor=approver, change_id=change.pk)
    second = make_user(Role.APPROVER, province=areas.province, username="duyet-2")
    with pytest.raises(ValidationError, match="đã ở trạng thái 'Đã phê duyệt'"):
        change_approve(actor=second, change_id=change.pk)
    with pytest.raises(ValidationError, match="không quyết định lại được"):
        change_return(actor=second, change_id=change.pk, reason="Sai")
    assert AuditEvent.objects.filter(action="change.approve").count() == 1
    assert Enrolment.objects.get(beneficiary_id=people["home"]).end_month == AUG


def test_every_decision_is_audited_with_who_what_and_why(officer, approver, people):
    approved = propose(officer, people["home"], K.DECREASE_DEATH,
                       payload={"death_date": "15/09/2026"}, note="Giấy chứng tử số 45")  # fmt: skip
    returned = propose(officer, people["home"], K.ADJUST_METHOD, payload={"method": "cash"})
    change_approve(actor=approver, change_id=approved.pk, reason="Hồ sơ đầy đủ")
    change_return(actor=approver, change_id=returned.pk, reason="Chưa có phiếu đăng ký")
    events = {
        e.action: e
        for e in AuditEvent.objects.filter(object_type="change").order_by("id")
        if e.action != "change.propose"
    }
    approve, back = events["change.approve"], events["change.return"]
    assert (approve.actor, approve.object_id, approve.reason) == (
        approver,
        str(approved.pk),
        "Hồ sơ đầy đủ",
    )
    after, back_after = dict(approve.after or {}), dict(back.after or {})
    assert approve.before == {"state": "proposed"} and after["state"] == "approved"
    assert after["kind"] == "decrease_death"
    assert after["payload"] == {"death_date": "2026-09-15"}
    assert (back.actor, back.reason, back_after["state"]) == (
        approver,
        "Chưa có phiếu đăng ký",
        "returned",
    )
    proposed = AuditEvent.objects.filter(action="change.propose", object_id=str(approved.pk)).get()
    assert proposed.actor == officer and proposed.reason == "Giấy chứng tử số 45"
    # The registry's own events name the change and its approver.
    status = AuditEvent.objects.filter(action="beneficiary.status").latest("id")
    assert (
        status.reason == f"Biến động số {approved.pk} (Giảm: chết), {approver.username} phê duyệt"
    )


def test_a_new_person_is_registered_enrolled_and_paid_from_the_effective_month(
    officer, approver, areas
):
    change = change_propose(actor=officer, kind=K.INCREASE_PERSON, payload=NEW_PERSON,
                            commune_code=areas.home.code, effective_month=SEP,
                            note="Quyết định trợ cấp số 88/QĐ-UBND")  # fmt: skip
    assert change.beneficiary is None
    change_approve(actor=approver, change_id=change.pk)
    change.refresh_from_db()
    person = change.beneficiary
    assert person is not None and person.commune == areas.home
    assert person.full_name == "Phạm Văn Đức" and person.payment_method == "cash"
    assert person.payees.get().kind == "self"
    assert amounts(person.pk, AUG) == {}
    assert amounts(person.pk, SEP) == {"btxh_khuyet_tat": 1_250_000}
    # The same ID number again is refused.
    with pytest.raises(ValidationError, match="đã có đối tượng số"):
        change_propose(actor=officer, kind=K.INCREASE_PERSON, payload=NEW_PERSON,
                       commune_code=areas.home.code, effective_month=SEP, note="Lần 2")  # fmt: skip


NEW_PERSON = {
    "full_name": "Phạm Văn Đức",
    "sex": "M",
    "birth_date": "02/01/1952",
    "id_number": "091052001234",
    "group": "btxh_khuyet_tat",
    "disability_level": "very_severe",
    "method": "cash",
}


def test_a_new_enrolment_and_the_payee_account_and_method_adjustments(officer, approver, people):
    home = people["home"]
    steps = [
        (K.INCREASE_ENROLMENT, {"group": "huu_tri_xa_hoi", "decision_number": "9/QĐ"}),
        (K.ADJUST_PAYEE, {"payee_kind": "guardian", "full_name": "Nguyễn Văn Tư",
                          "relationship": "con", "phone": "0987654321"}),
        (K.ADJUST_ACCOUNT, {"account_kind": "bank", "institution_bin": "970405",
                            "account_number": "7100 2051 99999", "holder_name": "NGUYEN VAN TU"}),
        (K.ADJUST_METHOD, {"method": "account", "cash_at_home": "0"}),
    ]  # fmt: skip
    for kind, payload in steps:
        change_approve(actor=approver, change_id=propose(officer, home, kind, payload=payload).pk)
    person = Beneficiary.objects.get(pk=home)
    assert person.enrolments.get(group__code="huu_tri_xa_hoi").start_month == SEP
    payee = person.payees.get(valid_to__isnull=True)
    assert (payee.kind, payee.full_name, payee.valid_from) == ("guardian", "Nguyễn Văn Tư", SEP)
    account = ReceivingAccount.objects.get(payee=payee, status=AccountStatus.ACTIVE)
    assert account.account_number == "7100205199999" and account.opened_on == SEP
    registration = person.method_registrations.get(method="account", registered_on=SEP)
    assert registration.source == f"Biến động số {ChangeRequest.objects.latest('id').pk}"


def test_the_proposer_withdraws_before_the_decision(officer, approver, people, areas):
    change = propose(officer, people["home"])
    colleague = make_user(Role.COMMUNE_OFFICER, commune=areas.home, username="can-bo-2")
    with pytest.raises(PermissionDenied, match="Chỉ người đề nghị"):
        change_withdraw(actor=colleague, change_id=change.pk)
    change_withdraw(actor=officer, change_id=change.pk, reason="Nhầm người")
    with pytest.raises(ValidationError, match="Đã rút"):
        change_approve(actor=approver, change_id=change.pk)
    decided = propose(officer, people["home"])
    change_approve(actor=approver, change_id=decided.pk)
    with pytest.raises(ValidationError, match="không rút được"):
        change_withdraw(actor=officer, change_id=decided.pk)


def test_pending_changes_hold_back_the_months_they_apply_to(officer, approver, people, areas):
    ids = [areas.home.pk, areas.neighbour.pk]
    change = propose(officer, people["home"], effective_month=OCT)
    assert changes_pending_count(ids, SEP) == 0
    assert (
        changes_pending_count(ids, OCT) == 1
        and changes_pending_count(ids, dt.date(2026, 12, 1)) == 1
    )
    assert changes_pending_count([areas.foreign.pk], OCT) == 0
    change_approve(actor=approver, change_id=change.pk)
    assert changes_pending_count(ids, OCT) == 0


def test_a_second_decrease_waits_for_the_first(officer, people):
    propose(officer, people["home"])
    with pytest.raises(ValidationError, match="đang chờ thẩm định"):
        propose(officer, people["home"], K.DECREASE_DEATH, payload={"death_date": "01/09/2026"})


def test_a_dead_person_takes_no_more_changes(officer, approver, people):
    death = propose(officer, people["home"], K.DECREASE_DEATH, payload={"death_date": "15/09/2026"})
    pending = propose(officer, people["home"], K.ADJUST_METHOD, payload={"method": "cash"})
    change_approve(actor=approver, change_id=death.pk)
    with pytest.raises(ValidationError, match="đã chết ngày 15/09/2026"):
        propose(officer, people["home"], K.ADJUST_METHOD, payload={"method": "cash"})
    # Checked again when approving: nothing is applied, the change stays to be returned.
    with pytest.raises(ValidationError, match="đã chết"):
        change_approve(actor=approver, change_id=pending.pk)
    pending.refresh_from_db()
    assert pending.state == ChangeState.PROPOSED


def test_a_failed_application_leaves_nothing_behind(officer, approver, people):
    change = propose(
        officer, people["home"], K.DECREASE_DEATH, payload={"death_date": "15/09/2026"}
    )
    officer.is_active = False  # the proposer left: the approval cannot write in their name
    officer.save()
    with pytest.raises(ValidationError, match="không còn quyền ghi sổ"):
        change_approve(actor=approver, change_id=change.pk)
    assert Beneficiary.objects.get(pk=people["home"]).status == Status.ACTIVE
    assert not AuditEvent.objects.filter(action="change.approve").exists()
