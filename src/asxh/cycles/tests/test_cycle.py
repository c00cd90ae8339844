"""Building, approving and locking a month's payment list."""

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connections, transaction

from asxh.access.roles import Role
from asxh.accounts.models import ReceivingAccount
from asxh.audit.models import AuditEvent
from asxh.beneficiaries.models import PaymentMethodRegistration
from asxh.beneficiaries.services import beneficiary_status_set
from asxh.cycles import build
from asxh.cycles.models import Cycle, CycleState, LineKind, Payment, PaymentLine
from asxh.cycles.selectors import blocking, lines_for, totals
from asxh.cycles.services import cycle_approve, cycle_build
from asxh.cycles.tests.conftest import MONTH
from asxh.entitlement.rates import Rate, Unit
from asxh.entitlement.services import rates_add
from asxh.providers.models import Contract
from conftest import make_user

pytestmark = pytest.mark.django_db

# The registered people are severely disabled and over 60: 500.000 × 2,0 a month each.
MONTHLY = 1_000_000


def _build(setting, month=MONTH):  # type: ignore[no-untyped-def]
    return cycle_build(
        actor=setting.preparer, month=month, province_code=setting.areas.province.code
    )


def test_a_build_lists_every_person_of_the_province_once(setting, people):
    result = _build(setting)
    cycle = result.cycle
    lines = PaymentLine.objects.filter(cycle=cycle)
    assert sorted(lines.values_list("beneficiary_id", flat=True)) == sorted(
        [people["home"], people["neighbour"]]
    )  # the person of another province is not in this list
    assert set(lines.values_list("amount", "kind", "for_month")) == {(MONTHLY, "monthly", MONTH)}
    assert (cycle.people, cycle.lines, cycle.total, cycle.held) == (2, 2, 2 * MONTHLY, 0)
    assert cycle.state == CycleState.DRAFT and cycle.version == 1
    assert AuditEvent.objects.filter(action="cycle.build", object_id=str(cycle.pk)).exists()


def test_building_again_replaces_the_draft(setting):
    first = _build(setting).cycle
    ids = set(PaymentLine.objects.filter(cycle=first).values_list("pk", flat=True))
    again = _build(setting).cycle
    assert again.pk == first.pk and again.version == 2
    assert PaymentLine.objects.filter(cycle=again).count() == 2
    assert not ids & set(PaymentLine.objects.filter(cycle=again).values_list("pk", flat=True))


def test_an_interrupted_build_leaves_the_previous_draft_whole(setting, monkeypatch):
    first = _build(setting).cycle
    before = list(PaymentLine.objects.filter(cycle=first).values_list("pk", "amount"))
    real = build.line_rows

    def failing(ctx, tally):  # type: ignore[no-untyped-def]
        for n, row in enumerate(real(ctx, tally)):
            if n == 1:
                raise KeyboardInterrupt  # the operator pressed Ctrl+C mid-build
            yield row

    monkeypatch.setattr(build, "line_rows", failing)
    with pytest.raises(KeyboardInterrupt):
        _build(setting)
    cycle = Cycle.objects.get(pk=first.pk)
    assert cycle.version == 1
    assert list(PaymentLine.objects.filter(cycle=cycle).values_list("pk", "amount")) == before


def test_the_preparer_cannot_approve_and_another_approver_locks(setting):
    cycle = _build(setting).cycle
    with pytest.raises(PermissionDenied, match="không được tự duyệt"):
        cycle_approve(actor=setting.preparer, cycle_id=cycle.pk)
    locked = cycle_approve(actor=setting.approver, cycle_id=cycle.pk)
    assert locked.state == CycleState.LOCKED and locked.locked_by == setting.approver
    with pytest.raises(ValidationError, match="đã được duyệt"):
        cycle_approve(actor=setting.approver, cycle_id=cycle.pk)
    with pytest.raises(ValidationError, match="không lập lại được"):
        _build(setting)


