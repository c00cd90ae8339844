"""Every role × the report page and its Excel file: nothing of a commune outside the user's area."""

import io

import pytest
from django.test import Client
from openpyxl import load_workbook

from asxh.access.roles import Capability, Role
from conftest import COMMUNE_ROLES

pytestmark = pytest.mark.django_db

PAGES = ["/bao-cao/", "/bao-cao/tien-do.xlsx"]


def _client(user):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    return client


def _text(response) -> str:  # type: ignore[no-untyped-def]
    """What the user reads: the page, or every cell of the workbook."""
    if response["Content-Type"].startswith("application/vnd.openxmlformats"):
        book = load_workbook(io.BytesIO(response.content))
        return "\n".join(
            str(c.value) for s in book.worksheets for row in s.iter_rows() for c in row if c.value
        )
    return response.content.decode()


def _foreign(role: str, areas):  # type: ignore[no-untyped-def]
    """Communes outside the user's area: for a commune user the neighbour is foreign too."""
    return [areas.foreign, areas.neighbour] if role in COMMUNE_ROLES else [areas.foreign]


@pytest.mark.parametrize("role", Role.values)
def test_no_report_shows_a_foreign_commune(role, users, areas, scenario):
    user = users[role]
    client = _client(user)
    allowed = user.can(Capability.VIEW_REPORTS)
    for url in PAGES:
        own = client.get(url, {"date": "20/11/2026"})
        assert own.status_code == (200 if allowed else 403), (role, url)
        if allowed:
            text = _text(own)
            assert areas.home.name in text, (role, url)
            for commune in _foreign(role, areas):
                assert commune.name not in text, (role, url, commune.name)
                assert f'data-commune="{commune.code}"' not in text
        for commune in _foreign(role, areas):
            for area in (commune.code, commune.province.code):
                if area == areas.province.code:
                    continue  # the neighbour's province is the user's own province code
                response = client.get(url, {"date": "20/11/2026", "area": area})
                assert response.status_code == (404 if allowed else 403), (role, url, area)
                assert commune.name not in response.content.decode(errors="ignore")


@pytest.mark.parametrize("role", sorted(COMMUNE_ROLES))
def test_a_commune_user_asking_for_the_province_sees_only_the_own_commune(role, users, areas):
    user = users[role]
    response = _client(user).get("/bao-cao/", {"area": areas.province.code})
    if not user.can(Capability.VIEW_REPORTS):
        assert response.status_code == 403
        return
    report = response.context["report"]
    assert [r.code for b in report.provinces for r in b.rows] == [areas.home.code]


def test_anonymous_users_are_sent_to_the_login_page():
    for url in PAGES:
        response = Client().get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/dang-nhap/")
