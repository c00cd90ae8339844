"""The import pages in headless Chromium: upload, read the errors, store, see the batch."""

import pytest
from playwright.sync_api import expect

from asxh.access.roles import Role
from asxh.beneficiaries.models import Beneficiary
from asxh.beneficiaries.tests.test_browser import (  # noqa: F401 (fixtures)
    flushable_database,
    log_in,
    page,
    shot,
)
from asxh.intake.tests.test_import import GOOD, workbook
from conftest import PASSWORD

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def test_officer_checks_a_list_then_stores_it(page, users, areas, tmp_path):  # noqa: F811
    officer = users[Role.COMMUNE_OFFICER]
    bad: list[list[object]] = [
        *GOOD,
        [4, "Hồ Văn Tư", "05/03/50", None, None, None, None, None, None, None, None, None],
    ]
    path = workbook(tmp_path / "danh-sach.xlsx", bad)
    assert log_in(page, officer.username, PASSWORD) == 200
    page.get_by_role("link", name="Nhập liệu").click()
    page.set_input_files("input[name=file]", str(path))
    page.get_by_role("button", name="Kiểm tra tệp").click()
    errors = page.locator("table.errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first).to_contain_text("chỉ có 2 số năm")
    shot(page, "intake-check")
    assert not Beneficiary.objects.exists()  # the check stored nothing
    with page.expect_download() as download:
        page.get_by_role("link", name="Tải tệp các dòng lỗi (.xlsx)").click()
    assert download.value.suggested_filename == "danh-sach-can-sua.xlsx"
    page.get_by_role("button", name="Ghi 3 dòng vào danh sách").click()
    expect(page.locator(".message")).to_contain_text("thêm mới 3")
    shot(page, "intake-stored")
    assert Beneficiary.objects.filter(commune=areas.home).count() == 3
