"""Shared fixtures: reference data loaded once per test database, areas and users of every role."""

import datetime as dt
from dataclasses import dataclass

import pytest

from asxh.access.models import User
from asxh.access.roles import Role
from asxh.access.services import user_bootstrap
from asxh.units.models import Commune, Province

PASSWORD = "mat-khau-thu-nghiem-2026"


def pytest_configure(config: pytest.Config) -> None:
    """Tests create hundreds of users: a fast hash instead of PBKDF2's deliberate slowness."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Roles that work in a commune; the others work across a province.
COMMUNE_ROLES = {Role.COMMUNE_OFFICER, Role.COMMUNE_POLICE}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):  # type: ignore[no-untyped-def]
    from asxh.accounts.services import institutions_load
    from asxh.beneficiaries.reference import programmes_load
    from asxh.entitlement.services import national_rates_load
    from asxh.units.services import units_load

    with django_db_blocker.unblock():
        units_load()
        institutions_load()
        programmes_load()
        national_rates_load()


@dataclass
class Areas:
    """Two communes of one province (home, neighbour) and a commune of another province."""

    province: Province
    home: Commune
    neighbour: Commune
    foreign_province: Province
    foreign: Commune


@pytest.fixture
def areas(db) -> Areas:  # type: ignore[no-untyped-def]
    province = Province.objects.get(code="91")
    home, neighbour = Commune.objects.filter(province=province).order_by("code")[:2]
    foreign_province = Province.objects.get(code="01")
    foreign = Commune.objects.filter(province=foreign_province).order_by("code").first()
    assert foreign is not None
    return Areas(province, home, neighbour, foreign_province, foreign)


def make_user(
    role: str,
    *,
    province: Province | None = None,
    commune: Commune | None = None,
    username: str | None = None,
) -> User:
    return user_bootstrap(
        username=username or f"{role}-{(commune or province).code}",  # type: ignore[union-attr]
        password=PASSWORD,
        role=role,
        full_name=f"Người dùng {role}",
        provinces=[province] if province else [],
        communes=[commune] if commune else [],
    )


@pytest.fixture
def users(areas: Areas) -> dict[str, User]:
    """One user per role working in the home commune (or its province)."""
    return {
        role: make_user(role, commune=areas.home)
        if role in COMMUNE_ROLES
        else make_user(role, province=areas.province)
        for role in Role.values
    }


@pytest.fixture
def officer(users: dict[str, User]) -> User:
    return users[Role.COMMUNE_OFFICER]


@pytest.fixture
def today() -> dt.date:
    return dt.date(2026, 11, 23)


def register_person(
    officer: User,
    commune: Commune,
    *,
    name: str = "Nguyễn Thị Hoà",
    id_number: str = "091155012345",
    sex: str = "F",
    birth_date: dt.date = dt.date(1955, 3, 5),
    with_account: bool = True,
) -> int:
    """A person with an enrolment, a payee (self), a registration and an account, via services."""
    from asxh.accounts.services import account_add
    from asxh.beneficiaries.services import (
        PayeeInput,
        PersonInput,
        beneficiary_register,
        enrolment_add,
        payee_add,
        payment_method_register,
    )

    person = beneficiary_register(
        actor=officer,
        person=PersonInput(
            full_name=name,
            sex=sex,
            commune_code=commune.code,
            birth_date=birth_date,
            id_number=id_number,
            phone="0912345678",
            village="Ấp Đông Sơn",
        ),
        reason="Quyết định hưởng số 12/QĐ-UBND",
    )
    enrolment_add(
        actor=officer,
        beneficiary_id=person.pk,
        group_code="btxh_khuyet_tat",
        start_month=dt.date(2025, 7, 1),
        reason="QĐ 12",
        disability_level="severe",
    )
    payee_add(
        actor=officer,
        beneficiary_id=person.pk,
        payee=PayeeInput(kind="self", valid_from=dt.date(2025, 7, 1)),
        reason="Tự nhận",
    )
    method = "account" if with_account else "cash"
    payment_method_register(
        actor=officer,
        beneficiary_id=person.pk,
        method=method,
        registered_on=dt.date(2025, 8, 1),
        source="Phiếu đăng ký",
    )
    if with_account:
        account_add(
            actor=officer,
            beneficiary_id=person.pk,
            kind="bank",
            institution_bin="970405",
            account_number="7100205123456",
            holder_name=name.upper(),
            opened_on=dt.date(2025, 8, 1),
            reason="Phiếu đăng ký",
        )
    return person.pk


@pytest.fixture
def people(areas: Areas) -> dict[str, int]:
    """One registered person in each of the home, neighbour and foreign communes."""
    return {
        "home": register_person(
            make_user(Role.COMMUNE_OFFICER, commune=areas.home, username="seed-home"), areas.home
        ),
        "neighbour": register_person(
            make_user(Role.COMMUNE_OFFICER, commune=areas.neighbour, username="seed-neighbour"),
            areas.neighbour,
            name="Trần Văn Bình",
            id_number="091050123456",
            sex="M",
            birth_date=dt.date(1950, 1, 1),
        ),
        "foreign": register_person(
            make_user(Role.COMMUNE_OFFICER, commune=areas.foreign, username="seed-foreign"),
            areas.foreign,
            name="Lê Thị Cúc",
            id_number="001155098765",
        ),
    }
