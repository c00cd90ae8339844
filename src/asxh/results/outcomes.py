"""What a provider reports for one payment (one person's row of the list it received).

A result file is a series of events; each moves money to the person (a payment, `amount` > 0)
or back (a return or a reversal, `amount` < 0), or says why nothing moved (a failure, amount
0). A payment's state is the sum of its events: paid in full, partly paid, or not paid.
"""

from enum import StrEnum
from typing import NamedTuple


class Outcome(StrEnum):
    PAID = "paid"  # credited to the account in full or in part (the amount says)
    PAID_HOME = "paid_home"  # cash handed over at the person's home
    PAID_REPRESENTATIVE = "paid_representative"  # cash handed to a guardian or authorised person
    PAID_CASH = "paid_cash"  # cash collected by the person at the pay point
    FAILED_INVALID_ACCOUNT = "failed_invalid_account"
    FAILED_CLOSED_ACCOUNT = "failed_closed_account"
    FAILED_NAME_MISMATCH = "failed_name_mismatch"
    NOT_COLLECTED = "not_collected"  # cash not collected / money not claimed
    FAILED_OTHER = "failed_other"
    REVERSED = "reversed"  # returned or reversed after payment (amount < 0)
    REVIEW = "review"  # the provider's code needs a person to look at it


LABELS = {
    Outcome.PAID: "Đã chi trả vào tài khoản",
    Outcome.PAID_HOME: "Đã chi tiền mặt tại nhà",
    Outcome.PAID_REPRESENTATIVE: "Đã chi qua người giám hộ / ủy quyền",
    Outcome.PAID_CASH: "Đã chi tiền mặt tại điểm chi trả",
    Outcome.FAILED_INVALID_ACCOUNT: "Không chi được: sai số tài khoản hoặc ngân hàng",
    Outcome.FAILED_CLOSED_ACCOUNT: "Không chi được: tài khoản đã đóng hoặc bị phong tỏa",
    Outcome.FAILED_NAME_MISMATCH: "Không chi được: tên người nhận không khớp chủ tài khoản",
    Outcome.NOT_COLLECTED: "Không chi được: người hưởng không nhận tiền",
    Outcome.FAILED_OTHER: "Không chi được: lý do khác",
    Outcome.REVERSED: "Đã chi nhưng bị trả lại / hủy bút toán",
    Outcome.REVIEW: "Cần kiểm tra",
}

# The bank's reason code for "account holder deceased" (ISO 20022 external code MD07).
HOLDER_DECEASED = "MD07"

PAID_OUTCOMES = frozenset(
    {Outcome.PAID, Outcome.PAID_HOME, Outcome.PAID_REPRESENTATIVE, Outcome.PAID_CASH}
)
# Outcomes that move no money: the amount of such an event is 0.
FAILED_OUTCOMES = frozenset(
    {
        Outcome.FAILED_INVALID_ACCOUNT,
        Outcome.FAILED_CLOSED_ACCOUNT,
        Outcome.FAILED_NAME_MISMATCH,
        Outcome.NOT_COLLECTED,
        Outcome.FAILED_OTHER,
        Outcome.REVIEW,
    }
)


class Reported(NamedTuple):
    """One event of a result file, as read (before it is matched to the list); a tuple, as a
    file holds up to a million of them."""

    where: str  # where it is in the file, for messages: "dòng 12", "giao dịch 5"
    reference: str  # our end-to-end reference: ASXH + 6-digit cycle + 10-digit beneficiary
    outcome: Outcome
    # VND moved to the person by this event: > 0 paid, < 0 returned or reversed, 0 failed;
    # None when a paid row does not say how much (taken as the full amount of the row).
    amount: int | None
    code: str  # the provider's own code (ISO status or reason), '' when none
    text: str  # the reason in words, as the provider gave it ('' when none)
    provider_ref: str  # the provider's booking reference (AcctSvcrRef), '' when none


class ResultFileError(ValueError):
    """The file cannot be imported; `problems` says where and how to fix it, in Vietnamese."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems
