import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from asxh.access.roles import Capability
from asxh.audit.models import AuditEvent
from asxh.beneficiaries.models import Beneficiary

pytestmark = pytest.mark.django_db

STATS_KEYS = {
    "provinces",
    "communes",
    "legacy_communes",
    "beneficiaries",
    "payees",
    "accounts",
    "users",
}


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_stats_prints_one_json_object_of_counts(people):
    counts = json.loads(_run("stats", "--json"))
    assert set(counts) >= STATS_KEYS
    assert (counts["provinces"], counts["communes"], counts["beneficiaries"]) == (34, 3321, 3)


def test_cli_create_runs_as_the_named_user_and_is_audited(officer, areas):
    out = _run(
        "beneficiary",
        "create",
        "--user",
        officer.username,
        "--commune",
        areas.home.code,
        "--name",
        "Võ Thị Mai",
        "--sex",
        "F",
        "--birth",
        "1948",
        "--id-number",
        "091148000123",
        "--phone",
        "01689000111",
        "--reason",
        "QĐ 44/QĐ-UBND",
    )
    row = json.loads(out)
    assert row["birth_date"] == "1948" and row["id_number"] == "091******123"
    event = AuditEvent.objects.latest("id")
    assert (event.actor_name, event.action, event.reason) == (
        officer.username,
        "beneficiary.register",
        "QĐ 44/QĐ-UBND",
    )


def test_cli_refuses_a_person_outside_the_users_area(users, people):
    for user in users.values():
        with pytest.raises(CommandError, match=r"Không được phép|Không tìm thấy"):
            _run(
                "beneficiary",
                "update",
                str(people["foreign"]),
                "--user",
                user.username,
                "--set",
                "village=Ấp X",
                "--reason",
                "thử",
            )
        if user.can(Capability.VIEW_BENEFICIARIES):
            with pytest.raises(CommandError, match="Không tìm thấy"):
                _run("beneficiary", "show", str(people["foreign"]), "--user", user.username)
    assert Beneficiary.objects.get(pk=people["foreign"]).village == "Ấp Đông Sơn"


def test_cli_list_is_scoped_and_masked(officer, people):
    rows = json.loads(_run("beneficiary", "list", "--user", officer.username))
    assert [r["id"] for r in rows] == [people["home"]]
    assert "*" in rows[0]["id_number"]


def test_cli_reveal_is_logged_with_its_channel(officer, people):
    row = json.loads(
        _run("beneficiary", "show", str(people["home"]), "--user", officer.username, "--reveal-id")
    )
    assert row["id_number"] == "091155012345"
    from asxh.audit.models import AccessLog

    assert AccessLog.objects.get(user=officer).channel == "cli"


def test_unknown_user_is_refused():
    with pytest.raises(CommandError, match="Không có người dùng 'ai-do'"):
        _run("beneficiary", "list", "--user", "ai-do")


def test_setup_twice_stores_the_same_reference_data():
    _run("setup")
    first = json.loads(_run("stats", "--json"))
    _run("setup")
    second = json.loads(_run("stats", "--json"))
    first.pop("audit_events"), second.pop("audit_events")
    assert first == second
    assert (first["provinces"], first["communes"], first["legacy_districts"]) == (34, 3321, 696)
    assert first["institutions"] >= 60
