"""The calculator in headless Chromium: fill the form, read the amounts and how they come."""

import pytest
from playwright.sync_api import expect

from asxh.access.roles import Role
from asxh.beneficiaries.tests.test_browser import (  # noqa: F401 (fixtures)
    flushable_database,
    log_in,
    page,
    shot,
)
from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_an_officer_prices_an_elderly_person_across_the_2024_raise(page, users):  # noqa: F811
    assert log_in(page, users[Role.COMMUNE_OFFICER].username, PASSWORD) == 200
    page.get_by_role("link", name="Tính mức hưởng").click()
    page.locator("[name=birth_date]").fill("10/08/1944")
    page.get_by_label("Nhóm đối tượng").select_option("btxh_nct_ngheo_khong_nguoi_phung_duong")
    page.locator("[name=start]").fill("01/2024")
    page.locator("[name=month_from]").fill("06/2024")
    page.locator("[name=month_to]").fill("08/2024")
    page.get_by_role("button", name="Tính").click()
    amounts = page.get_by_test_id("amount")
    expect(amounts).to_have_text(["540.000 đ", "750.000 đ", "1.000.000 đ"])
    expect(page.get_by_test_id("total")).to_have_text("2.290.000 đ")
    page.get_by_text("Xem cách tính").last.click()
    expect(page.locator(".why").last).to_contain_text("500.000 đ × 2,0 = 1.000.000 đ")
    shot(page, "calculator")
    # A wrong birth date is explained in Vietnamese next to its field.
    page.locator("[name=birth_date]").fill("31/02/1944")
    page.get_by_role("button", name="Tính").click()
    expect(page.locator(".errorlist").first).to_contain_text("không có thật")
