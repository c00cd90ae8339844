"""The coverage page, its Excel file and the command: the same figures, only the user's area."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from openpyxl import load_workbook

from asxh.access.roles import Capability, Role
from asxh.entitlement.months import month_of
from asxh.reports import coverage_excel as xl
from asxh.reports.models import CycleCoverage
from asxh.reports.selectors import coverage, coverage_as_dict
from asxh.reports.tests.conftest import COVERAGE_MONTH
from conftest import COMMUNE_ROLES

pytestmark = pytest.mark.django_db

URL = "/bao-cao/bao-phu/"
XLSX_URL = "/bao-cao/bao-phu.xlsx"
NOVEMBER = month_of(COVERAGE_MONTH)


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _cli(*args: str) -> str:
    out = io.StringIO()
    call_command("report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _text(response) -> str:  # type: ignore[no-untyped-def]
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value
        )
    return response.content.decode()


def test_page_shows_shares_amounts_chart_groups_and_ranking(locked_list, users, areas):
    response = _client(users[Role.PROVINCE]).get(URL)
    assert response.status_code == 200
    month = response.context["month"]
    assert month.month == NOVEMBER  # opens on the last locked month
    body = response.content.decode()
    assert "60,0 %" in body  # 3 of 5 people
    total = month.total
    assert f"{total.amount:,} đ".replace(",", ".") in body
    assert "<svg" in body and 'class="target"' in body and "Mục tiêu 50,0 %" in body
    assert "ncc_thuong_binh" not in body and "Thương binh từ 81%: phụ cấp hằng tháng" in body
    assert "Tổng cộng (mỗi người tính một lần)" in body
    order = [code for _, code, _ in response.context["ranking"]]
    assert order[:2] == [areas.neighbour.code, areas.home.code]  # lowest share first
    assert body.index(f'data-commune="{areas.neighbour.code}"') < body.index(
        f'data-commune="{areas.home.code}"'
    )
    assert 'href="/bao-cao/bao-phu.xlsx?from=2025-12&amp;to=2026-11"' in body
    assert 'href="/bao-cao/bao-phu/"' in body  # the reports' own navigation


def test_ranking_sorts_highest_first_and_by_group(locked_list, users, areas):
    client = _client(users[Role.PROVINCE])
    high = client.get(URL, {"order": "high"}).context["ranking"]
    assert [code for _, code, _ in high][:2] == [areas.home.code, areas.neighbour.code]
    assert high[0][0] == "1/2"
    ncc = client.get(URL, {"group": "ncc"})
    assert [(rank, code) for rank, code, _ in ncc.context["ranking"]] == [("1/1", areas.home.code)]
    assert areas.neighbour.name in ncc.context["unpaid"]
    assert "thuộc nhóm đã chọn" in ncc.content.decode()


def test_wrong_months_are_explained(users):
    client = _client(users[Role.PROVINCE])
    response = client.get(URL, {"from": "2025-01", "to": "2026-11"})
    assert response.status_code == 400 and "tối đa 12 tháng" in response.context["error"]
    response = client.get(URL, {"to": "2026-13"})
    assert response.status_code == 400 and "từ 1 đến 12" in response.context["error"]
    assert client.get(XLSX_URL, {"from": "2026-11", "to": "2026-10"}).status_code == 400


def test_no_locked_list_says_so(users):
    response = _client(users[Role.PROVINCE]).get(URL)
    assert response.status_code == 200
    assert response.context["month"] is None
    assert "Chưa có danh sách chi trả nào đã duyệt" in response.content.decode()


def _foreign(role: str, areas):  # type: ignore[no-untyped-def]
    return [areas.foreign, areas.neighbour] if role in COMMUNE_ROLES else [areas.foreign]


@pytest.mark.parametrize("role", Role.values)
def test_no_coverage_report_shows_a_foreign_commune(role, users, areas, locked_list):
    user = users[role]
    client = _client(user)
    allowed = user.can(Capability.VIEW_REPORTS)
    for url in (URL, XLSX_URL):
        own = client.get(url)
        assert own.status_code == (200 if allowed else 403), (role, url)
        if allowed:
            text = _text(own)
            assert areas.home.name in text, (role, url)
            for commune in _foreign(role, areas):
                assert commune.name not in text, (role, url, commune.name)
        for commune in _foreign(role, areas):
            for area in (commune.code, commune.province.code):
                if area == areas.province.code:
                    continue
                response = client.get(url, {"area": area})
                assert response.status_code == (404 if allowed else 403), (role, url, area)
                assert commune.name not in response.content.decode(errors="ignore")


def test_commune_officer_figures_are_the_own_commune_only(locked_list, officer, areas):
    month = _client(officer).get(URL).context["month"]
    assert [r.place.code for r in month.communes] == [areas.home.code]
    assert (month.total.people, month.total.people_non_cash) == (3, 2)


def test_anonymous_users_are_sent_to_the_login_page():
    for url in (URL, XLSX_URL):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_cli_json_equals_the_selector_and_the_page(locked_list, users, areas):
    user = users[Role.PROVINCE]
    printed = json.loads(_cli("coverage", "--user", user.username, "--month", "2026-11", "--json"))
    assert printed == coverage_as_dict(coverage(user, NOVEMBER - 11, NOVEMBER))
    page = _client(user).get(URL).context["report"]
    assert printed == coverage_as_dict(page)
    last = printed["months"][-1]
    assert last["month"] == "2026-11" and last["total"]["people_share"] == 0.6
    narrowed = json.loads(
        _cli(
            "coverage",
            "--user",
            user.username,
            "--from",
            "2026-11",
            "--month",
            "2026-11",
            "--area",
            areas.neighbour.code,
            "--json",
        )
    )
    (month,) = narrowed["months"]
    assert [c["code"] for c in month["communes"]] == [areas.neighbour.code]
    assert (month["total"]["people"], month["total"]["people_non_cash"]) == (2, 1)


def test_cli_text_fill_and_refusals(locked_list, officer, users, areas):
    text = _cli("coverage", "--user", officer.username)
    assert "tháng 11/2026" in text and "66,7 %" in text and areas.home.name[:30] in text
    with pytest.raises(CommandError, match="Không được phép"):
        _cli("coverage", "--user", users[Role.COMMUNE_POLICE].username)
    with pytest.raises(CommandError, match="không thuộc phạm vi"):
        _cli("coverage", "--user", officer.username, "--area", areas.foreign.code)
    with pytest.raises(CommandError, match="không hợp lệ"):
        _cli("coverage", "--user", officer.username, "--month", "11-2026")
    CycleCoverage.objects.all().delete()
    assert "Đã tổng hợp 1 kỳ" in _cli("coverage-fill")
    assert "Đã tổng hợp 0 kỳ" in _cli("coverage-fill")
    assert "66,7 %" in _cli("coverage", "--user", officer.username)


def _book(content: bytes, data_only: bool = True):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(content), data_only=data_only)


def test_excel_keeps_the_form_and_adds_up(locked_list, users, areas):
    user = users[Role.PROVINCE]
    response = _client(user).get(XLSX_URL)
    assert response.status_code == 200
    assert "bao-cao-bao-phu-2026-11.xlsx" in response["Content-Disposition"]
    book = _book(response.content)
    assert book.sheetnames == [xl.GROUP_SHEET, xl.COMMUNE_SHEET, xl.TREND_SHEET]
    month = coverage(user, NOVEMBER, NOVEMBER).latest
    assert month is not None
    first = xl.FIRST_DATA_ROW + 1  # openpyxl is 1-based

    def col(c: int) -> int:
        return c + 1

    groups = book[xl.GROUP_SHEET]
    assert groups["A1"].value == "ỦY BAN NHÂN DÂN" and groups["A5"].value == xl.TITLE
    assert groups.cell(xl.HEADER_TOP + 1, col(xl.PEOPLE)).value == xl.PEOPLE_HEAD
    labels = [groups.cell(r, 2).value for r in range(first, groups.max_row + 1)]
    stt = [groups.cell(r, 1).value for r in range(first, groups.max_row + 1)]
    total_row = first + stt.index(xl.TOTAL)  # merged over A:B
    assert groups.cell(total_row, col(xl.PEOPLE)).value == month.total.people == 5
    assert groups.cell(total_row, col(xl.PEOPLE_SHARE)).value == pytest.approx(0.6)
    heads = [first + labels.index(g.name) for g in month.groups]
    amount = col(xl.AMOUNT)
    assert groups.cell(total_row, amount).value == sum(groups.cell(r, amount).value for r in heads)
    assert groups.cell(total_row, amount).value == month.total.amount
    ncc = first + labels.index("Ưu đãi người có công với cách mạng")
    benefit_amounts = [groups.cell(ncc + 1 + i, amount).value for i in range(2)]
    assert groups.cell(ncc, amount).value == sum(benefit_amounts)

    communes = book[xl.COMMUNE_SHEET]
    n = len(month.communes)
    total = first + n
    assert communes.cell(total, 1).value == xl.TOTAL
    for c in (xl.PEOPLE, xl.PEOPLE_NON_CASH, xl.AMOUNT, xl.AMOUNT_NON_CASH):
        values = [communes.cell(first + i, col(c)).value for i in range(n)]
        assert communes.cell(total, col(c)).value == sum(values), c
    assert communes.cell(total, col(xl.PEOPLE)).value == 5
    names = [communes.cell(first + i, 2).value for i in range(2)]
    assert names == [areas.neighbour.name, areas.home.name]
    assert communes.cell(first, col(xl.PEOPLE_SHARE)).value == pytest.approx(0.5)

    formulas = _book(response.content, data_only=False)[xl.COMMUNE_SHEET]
    assert str(formulas.cell(total, col(xl.PEOPLE)).value).startswith("=SUM(")
    assert str(formulas.cell(total, col(xl.PEOPLE_SHARE)).value).startswith("=IF(")

    trend = book[xl.TREND_SHEET]
    last = xl.TREND_FIRST_ROW + 12
    assert trend.cell(last, 1).value == "11/2026" and trend.cell(last, 2).value == 1
    assert trend.cell(last, 3).value == pytest.approx(0.6)
    assert trend.cell(last - 1, 3).value is None  # no list in October


def test_cli_writes_the_same_excel_file(locked_list, officer, tmp_path, areas):
    path = tmp_path / "bao-phu.xlsx"
    _cli("coverage", "--user", officer.username, "-o", str(path))
    sheet = _book(path.read_bytes())[xl.COMMUNE_SHEET]
    assert sheet["A2"].value == areas.home.name.upper()  # one commune: the commune reports
    first = xl.FIRST_DATA_ROW + 1
    assert sheet.cell(first, 2).value == areas.home.name
    assert sheet.cell(first, xl.PEOPLE + 1).value == 3
    with pytest.raises(CommandError, match=r"\.xlsx"):
        _cli("coverage", "--user", officer.username, "-o", str(tmp_path / "bao-phu.csv"))
