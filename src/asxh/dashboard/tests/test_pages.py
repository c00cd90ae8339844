"""/tong-quan/ per role: what each one sees, in Vietnamese formats."""

import pytest
from django.test import Client

from asxh.access.roles import Role
from asxh.dashboard.tests.conftest import AMOUNT
from asxh.reports.models import ProgressCount

pytestmark = pytest.mark.django_db

SEEN = {
    Role.COMMUNE_OFFICER: {"progress", "work", "month"},
    Role.COMMUNE_POLICE: {"work"},
    Role.APPROVER: {"calendar", "month", "lagging", "progress", "work"},
    Role.PROVINCE: {"calendar", "month", "lagging", "progress", "work"},
    Role.PROVIDER: {"provider"},
    Role.TREASURY: {"treasury", "month"},
    Role.AUDITOR: {"calendar", "month", "lagging", "progress"},
    Role.ADMINISTRATOR: set(),
    Role.POLICY: set(),
}
PANELS = {"progress", "work", "month", "calendar", "lagging", "provider", "treasury"}


def _get(user, **query):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(user)
    response = client.get("/tong-quan/", query)
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("role", Role.values)
def test_each_role_sees_its_own_sections(role, users, reported, provider_user):
    text = _get(users[role], month="2026-11").content.decode()
    shown = {panel for panel in PANELS if f'data-testid="{panel}"' in text}
    assert shown == SEEN[role], role
    if not SEEN[role]:
        assert 'data-testid="nothing"' in text


def test_the_officer_sees_the_months_figures_in_vietnamese_formats(users, reported):
    text = _get(users[Role.COMMUNE_OFFICER], month="11/2026").content.decode()
    assert "Báo cáo kết quả chi trả tháng 11/2026" in text
    assert "3.000.000 đ" in text and "33,3 %" in text  # one of three paid by account
    assert 'data-testid="money-chart"' in text and '<rect class="paid-home"' in text
    assert "/tong-quan/bao-cao-thang.xlsx?month=2026-11" in text


def test_the_approver_sees_the_calendar_books_and_lagging_communes(users, reported, areas):
    response = _get(users[Role.APPROVER], month="2026-11")
    [calendar] = response.context["calendars"]
    assert calendar.cycle == reported.cycle and len(calendar.steps) == 5
    assert [row.commune.place.code for row in response.context["lagging"]] == [
        areas.home.code,  # 1 of 3 paid without cash: the lowest first
        areas.neighbour.code,  # 1 of 2
    ]
    text = response.content.decode()
    assert "Quyết toán theo tổ chức chi trả" in text and "chưa cân đối" in text


def test_the_provider_sees_its_list_to_pay_and_confirm(provider_user, reported):
    response = _get(provider_user)
    [found] = response.context["provider_lists"]
    assert found.cycle == reported.cycle and found.exported
    assert found.total.people == 5 and found.total.amount == 5 * AMOUNT
    assert found.needs_transfer and found.total.pending_people == 1
    assert 'data-testid="to-confirm"' in response.content.decode()


def test_a_provider_of_no_provider_is_told_why_it_sees_nothing(users, month):
    text = _get(users[Role.PROVIDER]).content.decode()
    assert "chưa được gắn với tổ chức chi trả" in text


def test_the_treasury_sees_the_advance_and_the_settlement(users, reported):
    response = _get(users[Role.TREASURY])
    [advance] = response.context["advances"]
    assert advance.amount + advance.fee == 5 * AMOUNT + 25_000
    assert advance.paid == 3 * AMOUNT and advance.returned == AMOUNT
    assert "5.025.000 đ" in response.content.decode()


def test_progress_is_counted_once_then_recounted_on_request(users, month, areas):
    officer = users[Role.COMMUNE_OFFICER]
    first = _get(officer).context["progress"]
    assert [p.code for p, _ in first.communes] == [areas.home.code]
    taken = ProgressCount.objects.get(commune=areas.home).taken_at
    assert _get(officer).context["progress"].taken_at == taken  # read, not counted again
    client = Client()
    client.force_login(officer)
    response = client.post("/tong-quan/cap-nhat-tien-do/")
    assert response.status_code == 302
    assert ProgressCount.objects.get(commune=areas.home).taken_at > taken


def test_a_wrong_month_is_explained(users, month):
    response = Client()
    response.force_login(users[Role.APPROVER])
    page = response.get("/tong-quan/", {"month": "13/2026"})
    assert page.status_code == 400 and "tháng phải từ 1 đến 12" in page.content.decode()


def test_supervision_reads_but_is_not_offered_to_recount(users, month):
    auditor = users[Role.AUDITOR]
    assert 'data-testid="recount"' not in _get(auditor).content.decode()
    client = Client()
    client.force_login(auditor)
    assert client.post("/tong-quan/cap-nhat-tien-do/").status_code == 403


def test_narrowed_to_a_commune_the_approver_gets_its_work_and_no_calendar(users, reported, areas):
    response = _get(users[Role.APPROVER], month="2026-11", area=areas.home.code)
    assert response.context["calendars"] == [] and not response.context["calendar_whole"]
    assert response.context["work"].refused == 0  # the refused transfer is the neighbour's
    whole = _get(users[Role.APPROVER], month="2026-11").context["work"]
    assert whole.refused == 1
    assert 'data-testid="calendar-whole"' in response.content.decode()
