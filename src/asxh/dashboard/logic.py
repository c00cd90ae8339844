"""The dashboard's figures as plain data: payments by channel, their sums, short amounts.

No ORM and no I/O. The selectors fill `Payments` from the summary rows of locked lists; the
page, the Excel file and the command lay out the same figures.
"""

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields

from asxh.reports.logic import share

# The three ways the monthly report counts a payment, in the report's order.
CHANNELS: list[tuple[str, str]] = [
    ("account", "Chuyển khoản vào tài khoản"),
    ("cash", "Tiền mặt tại điểm chi trả"),
    ("home", "Tiền mặt tại nhà, qua người giám hộ hoặc ủy quyền"),
]
CHANNEL_SHORT = {"account": "Chuyển khoản", "cash": "Tiền mặt", "home": "Tại nhà, ủy quyền"}


@dataclass(frozen=True)
class Payments:
    """A locked list's payments (a person's lines to one provider) and what became of them.

    paid + unpaid + pending = amount: every đồng sent is paid, reported unpaid (returned to
    the payer's account or carried to the next round) or still waiting for a result.
    """

    people: int = 0
    amount: int = 0
    paid_people: int = 0
    paid_amount: int = 0
    unpaid_people: int = 0
    unpaid_amount: int = 0
    pending_people: int = 0
    pending_amount: int = 0
    refused_people: int = 0  # the bank refused the account (latest result)
    held_lines: int = 0  # listed but not sent this month
    held_amount: int = 0

    def __add__(self, other: "Payments") -> "Payments":
        """Communes, contracts and channels add up: a payment is counted in one of each."""
        return Payments(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(Payments)))

    @property
    def accounted(self) -> bool:
        """Nothing left without a result: what the commune can say of its own payments."""
        return self.people > 0 and self.pending_people == 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


FIGURES = tuple(f.name for f in fields(Payments))


def payments_sum(items: Iterable[Payments]) -> Payments:
    total = Payments()
    for item in items:
        total = total + item
    return total


def by_channel(rows: Iterable[tuple[str, Payments]]) -> dict[str, Payments]:
    """Every channel, in the report's order, with zeros where nothing was paid that way."""
    found: dict[str, Payments] = {code: Payments() for code, _ in CHANNELS}
    for channel, payments in rows:
        found[channel] = found.get(channel, Payments()) + payments
    return found


def account_share(channels: dict[str, Payments]) -> float | None:
    """The share of the money sent that went to accounts."""
    total = sum(p.amount for p in channels.values())
    return share(channels.get("account", Payments()).amount, total)


def amount_short(amount: int) -> str:
    """An axis label: 1,2 tỷ; 350 triệu; 12 nghìn; 1.001,2 tỷ (Vietnamese separators)."""
    for size, word in ((10**9, "tỷ"), (10**6, "triệu"), (10**3, "nghìn")):
        if abs(amount) >= size:
            text = f"{amount / size:,.1f}".translate(str.maketrans(",.", ".,"))
            return f"{text.removesuffix(',0')} {word}"
    return str(amount)
