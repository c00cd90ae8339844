"""The pages: list and filters, the proposal form, approving and returning, by role and area."""

import datetime as dt

import pytest
from django.test import Client

from asxh.access.roles import Role
from asxh.beneficiaries.models import Beneficiary, Status
from asxh.changes.models import ChangeKind, ChangeRequest, ChangeState
from asxh.changes.services import change_propose
from conftest import make_user

pytestmark = pytest.mark.django_db


def _client(user) -> Client:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _death(officer, person: int) -> ChangeRequest:  # type: ignore[no-untyped-def]
    return change_propose(
        actor=officer,
        kind=ChangeKind.DECREASE_DEATH,
        beneficiary_id=person,
        payload={"death_date": "15/09/2026"},
        note="Giấy chứng tử số 45/2026",
    )


def test_the_officer_proposes_a_death_on_the_page(officer, people):
    client = _client(officer)
    form = client.get(
        "/bien-dong/de-nghi/", {"kind": "decrease_death", "beneficiary": people["home"]}
    )
    body = form.content.decode()
    assert form.status_code == 200 and "Ngày chết" in body and "Nguyễn Thị Hoà" in body
    assert "tháng sau tháng chết" in body
    sent = client.post(
        "/bien-dong/de-nghi/",
        {"kind": "decrease_death", "beneficiary": people["home"], "death_date": "15/09/2026",
         "effective_month": "", "note": "Giấy chứng tử số 45/2026"},
    )  # fmt: skip
    change = ChangeRequest.objects.get()
    assert sent.status_code == 302 and sent["Location"] == f"/bien-dong/{change.pk}/"
    assert change.payload == {"death_date": "2026-09-15"} and change.effective_month == dt.date(
        2026, 10, 1
    )


def test_the_form_shows_each_field_error_in_vietnamese(officer, people):
    page = _client(officer).post(
        "/bien-dong/de-nghi/",
        {"kind": "adjust_method", "beneficiary": people["home"], "method": "", "effective_month": "13/2026", "note": ""},
    )  # fmt: skip
    body = page.content.decode()
    assert page.status_code == 200 and not ChangeRequest.objects.exists()
    assert "Tháng hiệu lực: Tháng &#x27;13/2026&#x27; không hợp lệ" in body
    page = _client(officer).post(
        "/bien-dong/de-nghi/",
        {"kind": "adjust_method", "beneficiary": people["home"], "effective_month": "09/2026", "note": "Phiếu"},
    )  # fmt: skip
    assert "Hình thức nhận: bắt buộc." in page.content.decode()


def test_a_new_enrolment_form_lists_groups_and_an_adjustment_lists_running_enrolments(
    officer, people
):
    client = _client(officer)
    body = client.get("/bien-dong/de-nghi/", {"kind": "increase_person"}).content.decode()
    assert "Nhóm đối tượng" in body and "Người khuyết tật nặng" in body and 'name="commune"' in body
    body = client.get(
        "/bien-dong/de-nghi/", {"kind": "adjust_enrolment", "beneficiary": people["home"]}
    ).content.decode()
    assert "Người khuyết tật nặng, đặc biệt nặng (từ 07/2025)" in body
    # Another commune's person is not found.
    page = client.get(
        "/bien-dong/de-nghi/", {"kind": "adjust_method", "beneficiary": people["neighbour"]}
    )
    assert page.status_code == 404


def test_the_approver_approves_on_the_detail_page(officer, approver, people):
    change = _death(officer, people["home"])
    client = _client(approver)
    page = client.get(f"/bien-dong/{change.pk}/")
    body = page.content.decode()
    assert 'data-testid="approve"' in body and 'data-testid="return"' in body
    assert "10/2026" in body and "15/09/2026" in body and "Giấy chứng tử số 45/2026" in body
    done = client.post(f"/bien-dong/{change.pk}/phe-duyet/", {"reason": "Đủ hồ sơ"})
    assert done.status_code == 302
    change.refresh_from_db()
    assert change.state == ChangeState.APPROVED
    assert Beneficiary.objects.get(pk=people["home"]).status == Status.DECEASED
    body = client.get(f"/bien-dong/{change.pk}/").content.decode()
    assert "Đã phê duyệt" in body and 'data-testid="approve"' not in body


