import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from asxh.audit.models import AuditEvent
from asxh.beneficiaries.models import Beneficiary
from asxh.beneficiaries.services import beneficiary_update

pytestmark = pytest.mark.django_db


def _without_guard(sql: str, params: list) -> None:
    """Tamper as a database owner would: past the append-only trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser session can switch user triggers off.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = origin")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
            cursor.execute(sql, params)


def test_every_change_writes_who_what_and_why(officer, people):
    beneficiary_update(
        actor=officer,
        beneficiary_id=people["home"],
        changes={"village": "Ấp Tây Sơn"},
        reason="Chuyển ấp",
    )
    event = AuditEvent.objects.latest("id")
    assert (event.actor, event.action, event.object_id, event.reason) == (
        officer,
        "beneficiary.update",
        str(people["home"]),
        "Chuyển ấp",
    )
    assert event.before == {"village": "Ấp Đông Sơn"} and event.after == {"village": "Ấp Tây Sơn"}


def test_intact_chain_verifies(people, capsys):
    call_command("audit", "verify")
    assert "nguyên vẹn" in capsys.readouterr().out


def test_altered_event_is_named(people):
    victim = AuditEvent.objects.order_by("id")[3]
    _without_guard("UPDATE audit_auditevent SET reason = %s WHERE id = %s", ["sửa lén", victim.pk])
    with pytest.raises(CommandError, match=f"#{victim.pk}: nội dung đã bị sửa"):
        call_command("audit", "verify")


def test_removed_event_is_found_at_the_next_one(people):
    events = list(AuditEvent.objects.order_by("id").values_list("id", flat=True)[:6])
    _without_guard("DELETE FROM audit_auditevent WHERE id = %s", [events[4]])
    with pytest.raises(CommandError, match=f"#{events[5]}: liên kết"):
        call_command("audit", "verify")


def test_database_refuses_to_edit_or_delete_events(people):
    event = AuditEvent.objects.first()
    assert event is not None
    for statement in (
        "UPDATE audit_auditevent SET reason = 'x' WHERE id = %s",
        "DELETE FROM audit_auditevent WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, [event.pk])


def test_a_failed_change_leaves_no_event(officer, people):
    count = AuditEvent.objects.count()
    with pytest.raises(Exception, match="id_number"):
        beneficiary_update(
            actor=officer,
            beneficiary_id=people["home"],
            changes={"id_number": "12345"},
            reason="thử",
        )
    assert AuditEvent.objects.count() == count
    assert Beneficiary.objects.get(pk=people["home"]).id_number == "091155012345"
