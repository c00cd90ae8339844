"""Pure rules of provider contracts: who serves a commune and method in a month, the fee."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Terms:
    """A contract as the routing reads it; months are asxh.entitlement.months numbers."""

    contract_id: int
    provider_code: str
    communes: frozenset[int] | None  # None: the whole province
    methods: frozenset[str]
    first_month: int
    last_month: int | None

    def covers_month(self, month: int) -> bool:
        return self.first_month <= month and (self.last_month is None or month <= self.last_month)

    def covers(self, commune_id: int, method: str, month: int) -> bool:
        return (
            method in self.methods
            and self.first_month <= month
            and (self.last_month is None or month <= self.last_month)
            and (self.communes is None or commune_id in self.communes)
        )


def overlaps(new: Terms, existing: Iterable[Terms]) -> list[Terms]:
    """Contracts that would serve some commune and method in some month twice."""
    clashes = []
    for old in existing:
        if not new.methods & old.methods:
            continue
        if new.last_month is not None and new.last_month < old.first_month:
            continue
        if old.last_month is not None and old.last_month < new.first_month:
            continue
        if (
            new.communes is not None
            and old.communes is not None
            and not new.communes & old.communes
        ):
            continue
        clashes.append(old)
    return clashes


def fee_amount(kind: str, value: Decimal, people: int, amount: int) -> int:
    """The provider's fee for a month: a flat amount per person paid (An Giang: 5.000 đ), or
    a percentage of the amount paid (TT 76/2021/TT-BTC Điều 3 khoản 7), half up to the đồng."""
    if kind == "per_head":
        return int(value) * people
    hundredths = int(value * 100)
    return (amount * hundredths + 5_000) // 10_000
