import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError

from asxh.access.roles import Role
from asxh.accounts.models import ReceivingAccount
from asxh.accounts.services import account_add
from asxh.beneficiaries.models import Beneficiary, Enrolment, Payee
from asxh.beneficiaries.services import (
    PayeeInput,
    PersonInput,
    beneficiary_register,
    beneficiary_status_set,
    beneficiary_update,
    enrolment_end,
    payee_add,
)

pytestmark = pytest.mark.django_db


def test_names_are_stored_in_nfc_and_searchable_without_diacritics(officer, areas):
    decomposed = "Nguye\u0302\u0303n Thi\u0323 Đào"
    person = beneficiary_register(
        actor=officer,
        person=PersonInput(full_name=decomposed, sex="F", commune_code=areas.home.code),
        reason="QĐ 1",
    )
    assert person.full_name == "Nguyễn Thị Đào" and person.name_folded == "nguyen thi dao"


def test_only_a_commune_officer_registers_and_only_in_own_commune(users, areas):
    person = PersonInput(full_name="Phạm Văn An", sex="M", commune_code=areas.home.code)
    for role, user in users.items():
        if role == Role.COMMUNE_OFFICER:
            continue
        with pytest.raises(PermissionDenied):
            beneficiary_register(actor=user, person=person, reason="x")
    person.commune_code = areas.neighbour.code
    with pytest.raises(PermissionDenied, match=areas.neighbour.code):
        beneficiary_register(actor=users[Role.COMMUNE_OFFICER], person=person, reason="x")


def test_a_change_needs_a_reason(officer, people):
    with pytest.raises(ValidationError, match="lý do"):
        beneficiary_update(
            actor=officer, beneficiary_id=people["home"], changes={"village": "Ấp Mới"}, reason="  "
        )


def test_status_is_not_changed_through_a_plain_update(officer, people):
    with pytest.raises(ValidationError, match="thao tác riêng"):
        beneficiary_update(
            actor=officer, beneficiary_id=people["home"], changes={"status": "stopped"}, reason="x"
        )


def test_death_needs_its_date_and_is_final(officer, people):
    with pytest.raises(ValidationError, match="ngày chết"):
        beneficiary_status_set(
            actor=officer,
            beneficiary_id=people["home"],
            status="deceased",
            since=dt.date(2026, 11, 2),
            reason="Giấy báo tử",
        )
    person = beneficiary_status_set(
        actor=officer,
        beneficiary_id=people["home"],
        status="deceased",
        since=dt.date(2026, 11, 2),
        death_date=dt.date(2026, 11, 1),
        reason="Giấy báo tử số 5",
    )
    assert person.death_date == dt.date(2026, 11, 1)
    with pytest.raises(ValidationError, match="đã chết"):
        beneficiary_status_set(
            actor=officer,
            beneficiary_id=people["home"],
            status="active",
            since=dt.date(2026, 11, 3),
            reason="nhầm",
        )


def test_an_ended_enrolment_cannot_be_ended_again(officer, people):
    enrolment = Enrolment.objects.get(beneficiary_id=people["home"])
    enrolment_end(
        actor=officer,
        enrolment_id=enrolment.pk,
        end_month=dt.date(2026, 10, 15),
        reason="Hết điều kiện",
    )
    enrolment.refresh_from_db()
    assert enrolment.end_month == dt.date(2026, 10, 1)
    with pytest.raises(ValidationError, match="đã kết thúc"):
        enrolment_end(
            actor=officer, enrolment_id=enrolment.pk, end_month=dt.date(2026, 12, 1), reason="lại"
        )


def test_a_new_payee_ends_the_old_one_instead_of_overwriting_it(officer, people):
    with pytest.raises(ValidationError, match="hết hiệu lực"):
        payee_add(
            actor=officer,
            beneficiary_id=people["home"],
            payee=PayeeInput(kind="authorised", full_name="Lê Văn Tư"),
            reason="Ủy quyền",
        )
    payee_add(
        actor=officer,
        beneficiary_id=people["home"],
        payee=PayeeInput(
            kind="authorised",
            full_name="Lê Văn Tư",
            valid_from=dt.date(2026, 11, 1),
            valid_to=dt.date(2027, 10, 31),
        ),
        reason="Giấy ủy quyền số 3",
    )
    old, new = Payee.objects.filter(beneficiary_id=people["home"]).order_by("id")
    assert old.valid_to == dt.date(2026, 10, 31) and new.valid_to == dt.date(2027, 10, 31)


def test_a_new_account_supersedes_the_old_one(officer, people):
    account_add(
        actor=officer,
        beneficiary_id=people["home"],
        kind="mobile_money",
        institution_bin="971005",
        account_number="0912345678",
        holder_name="NGUYEN THI HOA",
        opened_on=dt.date(2026, 11, 20),
        reason="Đổi sang MM",
    )
    statuses = dict(
        ReceivingAccount.objects.filter(beneficiary_id=people["home"]).values_list(
            "account_number", "status"
        )
    )
    assert statuses == {"7100205123456": "superseded", "0912345678": "active"}


def test_database_allows_one_active_account_per_payee(people):
    account = ReceivingAccount.objects.get(beneficiary_id=people["home"])
    account.pk = None
    with pytest.raises(IntegrityError):
        account.save()


def test_unknown_bank_is_refused_with_its_bin(officer, people):
    with pytest.raises(ValidationError, match="123456"):
        account_add(
            actor=officer,
            beneficiary_id=people["home"],
            kind="bank",
            institution_bin="123456",
            account_number="1234567",
            holder_name="A",
            opened_on=dt.date(2026, 11, 1),
            reason="x",
        )


def test_check_constraint_rejects_malformed_id_numbers(areas):
    with pytest.raises(IntegrityError):
        Beneficiary.objects.create(
            full_name="X", name_folded="x", sex="M", commune=areas.home, id_number="12345"
        )
