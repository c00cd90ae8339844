"""The page, the Excel file and the command show the same figures; the Excel file keeps its form."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import load_workbook

from asxh.access.roles import Role
from asxh.reports import excel
from asxh.reports.logic import columns
from asxh.reports.selectors import report_as_dict
from asxh.reports.tests.conftest import AFTER, EXPECTED_HOME, EXPECTED_NEIGHBOUR, ON

pytestmark = pytest.mark.django_db

URL = "/bao-cao/"
XLSX_URL = "/bao-cao/tien-do.xlsx"


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _cli(*args: str) -> str:
    out = io.StringIO()
    call_command("report", "daily", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_page_shows_the_figures_of_the_day_with_chart_deadline_and_download(scenario, users, areas):
    response = _client(users[Role.PROVINCE]).get(URL, {"date": "20/11/2026"})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.on == ON
    home = next(r for r in report.provinces[0].rows if r.code == areas.home.code)
    assert home.figures == EXPECTED_HOME[ON]
    body = response.content.decode()
    assert "<svg" in body and "Tỷ lệ đối tượng sẵn sàng" in body
    assert "15:00" in response.context["deadline"]
    assert 'href="/bao-cao/tien-do.xlsx?date=20/11/2026"' in body
    assert "Không dùng tiền mặt - Chưa có tài khoản" in body
    assert areas.home.name in body and areas.neighbour.name in body


def test_a_wrong_date_is_explained_on_the_page_and_for_the_download(users):
    client = _client(users[Role.PROVINCE])
    response = client.get(URL, {"date": "31/02/2026"})
    assert response.status_code == 400
    assert "không có trên lịch" in response.context["error"]
    assert "report" not in response.context
    download = client.get(XLSX_URL, {"date": "2026-13-01"})
    assert download.status_code == 400 and "không có trên lịch" in download.content.decode()


def test_cli_json_equals_the_page_figures(scenario, users, areas):
    user = users[Role.PROVINCE]
    for day in ("20/11/2026", "23/11/2026"):
        page = _client(user).get(URL, {"date": day}).context["report"]
        printed = json.loads(_cli("--user", user.username, "--date", day, "--json"))
        assert printed == report_as_dict(page)
    narrowed = json.loads(
        _cli(
            "--user",
            user.username,
            "--date",
            "20/11/2026",
            "--area",
            areas.neighbour.code,
            "--json",
        )
    )
    (block,) = narrowed["provinces"]
    assert [c["code"] for c in block["communes"]] == [areas.neighbour.code]
    assert block["total"] == EXPECTED_NEIGHBOUR.as_dict()


def test_cli_text_table_and_refusals_are_in_vietnamese(scenario, users, officer, areas):
    text = _cli("--user", officer.username, "--date", "20/11/2026")
    assert "hết ngày 20/11/2026" in text and "TỔNG CỘNG" in text and areas.home.name[:20] in text
    with pytest.raises(CommandError, match="Không được phép"):
        _cli("--user", users[Role.COMMUNE_POLICE].username)
    with pytest.raises(CommandError, match="không thuộc phạm vi"):
        _cli("--user", officer.username, "--area", areas.foreign.code)
    with pytest.raises(CommandError, match="chưa tới"):
        _cli("--user", officer.username, "--date", "01/01/2999")
    with pytest.raises(CommandError, match="Không có người dùng"):
        _cli("--user", "khong-ai")


def _sheet(content: bytes, data_only: bool):  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(content), data_only=data_only)
    assert len(book.worksheets) == 1
    return book.worksheets[0]


def test_excel_keeps_the_form_and_its_totals_are_the_sum_of_the_communes(scenario, users, areas):
    response = _client(users[Role.PROVINCE]).get(XLSX_URL, {"date": "20/11/2026"})
    assert response.status_code == 200
    assert "bao-cao-tien-do-2026-11-20.xlsx" in response["Content-Disposition"]
    sheet = _sheet(response.content, data_only=True)
    assert sheet["A1"].value == "ỦY BAN NHÂN DÂN"
    assert sheet["A2"].value == areas.province.name.upper()
    texts = [c.value for row in sheet.iter_rows(max_row=7) for c in row if c.value]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in texts
    assert "Độc lập - Tự do - Hạnh phúc" in texts
    assert excel.TITLE in texts
    assert any("ngày 20 tháng 11 năm 2026" in t for t in texts)
    assert any("Số liệu tính đến hết ngày 20/11/2026" in t for t in texts)

    report = _client(users[Role.PROVINCE]).get(URL, {"date": "20/11/2026"}).context["report"]
    cols = columns(report.programmes)
    top, sub = excel.HEADER_TOP + 1, excel.HEADER_SUB + 1  # openpyxl rows are 1-based
    assert (sheet.cell(top, 1).value, sheet.cell(top, 2).value) == ("STT", "Xã/phường")
    assert sheet.cell(top, 3).value == "Đối tượng đang hưởng"
    assert [sheet.cell(sub, 3 + i).value for i, c in enumerate(cols) if c.group] == [
        c.title for c in cols if c.group
    ]
    assert sheet.cell(excel.NUMBERS_ROW + 1, 1).value == "(1)"

    rows = report.provinces[0].rows
    first = excel.FIRST_DATA_ROW + 1
    total_row = first + len(rows)
    assert [sheet.cell(first + i, 2).value for i in range(len(rows))] == [r.name for r in rows]
    assert sheet.cell(total_row, 1).value == "TỔNG CỘNG"
    for i, col in enumerate(cols):
        c = 3 + i
        values = [sheet.cell(first + k, c).value for k in range(len(rows))]
        total = sheet.cell(total_row, c).value
        if col.is_share:
            expected = col.cell(report.provinces[0].total)
            assert total == pytest.approx(expected), col
        else:
            assert total == sum(values), col
            assert total == col.cell(report.provinces[0].total), col
    home_row = first + [r.code for r in rows].index(areas.home.code)
    at = {(col.key, col.of): 3 + i for i, col in enumerate(cols)}
    home = EXPECTED_HOME[ON]
    assert sheet.cell(home_row, at[("people", "")]).value == home.people
    assert sheet.cell(home_row, at[("verified", "")]).value == home.verified
    assert sheet.cell(home_row, at[("collected", "people")]).value == pytest.approx(
        home.collected / home.people
    )

    texts_after = [
        c.value for row in sheet.iter_rows(min_row=total_row + 1) for c in row if c.value
    ]
    assert excel.PREPARER in texts_after and excel.HEAD in texts_after


def test_excel_totals_and_shares_are_formulas_a_spreadsheet_recalculates(scenario, users):
    content = _client(users[Role.PROVINCE]).get(XLSX_URL, {"date": "23/11/2026"}).content
    sheet = _sheet(content, data_only=False)
    report = _client(users[Role.PROVINCE]).get(URL, {"date": "23/11/2026"}).context["report"]
    total_row = excel.FIRST_DATA_ROW + 1 + len(report.provinces[0].rows)
    assert str(sheet.cell(total_row, 3).value).startswith("=SUM(C11:C")
    share_col = 3 + next(i for i, c in enumerate(columns(report.programmes)) if c.is_share)
    assert str(sheet.cell(total_row, share_col).value).startswith("=IF(")


def test_cli_writes_the_same_excel_file(scenario, officer, tmp_path, areas):
    path = tmp_path / "bao-cao.xlsx"
    _cli("--user", officer.username, "--date", "23/11/2026", "-o", str(path))
    sheet = _sheet(path.read_bytes(), data_only=True)
    assert sheet["A2"].value == areas.home.name.upper()  # one commune: the commune reports
    first = excel.FIRST_DATA_ROW + 1
    assert sheet.cell(first, 2).value == areas.home.name
    assert sheet.cell(first, 3).value == EXPECTED_HOME[AFTER].people
    assert sheet.cell(first + 1, 3).value == EXPECTED_HOME[AFTER].people
    with pytest.raises(CommandError, match=r"\.xlsx"):
        _cli("--user", officer.username, "-o", str(tmp_path / "bao-cao.csv"))
