"""Export → the police fill the list (openpyxl) → import: stored per person and date."""

import datetime as dt
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from asxh.access.roles import Role
from asxh.audit.models import AuditEvent
from asxh.beneficiaries.models import Beneficiary
from asxh.quality.models import Finding
from asxh.verification import selectors, services
from asxh.verification.models import Exchange, IdentityCheck
from asxh.verification.tests.helpers import data_rows, fill
from conftest import register_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def police(users):
    return users[Role.COMMUNE_POLICE]


@pytest.fixture
def second(officer, areas, people):
    """A second person in the home commune (people['home'] is the first)."""
    return register_person(
        officer,
        areas.home,
        name="Trần Văn Đức",
        id_number="089048001122",
        sex="M",
        birth_date=dt.date(1948, 7, 9),
    )


def days_ago(n: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=n)


def vn(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


D1, D2 = days_ago(4), days_ago(2)


def _export(user, commune, tmp_path: Path, **kw) -> Path:
    """The list, dated ten days ago so answers may carry dates after it."""
    out = tmp_path / "ds.xlsx"
    exchange = services.identity_list_export(actor=user, commune_code=commune.code, out=out, **kw)
    made = timezone.make_aware(dt.datetime.combine(days_ago(10), dt.time(9)))
    Exchange.objects.filter(pk=exchange.pk).update(created_at=made)
    return out


def _import(user, data: bytes, **kw):
    return services.answers_import(
        actor=user, kind="identity", file_name="kq.xlsx", data=data, **kw
    )


def test_export_lists_the_communes_people_with_full_ids_and_audits_once(
    police, areas, people, second, tmp_path
):
    out = _export(police, areas.home, tmp_path)
    rows = data_rows(out)
    assert [r["full_name"] for r in rows] == ["Nguyễn Thị Hoà", "Trần Văn Đức"]
    hoa = rows[0]
    assert (hoa["stt"], hoa["ref"], hoa["birth"], hoa["sex"]) == (
        1,
        people["home"],
        "05/03/1955",
        "Nữ",
    )
    assert hoa["id_number"] == "091155012345"
    assert hoa["residence"] == f"Ấp Đông Sơn, {areas.home.name}"
    assert hoa["result"] is None and hoa["db_full_name"] is None
    event = AuditEvent.objects.get(action="identity.export")
    after: dict = event.after or {}
    assert (event.actor, event.area_code, after["count"]) == (police, areas.home.code, 2)
    assert Exchange.objects.get(direction="out").rows == 2


def test_officer_may_export_but_province_approver_and_foreign_commune_may_not(
    users, areas, people, tmp_path
):
    _export(users[Role.COMMUNE_OFFICER], areas.home, tmp_path)
    for role in (Role.APPROVER, Role.PROVINCE, Role.PROVIDER, Role.AUDITOR):
        with pytest.raises(PermissionDenied):
            _export(users[role], areas.home, tmp_path)
    for commune in (areas.neighbour, areas.foreign):
        with pytest.raises(PermissionDenied):
            _export(users[Role.COMMUNE_POLICE], commune, tmp_path)
    assert AuditEvent.objects.filter(action="identity.export").count() == 1


def test_results_are_stored_per_person_and_date_and_reimport_changes_nothing(
    police, areas, people, second, tmp_path
):
    out = _export(police, areas.home, tmp_path)
    data = fill(
        out,
        {
            people["home"]: {"result": "Khớp"},
            second: {
                "result": "Sai lệch",
                "db_full_name": "Trần Văn Đức",
                "db_birth": "09/07/1949",
                "note": "Sai năm sinh",
            },
        },
        checked_on=vn(D1),
    )
    outcome = _import(police, data)
    assert outcome.errors == []
    assert (outcome.stored, outcome.by_result) == (2, {"match": 1, "mismatch": 1})
    check = IdentityCheck.objects.get(beneficiary_id=second)
    assert (check.checked_on, check.result, check.db_birth_date) == (
        D1,
        "mismatch",
        "09/07/1949",
    )
    finding = Finding.objects.get(kind="police_mismatch")
    assert finding.beneficiary_id == second and finding.key.startswith(f"{second}:")
    assert finding.detail["fields"] == {"birth": ["09/07/1948", "09/07/1949"]}
    events = AuditEvent.objects.count()

    again = _import(police, data)
    assert again.already is not None and again.stored == 0
    assert IdentityCheck.objects.count() == 2
    assert Finding.objects.count() == 1
    assert AuditEvent.objects.count() == events

    # The next round, on another date: a new row, the previous one kept.
    later = fill(out, {people["home"]: {"result": "Khớp"}}, checked_on=vn(D2))
    assert _import(police, later).stored == 1
    dates = IdentityCheck.objects.filter(beneficiary_id=people["home"]).values_list(
        "checked_on", flat=True
    )
    assert sorted(dates) == [D1, D2]


def test_same_answers_in_a_new_file_for_the_same_date_are_not_stored_twice(
    police, areas, people, tmp_path
):
    out = _export(police, areas.home, tmp_path)
    first = fill(out, {people["home"]: {"result": "Khớp"}}, checked_on=vn(D1))
    second = fill(out, {people["home"]: {"result": "khop", "note": ""}}, checked_on=vn(D1))
    assert _import(police, first).stored == 1
    outcome = _import(police, second)  # another file (other bytes), the same answer
    assert outcome.already is None
    assert (outcome.answered, outcome.stored, outcome.repeated) == (1, 0, 1)
    assert IdentityCheck.objects.count() == 1


def test_not_found_becomes_a_cleaning_task(police, areas, people, tmp_path):
    out = _export(police, areas.home, tmp_path)
    data = fill(out, {people["home"]: {"result": "Không tìm thấy"}}, checked_on=vn(D1))
    assert _import(police, data).findings_raised == 1
    finding = Finding.objects.get()
    assert (finding.kind, finding.commune, finding.state) == (
        "police_not_found",
        areas.home,
        "open",
    )


def test_a_later_match_closes_the_open_police_finding(police, areas, people, tmp_path):
    out = _export(police, areas.home, tmp_path)
    _import(police, fill(out, {people["home"]: {"result": "Không tìm thấy"}}, checked_on=vn(D1)))
    _import(police, fill(out, {people["home"]: {"result": "Khớp"}}, checked_on=vn(D2)))
    finding = Finding.objects.get()
    assert finding.state == "fixed" and "xác minh khớp" in finding.state_reason
    assert AuditEvent.objects.filter(action="quality.fixed", object_id=areas.home.code).exists()


def test_reference_outside_the_users_area_is_refused_and_nothing_is_stored(
    police, areas, people, tmp_path
):
    out = _export(police, areas.home, tmp_path)
    data = fill(
        out,
        {people["home"]: {"result": "Khớp"}},
        extra_rows=[
            {"stt": 2, "ref": people["neighbour"], "full_name": "Trần Văn Bình", "result": "Khớp"},
            {"stt": 3, "ref": people["foreign"], "full_name": "Lê Thị Cúc", "result": "Khớp"},
        ],
    )
    outcome = _import(police, data)
    assert len(outcome.errors) == 2
    assert all(
        "cột B (Mã đối tượng)" in e and "không có trong địa bàn" in e for e in outcome.errors
    )
    assert not IdentityCheck.objects.exists()
    assert not Exchange.objects.filter(direction="in").exists()


def test_bad_rows_are_reported_with_row_and_column(police, areas, people, second, tmp_path):
    out = _export(police, areas.home, tmp_path)
    data = fill(
        out,
        {
            people["home"]: {"result": "Khớp lắm"},
            second: {"result": "Sai lệch", "db_id_number": "12345", "db_sex": "Không rõ"},
        },
        extra_rows=[{"stt": 3, "ref": 99999999, "full_name": "Ai Đó", "result": "Khớp"}],
    )
    outcome = _import(police, data)
    text = "\n".join(outcome.errors)
    # Header on row 11, numbering row 12, data from row 13.
    assert (
        "Dòng 13, cột H (Kết quả): 'Khớp lắm' không phải Khớp, Sai lệch hoặc Không tìm thấy."
        in text
    )
    assert "Dòng 14, cột K (Giới tính theo CSDL dân cư): 'Không rõ' không phải Nam hoặc Nữ." in text
    assert "Dòng 14, cột L (Số định danh theo CSDL dân cư)" in text
    assert "Dòng 15, cột B (Mã đối tượng): mã 99999999 không có trong địa bàn" in text
    assert not IdentityCheck.objects.exists()


def test_a_row_whose_name_does_not_fit_its_reference_is_refused(police, areas, people, tmp_path):
    out = _export(police, areas.home, tmp_path)
    data = fill(out, {people["home"]: {"full_name": "Phạm Văn Khác", "result": "Khớp"}})
    [error] = _import(police, data).errors
    assert "cột C (Họ và tên)" in error and "Nguyễn Thị Hoà" in error


def test_mismatch_needs_the_databases_values_and_match_must_not_differ(
    police, areas, people, second, tmp_path
):
    out = _export(police, areas.home, tmp_path)
    data = fill(
        out,
        {
            people["home"]: {"result": "Sai lệch"},
            second: {"result": "Khớp", "db_id_number": "089048009999"},
        },
    )
    errors = _import(police, data).errors
    assert any("Dòng 13, cột H" in e and "Sai lệch" in e for e in errors)
    assert any("Dòng 14, cột L" in e and "ghi 'Sai lệch'" in e for e in errors)


def test_date_of_checking_in_the_future_or_malformed_is_refused(police, areas, people, tmp_path):
    out = _export(police, areas.home, tmp_path)
    future = fill(out, {people["home"]: {"result": "Khớp"}}, checked_on="01/01/2099")
    assert "sau ngày hôm nay" in _import(police, future).errors[0]
    malformed = fill(out, {people["home"]: {"result": "Khớp"}}, checked_on="32/13/2026")
    [error] = _import(police, malformed).errors
    assert error.startswith("Dòng 9, cột C (Ngày xác minh)")


def test_a_file_that_is_not_a_list_is_unusable(police, people):
    outcome = _import(police, b"not an excel file")
    assert "Không đọc được tệp như bảng tính Excel" in outcome.errors[0]
    assert not Exchange.objects.exists()


def test_a_list_returned_without_any_answer_is_refused(police, areas, people, tmp_path):
    out = _export(police, areas.home, tmp_path)
    [error] = _import(police, out.read_bytes()).errors
    assert "chưa có dòng nào ghi kết quả" in error


def test_the_account_list_uploaded_as_identity_answers_is_refused(users, areas, people, tmp_path):
    out = tmp_path / "tk.xlsx"
    services.account_list_export(
        actor=users[Role.COMMUNE_OFFICER], commune_code=areas.home.code, out=out
    )
    errors = _import(users[Role.COMMUNE_POLICE], out.read_bytes()).errors
    assert "Không thấy dòng tiêu đề" in errors[0]


def test_only_the_police_record_results(users, areas, people, tmp_path):
    out = _export(users[Role.COMMUNE_OFFICER], areas.home, tmp_path)
    data = fill(out, {people["home"]: {"result": "Khớp"}})
    for role in set(Role.values) - {Role.COMMUNE_POLICE}:
        with pytest.raises(PermissionDenied):
            _import(users[role], data)


def test_dry_run_checks_without_storing(police, areas, people, tmp_path):
    out = _export(police, areas.home, tmp_path)
    data = fill(out, {people["home"]: {"result": "Khớp"}})
    outcome = _import(police, data, dry_run=True)
    assert (outcome.answered, outcome.stored, outcome.errors) == (1, 0, [])
    assert (
        not IdentityCheck.objects.exists() and not Exchange.objects.filter(direction="in").exists()
    )


def test_unverified_since_is_about_a_confirmed_match_on_or_after_the_date(
    police, officer, users, areas, people, second, tmp_path
):
    since = days_ago(20)
    before = selectors.identity_unverified_since(officer, since)
    assert set(before.values_list("pk", flat=True)) == {people["home"], second}
    out = _export(police, areas.home, tmp_path)
    data = fill(
        out,
        {people["home"]: {"result": "Khớp"}, second: {"result": "Không tìm thấy"}},
        checked_on=vn(D1),
    )
    _import(police, data)
    after = selectors.identity_unverified_since(officer, since)
    assert list(after.values_list("pk", flat=True)) == [second]
    later = selectors.identity_unverified_since(officer, D1 + dt.timedelta(days=1))
    assert set(later.values_list("pk", flat=True)) == {people["home"], second}
    # Only the user's area: a province user sees both home people and the neighbour.
    province = selectors.identity_unverified_since(users[Role.PROVINCE], since)
    assert set(province.values_list("pk", flat=True)) == {second, people["neighbour"]}


def test_export_of_unverified_only(police, areas, people, second, tmp_path):
    out = _export(police, areas.home, tmp_path)
    _import(police, fill(out, {people["home"]: {"result": "Khớp"}}, checked_on=vn(D1)))
    again = _export(police, areas.home, tmp_path, unverified_since=days_ago(20))
    assert [r["ref"] for r in data_rows(again)] == [second]
    assert Beneficiary.objects.filter(commune=areas.home).count() == 2


def test_the_same_mismatch_next_round_is_the_same_finding_a_new_one_is_new(
    police, officer, areas, people, tmp_path
):
    from asxh.quality.services import finding_dismiss

    out = _export(police, areas.home, tmp_path)
    wrong_year = {"result": "Sai lệch", "db_birth": "1956"}
    assert _import(police, fill(out, {people["home"]: wrong_year}, checked_on=vn(D1))).stored == 1
    [first] = Finding.objects.all()
    finding_dismiss(actor=officer, finding_id=first.pk, reason="Đã đối chiếu giấy khai sinh")
    # The police report the same difference again: it stays dismissed.
    again = _import(police, fill(out, {people["home"]: wrong_year}, checked_on=vn(D2)))
    assert (again.stored, again.findings_raised) == (1, 0)
    # A different difference is a new cleaning task.
    other = {"result": "Sai lệch", "db_full_name": "Nguyễn Thị Hoa"}
    assert (
        _import(police, fill(out, {people["home"]: other}, checked_on=vn(D2))).findings_raised == 1
    )
    assert Finding.objects.filter(state="open").count() == 1
    assert IdentityCheck.objects.count() == 3
