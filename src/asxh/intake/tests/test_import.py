"""Importing a commune's list: all valid rows or nothing, never twice, errors by row and column."""

import datetime as dt
import json
import unicodedata
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl.styles import Font

from asxh.accounts.models import ReceivingAccount
from asxh.audit.models import AuditEvent
from asxh.beneficiaries.models import Beneficiary, BeneficiaryRevision, Enrolment
from asxh.core.vietnamese import legacy_encode
from asxh.intake import services
from asxh.intake.excel import beneficiaries_export, errors_workbook
from asxh.intake.services import import_beneficiaries

HEADER = ["STT", "Họ và tên", "Ngày tháng năm sinh", None, "Số CCCD", "Số điện thoại",
          "Thôn/ấp", "Nhóm đối tượng", "Hưởng từ tháng", "Hình thức nhận", "Số tài khoản",
          "Ngân hàng"]  # fmt: skip
GOOD: list[list[object]] = [
    [1, "Nguyễn Văn An", "05/03/1950", None, "091050012345", "01689123456", "Ấp Đông",
     "btxh_nct_80", "07/2024", "Tài khoản", "1234567890", "Agribank"],
    [2, "Trần Thị Bình", None, 1948, 91148012346.0, "0912345678", "Ấp Tây", None, None,
     "Tiền mặt", None, None],
    [3, "Lê Văn Cường", dt.datetime(1960, 1, 2), None, None, None, "-Ấp 3", None, None,
     "Chi tại nhà", None, None],
]  # fmt: skip


def workbook(
    path: Path, rows: list[list[object]], *, fonts: dict[tuple[int, int], str] | None = None
) -> Path:
    """A list as communes keep them: title rows, merged 'Ngày sinh' over Nam/Nữ, numbering."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "DS"
    sheet.append(["UBND XÃ", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    sheet.append(["DANH SÁCH ĐỐI TƯỢNG HƯỞNG TRỢ CẤP XÃ HỘI"])
    sheet.append(HEADER)
    sheet.merge_cells("C3:D3")
    sheet.append([None, None, "Nam", "Nữ"])
    sheet.append([f"({i})" for i in range(1, len(HEADER) + 1)])
    sheet.append([])
    for row in rows:
        sheet.append(row)
    for cells in sheet.iter_rows(min_row=7):
        for cell in cells:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # typed as text, as the officer's Excel stored it
    for (r, c), font in (fonts or {}).items():
        sheet.cell(r, c).font = Font(name=font)
    book.save(path)
    return path


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    return workbook(tmp_path / "danh-sach.xlsx", GOOD)


def cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows wrote it: letters with their shape, tone marks apart."""
    out = b""
    for char in text:
        try:
            out += char.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", char)
            try:
                out += (unicodedata.normalize("NFC", parts[:2]) + parts[2:]).encode("cp1258")
            except UnicodeEncodeError:
                out += parts.encode("cp1258")
    return out


def counts() -> tuple[int, ...]:
    return (
        Beneficiary.objects.count(),
        BeneficiaryRevision.objects.count(),
        ReceivingAccount.objects.count(),
        Enrolment.objects.count(),
        AuditEvent.objects.count(),
    )


def run(
    officer, areas, path: Path, *, dry_run: bool = False, commune: str = ""
) -> services.ImportReport:
    return import_beneficiaries(
        actor=officer, commune_code=commune or areas.home.code, path=path, dry_run=dry_run
    )


def test_real_list_is_read_normalised_and_stored(officer, areas, good_file) -> None:
    report = run(officer, areas, good_file)
    assert report.usable and not report.errors, report.errors
    assert (report.rows_read, report.created, report.skipped) == (3, 3, 0)
    an = Beneficiary.objects.get(full_name="Nguyễn Văn An")
    assert (an.sex, an.birth_date, an.phone) == ("M", dt.date(1950, 3, 5), "0389123456")
    assert an.payment_method == "account" and an.commune == areas.home
    account = ReceivingAccount.objects.get(beneficiary=an)
    assert (account.institution.bin, account.holder_name) == ("970405", "Nguyễn Văn An")
    assert an.enrolments.get().group.code == "btxh_nct_80"
    binh = Beneficiary.objects.get(full_name="Trần Thị Bình")
    # Year-only birth date under "Nữ"; the ID typed as a number got its leading zero back.
    assert (binh.sex, binh.birth_date_precision, binh.id_number) == ("F", "year", "091148012346")
    cuong = Beneficiary.objects.get(full_name="Lê Văn Cường")
    assert cuong.village == "-Ấp 3"  # stored as text
    assert cuong.method_registrations.get().cash_at_home
    revision = an.revisions.get()
    assert revision.changed_by == officer and "dòng 7" in revision.reason
    event = AuditEvent.objects.filter(action="intake.import").get()
    assert event.after is not None and event.after["created"] == 3 and event.actor == officer
    assert any("11 số cũ" in w.message for w in report.warnings)