def test_locking_stores_each_persons_payment_as_the_sum_of_their_lines_sent(setting):
    cycle = _build(setting).cycle
    assert not Payment.objects.filter(cycle=cycle).exists()  # a draft has no payments yet
    cycle_approve(actor=setting.approver, cycle_id=cycle.pk)
    sent: dict[int, int] = {}
    for line in PaymentLine.objects.filter(cycle=cycle, held_reason=""):
        sent[line.beneficiary_id] = sent.get(line.beneficiary_id, 0) + line.amount
    stored = Payment.objects.filter(cycle=cycle)
    assert sent and {p.beneficiary_id: p.amount for p in stored} == sent
    lines = PaymentLine.objects.filter(cycle=cycle, held_reason="")
    assert {(p.beneficiary_id, p.method, p.contract_id, p.commune_id) for p in stored} == set(
        lines.values_list("beneficiary_id", "method", "contract_id", "commune_id")
    )


def test_a_locked_list_cannot_change_at_the_database(setting):
    cycle = _build(setting).cycle
    cycle_approve(actor=setting.approver, cycle_id=cycle.pk)
    line = PaymentLine.objects.filter(cycle=cycle).first()
    assert line is not None
    with pytest.raises(DatabaseError), transaction.atomic():
        PaymentLine.objects.filter(pk=line.pk).update(amount=1)
    with pytest.raises(DatabaseError), transaction.atomic():
        PaymentLine.objects.filter(pk=line.pk).delete()
    assert PaymentLine.objects.get(pk=line.pk).amount == MONTHLY


def test_nobody_is_listed_twice_for_the_same_benefit_and_month(setting):
    cycle = _build(setting).cycle
    line = PaymentLine.objects.filter(cycle=cycle).first()
    assert line is not None
    other = Cycle.objects.create(province=cycle.province, month=dt.date(2026, 12, 1))
    line.pk, line.cycle = None, other
    with pytest.raises(IntegrityError), transaction.atomic():
        line.save()


def test_what_blocks_and_what_is_held(setting, people):
    ReceivingAccount.objects.filter(beneficiary_id=people["home"]).update(verification="unverified")
    cycle = _build(setting).cycle
    assert (cycle.held, cycle.held_total, cycle.total) == (1, MONTHLY, MONTHLY)
    found = blocking(cycle)
    assert found.stops == [] and found.held == [("Tài khoản chưa xác thực", 1, MONTHLY)]
    # With no contract for cash, a person paid in cash has no provider: that stops the lock.
    Contract.objects.update(methods=["account"])
    PaymentMethodRegistration.objects.filter(beneficiary_id=people["neighbour"]).update(
        method="cash"
    )
    cycle = _build(setting).cycle
    assert any("chưa có tổ chức chi trả" in stop for stop in blocking(cycle).stops)
    with pytest.raises(ValidationError, match="chưa có tổ chức chi trả"):
        cycle_approve(actor=setting.approver, cycle_id=cycle.pk)


def test_totals_add_up_to_the_cycle_four_ways(setting):
    cycle = _build(setting).cycle
    figures = totals(lines_for(setting.preparer, cycle))
    for rows in (figures.by_commune, figures.by_benefit, figures.by_provider, figures.by_method):
        assert sum(row["amount"] for row in rows) == cycle.total


def test_a_retroactive_raise_is_paid_as_arrears_next_month(setting, policy_user):
    november = _build(setting).cycle
    cycle_approve(actor=setting.approver, cycle_id=november.pk)
    raise_ = Rate("btxh.base", Decimal(540_000), Unit.VND, dt.date(2026, 11, 1), None, "", "NĐ thử")
    rates_add(actor=policy_user, rates=[raise_], reason="NĐ thử")
    december = _build(setting, dt.date(2026, 12, 1)).cycle
    lines = PaymentLine.objects.filter(cycle=december)
    arrears = lines.filter(kind=LineKind.ARREARS)
    # 11/2026 was paid 1.000.000; it is now owed 540.000 × 2,0 = 1.080.000.
    assert set(arrears.values_list("for_month", "amount")) == {(MONTH, 80_000)}
    assert arrears.count() == 2 and arrears.first().title.startswith("Truy lĩnh tháng 11/2026")  # type: ignore[union-attr]
    assert set(lines.filter(kind=LineKind.MONTHLY).values_list("amount", flat=True)) == {1_080_000}


