"""How a person is paid this month, from their registrations, accounts and open findings:
the rule, and the same through a build."""

import datetime as dt

from asxh.accounts.services import account_add
from asxh.beneficiaries.services import PayeeInput, payee_add, payment_method_register
from asxh.cycles.build import payment_for
from asxh.cycles.models import PaymentLine
from asxh.cycles.services import cycle_build
from asxh.cycles.tests.conftest import MONTH

SELF, GUARDIAN = 11, 12
VERIFIED = (1, SELF, "970405", "7100205123456", "verified")


def test_the_latest_registration_decides():
    registered = [(1, "cash", SELF, False), (1, "account", SELF, False)]
    paid = payment_for(registered, [VERIFIED], [])
    assert (paid.method, paid.account_number, paid.held) == ("account", "7100205123456", "")


def test_an_unverified_account_is_held_and_no_account_is_held():
    registered = [(1, "account", SELF, False)]
    unverified = (1, SELF, "970405", "7100205123456", "unverified")
    assert payment_for(registered, [unverified], []).held == "Tài khoản chưa xác thực"
    assert payment_for(registered, [], []).held == "Chưa có tài khoản"


def test_money_never_goes_to_another_payees_account():
    guardian_account = (1, GUARDIAN, "970436", "0071000123456", "verified")
    paid = payment_for([(1, "account", SELF, False)], [guardian_account], [])
    assert paid.account_number == "" and paid.held == "Chưa có tài khoản"


def test_cash_and_open_findings():
    at_home = payment_for([(1, "cash", SELF, True)], [VERIFIED], [])
    assert (at_home.method, at_home.cash_at_home, at_home.held) == ("cash", True, "")
    # Non-cash wanted but no account yet: paid in cash meanwhile.
    assert payment_for([(1, "no_account", SELF, False)], [], []).method == "cash"
    held = payment_for([(1, "account", SELF, False)], [VERIFIED], [(1, "holder_mismatch")])
    assert held.held == "Tên chủ tài khoản không khớp"
    assert payment_for([], [], []).held == "Chưa đăng ký hình thức nhận"


def _line(setting, person_id):  # type: ignore[no-untyped-def]
    cycle_build(actor=setting.preparer, month=MONTH, province_code=setting.areas.province.code)
    return PaymentLine.objects.get(beneficiary_id=person_id, kind="monthly")


def test_a_later_registration_changes_how_the_list_pays(setting, people):
    person = people["home"]
    assert _line(setting, person).method == "account"
    officer = setting.officer
    payment_method_register(actor=officer, beneficiary_id=person, method="cash",
                            registered_on=dt.date(2026, 10, 20), source="Tờ khai")  # fmt: skip
    line = _line(setting, person)
    assert (line.method, line.account_number) == ("cash", "")


def test_money_goes_to_the_registered_payees_own_account_only(setting, people):
    person, officer = people["home"], setting.officer
    own = _line(setting, person).account_number
    assert own
    payee_add(actor=officer, beneficiary_id=person, reason="Giám hộ theo QĐ 5",
              payee=PayeeInput(kind="guardian", full_name="Lê Văn Giám", id_number="091080123456",
                               valid_from=dt.date(2026, 10, 1)))  # fmt: skip
    account_add(actor=officer, beneficiary_id=person, kind="bank", institution_bin="970436",
                account_number="0071000999888", holder_name="LE VAN GIAM",
                opened_on=dt.date(2026, 10, 2), reason="Tài khoản người giám hộ")  # fmt: skip
    # Still registered to be paid to the person: never into the guardian's account.
    assert _line(setting, person).account_number == own
    payment_method_register(actor=officer, beneficiary_id=person, method="account",
                            registered_on=dt.date(2026, 10, 3), source="Tờ khai")  # fmt: skip
    line = _line(setting, person)
    assert (line.account_number, line.bank_bin) == ("0071000999888", "970436")
    assert line.held_reason == "Tài khoản chưa xác thực"  # the new account is not verified yet
