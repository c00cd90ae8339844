"""The monthly report to the upper level: the same figures on the page, in Excel and from the
command, summed over the user's communes only, worked out by hand from the fixture."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from asxh.access.roles import Role
from asxh.dashboard import excel
from asxh.dashboard.selectors import latest_month, month_report, month_report_as_dict, trend
from asxh.dashboard.tests.conftest import AMOUNT
from asxh.entitlement.months import month_parse

pytestmark = pytest.mark.django_db
NOVEMBER = month_parse("2026-11")


def _figures(report, code):  # type: ignore[no-untyped-def]
    p = report.channels[code]
    return (p.people, p.amount, p.paid_people, p.paid_amount, p.unpaid_amount, p.pending_people,
            p.refused_people, p.held_lines)  # fmt: skip


def test_the_province_sees_every_channel_and_the_books(reported, users):
    report = month_report(users[Role.APPROVER], NOVEMBER)
    assert report.whole_province and report.area_name == "Tỉnh An Giang"
    assert _figures(report, "account") == (2, 2 * AMOUNT, 1, AMOUNT, AMOUNT, 0, 1, 1)
    assert _figures(report, "cash") == (2, 2 * AMOUNT, 1, AMOUNT, 0, 1, 0, 0)
    assert _figures(report, "home") == (1, AMOUNT, 1, AMOUNT, 0, 0, 0, 0)
    assert report.total.amount == reported.cycle.total == 5 * AMOUNT
    assert (report.coverage.people, report.coverage.people_non_cash) == (5, 2)
    assert [(g.code, g.figures.people) for g in report.groups] == [("btxh", 5)]
    assert report.refused_open == 1  # the neighbour's refused transfer, now a finding
    [state] = report.lists
    assert state.cycle_id == reported.cycle.pk and state.result_files == 1
    assert state.books and state.books[0]["pending_people"] == 1
    assert state.balanced is False and not state.closed
    assert "sổ sách chưa cân đối" in state.words and "chưa quyết toán" in state.words


def test_a_commune_officer_sees_the_own_commune_and_no_books(reported, users, areas):
    report = month_report(users[Role.COMMUNE_OFFICER], NOVEMBER)
    assert not report.whole_province and report.area_name == areas.home.name
    assert [c.place.code for c in report.communes] == [areas.home.code]
    assert _figures(report, "account") == (1, AMOUNT, 1, AMOUNT, 0, 0, 0, 1)
    assert _figures(report, "cash") == (1, AMOUNT, 1, AMOUNT, 0, 0, 0, 0)
    assert _figures(report, "home") == (1, AMOUNT, 1, AMOUNT, 0, 0, 0, 0)
    assert (report.coverage.people, report.coverage.people_non_cash) == (3, 1)
    assert report.refused_open == 0
    [state] = report.lists
    # The province's books stay the province's; the commune's own payments are all accounted.
    assert state.books is None and state.balanced is True


def test_a_month_without_a_list_says_so(month, users):
    report = month_report(users[Role.APPROVER], NOVEMBER + 1)
    assert not report.has_list and report.total.people == 0
    assert [s.state for s in report.lists] == [""]
    assert report.lists[0].words == "Tỉnh An Giang: chưa lập danh sách chi trả."


def test_the_trend_has_a_column_per_month_and_the_share_where_a_list_is(reported, users):
    months = trend(users[Role.PROVINCE], NOVEMBER - 11, NOVEMBER)
    assert [m.month for m in months] == list(range(NOVEMBER - 11, NOVEMBER + 1))
    assert [m.lists for m in months] == [0] * 11 + [1]
    assert months[-1].people_share == pytest.approx(2 / 5) and months[0].people_share is None
    assert months[-1].channels["home"].paid_amount == AMOUNT


def test_the_month_opens_on_the_last_locked_list(month, users, today):
    assert latest_month(users[Role.APPROVER], today=today) == NOVEMBER
    assert latest_month(users[Role.APPROVER], "91", today=today.replace(year=2030)) == NOVEMBER


def test_the_command_gives_the_selectors_figures(reported, users, capsys):
    call_command("dashboard", "monthly", "--month", "2026-11", "--user",
                 users[Role.APPROVER].username, "--json")  # fmt: skip
    printed = json.loads(capsys.readouterr().out)
    assert printed == json.loads(
        json.dumps(month_report_as_dict(month_report(users[Role.APPROVER], NOVEMBER)))
    )
    assert printed["channels"]["home"]["paid_amount"] == AMOUNT
    call_command("dashboard", "monthly", "--month", "11/2026", "--user",
                 users[Role.COMMUNE_OFFICER].username)  # fmt: skip
    text = capsys.readouterr().out
    assert "BÁO CÁO KẾT QUẢ CHI TRẢ THÁNG 11/2026" in text and "1.000.000 đ" in text


def test_the_command_refuses_a_foreign_area_and_a_role_without_reports(month, users, areas):
    with pytest.raises(CommandError, match="không thuộc phạm vi"):
        call_command("dashboard", "monthly", "--user", users[Role.APPROVER].username,
                     "--area", areas.foreign.code)  # fmt: skip
    with pytest.raises(CommandError, match="Không được phép"):
        call_command("dashboard", "monthly", "--user", users[Role.COMMUNE_POLICE].username)


def _sheet(content: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(content)).active


def _row(sheet, title: str) -> int:  # type: ignore[no-untyped-def]
    """The 1-based row whose column B (or A) reads `title`."""
    for row in sheet.iter_rows():
        if title in (row[0].value, row[1].value):
            return row[0].row
    raise AssertionError(title)


def test_the_excel_file_has_the_fixed_layout_and_the_same_figures(reported, users, today):
    report = month_report(users[Role.APPROVER], NOVEMBER)
    sheet = _sheet(excel.month_xlsx(report, on=today, preparer="Lê Minh Tâm"))
    cells = {c.coordinate: c.value for row in sheet.iter_rows() for c in row if c.value is not None}
    assert cells["A1"] == "ỦY BAN NHÂN DÂN" and cells["A2"] == "TỈNH AN GIANG"
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells.values()
    assert cells["A5"] == "BÁO CÁO KẾT QUẢ CHI TRẢ CHẾ ĐỘ CHÍNH SÁCH THÁNG 11/2026"
    sections = [excel.SECTION_GROUPS, excel.SECTION_CHANNELS, excel.SECTION_OTHER,
                excel.SECTION_COMMUNES]  # fmt: skip
    rows = [_row(sheet, s) for s in sections]
    assert rows == sorted(rows) and rows[0] == excel.FIRST_SECTION_ROW + 1
    home = _row(sheet, "Tiền mặt tại nhà, qua người giám hộ hoặc ủy quyền")
    assert [sheet.cell(home, c).value for c in range(3, 11)] == [1, AMOUNT, 1, AMOUNT, 0, 0, 0, 0]
    total = home + 1  # the channels' total row follows the last channel
    assert sheet.cell(total, 1).value == "Tổng cộng"
    assert sheet.cell(total, 4).value == f"=SUM(D{home - 2}:D{home})"
    share = _row(sheet, "Tỷ lệ số người nhận không dùng tiền mặt")
    assert sheet.cell(share, 3).value == pytest.approx(0.4)
    state = sheet.cell(_row(sheet, "Tình trạng danh sách và quyết toán"), 3).value
    assert state == report.lists[0].words
    assert {"Người lập biểu", "Thủ trưởng đơn vị", "Lê Minh Tâm"} <= set(cells.values())


def test_an_officers_excel_has_no_commune_section(reported, users, today):
    report = month_report(users[Role.COMMUNE_OFFICER], NOVEMBER)
    sheet = _sheet(excel.month_xlsx(report, on=today))
    values = {c.value for row in sheet.iter_rows() for c in row}
    assert excel.SECTION_COMMUNES not in values and excel.SECTION_CHANNELS in values
