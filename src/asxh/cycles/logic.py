"""Pure rules of the monthly cycle: the calendar of its steps and the treasury advance."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from asxh.providers.logic import fee_amount

# (day of the month, who, what) — Chỉ thị 21; KH 360/KH-UBND An Giang; NĐ 20/2021 Điều 34.
CALENDAR = [
    (2, "Xã", "Gửi biến động tăng, giảm, điều chỉnh của tháng"),
    (
        4,
        "Cơ quan phê duyệt",
        "Thẩm định, lập và duyệt danh sách, gửi tổ chức chi trả; đề nghị tạm ứng",
    ),
    (
        8,
        "Tổ chức chi trả",
        "Chuyển tiền vào tài khoản, nhắn tin; chi tại nhà các trường hợp đặc biệt",
    ),
    (20, "Tổ chức chi trả", "Báo cáo kết quả chi trả, hoàn trả tiền chưa chi"),
    (25, "Cơ quan phê duyệt", "Quyết toán với tổ chức chi trả và cơ quan tài chính"),
]


@dataclass(frozen=True)
class Step:
    due: dt.date
    who: str
    what: str
    done_on: dt.date | None
    state: str  # done | late | due (not yet due)
    note: str = ""


def steps(
    month: dt.date, today: dt.date, done: dict[int, tuple[dt.date | None, str]]
) -> list[Step]:
    """The month's steps with what is done, late (past its day and not done) or still due."""
    found = []
    for day, who, what in CALENDAR:
        due = month.replace(day=day)
        done_on, note = done.get(day, (None, ""))
        state = "done" if done_on else ("late" if today > due else "due")
        found.append(Step(due, who, what, done_on, state, note))
    return found


@dataclass(frozen=True)
class Advance:
    """What one provider is advanced for the month: the money to pay and its fee, less the cash
    it still holds from last month (carried over: listed again this month)."""

    provider: str
    people: int
    amount: int
    fee_kind: str
    fee_value: Decimal
    fee: int
    held_over: int = 0

    @property
    def total(self) -> int:
        return self.amount + self.fee - self.held_over


def advance(provider: str, people: int, amount: int, fee_kind: str, fee_value: Decimal,
            held_over: int = 0) -> Advance:  # fmt: skip
    fee = fee_amount(fee_kind, fee_value, people, amount)
    return Advance(provider, people, amount, fee_kind, fee_value, fee, held_over)
