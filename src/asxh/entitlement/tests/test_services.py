"""Storing rates: who may add what, never editing one, withdrawing only before it applies."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction

from asxh.access.roles import Capability, Role
from asxh.audit.models import AuditEvent
from asxh.entitlement.models import RateEntry
from asxh.entitlement.rates import Rate, Unit
from asxh.entitlement.selectors import ratebook
from asxh.entitlement.services import national_rates_load, rate_withdraw, rates_add
from asxh.units.models import Province
from conftest import make_user

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 23)


def _rate(value: int, start: dt.date, scope: str = "", key: str = "btxh.base") -> Rate:
    return Rate(key, Decimal(value), Unit.VND, start, None, scope, "NĐ thử/2026/NĐ-CP")


def test_setup_loaded_the_shipped_rates_once():
    assert RateEntry.objects.filter(key="btxh.base", scope="").count() == 2
    assert national_rates_load() == 0  # nothing new the second time


def test_a_province_adds_its_own_higher_base_and_the_book_uses_it(users, areas):
    province = users[Role.PROVINCE]
    result = rates_add(
        actor=province,
        rates=[_rate(550_000, dt.date(2026, 1, 1), scope=areas.province.code)],
        reason="Nghị quyết HĐND tỉnh",
        today=TODAY,
    )
    assert result.added == 1 and result.retroactive == ["btxh.base từ 01/01/2026"]
    book = ratebook()
    assert book.require("btxh.base", dt.date(2026, 2, 1), areas.province.code).vnd == 550_000
    assert book.require("btxh.base", dt.date(2026, 2, 1), "01").vnd == 500_000
    event = AuditEvent.objects.filter(action="rate.add").latest("id")
    assert event.actor_name == province.username and event.reason == "Nghị quyết HĐND tỉnh"


def test_who_may_add_rates_and_where(users, areas):
    national = _rate(540_000, dt.date(2026, 7, 1))
    own = _rate(560_000, dt.date(2026, 9, 1), scope=areas.province.code)
    for user in users.values():
        if not user.can(Capability.MANAGE_RATES):
            with pytest.raises(PermissionDenied):
                rates_add(actor=user, rates=[own], reason="x", today=TODAY)
    # A province may not set the national level nor another province's.
    with pytest.raises(ValidationError, match="không có quyền thêm mức toàn quốc"):
        rates_add(actor=users[Role.PROVINCE], rates=[national], reason="x", today=TODAY)
    other = _rate(560_000, dt.date(2026, 9, 1), scope=areas.foreign_province.code)
    with pytest.raises(ValidationError, match="không có quyền"):
        rates_add(actor=users[Role.PROVINCE], rates=[other], reason="x", today=TODAY)
    policy = make_user(Role.POLICY, province=Province.objects.get(code="01"))
    assert rates_add(actor=policy, rates=[national], reason="NĐ thử", today=TODAY).added == 1
    assert RateEntry.objects.filter(key="btxh.base", created_by=policy).count() == 1


def test_a_rate_already_given_is_never_replaced(db):
    policy = make_user(Role.POLICY, province=Province.objects.get(code="01"))
    with pytest.raises(ValidationError, match="Mức đã ban hành không sửa"):
        rates_add(actor=policy, rates=[_rate(600_000, dt.date(2024, 7, 1))], reason="x")
    assert ratebook().require("btxh.base", dt.date(2024, 7, 1)).vnd == 500_000


def test_a_batch_with_one_bad_row_stores_nothing(db):
    policy = make_user(Role.POLICY, province=Province.objects.get(code="01"))
    good = _rate(540_000, dt.date(2026, 7, 1))
    bad = Rate("btxh.base", Decimal("1.5"), Unit.COEFFICIENT, dt.date(2027, 1, 1), None, "", "x")
    before = RateEntry.objects.count()
    with pytest.raises(ValidationError, match="không đổi sang 'coefficient'"):
        rates_add(actor=policy, rates=[good, bad], reason="x")
    assert RateEntry.objects.count() == before


def test_the_database_refuses_to_change_what_a_rate_says():
    entry = RateEntry.objects.get(key="btxh.base", effective_from=dt.date(2024, 7, 1))
    with pytest.raises(DatabaseError), transaction.atomic():
        RateEntry.objects.filter(pk=entry.pk).update(value=Decimal(1))
    entry.refresh_from_db()
    assert entry.value == 500_000


def test_only_a_rate_not_yet_in_force_can_be_withdrawn(db):
    policy = make_user(Role.POLICY, province=Province.objects.get(code="01"))
    rates_add(actor=policy, rates=[_rate(540_000, dt.date(2027, 1, 1))], reason="dự thảo")
    future = RateEntry.objects.get(effective_from=dt.date(2027, 1, 1))
    in_force = RateEntry.objects.get(key="btxh.base", effective_from=dt.date(2024, 7, 1))
    with pytest.raises(ValidationError, match="không thu hồi được"):
        rate_withdraw(actor=policy, entry_id=in_force.pk, reason="nhầm", today=TODAY)
    with pytest.raises(ValidationError, match="lý do"):
        rate_withdraw(actor=policy, entry_id=future.pk, reason=" ", today=TODAY)
    rate_withdraw(actor=policy, entry_id=future.pk, reason="nhập nhầm", today=TODAY)
    future.refresh_from_db()
    assert future.withdrawn_by == policy and future.withdrawn_reason == "nhập nhầm"
    assert ratebook().require("btxh.base", dt.date(2027, 2, 1)).vnd == 500_000
    # The same start date can then be given again, correctly.
    rates_add(actor=policy, rates=[_rate(545_000, dt.date(2027, 1, 1))], reason="sửa")
    assert ratebook().require("btxh.base", dt.date(2027, 2, 1)).vnd == 545_000
    assert AuditEvent.objects.filter(action="rate.withdraw").count() == 1


def _call(*args: str) -> str:
    out = io.StringIO()
    call_command("policy", *args, stdout=out)
    return out.getvalue()


def test_policy_rates_import_and_list(tmp_path):
    policy = make_user(Role.POLICY, province=Province.objects.get(code="01"))
    path = tmp_path / "nd.csv"
    path.write_text(
        "key,value,unit,from,until,scope,source\nbtxh.base,540000,vnd,2026-07-01,,,NĐ thử\n",
        encoding="utf-8",
    )
    out = _call("rates-import", str(path), "--user", policy.username, "--reason", "NĐ thử")
    assert "Đã thêm 1 mức" in out and "truy lĩnh" in out
    rows = json.loads(_call("rates", "--key", "btxh.base", "--json"))
    assert [r["value"] for r in rows] == ["360000", "500000", "540000"]
    with pytest.raises(CommandError, match="Mức đã ban hành không sửa"):
        _call("rates-import", str(path), "--user", policy.username, "--reason", "lần hai")
