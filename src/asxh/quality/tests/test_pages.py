"""The findings page, its dismiss form and scan button, and every role × area."""

import pytest
from django.test import Client

from asxh.access.models import User
from asxh.access.roles import Capability, Role
from asxh.audit.models import AuditEvent
from asxh.beneficiaries.models import Beneficiary
from asxh.quality.models import Finding, FindingState
from conftest import COMMUNE_ROLES, make_user

from .helpers import plant, scan

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def findings(users, areas, people) -> dict[str, Finding]:
    """A legacy 9-digit ID in each of the three communes, found by scans of both provinces."""
    for key, number in (
        ("home", "111111111"),
        ("neighbour", "222222222"),
        ("foreign", "333333333"),
    ):
        plant(people[key], id_number=number)
    scan(users[Role.PROVINCE])
    scan(make_user(Role.PROVINCE, province=areas.foreign_province))
    return {key: Finding.objects.get(beneficiary_id=people[key]) for key in people}


def test_the_page_lists_counts_and_masks(officer, findings, people):
    response = _client(officer).get("/lam-sach/")
    body = response.content.decode()
    assert response.status_code == 200
    home = Beneficiary.objects.get(pk=people["home"])
    assert home.full_name in body and "11*****11" in body and "111111111" not in body
    assert "CMND 9 số: cập nhật số định danh cá nhân 12 số theo CCCD." in body
    counts = dict((k, n) for k, _, n in response.context["counts"])
    assert counts["id_legacy"] == 1 and counts["id_sex"] == 0
    assert f'href="/doi-tuong/{home.pk}/sua/"' in body  # fixing goes through the registry


def test_filters_by_kind_state_and_commune(users, areas, findings):
    client = _client(users[Role.PROVINCE])
    assert len(client.get("/lam-sach/").context["rows"]) == 2
    only_home = client.get(f"/lam-sach/?commune={areas.home.code}").context["rows"]
    assert [r["finding"] for r in only_home] == [findings["home"]]
    assert client.get("/lam-sach/?kind=id_sex").context["rows"] == []
    assert client.get("/lam-sach/?state=dismissed").context["rows"] == []
    assert len(client.get("/lam-sach/?state=").context["rows"]) == 2


def test_dismiss_form_needs_a_reason(officer, findings):
    client = _client(officer)
    finding = findings["home"]
    response = client.post(f"/lam-sach/{finding.pk}/bo-qua/", {"reason": " "}, follow=True)
    assert "Ghi lý do bỏ qua" in response.content.decode()
    finding.refresh_from_db()
    assert finding.state == FindingState.OPEN
    response = client.post(
        f"/lam-sach/{finding.pk}/bo-qua/",
        {"reason": "Chưa làm CCCD, hẹn tháng sau", "next": "/lam-sach/?state="},
    )
    assert response.status_code == 302 and response["Location"] == "/lam-sach/?state="
    finding.refresh_from_db()
    assert (finding.state, finding.state_reason) == (
        FindingState.DISMISSED,
        "Chưa làm CCCD, hẹn tháng sau",
    )
    assert AuditEvent.objects.filter(action="quality.dismiss", actor=officer).count() == 1


def test_scan_button_scans_the_officers_commune(officer, people):
    plant(people["home"], id_number="444444444")
    response = _client(officer).post("/lam-sach/quet/", follow=True)
    assert "Đã quét 1 đối tượng: 1 phát hiện mới" in response.content.decode()
    assert Finding.objects.get().beneficiary_id == people["home"]


def test_a_province_user_must_choose_a_commune_to_scan_from_the_page(users, people):
    response = _client(users[Role.PROVINCE]).post("/lam-sach/quet/", follow=True)
    assert "Chọn một xã/phường để quét" in response.content.decode()
    assert not AuditEvent.objects.filter(action="quality.scan").exists()


def _foreign(role: str, findings: dict[str, Finding]) -> list[Finding]:
    """Findings outside the user's area: a commune user's neighbour is foreign too."""
    keys = ["foreign", "neighbour"] if role in COMMUNE_ROLES else ["foreign"]
    return [findings[k] for k in keys]


@pytest.mark.parametrize("role", Role.values)
def test_no_role_sees_or_changes_a_foreign_finding(role, users, findings):
    user = users[role]
    client = _client(user)
    events = AuditEvent.objects.count()
    for finding in _foreign(role, findings):
        person = finding.beneficiary
        pages = [
            ("get", "/lam-sach/", {}),
            ("get", "/lam-sach/?state=", {}),
            ("get", f"/lam-sach/?commune={finding.commune.code}", {}),
            ("post", f"/lam-sach/{finding.pk}/bo-qua/", {"reason": "thử ngoài địa bàn"}),
            ("post", "/lam-sach/quet/", {"commune": finding.commune.code}),
        ]
        for method, url, data in pages:
            response = getattr(client, method)(url, data)
            body = response.content.decode()
            assert response.status_code in (200, 403, 404), (role, url, response.status_code)
            assert person.full_name not in body, (role, url)
            assert person.id_number not in body, (role, url)
        finding.refresh_from_db()
        assert finding.state == FindingState.OPEN
    assert AuditEvent.objects.count() == events  # nothing scanned or dismissed


@pytest.mark.parametrize("role", Role.values)
def test_each_role_gets_what_its_capabilities_allow(role, users, findings):
    user = users[role]
    client = _client(user)
    own = findings["home"]
    listing = client.get("/lam-sach/")
    if user.can(Capability.VIEW_QUALITY):
        assert listing.status_code == 200
        assert own.beneficiary.full_name in listing.content.decode()
    else:
        assert listing.status_code == 403
    dismissed = client.post(f"/lam-sach/{own.pk}/bo-qua/", {"reason": "Đã kiểm tra"})
    own.refresh_from_db()
    if user.can(Capability.EDIT_BENEFICIARIES):
        assert dismissed.status_code == 302 and own.state == FindingState.DISMISSED
    else:
        assert dismissed.status_code == 403 and own.state == FindingState.OPEN
    scanned = client.post("/lam-sach/quet/", {"commune": own.commune.code})
    assert scanned.status_code == (302 if user.can(Capability.VIEW_QUALITY) else 403)


def test_a_duplicate_outside_the_area_is_named_by_its_commune_only(officer, areas, people):
    plant(people["home"], id_number="555555555")
    plant(people["foreign"], id_number="555555555")
    scan(officer)
    body = _client(officer).get("/lam-sach/").content.decode()
    foreign = Beneficiary.objects.get(pk=people["foreign"])
    assert areas.foreign.name in body and foreign.full_name not in body
    assert f"/doi-tuong/{foreign.pk}/" not in body
