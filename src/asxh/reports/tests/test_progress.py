"""The daily progress figures are counted once a day, kept, and counted again on request, after
the day has ended when it was counted during the day, and never for supervision."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from asxh.access.roles import Role
from asxh.audit.models import AuditEvent
from asxh.core.formatting import VIETNAM
from asxh.reports.excel import report_xlsx
from asxh.reports.logic import Figures
from asxh.reports.models import ProgressCount
from asxh.reports.progress import progress_latest, progress_recount
from asxh.reports.selectors import daily_report
from asxh.reports.tests.conftest import ENROLLED, EXPECTED_HOME, ON, _person

pytestmark = pytest.mark.django_db


def _home(report, areas):  # type: ignore[no-untyped-def]
    return next(r for b in report.provinces for r in b.rows if r.code == areas.home.code).figures


def _newcomer(officer, areas, n: int, on: dt.date) -> None:  # type: ignore[no-untyped-def]
    """Someone recorded now whose enrolment, registration and account count from `on`."""
    _person(officer, areas.home, n, start=min(on.replace(day=1), ENROLLED),
            registered_on=on, opened_on=on)  # fmt: skip


def test_today_is_counted_once_then_read_until_someone_counts_again(scenario, officer, areas):
    today = timezone.localdate()
    first = daily_report(officer, on=today)
    assert first.taken_at is not None and not first.final()
    _newcomer(officer, areas, 40, today)
    kept = daily_report(officer, on=today)
    assert kept.taken_at == first.taken_at and _home(kept, areas) == _home(first, areas)

    assert progress_recount(officer, [areas.home.pk], today, area=areas.home.code) == 1
    again = daily_report(officer, on=today)
    assert again.taken_at is not None and again.taken_at > first.taken_at
    assert _home(again, areas).people == _home(first, areas).people + 1
    event = AuditEvent.objects.get(action="report.progress_recount")
    assert event.actor == officer and event.object_id == f"{today:%Y-%m-%d}"
    assert event.area_code == areas.home.code and event.after == {"communes": 1}


def test_a_past_day_counted_during_the_day_is_counted_again_once_it_has_ended(
    scenario, officer, areas
):
    during = dt.datetime.combine(ON, dt.time(10, 15), tzinfo=VIETNAM)
    ProgressCount.objects.create(
        commune=areas.home, on=ON, taken_at=during, figures=Figures(people=1).as_dict()
    )
    report = daily_report(officer, on=ON)
    assert _home(report, areas) == EXPECTED_HOME[ON]
    assert report.final() and report.as_of() == "tính đến hết ngày 20/11/2026"

    # Counted after the day: what was reported stays, a late entry for that day included.
    _newcomer(officer, areas, 41, ON)
    assert _home(daily_report(officer, on=ON), areas) == EXPECTED_HOME[ON]
    progress_recount(officer, [areas.home.pk], ON, area="")
    assert _home(daily_report(officer, on=ON), areas).people == EXPECTED_HOME[ON].people + 1


def test_the_dashboard_reads_today_else_yesterday_and_counts_the_rest(scenario, areas):
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    midnight = dt.datetime.combine(today, dt.time.min, tzinfo=VIETNAM)

    def kept(commune, on: dt.date, people: int) -> None:  # type: ignore[no-untyped-def]
        ProgressCount.objects.create(commune=commune, on=on, taken_at=midnight,
                                     figures=Figures(people=people).as_dict())  # fmt: skip

    kept(areas.home, yesterday, 7)
    kept(areas.home, yesterday - dt.timedelta(days=1), 5)
    # Someone looked at an old day of the neighbour: not what the dashboard shows.
    kept(areas.neighbour, dt.date(2020, 1, 1), 99)
    counted = progress_latest([areas.home.pk, areas.neighbour.pk], today)
    assert counted.figures[areas.home.pk].people == 7 and counted.on == yesterday
    assert counted.figures[areas.neighbour.pk].people == 1  # counted now, for today
    assert ProgressCount.objects.filter(commune=areas.neighbour, on=today).exists()

    kept(areas.home, today, 8)
    again = progress_latest([areas.home.pk, areas.neighbour.pk], today)
    assert again.figures[areas.home.pk].people == 8 and again.on == today


def test_supervision_reads_the_report_but_may_not_count_again(scenario, users, areas):
    auditor = users[Role.AUDITOR]
    with pytest.raises(PermissionDenied):
        progress_recount(auditor, [areas.home.pk], ON, area="")
    client = Client()
    client.force_login(auditor)
    page = client.get("/bao-cao/", {"date": "20/11/2026"})
    assert page.status_code == 200 and 'data-testid="recount"' not in page.content.decode()
    today = client.get("/bao-cao/").content.decode()
    assert "Số liệu đếm lúc" in today and "Đếm lại" not in today  # no hint of a missing button
    assert client.post("/bao-cao/dem-lai/", {"date": "20/11/2026"}).status_code == 403
    assert not AuditEvent.objects.filter(action="report.progress_recount").exists()


def test_the_page_says_when_it_was_counted_and_counts_again_on_request(scenario, officer, areas):
    client = Client()
    client.force_login(officer)
    today = timezone.localdate()
    page = client.get("/bao-cao/").content.decode()
    assert "Số liệu đếm lúc" in page and "bấm <i>Đếm lại</i> trước khi gửi" in page
    assert 'data-testid="recount"' in page
    assert (
        "Số liệu cả ngày 20/11/2026"
        in client.get("/bao-cao/", {"date": "20/11/2026"}).content.decode()
    )

    _newcomer(officer, areas, 42, today)
    day = f"{today:%d/%m/%Y}"
    response = client.post("/bao-cao/dem-lai/", {"date": day, "area": areas.home.code})
    assert response.status_code == 302
    assert (
        response["Location"] == f"/bao-cao/?date={day.replace('/', '%2F')}&area={areas.home.code}"
    )
    shown = client.get(response["Location"])
    assert f"Đã đếm lại số liệu ngày {day} của 1 xã/phường." in shown.content.decode()
    assert _home(shown.context["report"], areas).people == EXPECTED_HOME[ON].people + 1
    assert client.post("/bao-cao/dem-lai/", {"date": "31/02/2026"}).status_code == 400


def test_the_command_counts_again_with_recount_and_the_excel_says_the_hour(
    scenario, officer, areas
):
    def daily(*args: str) -> dict[str, object]:
        out = io.StringIO()
        call_command("report", "daily", "--user", officer.username, "--json", *args, stdout=out)
        return json.loads(out.getvalue())  # type: ignore[no-any-return]

    first = daily()
    assert first["final"] is False and first["counted_at"]
    _newcomer(officer, areas, 43, timezone.localdate())
    people = first["provinces"][0]["total"]["people"]  # type: ignore[index]
    assert daily()["provinces"][0]["total"]["people"] == people  # type: ignore[index]
    assert daily("--recount")["provinces"][0]["total"]["people"] == people + 1  # type: ignore[index]

    report = daily_report(officer, on=timezone.localdate())
    assert report.taken_at is not None
    hour = f"{report.taken_at.astimezone(VIETNAM):%H:%M}"
    sheet = load_workbook(io.BytesIO(report_xlsx(report))).worksheets[0]
    texts = [c for row in sheet.iter_rows(max_row=8, values_only=True) for c in row if c]
    assert any(f"tính đến {hour} ngày {timezone.localdate():%d/%m/%Y}" in t for t in texts)