def test_the_proposer_sees_no_decision_buttons_and_is_refused(officer, people, areas):
    change = _death(officer, people["home"])
    body = _client(officer).get(f"/bien-dong/{change.pk}/").content.decode()
    assert 'data-testid="approve"' not in body and 'data-testid="own-change"' in body
    officer.role = Role.APPROVER
    officer.save()
    client = _client(officer)
    body = client.get(f"/bien-dong/{change.pk}/").content.decode()
    assert 'data-testid="approve"' not in body
    assert client.post(f"/bien-dong/{change.pk}/phe-duyet/").status_code == 403
    assert client.post(f"/bien-dong/{change.pk}/tra-lai/", {"reason": "x"}).status_code == 403
    change.refresh_from_db()
    assert change.state == ChangeState.PROPOSED


def test_returning_needs_a_reason_and_shows_it(officer, approver, people):
    change = _death(officer, people["home"])
    client = _client(approver)
    client.post(f"/bien-dong/{change.pk}/tra-lai/", {"reason": ""})
    change.refresh_from_db()
    assert change.state == ChangeState.PROPOSED
    client.post(f"/bien-dong/{change.pk}/tra-lai/", {"reason": "Thiếu giấy chứng tử bản sao"})
    body = _client(officer).get(f"/bien-dong/{change.pk}/").content.decode()
    assert "Trả lại" in body and "Thiếu giấy chứng tử bản sao" in body
    assert Beneficiary.objects.get(pk=people["home"]).status == Status.ACTIVE


def test_the_list_filters_by_state_month_and_commune_within_the_area(
    officer, approver, people, areas
):
    change = _death(officer, people["home"])
    client = _client(approver)
    body = client.get("/bien-dong/").content.decode()
    assert f'href="/bien-dong/{change.pk}/"' in body and "Giảm: chết" in body and "10/2026" in body
    for query, shown in [
        ({"state": "proposed"}, True),
        ({"state": "approved"}, False),
        ({"month": "10/2026"}, True),
        ({"month": "09/2026"}, False),
        ({"commune": areas.home.code}, True),
        ({"commune": areas.neighbour.code}, False),
    ]:
        body = client.get("/bien-dong/", query).content.decode()
        assert (f'href="/bien-dong/{change.pk}/"' in body) == shown, query
    outsider = make_user(Role.APPROVER, province=areas.foreign_province, username="duyet-tinh-khac")
    other = _client(outsider)
    assert f'href="/bien-dong/{change.pk}/"' not in other.get("/bien-dong/").content.decode()
    assert other.get(f"/bien-dong/{change.pk}/").status_code == 404
    assert other.post(f"/bien-dong/{change.pk}/phe-duyet/").status_code == 403


@pytest.mark.parametrize("role", [Role.COMMUNE_POLICE, Role.PROVIDER, Role.TREASURY, Role.POLICY])
def test_roles_that_neither_propose_nor_approve_are_refused(role, users):
    client = _client(users[role])
    assert client.get("/bien-dong/").status_code == 403
    assert client.get("/bien-dong/de-nghi/").status_code == 403


def test_the_proposer_withdraws_on_the_page(officer, approver, people):
    change = _death(officer, people["home"])
    assert (
        'data-testid="withdraw"'
        not in _client(approver).get(f"/bien-dong/{change.pk}/").content.decode()
    )
    _client(officer).post(f"/bien-dong/{change.pk}/rut/", {"reason": "Nhầm"})
    change.refresh_from_db()
    assert change.state == ChangeState.WITHDRAWN


def test_pages_need_a_login():
    assert Client().get("/bien-dong/").status_code == 302


def test_a_new_person_is_proposed_on_the_page(officer, approver, areas):
    sent = _client(officer).post(
        "/bien-dong/de-nghi/",
        {"kind": "increase_person", "commune": areas.home.code, "full_name": "Phạm Văn Đức",
         "sex": "M", "birth_date": "02/01/1952", "group": "btxh_nct_80", "in_education": "",
         "method": "cash", "effective_month": "09/2026", "note": "QĐ 88/QĐ-UBND"},
    )  # fmt: skip
    change = ChangeRequest.objects.get()
    assert sent.status_code == 302 and change.commune == areas.home and change.beneficiary is None
    body = _client(approver).get("/bien-dong/").content.decode()
    assert "Phạm Văn Đức" in body and "(mới)" in body
    _client(approver).post(f"/bien-dong/{change.pk}/phe-duyet/")
    change.refresh_from_db()
    assert change.beneficiary is not None and change.beneficiary.birth_date == dt.date(1952, 1, 2)
