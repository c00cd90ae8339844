"""The scan on small registries: each kind found, rescans idempotent, fixes closed, dismissals."""

import datetime as dt
import unicodedata

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from asxh.access.roles import Role
from asxh.accounts.models import ReceivingAccount
from asxh.audit.models import AuditEvent
from asxh.beneficiaries.models import Beneficiary
from asxh.beneficiaries.services import beneficiary_status_set, beneficiary_update
from asxh.core.vietnamese import legacy_encode
from asxh.quality import logic
from asxh.quality.models import Finding, FindingKind, FindingState
from asxh.quality.services import Problem, finding_dismiss, findings_raise
from conftest import make_user, register_person

from .helpers import officer_of, open_kinds, plant, scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def province_user(users):
    return users[Role.PROVINCE]


def test_a_clean_registry_has_no_findings(province_user, people):
    result = scan(province_user)
    assert result.scanned == 2  # home and neighbour; the foreign person is another province's
    assert result.raised == 0 and not Finding.objects.exists()


def test_each_identity_and_name_problem_is_found(officer, areas, people):
    home = people["home"]
    plant(home, id_number="091055012345")  # a man's number on a woman's record
    year = register_person(officer, areas.home, name="Trần Văn Tư", id_number="091050111111", sex="M", birth_date=dt.date(1950, 1, 1))  # fmt: skip
    plant(year, id_number="091052111111")
    invalid = register_person(officer, areas.home, name="Lê Văn Năm", id_number="091050222222", sex="M", birth_date=dt.date(1950, 1, 1))  # fmt: skip
    plant(invalid, id_number="099050222222")
    legacy = register_person(officer, areas.home, name="Phạm Thị Sáu", id_number="091155333333")
    plant(legacy, id_number="123456789")
    tcvn3 = register_person(officer, areas.home, name="Võ Thị Bảy", id_number="091155444444")
    plant(tcvn3, full_name=legacy_encode("Võ Thị Bảy", "tcvn3"))
    nfd = register_person(officer, areas.home, name="Đỗ Thị Tám", id_number="091155555555")
    plant(nfd, full_name=unicodedata.normalize("NFD", "Đỗ Thị Tám"))
    scan(officer)
    assert open_kinds(home) == {FindingKind.ID_SEX}
    assert open_kinds(year) == {FindingKind.ID_BIRTH_YEAR}
    assert open_kinds(invalid) == {FindingKind.ID_INVALID}
    assert open_kinds(legacy) == {FindingKind.ID_LEGACY}
    assert open_kinds(tcvn3) == {FindingKind.NAME_ENCODING}
    assert open_kinds(nfd) == {FindingKind.NAME_ENCODING}
    finding = Finding.objects.get(beneficiary_id=tcvn3, kind=FindingKind.NAME_ENCODING)
    assert finding.detail == {"encoding": "tcvn3", "suggested": "Võ Thị Bảy"}
    assert finding.commune_id == areas.home.pk


def test_payment_problems_are_found(officer, areas, people):
    home = people["home"]
    ReceivingAccount.objects.filter(beneficiary_id=home).update(holder_name="TRAN VAN BINH")
    no_account = register_person(officer, areas.home, name="Lê Thị Hai", id_number="091155666666")
    ReceivingAccount.objects.filter(beneficiary_id=no_account).update(status="closed")
    no_birth = register_person(officer, areas.home, name="Lê Thị Ba", id_number="")
    plant(no_birth, birth_date=None)
    dead = register_person(officer, areas.home, name="Lê Văn Bốn", id_number="091050777777", sex="M", birth_date=dt.date(1950, 1, 1))  # fmt: skip
    beneficiary_status_set(
        actor=officer,
        beneficiary_id=dead,
        status="deceased",
        since=dt.date(2026, 9, 14),
        death_date=dt.date(2026, 9, 14),
        reason="Giấy báo tử số 12",
    )
    scan(officer)
    assert open_kinds(home) == {FindingKind.HOLDER_MISMATCH}
    assert open_kinds(dead) == {FindingKind.DEAD_BUT_ENROLLED}
    fields = set(
        Finding.objects.filter(kind=FindingKind.MISSING_FIELD).values_list(
            "detail__field", flat=True
        )
    )
    assert fields == {"account", "birth_date", "id_number"}
    assert open_kinds(no_account) == {FindingKind.MISSING_FIELD}
    assert Finding.objects.get(beneficiary_id=dead).detail["date"] == "2026-09-14"


def test_the_same_id_number_in_two_communes_is_found_for_both(users, areas, people):
    neighbour_officer = officer_of(areas.neighbour, "xa-ben")
    twin = register_person(neighbour_officer, areas.neighbour, id_number="091155012345")
    scan(users[Role.PROVINCE])
    home = Finding.objects.get(beneficiary_id=people["home"])
    other = Finding.objects.get(beneficiary_id=twin)
    assert (home.kind, home.related_id, home.commune_id) == ("duplicate_id", twin, areas.home.pk)
    assert (other.kind, other.related_id, other.commune_id) == (
        "duplicate_id",
        people["home"],
        areas.neighbour.pk,
    )


def test_a_commune_scan_compares_with_other_communes_but_raises_only_its_own(
    officer, areas, people
):
    neighbour_officer = officer_of(areas.neighbour, "xa-ben")
    # No ID on either record; same name, birth date and phone (register_person's).
    plant(people["home"], id_number="")
    twin = register_person(neighbour_officer, areas.neighbour, id_number="")
    result = scan(officer, areas.home.code)
    assert result.scanned == 1
    finding = Finding.objects.get(kind=FindingKind.DUPLICATE_PERSON)
    assert (finding.beneficiary_id, finding.related_id) == (people["home"], twin)
    assert finding.detail["evidence"] == ["account", "phone"]
    assert not Finding.objects.filter(beneficiary_id=twin).exists()


