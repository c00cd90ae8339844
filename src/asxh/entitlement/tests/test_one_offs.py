"""One-off payments: a gift to every beneficiary of some groups, or support to a list."""

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client

from asxh.access.roles import Role
from asxh.audit.models import AuditEvent
from asxh.beneficiaries.models import Beneficiary
from asxh.entitlement.engine import month_evaluate
from asxh.entitlement.models import OneOffListEntry
from asxh.entitlement.months import month_of
from asxh.entitlement.selectors import one_offs, person_case, ratebook
from asxh.entitlement.services import OneOffInput, one_off_create, one_off_list_import

pytestmark = pytest.mark.django_db

JANUARY = dt.date(2027, 1, 1)


def _gift(scope: str, target: str = "beneficiaries", code: str = "qua_tet_2027") -> OneOffInput:
    return OneOffInput(
        code=code,
        name="Quà Tết Đinh Mùi 2027",
        month=JANUARY,
        target=target,
        groups=("btxh_khuyet_tat",),
        scope=scope,
        source="Quyết định của UBND tỉnh",
        amount=300_000,
    )


def _amounts(person_id: int, month: dt.date) -> dict[str, int]:
    person, enrolled = person_case(Beneficiary.objects.get(pk=person_id))
    result = month_evaluate(
        person, enrolled, month_of(month), ratebook(), one_offs(person.province)
    )
    return {line.benefit: line.amount for line in result.lines}


def test_a_province_gift_reaches_its_own_beneficiaries_only(users, areas, people):
    one_off_create(actor=users[Role.PROVINCE], data=_gift(areas.province.code))
    # The registered people are severely disabled and over 60: 500.000 × 2,0 a month.
    assert _amounts(people["home"], JANUARY) == {
        "btxh_khuyet_tat": 1_000_000,
        "qua_tet_2027": 300_000,
    }
    assert _amounts(people["home"], dt.date(2027, 2, 1)) == {"btxh_khuyet_tat": 1_000_000}
    assert _amounts(people["foreign"], JANUARY) == {"btxh_khuyet_tat": 1_000_000}
    assert AuditEvent.objects.filter(action="one_off.create").count() == 1


def test_only_rate_managers_create_one_offs_and_codes_are_unique(users, areas):
    with pytest.raises(PermissionDenied):
        one_off_create(actor=users[Role.COMMUNE_OFFICER], data=_gift(areas.province.code))
    one_off_create(actor=users[Role.PROVINCE], data=_gift(areas.province.code))
    with pytest.raises(ValidationError, match="Đã có khoản chi một lần"):
        one_off_create(actor=users[Role.PROVINCE], data=_gift(areas.province.code))


def test_an_emergency_list_is_all_or_nothing_and_scoped(users, areas, people, tmp_path):
    one_off_create(
        actor=users[Role.PROVINCE], data=_gift(areas.province.code, "list", code="lu_2027")
    )
    officer = users[Role.COMMUNE_OFFICER]
    listed = tmp_path / "ds.csv"
    # The home person and the foreign one: the officer's area holds only the first.
    listed.write_text("STT,Họ và tên,Số CCCD\n1,Nguyễn Thị Hoà,091155012345\n"
                      "2,Lê Thị Cúc,001155098765\n", encoding="utf-8")  # fmt: skip
    with pytest.raises(ValidationError, match="Dòng 3: không có người số định danh 001155098765"):
        one_off_list_import(actor=officer, code="lu_2027", path=listed)
    assert not OneOffListEntry.objects.exists()
    listed.write_text("STT,Họ và tên,Số CCCD\n1,Nguyễn Thị Hoà,091155012345\n", encoding="utf-8")
    out = io.StringIO()
    call_command("policy", "one-off-list", "lu_2027", str(listed), "--user", officer.username,
                 stdout=out)  # fmt: skip
    assert "Đã thêm 1 người" in out.getvalue()
    assert one_off_list_import(actor=officer, code="lu_2027", path=listed) == 0  # once only
    assert _amounts(people["home"], JANUARY)["lu_2027"] == 300_000
    assert "lu_2027" not in _amounts(people["neighbour"], JANUARY)
    page = Client()
    page.force_login(officer)
    body = page.get(f"/che-do/doi-tuong/{people['home']}/?tu=01/2027&den=01/2027").content.decode()
    assert "Quà Tết Đinh Mùi 2027" in body and "300.000 đ" in body


def test_one_off_create_from_the_command_line(users, areas):
    out = io.StringIO()
    call_command(
        "policy", "one-off-create", "--code", "qua_2_9", "--name", "Quà Quốc khánh",
        "--month", "09/2027", "--target", "beneficiaries", "--scope", areas.province.code,
        "--source", "Quyết định", "--amount", "100000", "--user", users[Role.PROVINCE].username,
        stdout=out,
    )  # fmt: skip
    assert "Đã tạo khoản chi một lần qua_2_9, tháng 09/2027" in out.getvalue()
    assert (
        ratebook().require("oneoff.qua_2_9", dt.date(2027, 9, 1), areas.province.code).vnd
        == 100_000
    )
