"""The budget estimate of 2027 for a small province, worked out by hand.

Registry as of 20/11/2026 (base level 500.000 đ; funeral support 20 × base = 10.000.000 đ):

    home commune (contract: 5.000 đ per person and month)
      A  poor elderly without support, born 15/05/1947: 1,5 × base until 04/2027, 80 in
         05/2027 → 2,0 × base: 4 × 750.000 + 8 × 1.000.000 = 11.000.000 đ; fee 12 × 5.000
      B  severely disabled adult, enrolment ends with 06/2027: 6 × 750.000 = 4.500.000 đ;
         fee 6 × 5.000
      D  severely disabled, 66 (2,0 × base: 1.000.000 đ) and war invalid 85 % (7.601.000 +
         1.399.000 đ phụ cấp): 12 × 1.000.000 and 12 × 9.000.000; one head a month: the fee,
         12 × 5.000, goes to the larger group (NCC)
      E  poor elderly, died 10/05/2026 at 76 (a funeral support was due): the only death
      F  suspended: not counted
    neighbour commune (contract: 0,5 % of the amount)
      C  very severely disabled adult: 12 × 1.000.000 đ; fee 0,5 % = 60.000 đ
    foreign commune (another province): never in province 91's estimate

Mortality: in the 12 months 11/2025–10/2026 one death at 70–79 (E); alive at 70–79 in 11/2026
among social-assistance beneficiaries: A alone → 1 / (1 + 1) a year, 1/24 a month. A is 79
from 01 to 04/2027 (80–89 has no death): 4 × 10.000.000 / 24 = 1.666.667 đ of funeral support.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from asxh.access.models import User
from asxh.access.roles import Role
from asxh.beneficiaries.models import Enrolment
from asxh.beneficiaries.services import (
    PersonInput,
    beneficiary_register,
    beneficiary_status_set,
    enrolment_add,
    enrolment_end,
    payment_method_register,
)
from asxh.entitlement.rates import Rate, Unit
from asxh.entitlement.services import rates_add
from asxh.providers.models import Contract
from asxh.providers.services import ContractInput, contract_add, provider_add
from asxh.reports.budget import Figures, budget_as_dict, budget_compute, budget_estimate
from asxh.reports.models import BudgetEstimate, BudgetLine
from asxh.units.models import Commune
from conftest import Areas, make_user

D = dt.date
AS_OF = D(2026, 11, 20)
CONTRACTS_FROM = D(2026, 1, 1)
YEAR = 2027
NCT = "btxh_nct_ngheo_khong_nguoi_phung_duong"
DISABLED = "btxh_khuyet_tat"
INVALID = "ncc_thuong_binh"


def person(officer: User, commune: Commune, n: int, *, born: D, group: str,
           method: str = "account", **attributes: object) -> int:  # fmt: skip
    """A person enrolled since 01/2025 (the ID number agrees with sex and birth year)."""
    registered = beneficiary_register(
        actor=officer,
        person=PersonInput(
            full_name=f"Người Dự Toán {n}",
            sex="F",
            commune_code=commune.code,
            birth_date=born,
            id_number=f"091{1 if born.year < 2000 else 3}{born.year % 100:02d}{n:06d}",
        ),
        reason="QĐ hưởng",
    )
    enrolment_add(actor=officer, beneficiary_id=registered.pk, group_code=group,
                  start_month=D(2025, 1, 1), reason="QĐ", **attributes)  # fmt: skip
    payment_method_register(actor=officer, beneficiary_id=registered.pk, method=method,
                            registered_on=D(2025, 1, 10), source="Phiếu")  # fmt: skip
    return registered.pk


def contract(actor: User, areas: Areas, commune: Commune, kind: str, value: str, n: int,
             valid_from: D = CONTRACTS_FROM) -> None:  # fmt: skip
    provider_add(actor=actor, code=f"dv-{n}", name=f"Tổ chức chi trả {n}", kind="post")
    contract_add(
        actor=actor,
        data=ContractInput(
            provider_code=f"dv-{n}",
            number=f"{n}/2026/HĐ",
            province_code=areas.province.code,
            commune_codes=(commune.code,),
            methods=("account", "cash"),
            valid_from=valid_from,
            valid_to=None,
            fee_kind=kind,
            fee_value=Decimal(value),
            payer_name="Sở Y tế",
            payer_account="9527123456789",
            payer_bank_bin="970405",
        ),
    )


@dataclass
class World:
    areas: Areas
    ids: dict[str, int]
    preparer: User  # an approver of the province: computes the estimate

    def compute(self, year: int = YEAR) -> BudgetEstimate:
        done = budget_compute(
            actor=self.preparer, province_code=self.areas.province.code, year=year, as_of=AS_OF
        )
        return done.estimate


@pytest.fixture
def world(areas: Areas, users: dict[str, User]) -> World:
    officer = users[Role.COMMUNE_OFFICER]
    other = make_user(Role.COMMUNE_OFFICER, commune=areas.neighbour, username="canbo-ben")
    far = make_user(Role.COMMUNE_OFFICER, commune=areas.foreign, username="canbo-xa")
    preparer = users[Role.APPROVER]
    contract(preparer, areas, areas.home, "per_head", "5000", 1)
    contract(preparer, areas, areas.neighbour, "percent", "0.5", 2)
    home = areas.home
    ids = {
        "A": person(officer, home, 1, born=D(1947, 5, 15), group=NCT),
        "B": person(officer, home, 2, born=D(1980, 1, 1), group=DISABLED, disability_level="severe"),
        "D": person(officer, home, 4, born=D(1960, 6, 1), group=DISABLED, disability_level="severe",
                    method="cash"),
        "E": person(officer, home, 5, born=D(1950, 2, 1), group=NCT),
        "F": person(officer, home, 6, born=D(1990, 1, 1), group=DISABLED, disability_level="severe"),
        "C": person(other, areas.neighbour, 3, born=D(1985, 1, 1), group=DISABLED,
                    disability_level="very_severe"),
        "far": person(far, areas.foreign, 7, born=D(1985, 1, 1), group=DISABLED,
                      disability_level="very_severe"),
    }  # fmt: skip
    enrolment_add(actor=officer, beneficiary_id=ids["D"], group_code=INVALID,
                  start_month=D(2025, 1, 1), reason="QĐ", impairment_percent=85)  # fmt: skip
    ending = Enrolment.objects.get(beneficiary_id=ids["B"])
    enrolment_end(actor=officer, enrolment_id=ending.pk, end_month=D(2027, 6, 1), reason="Hết hạn")
    beneficiary_status_set(actor=officer, beneficiary_id=ids["E"], status="deceased",
                           since=D(2026, 5, 10), death_date=D(2026, 5, 10), reason="Giấy báo tử")  # fmt: skip
    beneficiary_status_set(actor=officer, beneficiary_id=ids["F"], status="suspended",
                           since=D(2026, 9, 1), reason="Không nhận tiền 3 tháng")  # fmt: skip
    return World(areas, ids, preparer)


def figures(world: World, commune: Commune, group: str) -> BudgetLine:
    return BudgetLine.objects.get(estimate__year=YEAR, commune=commune, group=group)


pytestmark = pytest.mark.django_db


def test_a_person_reaching_80_mid_year_is_priced_at_both_rates(world: World) -> None:
    world.compute()
    line = figures(world, world.areas.home, NCT)
    assert (line.people, line.person_months) == (1, 12)  # A; E died, so is not counted
    assert line.monthly == 4 * 750_000 + 8 * 1_000_000


def test_an_enrolment_ending_in_june_counts_only_its_months(world: World) -> None:
    world.compute()
    line = figures(world, world.areas.home, DISABLED)
    # B for 01–06/2027, D all year at the rate of the elderly (66: 2,0 × base).
    assert (line.people, line.person_months) == (2, 6 + 12)
    assert line.monthly == 6 * 750_000 + 12 * 1_000_000


def test_a_base_raise_from_1_july_is_used_from_july(world: World, users: dict[str, User]) -> None:
    policy = make_user(Role.POLICY, province=world.areas.province, username="bo")
    raise_ = Rate("btxh.base", Decimal(600_000), Unit.VND, D(2027, 7, 1), None, "", "NĐ thử")
    rates_add(actor=policy, rates=[raise_], reason="NĐ thử", today=AS_OF)
    estimate = world.compute()
    line = figures(world, world.areas.neighbour, DISABLED)
    assert line.monthly == 6 * 1_000_000 + 6 * 1_200_000  # C: 2,0 × 500.000, then × 600.000
    assert line.fees == (line.monthly * 50 + 5_000) // 10_000  # 0,5 %
    funerals = estimate.assumptions["funeral_amounts"]
    assert (funerals["2027-06"], funerals["2027-07"]) == (10_000_000, 12_000_000)
    # NCC amounts do not follow the social-assistance base.
    assert figures(world, world.areas.home, INVALID).monthly == 12 * 9_000_000


def test_fees_per_head_count_a_person_once_a_month_and_per_cent_of_the_amount(
    world: World,
) -> None:
    world.compute()
    home, neighbour = world.areas.home, world.areas.neighbour
    assert figures(world, home, NCT).fees == 12 * 5_000  # A
    assert figures(world, home, DISABLED).fees == 6 * 5_000  # B; D's heads go to NCC
    assert figures(world, home, INVALID).fees == 12 * 5_000  # D, once a month
    assert figures(world, neighbour, DISABLED).fees == 60_000  # C: 0,5 % of 12.000.000


def test_a_contract_changing_in_july_charges_each_half_year_its_own_fee(world: World) -> None:
    # The home commune's post office serves until 06/2027, a bank at 1 % from 07/2027.
    Contract.objects.filter(communes=world.areas.home).update(valid_to=D(2027, 6, 30))
    contract(world.preparer, world.areas, world.areas.home, "percent", "1", 3, D(2027, 7, 1))
    world.compute()
    home = world.areas.home
    assert figures(world, home, NCT).fees == 6 * 5_000 + 6 * 1_000_000 // 100  # A
    assert figures(world, home, DISABLED).fees == 6 * 5_000 + 6 * 1_000_000 // 100  # B; D
    assert figures(world, home, INVALID).fees == 6 * 5_000 + 6 * 9_000_000 // 100  # D


def test_funeral_support_follows_the_deaths_by_age_of_the_last_12_months(world: World) -> None:
    estimate = world.compute()
    assert figures(world, world.areas.home, NCT).funeral == 1_666_667  # 4 × 10.000.000 / 24
    assert figures(world, world.areas.home, DISABLED).funeral == 0  # 16–69: no death
    assert figures(world, world.areas.home, INVALID).funeral == 0  # NCC: no funeral support
    facts = estimate.assumptions
    assert facts["window"] == ["2025-11", "2026-10"]
    band = next(m for m in facts["mortality"] if m["band"] == "70–79 tuổi")
    assert (band["deaths"], band["at_risk"]) == (1, 1)


def test_the_estimate_counts_active_people_of_the_province_only(world: World) -> None:
    estimate = world.compute()
    assert estimate.people == 4  # A B D (home), C (neighbour): not E, F nor the foreign one
    communes = set(BudgetLine.objects.values_list("commune_id", flat=True))
    assert communes == {world.areas.home.pk, world.areas.neighbour.pk}


def test_computing_again_replaces_the_estimate(world: World) -> None:
    first = world.compute()
    second = world.compute()
    assert BudgetEstimate.objects.get().pk == second.pk != first.pk
    assert BudgetLine.objects.filter(estimate=second).count() == 4


def test_the_selector_adds_up_per_commune_and_province(
    world: World, users: dict[str, User]
) -> None:
    world.compute()
    report = budget_estimate(users[Role.PROVINCE], YEAR, world.areas.province.code)
    (block,) = report.provinces
    home, neighbour = block.communes
    assert [r.group for r in home.rows] == [NCT, DISABLED, INVALID]
    assert home.subtotal == Figures(
        people=4,
        monthly=11_000_000 + 16_500_000 + 108_000_000,
        funeral=1_666_667,
        fees=(12 + 6 + 12) * 5_000,
    )
    assert neighbour.subtotal == Figures(1, 12_000_000, 0, 60_000)
    assert block.total == home.subtotal + neighbour.subtotal == report.total
    assert block.total.total == 135_500_000 + 1_666_667 + 150_000 + 12_060_000


def test_a_commune_officer_sees_the_own_commune_only(world: World, users: dict[str, User]) -> None:
    world.compute()
    officer = users[Role.COMMUNE_OFFICER]
    report = budget_estimate(officer, YEAR, world.areas.province.code)
    assert [c.code for b in report.provinces for c in b.communes] == [world.areas.home.code]
    with pytest.raises(Http404):
        budget_estimate(officer, YEAR, world.areas.neighbour.code)
    assert not report.provinces[0].may_compute


def test_an_uncomputed_year_says_so(world: World, users: dict[str, User]) -> None:
    report = budget_estimate(users[Role.TREASURY], YEAR, "")
    (block,) = report.provinces
    assert block.estimate is None and block.communes == [] and block.total == Figures()
    assert budget_as_dict(report)["provinces"][0]["estimate"] is None


@pytest.mark.parametrize("role", [Role.COMMUNE_OFFICER, Role.TREASURY, Role.AUDITOR, Role.PROVIDER])
def test_only_who_prepares_lists_or_rates_computes(world: World, users: dict[str, User],
                                                  role: str) -> None:  # fmt: skip
    with pytest.raises(PermissionDenied):
        budget_compute(actor=users[role], province_code="91", year=YEAR, as_of=AS_OF)


def test_a_province_user_computes_and_others_see_a_new_rate_invalidates(
    world: World, users: dict[str, User]
) -> None:
    budget_compute(actor=users[Role.PROVINCE], province_code="91", year=YEAR, as_of=AS_OF)
    assert budget_estimate(users[Role.AUDITOR], YEAR).provinces[0].changed == []
    policy = make_user(Role.POLICY, province=world.areas.province, username="bo")
    rate = Rate("btxh.base", Decimal(700_000), Unit.VND, D(2028, 1, 1), None, "", "NĐ thử")
    rates_add(actor=policy, rates=[rate], reason="NĐ thử", today=AS_OF)
    assert budget_estimate(users[Role.AUDITOR], YEAR).provinces[0].changed


def test_a_year_too_far_or_past_is_refused(world: World) -> None:
    for year in (2025, 2032):
        with pytest.raises(ValidationError):
            world.compute(year)
