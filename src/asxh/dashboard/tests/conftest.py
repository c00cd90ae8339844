"""A province's list of 11/2026 paid three ways, and a provider's result file about it.

    home       people["home"]   account                       1.000.000 đ  → paid
               "cash"           cash at the pay point         1.000.000 đ  → paid in cash
               "at_home"        cash at home (frail)          1.000.000 đ  → paid at home
               "held"           account not verified          1.000.000 đ  held back, not sent
    neighbour  people["neighbour"] account                    1.000.000 đ  → refused (AC01)
               "cash_n"         cash                          1.000.000 đ  → no result yet
    foreign    people["foreign"] is in another province: never in these figures.

Everyone is a severely disabled elderly person (2,0 × 500.000 đ), enrolled since 7/2025.
"""

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pytest

from asxh.access.models import User
from asxh.access.roles import Role
from asxh.accounts.models import ReceivingAccount
from asxh.beneficiaries.services import payment_method_register
from asxh.cycles.models import Cycle
from asxh.cycles.services import cycle_approve, cycle_build, cycle_export
from asxh.cycles.tests.conftest import MONTH, Setting
from asxh.cycles.tests.conftest import data_dir as data_dir  # the cycles' fixtures, reused
from asxh.cycles.tests.conftest import setting as setting
from asxh.results.services import results_import
from conftest import Areas, make_user, register_person

AMOUNT = 1_000_000  # each person's month


@dataclass
class Month:
    """The approved list of 11/2026 and who is in it (see the module docstring)."""

    cycle: Cycle
    ids: dict[str, int]
    setting: Setting


@pytest.fixture
def month(setting: Setting, areas: Areas, people: dict[str, int]) -> Month:
    officer = setting.officer
    other = make_user(Role.COMMUNE_OFFICER, commune=areas.neighbour, username="canbo-ben-canh")
    ids = {
        "cash": register_person(
            officer, areas.home, name="Phạm Thị Tiền", id_number="091155000201", with_account=False
        ),
        "at_home": register_person(
            officer, areas.home, name="Hồ Thị Nhà", id_number="091155000202", with_account=False
        ),
        "held": register_person(officer, areas.home, name="Đỗ Thị Giữ", id_number="091155000203"),
        "cash_n": register_person(
            other, areas.neighbour, name="Lý Thị Mặt", id_number="091155000204", with_account=False
        ),
    }
    payment_method_register(actor=officer, beneficiary_id=ids["at_home"], method="cash",
                            cash_at_home=True, registered_on=dt.date(2025, 9, 1),
                            source="Biên bản: già yếu, không đi lại được")  # fmt: skip
    ReceivingAccount.objects.filter(beneficiary_id=ids["held"]).update(verification="unverified")
    built = cycle_build(actor=setting.preparer, month=MONTH, province_code=areas.province.code)
    cycle = cycle_approve(actor=setting.approver, cycle_id=built.cycle.pk)
    return Month(cycle, {**people, **ids}, setting)


# The provider's answer per payee name (the list's "Họ và tên người hưởng"); cash_n is absent.
RESULTS = {
    "Nguyễn Thị Hoà": ("Đã chi", ""),
    "Phạm Thị Tiền": ("Chi tiền mặt", ""),
    "Hồ Thị Nhà": ("Chi tại nhà", ""),
    "Trần Văn Bình": ("Sai số tài khoản", "AC01"),
}


@pytest.fixture
def reported(month: Month, tmp_path: Path) -> Month:
    """The post office's result file for the list, imported."""
    results_report(month, tmp_path)
    return month


def results_report(month: Month, folder: Path) -> None:
    """Export the list as CSV, answer it as in RESULTS, import the answer."""
    preparer = month.setting.preparer
    listed = folder / "ds.csv"
    cycle_export(actor=preparer, cycle_id=month.cycle.pk, provider_code="buudien-ag",
                 fmt="csv", path=listed)  # fmt: skip
    with listed.open(encoding="utf-8-sig", newline="") as f:
        rows = [row for row in csv.DictReader(f) if row["Họ và tên người hưởng"] in RESULTS]
    path = folder / "ket-qua.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow([*rows[0].keys(), "Kết quả", "Số tiền đã chi (đồng)", "Lý do"])
        for row in rows:
            outcome, code = RESULTS[row["Họ và tên người hưởng"]]
            writer.writerow([*row.values(), outcome, "", code])
    results_import(actor=preparer, cycle_id=month.cycle.pk, path=path, name=path.name)


@pytest.fixture
def provider_user(users: dict[str, User], setting: Setting) -> User:
    """The role-fixture's provider user, made one of the post office's own users."""
    from asxh.providers.services import provider_staff_add

    user = users[Role.PROVIDER]
    provider_staff_add(actor=setting.preparer, provider_code="buudien-ag", username=user.username)
    return user
