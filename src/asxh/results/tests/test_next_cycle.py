"""What results do to the next lists: a refused transfer becomes work that holds the person's
lines until fixed; money not paid is listed again; three months not collected suspend."""

import csv
import datetime as dt
from pathlib import Path

import pytest

from asxh.access.roles import Role
from asxh.beneficiaries.services import payment_method_register
from asxh.changes.models import ChangeKind
from asxh.changes.services import change_approve, change_propose
from asxh.cycles.models import LineKind, PaymentLine
from asxh.cycles.selectors import advances, held_over
from asxh.cycles.services import cycle_approve, cycle_build, cycle_export
from asxh.quality.models import Finding, FindingKind
from asxh.results.selectors import outcomes
from asxh.results.services import cycle_close, cycle_settle, results_import
from conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def one_paid_in_cash(setting, people) -> None:  # type: ignore[no-untyped-def]
    """Of the province's two people, the home commune's is paid in cash, the other by account."""
    payment_method_register(actor=setting.officer, beneficiary_id=people["home"], method="cash",
                            registered_on=dt.date(2026, 7, 1), source="Tờ khai")  # fmt: skip


def _month(setting, month: dt.date):  # type: ignore[no-untyped-def]
    built = cycle_build(actor=setting.preparer, month=month,
                        province_code=setting.areas.province.code).cycle  # fmt: skip
    return cycle_approve(actor=setting.approver, cycle_id=built.pk)


def _report(setting, cycle, tmp_path: Path, results: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """The provider's result for each account / cash payment of the list."""
    listed = tmp_path / f"ds-{cycle.pk}.csv"
    cycle_export(actor=setting.preparer, cycle_id=cycle.pk, provider_code="buudien-ag",
                 fmt="csv", path=listed)  # fmt: skip
    with listed.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    path = tmp_path / f"kq-{cycle.pk}.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Mã tham chiếu", "Kết quả", "Lý do"])
        for row in rows:
            method = "account" if row["Hình thức"] == "Tài khoản" else "cash"
            writer.writerow([row["Mã tham chiếu"], results[method], ""])
    results_import(actor=setting.preparer, cycle_id=cycle.pk, path=path, name=path.name)


def test_a_refused_transfer_holds_the_next_lines_until_the_account_is_fixed(setting, tmp_path):  # type: ignore[no-untyped-def]
    november = _month(setting, dt.date(2026, 11, 1))
    _report(setting, november, tmp_path, {"account": "Sai số tài khoản", "cash": "Đã chi"})
    refused = set(
        PaymentLine.objects.filter(cycle=november, method="account").values_list(
            "beneficiary_id", flat=True
        )
    )
    findings = Finding.objects.filter(kind=FindingKind.PAYMENT_FAILED)
    assert {f.beneficiary_id for f in findings} == refused
    finding = findings[0]
    assert finding.state == "open" and finding.detail["outcome"] == "failed_invalid_account"
    december = cycle_build(actor=setting.preparer, month=dt.date(2026, 12, 1),
                           province_code=setting.areas.province.code).cycle  # fmt: skip
    mine = PaymentLine.objects.filter(cycle=december, beneficiary=finding.beneficiary)
    assert mine.filter(kind=LineKind.CARRY_OVER).exists()  # November's money, listed again
    assert set(mine.values_list("held_reason", flat=True)) == {
        "Chuyển khoản kỳ trước không thành công: sửa tài khoản hoặc chuyển sang chi tiền mặt"
    }
    others = PaymentLine.objects.filter(cycle=december).exclude(beneficiary_id__in=refused)
    assert others.exists() and not others.filter(kind=LineKind.CARRY_OVER).exists()  # paid


