"""`asxh quality scan|list|dismiss` as a named user."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from asxh.access.roles import Role
from asxh.quality.models import Finding, FindingState

from .helpers import officer_of, plant

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("quality", *args, stdout=out)
    return out.getvalue()


def test_scan_list_and_dismiss_from_the_command_line(officer, areas, people):
    plant(people["home"], id_number="123456789")
    result = json.loads(_run("scan", "--user", officer.username, "--json"))
    assert (result["scanned"], result["raised"], result["by_kind"]) == (1, 1, {"id_legacy": 1})
    [row] = json.loads(_run("list", "--user", officer.username, "--json"))
    assert (row["kind"], row["id_number"], row["commune"]) == (
        "id_legacy",
        "12*****89",
        areas.home.code,
    )
    text = _run("dismiss", str(row["id"]), "--user", officer.username, "--reason", "Đã hẹn đổi")
    assert "Đã bỏ qua phát hiện số" in text
    assert Finding.objects.get().state == FindingState.DISMISSED
    assert json.loads(_run("list", "--user", officer.username, "--json")) == []


def test_scan_prints_vietnamese_counts(users, people):
    plant(people["neighbour"], id_number="123456789")
    text = _run("scan", "--user", users[Role.PROVINCE].username)
    assert "Đã quét 2 đối tượng ở 102 xã/phường" in text
    assert "CMND 9 số, cần cập nhật số định danh 12 số: 1" in text


def test_commands_refuse_what_the_user_may_not_do(users, officer, areas, people):
    plant(people["neighbour"], id_number="123456789")
    _run("scan", "--user", users[Role.PROVINCE].username, "--json")
    finding = Finding.objects.get()
    with pytest.raises(CommandError, match="Không được phép"):
        _run("scan", "--user", officer.username, "--commune", areas.neighbour.code)
    with pytest.raises(CommandError, match="Không tìm thấy"):
        _run("dismiss", str(finding.pk), "--user", officer.username, "--reason", "x")
    neighbour_officer = officer_of(areas.neighbour, "xa-ben")
    with pytest.raises(CommandError, match="Ghi lý do"):
        _run("dismiss", str(finding.pk), "--user", neighbour_officer.username, "--reason", " ")
    with pytest.raises(CommandError, match="Không được phép"):
        _run("scan", "--user", users[Role.TREASURY].username)
