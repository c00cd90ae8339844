"""Every role × the dashboard and the monthly Excel file: nothing of a commune outside the
user's area, and a commune officer never gets the province's figures."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from asxh.access.roles import Capability, Role
from asxh.dashboard.tests.conftest import AMOUNT
from conftest import COMMUNE_ROLES

pytestmark = pytest.mark.django_db

PAGE, XLSX = "/tong-quan/", "/tong-quan/bao-cao-thang.xlsx"
# Roles whose dashboard reads the monthly figures (and so takes a month and an area).
REPORTING = {Role.COMMUNE_OFFICER, Role.APPROVER, Role.PROVINCE, Role.TREASURY, Role.AUDITOR}


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:  # type: ignore[no-untyped-def]
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value
        )
    return response.content.decode()


def _foreign(role, areas):  # type: ignore[no-untyped-def]
    return [areas.foreign, areas.neighbour] if role in COMMUNE_ROLES else [areas.foreign]


@pytest.mark.parametrize("role", Role.values)
def test_no_dashboard_shows_a_foreign_commune(role, users, areas, reported, provider_user):
    user = users[role]
    client = _client(user)
    page = client.get(PAGE, {"month": "2026-11"})
    assert page.status_code == 200, role
    workbook = client.get(XLSX, {"month": "2026-11"})
    allowed = user.can(Capability.VIEW_REPORTS)
    assert workbook.status_code == (200 if allowed else 403), role
    shown = [_text(page)] + ([_text(workbook)] if allowed else [])
    for text in shown:
        for commune in _foreign(role, areas):
            assert commune.name not in text, (role, commune.name)
            assert f'data-commune="{commune.code}"' not in text
    for commune in _foreign(role, areas):
        if commune.province == areas.province:
            continue  # the neighbour's province code is the user's own
        for url in (PAGE, XLSX):
            response = client.get(url, {"area": commune.code})
            expected = 404 if allowed else (200 if url == PAGE else 403)
            assert response.status_code == expected, (role, url, commune.code)
            assert commune.name not in response.content.decode(errors="ignore")


def test_a_commune_officer_gets_the_communes_figures_never_the_provinces(users, areas, reported):
    client = _client(users[Role.COMMUNE_OFFICER])
    for area in ("", areas.province.code, areas.home.code):
        page = client.get(PAGE, {"month": "2026-11", "area": area})
        report = page.context["report"]
        assert [c.place.code for c in report.communes] == [areas.home.code], area
        assert report.total.amount == 3 * AMOUNT and report.refused_open == 0
        assert all(s.books is None for s in report.lists)
        text = page.content.decode()
        assert "5.000.000 đ" not in text  # the province's list
        assert "Quyết toán theo tổ chức chi trả" not in text
    progress = client.get(PAGE).context["progress"]
    assert [p.code for p, _ in progress.communes] == [areas.home.code]


def test_a_province_user_of_some_communes_gets_no_province_figures(users, areas, reported):
    from conftest import make_user

    user = make_user(Role.PROVINCE, commune=areas.home, username="so-mot-xa")
    page = _client(user).get(PAGE, {"month": "2026-11"})
    assert page.context["calendars"] == []  # the calendar counts the whole province
    assert all(s.books is None for s in page.context["report"].lists)
    assert page.context["report"].total.amount == 3 * AMOUNT


def test_anonymous_users_are_sent_to_the_login_page():
    for url in (PAGE, XLSX):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")