def test_three_months_not_collected_suspend_payment(setting, tmp_path):  # type: ignore[no-untyped-def]
    for month in (8, 9, 10):
        cycle = _month(setting, dt.date(2026, month, 1))
        _report(setting, cycle, tmp_path, {"account": "Đã chi", "cash": "Không nhận"})
    november = cycle_build(actor=setting.preparer, month=dt.date(2026, 11, 1),
                           province_code=setting.areas.province.code).cycle  # fmt: skip
    cash_people = set(
        PaymentLine.objects.filter(cycle__month=dt.date(2026, 10, 1), method="cash").values_list(
            "beneficiary_id", flat=True
        )
    )
    assert cash_people
    monthly = PaymentLine.objects.filter(cycle=november, kind=LineKind.MONTHLY)
    assert not monthly.filter(beneficiary_id__in=cash_people).exists()
    assert monthly.exclude(beneficiary_id__in=cash_people).exists()


def test_the_settlement_lists_recoveries_netted_and_still_owed(setting, people):  # type: ignore[no-untyped-def]
    from django.utils import timezone

    from asxh.beneficiaries.models import Beneficiary, Enrolment
    from asxh.results.selectors import recoveries

    november = _month(setting, dt.date(2026, 11, 1))
    paid = PaymentLine.objects.get(cycle=november, beneficiary_id=people["home"]).amount
    Enrolment.objects.filter(beneficiary_id=people["home"]).update(end_month=dt.date(2026, 10, 1))
    Beneficiary.objects.filter(pk=people["home"]).update(updated_at=timezone.now())
    december = _month(setting, dt.date(2026, 12, 1))
    [found] = recoveries(december)
    assert (found.people, found.amount, found.netted, found.outstanding) == (1, paid, 0, paid)


def test_an_account_failure_reported_on_a_cash_payment_makes_no_account_work(setting, tmp_path):  # type: ignore[no-untyped-def]
    november = _month(setting, dt.date(2026, 11, 1))
    _report(setting, november, tmp_path, {"account": "Đã chi", "cash": "Sai số tài khoản"})
    assert not Finding.objects.filter(kind=FindingKind.PAYMENT_FAILED).exists()


def _partly_paid_november(setting, tmp_path: Path):  # type: ignore[no-untyped-def]
    """November paid by account in full; the cash payment 120.000 đ short."""
    november = _month(setting, dt.date(2026, 11, 1))
    listed = tmp_path / "ds.csv"
    cycle_export(actor=setting.preparer, cycle_id=november.pk, provider_code="buudien-ag",
                 fmt="csv", path=listed)  # fmt: skip
    with listed.open(encoding="utf-8-sig", newline="") as f:
        rows = {row["Hình thức"]: row for row in csv.DictReader(f)}
    cash = rows["Tiền mặt"]
    due = int(cash["Số tiền (đồng)"].replace(".", ""))
    path = tmp_path / "kq.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["Mã tham chiếu", "Kết quả", "Số tiền đã chi (đồng)"])
        writer.writerow([cash["Mã tham chiếu"], "Đã chi", str(due - 120_000)])
        writer.writerow([rows["Tài khoản"]["Mã tham chiếu"], "Đã chi", ""])
    results_import(actor=setting.preparer, cycle_id=november.pk, path=path, name=path.name)
    return november


def test_what_a_partial_payment_left_unpaid_is_listed_again_next_month(setting, people, tmp_path):  # type: ignore[no-untyped-def]
    _partly_paid_november(setting, tmp_path)
    december = cycle_build(actor=setting.preparer, month=dt.date(2026, 12, 1),
                           province_code=setting.areas.province.code).cycle  # fmt: skip
    carried = PaymentLine.objects.filter(cycle=december, kind=LineKind.CARRY_OVER)
    assert list(carried.values_list("beneficiary_id", "for_month", "amount")) == [
        (people["home"], dt.date(2026, 11, 1), 120_000)
    ]


