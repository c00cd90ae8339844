"""`asxh change …` through the same services and checks as the pages."""

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from asxh.beneficiaries.models import Beneficiary, Enrolment, Status

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("change", *args, stdout=out)
    return out.getvalue()


def test_propose_and_approve_a_death(officer, approver, people):
    out = run("propose", "decrease_death", "--user", officer.username, "--person", str(people["home"]),
              "--set", "death_date=15/09/2026", "--note", "Giấy chứng tử số 45")  # fmt: skip
    proposed = json.loads(out)
    assert proposed["state"] == "proposed" and proposed["effective_month"] == "10/2026"
    with pytest.raises(CommandError, match="không có quyền này"):
        run("approve", str(proposed["id"]), "--user", officer.username)
    approved = json.loads(run("approve", str(proposed["id"]), "--user", approver.username))
    assert approved["state"] == "approved" and approved["decided_by"] == approver.username
    assert Beneficiary.objects.get(pk=people["home"]).status == Status.DECEASED
    with pytest.raises(CommandError, match="không quyết định lại được"):
        run("approve", str(proposed["id"]), "--user", approver.username)


def test_ineligible_method_and_new_enrolment_then_list(officer, approver, people):
    home = str(people["home"])
    base = ["--user", officer.username, "--person", home, "--month", "09/2026"]
    ids = [
        json.loads(run("propose", "adjust_method", *base, "--set", "method=cash", "--set", "cash_at_home=1",
                       "--note", "Phiếu đăng ký chi tại nhà"))["id"],
        json.loads(run("propose", "increase_enrolment", *base, "--set", "group=huu_tri_xa_hoi",
                       "--note", "QĐ 9/QĐ-UBND"))["id"],
    ]  # fmt: skip
    for pk in ids:
        run("approve", str(pk), "--user", approver.username, "--reason", "Đủ hồ sơ")
    ineligible = json.loads(
        run("propose", "decrease_ineligible", *base, "--set", f"enrolment={Enrolment.objects.filter(beneficiary_id=home).first().pk}",  # type: ignore[union-attr]
            "--note", "Biên bản rà soát")
    )  # fmt: skip
    returned = json.loads(
        run(
            "return",
            str(ineligible["id"]),
            "--user",
            approver.username,
            "--reason",
            "Thiếu biên bản",
        )
    )
    assert returned["state"] == "returned" and returned["decision_reason"] == "Thiếu biên bản"
    person = Beneficiary.objects.get(pk=home)
    assert person.payment_method == "cash" and person.method_registrations.first().cash_at_home  # type: ignore[union-attr]
    assert person.enrolments.filter(
        group__code="huu_tri_xa_hoi", start_month=dt.date(2026, 9, 1)
    ).exists()

    rows = json.loads(run("list", "--user", approver.username, "--json"))
    assert {r["kind"]: r["state"] for r in rows} == {
        "adjust_method": "approved", "increase_enrolment": "approved", "decrease_ineligible": "returned",
    }  # fmt: skip
    returned_only = json.loads(
        run("list", "--user", officer.username, "--state", "returned", "--json")
    )
    assert [r["id"] for r in returned_only] == [ineligible["id"]]
    assert "3 biến động." in run("list", "--user", officer.username, "--month", "09/2026")


def test_errors_are_vietnamese_and_name_the_field(officer, people):
    with pytest.raises(CommandError, match="Ngày chết: bắt buộc"):
        run("propose", "decrease_death", "--user", officer.username, "--person", str(people["home"]),
            "--note", "Giấy chứng tử")  # fmt: skip
    with pytest.raises(CommandError, match="không thuộc địa bàn"):
        run("propose", "decrease_ineligible", "--user", officer.username, "--person",
            str(people["foreign"]), "--month", "09/2026", "--note", "x")  # fmt: skip
    with pytest.raises(CommandError, match="ghi dạng TÊN=GIÁ_TRỊ"):
        run("propose", "adjust_method", "--user", officer.username, "--person", str(people["home"]),
            "--month", "09/2026", "--set", "method", "--note", "x")  # fmt: skip
