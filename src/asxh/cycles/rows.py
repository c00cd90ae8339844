"""What the exporters read: one row per payee of a locked payment list, and the list's header.

Plain data, no ORM: the cycle streams these out of the database in payee order and every
exporter (Excel, CSV, ISO 20022 pain.001, the printable cash list, SMS) consumes the same
iterator, so that every file adds up to the same totals.
"""

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PaymentRow:
    reference: str  # end-to-end reference, unique in the system: ASXH-<cycle>-<payee line>
    beneficiary_id: int
    full_name: str  # the beneficiary, NFC
    birth_year: int | None
    payee_name: str  # who receives: the beneficiary, a guardian or an authorised person, NFC
    payee_kind: str  # self | guardian | authorised | caregiver (beneficiaries.PayeeKind)
    payee_phone: str  # 10 digits or ''
    commune_code: str
    commune_name: str
    village: str
    method: str  # account (transfer to a bank, e-wallet or mobile-money account) | cash
    cash_at_home: bool  # cash brought to the person's home (special cases)
    bank_bin: str  # NAPAS BIN, 6 digits; '' for cash
    bank_name: str
    account_number: str  # '' for cash
    amount: int  # VND, the sum of the person's lines in this list; > 0
    details: str  # the lines in words: "TC tháng 11/2026; Truy lĩnh tháng 7–9/2026"


@dataclass(frozen=True, slots=True)
class ListHeader:
    cycle_id: int
    month: dt.date  # first day of the month paid
    area_code: str  # province code
    area_name: str
    provider_code: str
    provider_name: str
    payer_name: str  # the agency paying (e.g. Sở Y tế tỉnh An Giang)
    payer_account: str  # its account at the State Treasury / bank
    payer_bank_bin: str
    execution_date: dt.date  # requested transfer date (by day 8)
    created_at: dt.datetime
    rows: int
    total: int  # VND, the sum of every row's amount