def test_dry_run_writes_nothing_and_reports_every_error(officer, areas, tmp_path) -> None:
    bad: list[list[object]] = [
        *GOOD,
        [4, "=Phạm Văn D", "05/03/1950", None, None, None, None, None, None, None, None, None],
        [5, "Võ Thị E", None, "31/02/1950", None, None, None, None, None, None, None, None],
        [6, "Đỗ Văn G", "1955", None, "091155", None, None, None, None, None, "99", "Ngân hàng Mặt Trăng"],
    ]  # fmt: skip
    before = counts()
    report = run(officer, areas, workbook(tmp_path / "loi.xlsx", bad), dry_run=True)
    assert counts() == before
    found = {(e.row, e.column) for e in report.errors}
    assert {(10, "Họ và tên"), (11, "Ngày sinh"), (12, "Số CCCD"), (12, "Ngân hàng")} <= found
    assert report.created == 3 and report.skipped == 3
    assert all(e.fix for e in report.errors)


def test_valid_rows_stored_and_rejected_rows_ready_to_fix(officer, areas, tmp_path) -> None:
    bad: list[list[object]] = [
        *GOOD,
        [4, "Hồ Văn H", "05/03/50", None, None, None, None, None, None, None, None, None],
    ]
    report = run(officer, areas, workbook(tmp_path / "mot-loi.xlsx", bad))
    assert report.created == 3 and report.skipped == 1
    out = tmp_path / "can-sua.xlsx"
    assert errors_workbook(report, out) == 1
    sheet = openpyxl.load_workbook(out).active
    assert sheet.cell(1, 3).value == "Họ và tên"
    assert sheet.cell(2, 1).value == 10 and sheet.cell(2, 3).value == "Hồ Văn H"
    assert "4 chữ số" in sheet.cell(2, sheet.max_column).value


def test_second_import_of_the_same_file_changes_nothing(officer, areas, good_file) -> None:
    run(officer, areas, good_file)
    before = counts()
    report = run(officer, areas, good_file)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert counts()[:4] == before[:4]


def test_known_person_is_updated_through_history(officer, areas, good_file, tmp_path) -> None:
    run(officer, areas, good_file)
    changed = [list(r) for r in GOOD]
    changed[0][6] = "Ấp Bắc"
    changed[0][10] = "9999888877"
    report = run(officer, areas, workbook(tmp_path / "sua.xlsx", changed))
    assert (report.created, report.updated, report.unchanged) == (0, 1, 2)
    an = Beneficiary.objects.get(full_name="Nguyễn Văn An")
    assert an.village == "Ấp Bắc" and an.version == 2
    assert an.revisions.get(version=1).data["village"] == "Ấp Đông"
    accounts = an.accounts.order_by("id").values_list("account_number", "status")
    assert list(accounts) == [("1234567890", "superseded"), ("9999888877", "active")]


def test_a_crash_while_writing_stores_nothing(officer, areas, good_file, monkeypatch) -> None:
    before = counts()

    def crash(self, updates):  # after the new people were written
        raise RuntimeError("mất điện")

    monkeypatch.setattr(services._Writer, "updates", crash)
    with pytest.raises(RuntimeError):
        run(officer, areas, good_file)
    assert counts() == before


def test_id_registered_in_another_commune_is_refused(officer, areas, tmp_path) -> None:
    rows = [list(GOOD[0])]
    run(officer, areas, workbook(tmp_path / "a.xlsx", rows))
    # The same person now lives in the neighbouring commune (set up directly for the test).
    Beneficiary.objects.filter(id_number="091050012345").update(commune=areas.neighbour)
    report = run(officer, areas, workbook(tmp_path / "b.xlsx", rows))
    assert report.created == 0 and "xã/phường khác" in report.errors[0].message


def test_officer_cannot_import_into_another_commune(officer, areas, good_file) -> None:
    with pytest.raises(PermissionDenied):
        run(officer, areas, good_file, commune=areas.neighbour.code)


def test_duplicate_rows_in_one_file(officer, areas, tmp_path) -> None:
    other = list(GOOD[0])
    other[6] = "Ấp khác"
    rows = [GOOD[0], list(GOOD[0]), other]
    report = run(officer, areas, workbook(tmp_path / "trung.xlsx", rows), dry_run=True)
    assert report.created == 1
    assert "trùng hệt dòng 7" in report.warnings[-1].message or any(
        "trùng hệt" in w.message for w in report.warnings
    )
    assert any("Trùng số định danh với dòng 7" in e.message for e in report.errors)