def test_a_death_reported_after_the_list_gives_funeral_support_and_a_recovery(setting, people):
    november = _build(setting).cycle
    cycle_approve(actor=setting.approver, cycle_id=november.pk)
    # Died on 20/10/2026: November was paid but not owed; funeral support for October.
    beneficiary_status_set(actor=setting.officer, beneficiary_id=people["home"], status="deceased",
                           since=dt.date(2026, 10, 20), death_date=dt.date(2026, 10, 20),
                           reason="Giấy báo tử")  # fmt: skip
    december = _build(setting, dt.date(2026, 12, 1)).cycle
    lines = PaymentLine.objects.filter(cycle=december, beneficiary_id=people["home"])
    assert set(lines.values_list("kind", "for_month", "amount")) == {
        (LineKind.RECOVERY, MONTH, -MONTHLY),
        (LineKind.FUNERAL, dt.date(2026, 10, 1), 10_000_000),
    }


@pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="SQLite serialises writers: the race needs PostgreSQL's row locks",
)
@pytest.mark.django_db(transaction=True)
def test_two_approvers_at_once_make_one_lock(reference_data, setting):
    cycle = _build(setting).cycle
    third = make_user(Role.APPROVER, province=setting.areas.province, username="pheduyet-3")
    outcomes: list[str] = []
    barrier = threading.Barrier(2)

    def approve(user):  # type: ignore[no-untyped-def]
        barrier.wait()
        try:
            cycle_approve(actor=user, cycle_id=cycle.pk)
            outcomes.append("locked")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (setting.approver, third)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["locked", "refused"]
    assert AuditEvent.objects.filter(action="cycle.approve").count() == 1


def test_a_commune_officer_sees_their_communes_figures_only(setting, people):
    import re

    from django.test import Client

    cycle = _build(setting).cycle
    assert cycle.people == 2  # the home and the neighbouring commune
    shown = {}
    for user in (setting.officer, setting.approver):
        client = Client()
        client.force_login(user)
        body = client.get(f"/ky-chi/{cycle.pk}/").content.decode()
        shown[user.username] = re.search(r'data-testid="people">([^<]+)<', body).group(1)  # type: ignore[union-attr]
        advance = client.get(f"/ky-chi/{cycle.pk}/tam-ung/")  # the province's request
        shown[user.username] += f" {advance.status_code}"
    assert shown == {setting.officer.username: "1 403", setting.approver.username: "2 200"}


def test_the_calendar_counts_the_pending_changes_of_the_officers_communes(setting, people):
    from django.test import Client

    from asxh.changes.services import change_propose

    cycle = _build(setting).cycle
    neighbour_officer = make_user(Role.COMMUNE_OFFICER, commune=setting.areas.neighbour,
                                  username="canbo-lang-gieng")  # fmt: skip
    change_propose(actor=neighbour_officer, kind="decrease_ineligible", payload={},
                   note="Biên bản rà soát số 3", effective_month=cycle.month,
                   beneficiary_id=people["neighbour"])  # fmt: skip
    seen = {}
    for user in (setting.officer, setting.approver):
        client = Client()
        client.force_login(user)
        steps = client.get(f"/ky-chi/{cycle.pk}/").context["steps"]
        seen[user.username] = next(s.note for s in steps if s.due.day == 2)
    assert seen == {
        setting.officer.username: "không còn biến động chờ duyệt",
        setting.approver.username: "còn 1 biến động chưa duyệt",
    }


def test_a_recovery_larger_than_the_months_due_is_held_and_carried_never_sent(setting, people):
    from django.utils import timezone

    from asxh.beneficiaries.models import Beneficiary, Enrolment
    from asxh.cycles.build import OWES

    november = _build(setting).cycle
    cycle_approve(actor=setting.approver, cycle_id=november.pk)
    # The benefit turns out to have ended in October: November was paid but not owed.
    Enrolment.objects.filter(beneficiary_id=people["home"]).update(end_month=dt.date(2026, 10, 1))
    Beneficiary.objects.filter(pk=people["home"]).update(updated_at=timezone.now())
    december = _build(setting, dt.date(2026, 12, 1)).cycle
    owed = PaymentLine.objects.filter(cycle=december, beneficiary_id=people["home"])
    assert set(owed.values_list("kind", "amount", "held_reason")) == {
        (LineKind.RECOVERY, -MONTHLY, OWES)
    }
    cycle_approve(actor=setting.approver, cycle_id=december.pk)
    january = _build(setting, dt.date(2027, 1, 1)).cycle
    carried = PaymentLine.objects.filter(cycle=january, beneficiary_id=people["home"])
    assert set(carried.values_list("kind", "amount", "held_reason")) == {
        (LineKind.CARRY_OVER, -MONTHLY, OWES)
    }