def test_a_rescan_raises_nothing_twice(users, officer, areas, people):
    plant(people["home"], id_number="123456789")
    plant(people["neighbour"], full_name=unicodedata.normalize("NFD", "Trần Văn Bình"))
    first = scan(users[Role.PROVINCE])
    second = scan(users[Role.PROVINCE])
    assert first.raised == 2 and (second.raised, second.seen_again, second.closed) == (0, 2, 0)
    assert Finding.objects.filter(state=FindingState.OPEN).count() == 2
    assert scan(officer).raised == 0


def test_a_rescan_closes_what_was_fixed_through_the_registry(officer, areas, people):
    home = people["home"]
    plant(home, full_name=legacy_encode("Nguyễn Thị Hoà", "tcvn3"))
    scan(officer)
    finding = Finding.objects.get(kind=FindingKind.NAME_ENCODING)
    beneficiary_update(
        actor=officer,
        beneficiary_id=home,
        changes={"full_name": finding.detail["suggested"]},
        reason="Sửa họ tên theo CCCD",
    )
    result = scan(officer)
    finding.refresh_from_db()
    assert result.closed == 1
    assert (finding.state, finding.state_reason, finding.resolved_by) == (
        FindingState.FIXED,
        logic.FIXED_REASON,
        officer,
    )
    latest = Beneficiary.objects.get(pk=home).revisions.first()
    assert latest is not None and latest.reason == "Sửa họ tên theo CCCD"


def test_a_changed_value_is_a_new_problem(officer, people):
    plant(people["home"], id_number="091055012345")
    scan(officer)
    plant(people["home"], id_number="091055099999")
    result = scan(officer)
    assert (result.raised, result.closed) == (1, 1)
    assert Finding.objects.filter(state=FindingState.OPEN).count() == 1


def test_a_scan_leaves_other_sources_findings_alone(officer, areas, people):
    findings_raise(
        [Problem(FindingKind.POLICE_MISMATCH, people["home"], areas.home.pk, str(people["home"]))]
    )
    scan(officer)
    assert Finding.objects.get().state == FindingState.OPEN


def test_a_person_who_moved_takes_the_open_finding_along(users, areas, people):
    plant(people["home"], id_number="123456789")
    scan(users[Role.PROVINCE])
    plant(people["home"], commune_id=areas.neighbour.pk)
    scan(users[Role.PROVINCE])
    finding = Finding.objects.get()
    assert (finding.state, finding.commune_id) == (FindingState.OPEN, areas.neighbour.pk)


def test_a_scan_is_audited_with_its_counts(officer, areas, people):
    plant(people["home"], id_number="123456789")
    scan(officer)
    event = AuditEvent.objects.get(action="quality.scan")
    after = event.after or {}
    assert (event.actor, event.area_code, after["raised"]) == (officer, areas.home.code, 1)


def test_scanning_needs_the_capability_and_the_area(users, areas, people):
    with pytest.raises(PermissionDenied):
        scan(users[Role.TREASURY])
    with pytest.raises(PermissionDenied):
        scan(users[Role.COMMUNE_OFFICER], areas.neighbour.code)
    with pytest.raises(PermissionDenied):
        scan(users[Role.PROVINCE], areas.foreign.code)


def test_dismissal_needs_a_reason_is_audited_and_sticks(officer, people):
    plant(people["home"], id_number="123456789")
    scan(officer)
    finding = Finding.objects.get()
    with pytest.raises(ValidationError):
        finding_dismiss(actor=officer, finding_id=finding.pk, reason="  ")
    finding_dismiss(actor=officer, finding_id=finding.pk, reason="Người dân chưa đổi CCCD")
    finding.refresh_from_db()
    assert (finding.state, finding.state_reason, finding.resolved_by) == (
        FindingState.DISMISSED,
        "Người dân chưa đổi CCCD",
        officer,
    )
    event = AuditEvent.objects.get(action="quality.dismiss")
    assert (event.object_id, event.reason, (event.after or {})["state"]) == (
        str(finding.pk),
        "Người dân chưa đổi CCCD",
        "dismissed",
    )
    result = scan(officer)  # the dismissed problem is not raised again, nor closed
    assert (result.raised, result.closed) == (0, 0)
    assert Finding.objects.count() == 1
    with pytest.raises(ValidationError):
        finding_dismiss(actor=officer, finding_id=finding.pk, reason="lần nữa")


def test_dismissal_needs_the_edit_capability_and_the_area(users, areas, people):
    plant(people["neighbour"], id_number="123456789")
    scan(users[Role.PROVINCE])
    finding = Finding.objects.get()
    with pytest.raises(PermissionDenied):  # the home officer: another commune
        finding_dismiss(actor=users[Role.COMMUNE_OFFICER], finding_id=finding.pk, reason="x")
    with pytest.raises(PermissionDenied):  # sees findings, may not resolve them
        finding_dismiss(actor=users[Role.PROVINCE], finding_id=finding.pk, reason="x")
    foreign_officer = make_user(Role.COMMUNE_OFFICER, commune=areas.foreign, username="xa-ngoai")
    with pytest.raises(PermissionDenied):
        finding_dismiss(actor=foreign_officer, finding_id=finding.pk, reason="x")
    assert Finding.objects.get().state == FindingState.OPEN


def test_findings_raise_counts_raised_and_seen_again(areas, people):
    problem = Problem(FindingKind.POLICE_NOT_FOUND, people["home"], areas.home.pk, "k1")
    assert findings_raise(iter([problem, problem])) == (1, 0)
    assert findings_raise([problem]) == (0, 1)