def test_legacy_font_names_are_converted(officer, areas, tmp_path) -> None:
    rows = [[1, legacy_encode("Nguyễn Thị Hoa", "tcvn3"), "05/03/1950", None, None, None, None, None, None, None, None, None]]  # fmt: skip
    report = run(
        officer, areas, workbook(tmp_path / "vntime.xlsx", rows, fonts={(7, 2): ".VnTime"})
    )
    assert report.converted == 1
    assert Beneficiary.objects.filter(full_name="Nguyễn Thị Hoa").exists()


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"", "rỗng"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "mật khẩu"),
        (b"PK\x03\x04 not really a zip", "Không đọc được"),
        ("Họ và tên;Ngày sinh\n".encode(), "chỉ có dòng tiêu đề"),
        ("Tên;Tuổi\nA;3\n".encode(), "Không tìm thấy dòng tiêu đề"),
    ],
)
def test_unusable_files_change_nothing(officer, areas, tmp_path, content, says) -> None:
    path = tmp_path / "tep.csv"
    path.write_bytes(content)
    before = counts()
    report = run(officer, areas, path)
    assert says in report.fatal and not report.usable
    assert counts() == before


def test_csv_in_windows_code_page_with_semicolons(officer, areas, tmp_path) -> None:
    text = "Họ và tên;Ngày sinh;Giới tính\nNguyễn Văn Ân;1950;Nam\nTrần Thị Bé;02/1951;Nữ\n"
    path = tmp_path / "ds.csv"
    path.write_bytes(cp1258(text))
    report = run(officer, areas, path)
    assert report.created == 2, report.as_json()
    assert Beneficiary.objects.filter(
        full_name="Trần Thị Bé", birth_date_precision="month"
    ).exists()


def test_wrong_sheet_lists_the_sheets(officer, areas, good_file) -> None:
    report = import_beneficiaries(
        actor=officer, commune_code=areas.home.code, path=good_file, dry_run=True, sheet="Sheet9"
    )
    assert "Không có trang 'Sheet9'" in report.fatal and "DS" in report.fatal


def test_command_json_and_exit_codes(officer, areas, good_file, tmp_path) -> None:
    out = StringIO()
    call_command(
        "import",
        "beneficiaries",
        str(good_file),
        commune=areas.home.code,
        user=officer.username,
        dry_run=True,
        json=True,
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    assert summary["rows_read"] == 3 and summary["errors"] == [] and summary["dry_run"]
    empty = tmp_path / "rong.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(CommandError, match="rỗng"):
        call_command(
            "import",
            "beneficiaries",
            str(empty),
            commune=areas.home.code,
            user=officer.username,
            stdout=StringIO(),
        )


def test_export_round_trips_and_never_writes_formulas(officer, areas, good_file, tmp_path) -> None:
    run(officer, areas, good_file)
    Beneficiary.objects.filter(full_name="Lê Văn Cường").update(village="=1+1")
    out = tmp_path / "xuat.xlsx"
    assert beneficiaries_export(actor=officer, commune_code=areas.home.code, path=out) == 3
    sheet = openpyxl.load_workbook(out).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=1+1"]
    assert cells and all(c.data_type == "s" for c in cells)
    report = run(officer, areas, out, dry_run=True)
    assert report.errors == [] and report.unchanged == 3, report.as_json()


def test_old_xls_with_legacy_font(officer, areas, tmp_path) -> None:
    """Excel 97–2003 files: read with their fonts, so a .VnTime cell is decoded as TCVN3."""
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Danh sach")
    vntime = xlwt.easyxf("font: name .VnTime")
    for column, title in enumerate(["STT", "Họ và tên", "Năm sinh", "Giới tính"]):
        sheet.write(2, column, title)
    sheet.write(3, 0, 1)
    sheet.write(3, 1, legacy_encode("Trần Thị Lụa", "tcvn3"), vntime)
    sheet.write(3, 2, 1948)
    sheet.write(3, 3, "Nữ")
    path = tmp_path / "cu.xls"
    book.save(str(path))
    report = run(officer, areas, path)
    assert report.created == 1 and report.converted == 1, report.as_json()
    assert Beneficiary.objects.get().full_name == "Trần Thị Lụa"


def test_a_file_over_the_row_limit_is_refused(officer, areas, tmp_path, monkeypatch) -> None:
    from asxh.intake import reader

    monkeypatch.setattr(reader, "MAX_ROWS", 2)
    report = run(officer, areas, workbook(tmp_path / "lon.xlsx", GOOD * 20))
    assert "Chia danh sách theo xã" in report.fatal
    assert not Beneficiary.objects.exists()
