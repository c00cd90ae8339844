"""A death reported and approved in headless Chromium: the kind select redraws the form."""

import pytest
from playwright.sync_api import expect

from asxh.access.roles import Role
from asxh.beneficiaries.models import Beneficiary, Status
from asxh.beneficiaries.tests.test_browser import (  # noqa: F401 (fixtures)
    flushable_database,
    log_in,
    page,
    shot,
)
from conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_the_commune_reports_a_death_and_the_approver_approves_it(page, users, people):  # noqa: F811
    assert log_in(page, users[Role.COMMUNE_OFFICER].username, PASSWORD) == 200
    page.goto(f"/bien-dong/de-nghi/?beneficiary={people['home']}")
    page.get_by_label("Loại biến động").select_option("decrease_death")
    page.get_by_label("Ngày chết *").fill("15/09/2026")
    page.get_by_label("Căn cứ, hồ sơ kèm theo *").fill("Giấy chứng tử số 45/2026")
    shot(page, "change-propose")
    page.get_by_role("button", name="Gửi đề nghị").click()
    expect(page.get_by_test_id("state")).to_have_text("Chờ thẩm định")
    expect(page.get_by_test_id("own-change")).to_be_visible()
    detail = page.url
    page.get_by_role("button", name="Đăng xuất").click()

    assert log_in(page, users[Role.APPROVER].username, PASSWORD) == 200
    page.goto(detail)
    expect(page.locator("dl.facts")).to_contain_text("10/2026")
    page.get_by_role("button", name="Phê duyệt và áp dụng").click()
    expect(page.get_by_test_id("state")).to_have_text("Đã phê duyệt")
    shot(page, "change-approved")
    assert Beneficiary.objects.get(pk=people["home"]).status == Status.DECEASED
