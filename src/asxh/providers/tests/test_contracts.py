"""Contracts route each payment line to exactly one provider; fees per head or per cent."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from asxh.access.roles import Capability, Role
from asxh.entitlement.months import month_of
from asxh.providers.logic import fee_amount
from asxh.providers.selectors import Routing
from asxh.providers.services import ContractInput, contract_add, provider_add

pytestmark = pytest.mark.django_db


def _contract(areas, provider: str, communes=(), methods=("account",), start=dt.date(2026, 1, 1),
              end=None) -> ContractInput:  # type: ignore[no-untyped-def]  # fmt: skip
    return ContractInput(
        provider_code=provider, number=f"HĐ-{provider}", province_code=areas.province.code,
        commune_codes=communes, methods=methods, valid_from=start, valid_to=end,
        fee_kind="percent", fee_value=Decimal("0.55"), payer_name="Sở Y tế",
        payer_account="9527123456789", payer_bank_bin="970405",
    )  # fmt: skip


@pytest.fixture
def approver(users):  # type: ignore[no-untyped-def]
    user = users[Role.APPROVER]
    provider_add(actor=user, code="vnpost", name="Bưu điện tỉnh", kind="post")
    provider_add(actor=user, code="viettel", name="Viettel Money", kind="mobile_money")
    return user


def test_each_commune_and_method_is_served_once(approver, areas):
    contract_add(actor=approver, data=_contract(areas, "vnpost", methods=("account", "cash")))
    with pytest.raises(ValidationError, match="Trùng phạm vi"):
        contract_add(actor=approver, data=_contract(areas, "viettel", communes=(areas.home.code,)))
    # An open-ended contract overlaps any later one: end it first, then add the next.
    with pytest.raises(ValidationError, match="Trùng phạm vi"):
        contract_add(actor=approver, data=_contract(areas, "viettel", start=dt.date(2027, 1, 1)))


def test_routing_picks_the_contract_of_the_commune_method_and_month(approver, areas):
    post = contract_add(actor=approver, data=_contract(areas, "vnpost", methods=("cash",),
                                                       end=dt.date(2026, 12, 31)))  # fmt: skip
    money = contract_add(
        actor=approver, data=_contract(areas, "viettel", communes=(areas.home.code,))
    )
    november = Routing(areas.province, month_of(dt.date(2026, 11, 1)))
    assert november.contract_for(areas.home.pk, "account") == money.pk
    assert november.contract_for(areas.neighbour.pk, "account") is None
    assert november.contract_for(areas.neighbour.pk, "cash") == post.pk
    assert (
        Routing(areas.province, month_of(dt.date(2027, 1, 1))).contract_for(areas.home.pk, "cash")
        is None
    )


def test_only_those_who_manage_providers_add_contracts_in_their_province(users, approver, areas):
    for user in users.values():
        if not user.can(Capability.MANAGE_PROVIDERS):
            with pytest.raises(PermissionDenied):
                contract_add(actor=user, data=_contract(areas, "vnpost"))
    foreign = _contract(areas, "vnpost")
    foreign = ContractInput(**{**vars(foreign), "province_code": areas.foreign_province.code})
    with pytest.raises(PermissionDenied, match="không thuộc địa bàn"):
        contract_add(actor=approver, data=foreign)


@pytest.mark.parametrize(
    ("kind", "value", "people", "amount", "fee"),
    [
        ("per_head", Decimal(5000), 3_000, 2_250_000_000, 15_000_000),  # An Giang: 5.000 đ/người
        ("percent", Decimal("0.55"), 3_000, 1_234_567_891, 6_790_123),  # 6.790.123,4 → 6.790.123
        ("percent", Decimal("1"), 1, 150, 2),  # 1,5 đ rounds half up
        ("percent", Decimal("0"), 10, 1_000_000, 0),
    ],
)
def test_fee_amount(kind, value, people, amount, fee):
    assert fee_amount(kind, value, people, amount) == fee
