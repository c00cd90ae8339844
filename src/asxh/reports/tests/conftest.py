"""A small commune whose progress is known by hand on three dates (see `expected` below).

Home commune, people registered through the services, then a few account verifications and
findings set with fixed dates (the verification and quality apps record them in real use):

    P0  the shared `people` fixture's home person: BTXH, account, unverified
    P1  BTXH, method account, account opened 01/08/2025, verified 10/11/2026
    P2  BTXH, method account, account opened 01/09/2025, verified 22/11/2026;
        holder-mismatch finding detected 15/11/2026, fixed 21/11/2026
    P3  BTXH, cash (01/08/2025), then no_account registered 21/11/2026; duplicate-ID finding
    P4  NCC from 01/2024 and poor household from 01/2026, no registration at all
    P5  BTXH from 12/2026 (not yet enrolled)
    P6  BTXH, account, enrolment ended with 10/2026
    P7  BTXH, account, died 05/11/2026
    P8  BTXH, method account registered 01/11/2026, account opened 21/11/2026
    P9  BTXH, account opened 01/08/2025, state mismatch checked on 12/11/2026
    P10 BTXH, account verified 01/09/2025, replaced by a new account on 18/11/2026 (unverified)

Neighbour commune: the shared `people` fixture's person (account, unverified). Foreign
commune (another province): that fixture's person, never counted for users of province 91.
"""

import datetime as dt
from dataclasses import dataclass

import pytest

from asxh.access.models import User
from asxh.access.roles import Role
from asxh.accounts.models import ReceivingAccount
from asxh.accounts.services import account_add
from asxh.beneficiaries.models import Enrolment
from asxh.beneficiaries.services import (
    PayeeInput,
    PersonInput,
    beneficiary_register,
    beneficiary_status_set,
    enrolment_add,
    enrolment_end,
    payee_add,
    payment_method_register,
)
from asxh.cycles.models import Cycle
from asxh.cycles.services import cycle_approve, cycle_build
from asxh.cycles.tests.conftest import Setting
from asxh.cycles.tests.conftest import setting as setting  # the cycles' fixture, reused
from asxh.quality.models import Finding
from asxh.reports.logic import Figures
from asxh.units.models import Commune
from conftest import Areas, make_user, register_person

D = dt.date

# The report dates of the scenario.
BEFORE = D(2026, 10, 15)
ON = D(2026, 11, 20)
AFTER = D(2026, 11, 23)
# When most people of the scenario were enrolled, registered and had their account recorded.
ENROLLED = D(2025, 7, 1)
REGISTERED = D(2025, 8, 1)


def _person(
    officer: User,
    commune: Commune,
    n: int,
    *,
    group: str = "btxh_khuyet_tat",
    start: dt.date = ENROLLED,
    method: str | None = "account",
    registered_on: dt.date = REGISTERED,
    opened_on: dt.date | None = REGISTERED,
) -> int:
    person = beneficiary_register(
        actor=officer,
        person=PersonInput(
            full_name=f"Người Thử {n}",
            sex="F",
            commune_code=commune.code,
            birth_date=D(1955, 3, 5),
            id_number=f"0911550120{n:02d}",
        ),
        reason="QĐ thử",
    )
    enrolment_add(
        actor=officer, beneficiary_id=person.pk, group_code=group, start_month=start, reason="QĐ"
    )
    payee_add(
        actor=officer,
        beneficiary_id=person.pk,
        payee=PayeeInput(kind="self", valid_from=start),
        reason="Tự nhận",
    )
    if method:
        payment_method_register(
            actor=officer,
            beneficiary_id=person.pk,
            method=method,
            registered_on=registered_on,
            source="Phiếu",
        )
    if opened_on:
        _account(officer, person.pk, opened_on, f"71002051{n:05d}")
    return person.pk


