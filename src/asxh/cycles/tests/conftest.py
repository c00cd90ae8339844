"""A province with a provider (accounts and cash), two approvers and registered people."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from asxh.access.models import User
from asxh.access.roles import Role
from asxh.accounts.models import ReceivingAccount
from asxh.providers.services import ContractInput, contract_add, provider_add
from conftest import Areas, make_user

MONTH = dt.date(2026, 11, 1)


@dataclass
class Setting:
    preparer: User
    approver: User
    officer: User
    areas: Areas


@pytest.fixture
def setting(areas: Areas, users: dict[str, User], people: dict[str, int]) -> Setting:
    preparer = users[Role.APPROVER]
    approver = make_user(Role.APPROVER, province=areas.province, username="pheduyet-2")
    provider_add(actor=preparer, code="buudien-ag", name="Bưu điện tỉnh An Giang", kind="post",
                 bank_bin="970405")  # fmt: skip
    contract_add(
        actor=preparer,
        data=ContractInput(
            provider_code="buudien-ag",
            number="01/2026/HĐ-BĐ",
            province_code=areas.province.code,
            commune_codes=(),
            methods=("account", "cash"),
            valid_from=dt.date(2026, 1, 1),
            valid_to=None,
            fee_kind="per_head",
            fee_value=Decimal(5000),
            payer_name="Sở Y tế tỉnh An Giang",
            payer_account="9527123456789",
            payer_bank_bin="970405",
        ),
    )
    ReceivingAccount.objects.update(verification="verified", verified_on=dt.date(2026, 10, 1))
    return Setting(preparer, approver, users[Role.COMMUNE_OFFICER], areas)


@pytest.fixture
def reference_data(transactional_db: None) -> None:
    """A transactional test starts after another one's flush (TRUNCATE on PostgreSQL) may
    have emptied the reference data that the session loaded once."""
    from asxh.accounts.services import institutions_load
    from asxh.beneficiaries.reference import programmes_load
    from asxh.entitlement.services import national_rates_load
    from asxh.units.models import Province
    from asxh.units.services import units_load

    if not Province.objects.exists():
        units_load()
        institutions_load()
        programmes_load()
    national_rates_load()


@pytest.fixture
def policy_user(areas: Areas) -> User:
    return make_user(Role.POLICY, province=areas.foreign_province, username="chinhsach")


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Files exported from the pages go to a scratch folder."""
    settings.DATA_DIR = tmp_path / "data"
