import datetime as dt
from dataclasses import replace

import pytest

from asxh.cycles.rows import PaymentRow

MONTH = dt.date(2026, 11, 1)


def payment_row(n: int, **changes: object) -> PaymentRow:
    row = PaymentRow(
        reference=f"ASXH-7-{n:06d}",
        beneficiary_id=1000 + n,
        full_name="Nguyễn Thị Hoà",
        birth_year=1955,
        payee_name="Nguyễn Thị Hoà",
        payee_kind="self",
        payee_phone=f"09123{n:05d}",
        commune_code="30682",
        commune_name="Xã Núi Sập",
        village="Ấp Đông Sơn",
        method="account",
        cash_at_home=False,
        bank_bin="970405",
        bank_name="Agribank",
        account_number="7100205123456",
        amount=1_500_000,
        details="TC tháng 11/2026",
    )
    return replace(row, **changes)  # type: ignore[arg-type]


@pytest.fixture
def rows() -> list[PaymentRow]:
    return [payment_row(n) for n in range(1, 6)]