def _account(officer: User, pk: int, opened_on: dt.date, number: str) -> ReceivingAccount:
    return account_add(
        actor=officer,
        beneficiary_id=pk,
        kind="bank",
        institution_bin="970405",
        account_number=number,
        holder_name="NGUOI THU",
        opened_on=opened_on,
        reason="Phiếu",
    )


def _verify(pk: int, verification: str, on: dt.date) -> None:
    ReceivingAccount.objects.filter(beneficiary_id=pk, status="active").update(
        verification=verification, verified_on=on
    )


def _finding(
    pk: int, commune: Commune, kind: str, detected: dt.date, fixed: dt.date | None
) -> None:
    from asxh.core.formatting import VIETNAM

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(9, 30), tzinfo=VIETNAM)

    Finding.objects.create(
        kind=kind,
        beneficiary_id=pk,
        commune=commune,
        key=f"{kind}:{pk}",
        state="fixed" if fixed else "open",
        state_reason="Đã sửa theo CCCD" if fixed else "",
        resolved_at=at(fixed) if fixed else None,
        detected_at=at(detected),
        last_seen_at=at(detected),
    )


@dataclass
class Scenario:
    ids: dict[str, int]


@pytest.fixture
def scenario(areas: Areas, officer: User, people: dict[str, int]) -> Scenario:
    home = areas.home
    ids = {
        "P1": _person(officer, home, 1),
        "P2": _person(officer, home, 2, opened_on=D(2025, 9, 1)),
        "P3": _person(officer, home, 3, method="cash", opened_on=None),
        "P4": _person(
            officer,
            home,
            4,
            group="ncc_thuong_binh",
            start=D(2024, 1, 1),
            method=None,
            opened_on=None,
        ),
        "P5": _person(officer, home, 5, start=D(2026, 12, 1)),
        "P6": _person(officer, home, 6),
        "P7": _person(officer, home, 7),
        "P8": _person(officer, home, 8, registered_on=D(2026, 11, 1), opened_on=D(2026, 11, 21)),
        "P9": _person(officer, home, 9),
        "P10": _person(officer, home, 10),
    }
    _verify(ids["P1"], "verified", D(2026, 11, 10))
    _verify(ids["P2"], "verified", D(2026, 11, 22))
    _finding(ids["P2"], home, "holder_mismatch", D(2026, 11, 15), D(2026, 11, 21))
    payment_method_register(
        actor=officer,
        beneficiary_id=ids["P3"],
        method="no_account",
        registered_on=D(2026, 11, 21),
        source="Phiếu",
    )
    _finding(ids["P3"], home, "duplicate_id", D(2026, 11, 1), None)
    enrolment_add(
        actor=officer,
        beneficiary_id=ids["P4"],
        group_code="ho_ngheo",
        start_month=D(2026, 1, 1),
        reason="QĐ",
    )
    enrolment = Enrolment.objects.get(beneficiary_id=ids["P6"])
    enrolment_end(actor=officer, enrolment_id=enrolment.pk, end_month=D(2026, 10, 1), reason="Hết")
    beneficiary_status_set(
        actor=officer,
        beneficiary_id=ids["P7"],
        status="deceased",
        since=D(2026, 11, 5),
        death_date=D(2026, 11, 5),
        reason="Giấy báo tử",
    )
    _verify(ids["P9"], "mismatch", D(2026, 11, 12))
    _verify(ids["P10"], "verified", D(2025, 9, 1))
    _account(officer, ids["P10"], D(2026, 11, 18), "7100205199999")
    return Scenario(ids)


# The home commune's figures, worked out by hand from the table in the module docstring.
EXPECTED_HOME = {
    BEFORE: Figures(
        # P0 P1 P2 P3 P4 P6 P7 P8 P9 P10 (P5 not yet enrolled)
        people=10,
        by_programme={"btxh": 9, "ncc": 1, "ho_ngheo": 1},
        cash=1,  # P3
        account=7,  # P0 P1 P2 P6 P7 P9 P10
        no_account=0,
        unregistered=2,  # P4, P8 (registered only on 01/11)
        collected=7,  # P0 P1 P2 P6 P7 P9 P10
        verified=1,  # P10's first account
        mismatches=0,
        ready=1,  # P10
    ),
    ON: Figures(
        # P0 P1 P2 P3 P4 P8 P9 P10 (P6 ended with 10/2026, P7 died 05/11)
        people=8,
        by_programme={"btxh": 7, "ncc": 1, "ho_ngheo": 1},
        cash=1,  # P3 (no_account only from 21/11)
        account=6,  # P0 P1 P2 P8 P9 P10
        no_account=0,
        unregistered=1,  # P4
        collected=5,  # P0 P1 P2 P9 P10 (P8's account from 21/11)
        verified=1,  # P1; P2 verified only on 22/11, P10's new account unverified
        mismatches=2,  # P2 (finding open on 20/11), P9 (account mismatch)
        ready=1,  # P1
    ),
    AFTER: Figures(
        people=8,
        by_programme={"btxh": 7, "ncc": 1, "ho_ngheo": 1},
        cash=0,
        account=6,
        no_account=1,  # P3
        unregistered=1,
        collected=6,  # + P8
        verified=2,  # P1 P2
        mismatches=1,  # P9
        ready=2,  # P1 P2
    ),
}

# The neighbour commune: one person with an unverified account, on every date.
EXPECTED_NEIGHBOUR = Figures(people=1, by_programme={"btxh": 1}, account=1, collected=1)


# --- non-cash coverage: a locked list of November 2026 ---------------------------------------

COVERAGE_MONTH = D(2026, 11, 1)


@dataclass
class LockedList:
    """The province's November list, approved; who is in it (see `locked_list`)."""

    cycle: Cycle
    ids: dict[str, int]


@pytest.fixture
def locked_list(setting: Setting, areas: Areas, people: dict[str, int]) -> LockedList:
    """The province's list of 11/2026, built and approved by two approvers:

    home       people["home"]  BTXH, account                 → without cash
               "cash"          BTXH, cash                    → cash
               "both"          BTXH and NCC (war invalid 85 %: allowance too), account
                                                             → without cash, in both programmes
               "held"          BTXH, account not verified    → held back: not counted
    neighbour  people["neighbour"] BTXH, account             → without cash
               "cash_n"        BTXH, cash                    → cash
    foreign    people["foreign"] is in another province's list: never here.
    """
    officer = setting.officer
    other = make_user(Role.COMMUNE_OFFICER, commune=areas.neighbour, username="canbo-ben-canh")
    ids = {
        "cash": register_person(
            officer, areas.home, name="Phạm Thị Tiền", id_number="091155000101", with_account=False
        ),
        "both": register_person(officer, areas.home, name="Võ Thị Hai", id_number="091155000102"),
        "held": register_person(officer, areas.home, name="Đỗ Thị Giữ", id_number="091155000103"),
        "cash_n": register_person(
            other, areas.neighbour, name="Lý Thị Mặt", id_number="091155000104", with_account=False
        ),
    }
    enrolment_add(
        actor=officer,
        beneficiary_id=ids["both"],
        group_code="ncc_thuong_binh",
        start_month=D(2025, 7, 1),
        reason="QĐ công nhận thương binh",
        impairment_percent=85,
    )
    ReceivingAccount.objects.exclude(beneficiary_id=ids["held"]).update(
        verification="verified", verified_on=D(2026, 10, 1)
    )
    ReceivingAccount.objects.filter(beneficiary_id=ids["held"]).update(verification="unverified")
    built = cycle_build(
        actor=setting.preparer, month=COVERAGE_MONTH, province_code=areas.province.code
    )
    cycle = cycle_approve(actor=setting.approver, cycle_id=built.cycle.pk)
    return LockedList(cycle, {**people, **ids})
