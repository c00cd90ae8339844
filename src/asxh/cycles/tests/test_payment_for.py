"""How a person is paid this month, from their registrations, accounts and open findings."""

from asxh.cycles.build import payment_for

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
