"""The budget estimate's page, Excel file and command: the same figures, every role's area."""

import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet

from asxh.access.models import User
from asxh.access.roles import Capability, Role
from asxh.core.formatting import vnd
from asxh.reports.budget import budget_as_dict, budget_estimate
from asxh.reports.budget_excel import FIRST_DATA_ROW, HEADS, SIGNATURES, TITLE
from asxh.reports.tests.test_budget import AS_OF, YEAR, World
from asxh.reports.tests.test_budget import world as world  # the scenario, reused
from conftest import COMMUNE_ROLES

pytestmark = pytest.mark.django_db
PAGE, XLSX = "/bao-cao/du-toan/", "/bao-cao/du-toan.xlsx"


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _sheet(content: bytes) -> Worksheet:
    return load_workbook(io.BytesIO(content)).worksheets[0]


def _values(content: bytes) -> list[list[Any]]:
    """The cells as computed (the values written with the formulas)."""
    sheet = load_workbook(io.BytesIO(content), data_only=True).worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_page_shows_the_stored_figures(world: World, users: dict[str, User]) -> None:
    world.compute()
    user = users[Role.PROVINCE]
    response = _client(user).get(PAGE, {"nam": YEAR})
    assert response.status_code == 200
    html = response.content.decode()
    total = budget_estimate(user, YEAR).total
    assert vnd(total.total) in html and vnd(total.total) == "149.376.667 đ"
    assert world.areas.home.name in html and world.areas.neighbour.name in html
    assert "1.666.667 đ" in html  # A's expected funeral support
    assert 'data-testid="compute"' in html  # a province user prepares it


def test_the_page_offers_to_compute_what_is_not_computed(
    world: World, users: dict[str, User]
) -> None:
    client = _client(users[Role.APPROVER])
    html = client.get(PAGE, {"nam": YEAR}).content.decode()
    assert "Chưa tính dự toán năm 2027" in html and 'data-testid="compute"' in html
    response = client.post("/bao-cao/du-toan/tinh/", {"nam": YEAR, "province": "91"})
    assert response.status_code == 302 and response["Location"] == f"{PAGE}?nam={YEAR}"
    html = client.get(PAGE, {"nam": YEAR}).content.decode()
    assert "Đã tính dự toán năm 2027" in html and "Chưa tính" not in html


def test_a_treasury_user_reads_but_does_not_compute(world: World, users: dict[str, User]) -> None:
    client = _client(users[Role.TREASURY])
    assert 'data-testid="compute"' not in client.get(PAGE, {"nam": YEAR}).content.decode()
    response = client.post("/bao-cao/du-toan/tinh/", {"nam": YEAR, "province": "91"})
    assert response.status_code == 403


def test_a_year_that_is_not_a_year_is_refused(users: dict[str, User]) -> None:
    response = _client(users[Role.PROVINCE]).get(PAGE, {"nam": "20x7"})
    assert response.status_code == 400
    assert "không hợp lệ" in response.content.decode()


def test_the_command_prints_the_selector_s_figures(world: World, users: dict[str, User]) -> None:
    world.compute()
    user = users[Role.PROVINCE]
    out = io.StringIO()
    call_command("report", "budget", "--year", str(YEAR), "--area", "91", "--user",
                 user.username, "--json", stdout=out)  # fmt: skip
    printed = json.loads(out.getvalue())
    assert printed == json.loads(json.dumps(budget_as_dict(budget_estimate(user, YEAR, "91"))))
    assert printed["total"]["total"] == 149_376_667


def test_the_command_computes_then_prints(world: World, users: dict[str, User], capsys) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("report", "budget", "--year", str(YEAR), "--area", "91", "--compute",
                 "--user", users[Role.APPROVER].username, stdout=out, stderr=io.StringIO())  # fmt: skip
    text = out.getvalue()
    assert "TỔNG CỘNG" in text and "149.376.667 đ" in text


def test_the_excel_file_has_the_header_the_columns_and_the_signatures(
    world: World, users: dict[str, User]
) -> None:
    world.compute()
    content = _client(users[Role.PROVINCE]).get(XLSX, {"nam": YEAR}).content
    rows = _values(content)
    text = [str(v) for row in rows for v in row if v is not None]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert TITLE.format(year=YEAR) in text
    assert tuple(rows[FIRST_DATA_ROW - 2][:8]) == HEADS
    for title, note in SIGNATURES:
        assert title in text and note in text


def test_the_excel_file_adds_up(world: World, users: dict[str, User]) -> None:
    world.compute()
    user = users[Role.PROVINCE]
    content = _client(user).get(XLSX, {"nam": YEAR}).content
    rows, formulas = _values(content), _sheet(content)
    end = next(n for n, r in enumerate(rows) if r[0] == "TỔNG CỘNG")
    data, total = rows[FIRST_DATA_ROW:end], rows[end]
    communes = [r for r in data if isinstance(r[0], int)]
    groups = [r for r in data if isinstance(r[0], str) and "." in r[0]]
    for c in range(3, 8):  # people, monthly, funeral, fees, total
        assert sum(r[c] for r in communes) == total[c] == sum(r[c] for r in groups)
    for r in [*data, total]:
        assert r[7] == r[4] + r[5] + r[6]
    report = budget_estimate(user, YEAR)
    assert total[3:8] == list(report.total.as_dict().values())
    # The sums are formulas, so an edited cell is added up again.
    assert re.match(r"=SUM\(D\d+:D\d+\)", str(formulas.cell(FIRST_DATA_ROW + 1, 4).value))
    assert re.match(r"=SUM\(D\d+,D\d+\)", str(formulas.cell(end + 1, 4).value))


def _text(response) -> str:  # type: ignore[no-untyped-def]
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value
        )
    return response.content.decode()


@pytest.mark.parametrize("role", Role.values)
def test_no_role_sees_a_commune_outside_its_area(world: World, users: dict[str, User],
                                                role: str) -> None:  # fmt: skip
    world.compute()
    areas = world.areas
    user = users[role]
    allowed = user.can(Capability.VIEW_REPORTS)
    foreign = [areas.foreign, areas.neighbour] if role in COMMUNE_ROLES else [areas.foreign]
    client = _client(user)
    for url in (PAGE, XLSX):
        response = client.get(url, {"nam": YEAR})
        assert response.status_code == (200 if allowed else 403), (role, url)
        if not allowed:
            continue
        text = _text(response)
        assert areas.home.name in text, (role, url)
        for commune in foreign:
            assert commune.name not in text, (role, url, commune.name)
        response = client.get(url, {"nam": str(YEAR), "area": areas.foreign.code})
        assert response.status_code == 404, (role, url)


def test_the_estimate_is_as_of_its_day(world: World) -> None:
    assert world.compute().as_of == AS_OF


def test_a_sum_of_many_communes_stays_within_excel_s_255_arguments() -> None:
    from asxh.reports.budget_excel import _sum_formula

    assert _sum_formula([10, 11, 12], 3) == "=SUM(D11:D13)"
    formula = _sum_formula(list(range(0, 3000, 10)), 3)
    assert formula.startswith("=SUM(SUM(D1,") and formula.count("SUM(") == 3
    first = formula[len("=SUM(SUM(") : formula.index(")")]
    assert first.count(",") + 1 == 255  # the first 255 cells; the other 45 in a second SUM