def test_cash_the_provider_still_holds_is_taken_off_the_next_advance(setting, tmp_path):  # type: ignore[no-untyped-def]
    november = _partly_paid_november(setting, tmp_path)
    december = _month(setting, dt.date(2026, 12, 1))
    [before] = advances(december)
    assert before.held_over == 0 and "chưa được duyệt quyết toán" in held_over(december).note
    cycle_settle(actor=setting.preparer, cycle_id=november.pk)
    cycle_close(actor=setting.approver, cycle_id=november.pk)
    [after] = advances(december)
    assert held_over(december).note == ""
    assert after.held_over == 120_000  # not paid in cash in November, listed again in December
    assert after.total == before.total - 120_000 == after.amount + after.fee - 120_000


def test_a_resumption_approved_pays_again_and_owes_the_suspended_months(setting, tmp_path):  # type: ignore[no-untyped-def]
    for month in (8, 9, 10):
        cycle = _month(setting, dt.date(2026, month, 1))
        _report(setting, cycle, tmp_path, {"account": "Đã chi", "cash": "Không nhận"})
    _month(setting, dt.date(2026, 11, 1))  # suspended from November
    [person] = PaymentLine.objects.filter(cycle__month=dt.date(2026, 10, 1), method="cash").values_list("beneficiary_id", flat=True).distinct()  # fmt: skip
    december = dt.date(2026, 12, 1)
    change = change_propose(actor=setting.officer, kind=ChangeKind.RESUME_PAYMENT, payload={},
                            note="Đã liên hệ, người hưởng nhận lại từ tháng 12", beneficiary_id=person,
                            effective_month=december)  # fmt: skip
    change_approve(actor=setting.approver, change_id=change.pk)
    built = cycle_build(actor=setting.preparer, month=december,
                        province_code=setting.areas.province.code).cycle  # fmt: skip
    mine = PaymentLine.objects.filter(cycle=built, beneficiary_id=person)
    assert mine.filter(kind=LineKind.MONTHLY, for_month=december).exists()
    assert mine.filter(kind=LineKind.ARREARS, for_month=dt.date(2026, 11, 1)).exists()


def test_paid_on_a_cash_payment_is_recorded_as_paid_in_cash(setting, tmp_path):  # type: ignore[no-untyped-def]
    november = _month(setting, dt.date(2026, 11, 1))
    _report(setting, november, tmp_path, {"account": "Đã chi", "cash": "Đã chi"})
    labels = {row.label: row.people for row in outcomes(november)}
    assert labels == {"Đã chi trả vào tài khoản": 1, "Đã chi tiền mặt tại điểm chi trả": 1}


def test_an_approved_change_of_method_settles_the_refused_transfer(setting, tmp_path):  # type: ignore[no-untyped-def]
    november = _month(setting, dt.date(2026, 11, 1))
    _report(setting, november, tmp_path, {"account": "Sai số tài khoản", "cash": "Đã chi"})
    [finding] = Finding.objects.filter(kind=FindingKind.PAYMENT_FAILED, state="open")
    officer = make_user(Role.COMMUNE_OFFICER, commune=finding.commune)  # the person's commune
    december = dt.date(2026, 12, 1)
    change = change_propose(actor=officer, kind=ChangeKind.ADJUST_METHOD,
                            payload={"method": "cash", "cash_at_home": True},
                            note="Chuyển sang nhận tiền mặt tại nhà", effective_month=december,
                            beneficiary_id=finding.beneficiary_id)  # fmt: skip
    change_approve(actor=setting.approver, change_id=change.pk)
    finding.refresh_from_db()
    assert finding.state == "fixed" and f"Biến động số {change.pk}" in finding.state_reason
    built = cycle_build(actor=setting.preparer, month=december,
                        province_code=setting.areas.province.code).cycle  # fmt: skip
    mine = PaymentLine.objects.filter(cycle=built, beneficiary_id=finding.beneficiary_id)
    assert mine.exists() and set(mine.values_list("held_reason", "method")) == {("", "cash")}
