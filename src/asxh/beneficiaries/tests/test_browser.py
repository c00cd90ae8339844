"""The pages in a real browser: Playwright drives Debian's headless Chromium against live_server."""

import datetime as dt
import os
import re
from collections.abc import Iterator
from importlib import import_module
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from playwright.sync_api import Page, expect, sync_playwright

from asxh.access.roles import Role
from asxh.accounts.services import institutions_load
from asxh.audit.models import AccessLog
from asxh.beneficiaries.models import Beneficiary
from asxh.beneficiaries.reference import programmes_load
from asxh.entitlement.services import national_rates_load
from asxh.units.models import Province
from asxh.units.services import units_load
from conftest import PASSWORD, register_person

# Playwright's sync API runs an event loop in this thread; Django would refuse DB access from it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[4] / "test-artifacts"
append_only = import_module("asxh.audit.migrations.0002_append_only")


@pytest.fixture(autouse=True)
def flushable_database(transactional_db):  # type: ignore[no-untyped-def]
    """live_server's tests end with a flush of every table. On PostgreSQL it TRUNCATEs the
    reference data conftest loads once per session, so reload it; on SQLite its DELETE is refused
    by the append-only audit trigger, so empty the audit table past the trigger first."""
    if not Province.objects.exists():
        units_load()
        institutions_load()
        programmes_load()
    national_rates_load()  # adds only what is missing
    yield
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
            cursor.execute("DELETE FROM audit_auditevent")
            cursor.execute(append_only.SQLITE[1])


@pytest.fixture
def page(live_server) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    if not CHROMIUM.exists():
        reason = f"Debian's Chromium is not at {CHROMIUM}: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = browser.new_context(base_url=live_server.url, locale="vi-VN")
        yield context.new_page()
        browser.close()
        # Inside sync_playwright() an event loop runs, so Django keeps this test's connection
        # apart from the thread's; close it, or PostgreSQL cannot drop the test database.
        connections.close_all()


def shot(page: Page, name: str) -> None:
    page.screenshot(path=ARTIFACTS / f"{connection.vendor}-{name}.png", full_page=True)


def log_in(page: Page, username: str, password: str) -> int:
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(password)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Đăng nhập").click()
    return navigation.value.status  # type: ignore[union-attr]


def test_officer_searches_reveals_and_stays_in_own_commune(page, users, people, areas):
    officer = users[Role.COMMUNE_OFFICER]
    for name, id_number, sex, born in [
        ("Nguyễn Thị Lan", "091160234567", "F", dt.date(1960, 7, 14)),
        ("Phạm Văn An", "091048345678", "M", dt.date(1948, 12, 31)),
    ]:
        register_person(
            officer, areas.home, name=name, id_number=id_number, sex=sex, birth_date=born
        )
    total = Beneficiary.objects.filter(commune=areas.home).count()
    assert total == 3

    assert log_in(page, officer.username, PASSWORD) == 200
    expect(page).to_have_url(re.compile(r":\d+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Công chức xã (LĐ-TBXH/VH-XH)")
    expect(page.get_by_test_id("total")).to_have_text(str(total))
    shot(page, "1-home")

    page.get_by_role("link", name="Đối tượng").click()
    expect(page).to_have_url(re.compile(r"/doi-tuong/$"))
    rows = page.get_by_test_id("beneficiary-table").locator("tbody tr")
    expect(rows).to_have_count(total)
    communes = rows.evaluate_all("rows => rows.map(r => r.dataset.commune)")
    assert set(communes) == {areas.home.code}
    for name in ("Trần Văn Bình", "Lê Thị Cúc"):
        assert name not in page.content()
    shot(page, "2-list")

    with page.expect_response(
        lambda r: "hoa" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        page.get_by_placeholder("vd: nguyen thi hoa").press_sequentially("nguyen thi hoa")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Nguyễn Thị Hoà")
    expect(rows.first).to_contain_text("05/03/1955")
    expect(page).to_have_url(re.compile(r"q=nguyen"))
    shot(page, "3-search")

    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Nguyễn Thị Hoà")
    id_cell = page.locator("#id-number")
    expect(id_cell).to_contain_text("091******345")
    expect(id_cell).not_to_contain_text("091155012345")
    shot(page, "4-detail")
    id_cell.get_by_role("button", name="Xem đầy đủ").click()
    expect(page.get_by_test_id("full-id")).to_have_text("091155012345")
    assert AccessLog.objects.filter(
        user=officer, object_id=str(people["home"]), field="id_number"
    ).exists()
    shot(page, "5-revealed")

    for outsider in ("neighbour", "foreign"):
        response = page.goto(f"/doi-tuong/{people[outsider]}/")
        assert response is not None and response.status == 404
    shot(page, "6-foreign-404")


def test_five_wrong_passwords_lock_out_even_the_right_one(page, officer):
    for attempt in range(1, settings.AXES_FAILURE_LIMIT + 1):
        status = log_in(page, officer.username, "sai-mat-khau")
        assert status == (429 if attempt == settings.AXES_FAILURE_LIMIT else 200)
        if attempt == 1:
            expect(page.locator(".errorlist")).to_be_visible()
            shot(page, "7-wrong-password")
    assert log_in(page, officer.username, PASSWORD) == 429
    expect(page.get_by_role("heading", level=1)).to_have_text("Tạm khoá đăng nhập")
    shot(page, "8-locked-out")
