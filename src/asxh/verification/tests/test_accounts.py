"""Account-name inquiry: the provider's answers file and VietQR's lookup API (a local fake)."""

import datetime as dt
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.utils import timezone

from asxh.access.roles import Role
from asxh.accounts.models import ReceivingAccount
from asxh.accounts.services import account_add
from asxh.audit.models import AuditEvent
from asxh.quality.models import Finding
from asxh.verification import selectors, services
from asxh.verification.adapters import VietQRInquiry
from asxh.verification.models import Exchange
from asxh.verification.tests.helpers import data_rows, fill
from conftest import register_person

pytestmark = pytest.mark.django_db

# Account number → what the bank (through VietQR) answers.
BANK: dict[str, tuple[int, dict[str, Any] | None]] = {
    "7100205123456": (
        200,
        {"code": "00", "desc": "Success", "data": {"accountName": "NGUYEN THI HOA"}},
    ),
    "0011001234567": (
        200,
        {"code": "00", "desc": "Success", "data": {"accountName": " TRAN  VAN DUC "}},
    ),
    "123456789": (
        200,
        {"code": "00", "desc": "Success", "data": {"accountName": "LE THI MAI ANH"}},
    ),
    "99990000111": (
        200,
        {"code": "42", "desc": "Account number Invalid - Số tài khoản không hợp lệ"},
    ),
    "55556666777": (200, {"code": "41", "desc": "Bank not support - Ngân hàng không hỗ trợ"}),
}


@pytest.fixture
def accounts(officer, areas, people) -> dict[str, int]:
    """Five people of the home commune with accounts; returns account ids by account number."""
    rows = [
        ("Trần Văn Đức", "089048001122", "M", 1948, "970436", "0011001234567"),
        ("Lê Thị Mai", "089160001133", "F", 1960, "970422", "123456789"),
        ("Phạm Văn Nam", "089052001144", "M", 1952, "970418", "99990000111"),
        ("Võ Thị Lan", "089158001155", "F", 1958, "970415", "55556666777"),
    ]
    for name, id_number, sex, year, bin_, number in rows:
        pk = register_person(
            officer, areas.home, name=name, id_number=id_number, sex=sex,
            birth_date=dt.date(year, 1, 2), with_account=False,
        )  # fmt: skip
        account_add(
            actor=officer, beneficiary_id=pk, kind="bank", institution_bin=bin_,
            account_number=number, holder_name=name, opened_on=dt.date(2025, 8, 1), reason="Phiếu",
        )  # fmt: skip
    home = ReceivingAccount.objects.filter(beneficiary__commune=areas.home, status="active")
    return dict((a.account_number, a.pk) for a in home)


class FakeVietQR(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeVietQR.seen.append(
            {
                "path": self.path,
                "client": self.headers["x-client-id"],
                "key": self.headers["x-api-key"],
                **body,
            }
        )
        payload: dict[str, Any] | None
        if self.headers["x-api-key"] != "khoa-thu":
            status, payload = 401, {"code": "401", "desc": "Unauthorized"}
        elif body["accountNumber"] == "31313131":
            status, payload = 500, None
        else:
            status, payload = BANK.get(
                body["accountNumber"], (200, {"code": "42", "desc": "Invalid"})
            )
        raw = json.dumps(payload).encode() if payload is not None else b"<html>error</html>"
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def vietqr() -> Iterator[str]:
    FakeVietQR.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeVietQR)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/v2/lookup"
    server.shutdown()
    server.server_close()


def _states() -> dict[str, tuple[str, dt.date | None]]:
    return {
        a.account_number: (a.verification, a.verified_on)
        for a in ReceivingAccount.objects.filter(status="active")
    }


def test_http_inquiry_sends_bin_and_number_with_the_keys(vietqr):
    inquiry = VietQRInquiry(url=vietqr, client_id="ma-khach", api_key="khoa-thu")
    answer = inquiry.lookup("970405", "7100205123456")
    assert (answer.status, answer.bank_name) == ("found", "NGUYEN THI HOA")
    [seen] = FakeVietQR.seen
    assert seen == {
        "path": "/v2/lookup", "client": "ma-khach", "key": "khoa-thu",
        "bin": 970405, "accountNumber": "7100205123456",
    }  # fmt: skip
    assert inquiry.lookup("970405", "99990000111").status == "not_found"
    assert inquiry.lookup("970405", "31313131").status == "unavailable"  # HTTP 500, no JSON
    assert inquiry.lookup("970405", "ABC123").status == "unavailable"  # not digits: not asked
    wrong_key = VietQRInquiry(url=vietqr, client_id="ma-khach", api_key="sai")
    assert wrong_key.lookup("970405", "7100205123456").status == "unavailable"
    closed = VietQRInquiry(
        url="http://127.0.0.1:9/v2/lookup", client_id="x", api_key="y", timeout=2
    )
    assert "Không gọi được" in closed.lookup("970405", "7100205123456").detail


def test_online_verification_records_each_outcome_and_raises_findings(
    officer, areas, accounts, vietqr
):
    inquiry = VietQRInquiry(url=vietqr, client_id="ma-khach", api_key="khoa-thu")
    outcome = services.accounts_verify_online(
        actor=officer, commune_code=areas.home.code, inquiry=inquiry
    )
    today = timezone.localdate()
    assert outcome.asked == 5
    assert outcome.by_status == {"found": 3, "not_found": 1, "unavailable": 1}
    assert outcome.by_verification == {"verified": 2, "mismatch": 1, "failed": 1}
    states = _states()
    assert {number: states[number] for number in BANK} == {
        "7100205123456": ("verified", today),
        "0011001234567": ("verified", today),  # extra spaces in the bank's answer
        "123456789": ("mismatch", today),
        "99990000111": ("failed", today),
        "55556666777": ("unverified", None),  # bank not supported: no verdict
    }
    findings = Finding.objects.filter(kind="holder_mismatch")
    assert {f.key.rsplit(":", 1)[0] for f in findings} == {
        f"acct:{accounts['123456789']}",
        f"acct:{accounts['99990000111']}",
    }
    mismatch = findings.get(key__startswith=f"acct:{accounts['123456789']}:")
    assert (
        mismatch.detail["bank_name"] == "LE THI MAI ANH"
        and mismatch.detail["holder_name"] == "Lê Thị Mai"
    )
    event = AuditEvent.objects.get(action="account.verify")
    after: dict = event.after or {}
    assert event.area_code == areas.home.code and len(after["accounts"]) == 4
    assert "7100205123456" not in json.dumps(event.after)  # numbers masked in the trail


def test_a_later_matching_answer_closes_the_holder_finding(officer, accounts):
    from asxh.accounts.services import HolderAnswer, account_verifications_record

    account = accounts["123456789"]  # held by "Lê Thị Mai"
    for name, day in (
        ("LE THI MAI ANH", dt.date(2026, 11, 2)),
        ("LE THI MAI", dt.date(2026, 11, 9)),
    ):
        account_verifications_record(
            actor=officer, answers=[HolderAnswer(account, name)], checked_on=day, source="thử"
        )
    finding = Finding.objects.get(kind="holder_mismatch")
    assert finding.state == "fixed" and "09/11/2026" in finding.state_reason
    assert _states()["123456789"] == ("verified", dt.date(2026, 11, 9))


def test_command_verifies_through_http_with_keys_from_the_environment(
    officer, areas, accounts, vietqr, monkeypatch, capsys
):
    monkeypatch.setenv("ASXH_VIETQR_URL", vietqr)
    monkeypatch.setenv("ASXH_VIETQR_CLIENT_ID", "ma-khach")
    monkeypatch.setenv("ASXH_VIETQR_API_KEY", "khoa-thu")
    call_command("verify", "accounts", "--commune", areas.home.code, "--user", officer.username,
                 "--via", "http", "--json")  # fmt: skip
    result = json.loads(capsys.readouterr().out)
    assert result["by_verification"] == {"verified": 2, "mismatch": 1, "failed": 1}
    assert result["unavailable"][0]["account"] == accounts["55556666777"]


def test_command_without_keys_says_how_to_configure(officer, areas, monkeypatch):
    monkeypatch.delenv("ASXH_VIETQR_CLIENT_ID", raising=False)
    monkeypatch.delenv("ASXH_VIETQR_API_KEY", raising=False)
    with pytest.raises(CommandError, match="ASXH_VIETQR_CLIENT_ID"):
        call_command("verify", "accounts", "--commune", areas.home.code, "--user",
                     officer.username, "--via", "http")  # fmt: skip


def test_provider_file_round_trip(officer, users, areas, accounts, tmp_path):
    out = tmp_path / "tk.xlsx"
    provider = users[Role.PROVIDER]
    exchange = services.account_list_export(actor=provider, commune_code=areas.home.code, out=out)
    rows = {r["account_number"]: r for r in data_rows(out, kind="account")}
    assert set(rows) == set(BANK) and exchange.rows == 5
    assert rows["7100205123456"]["bin"] == "970405"
    assert (AuditEvent.objects.get(action="account.export").after or {})["count"] == 5
    answers = {
        accounts["7100205123456"]: {"bank_holder": "NGUYEN THI HOA", "answer": "Có tài khoản"},
        accounts["123456789"]: {"bank_holder": "LE THI MAI ANH"},
        accounts["99990000111"]: {"answer": "Không tìm thấy"},
    }
    data = fill(out, answers, kind="account")
    outcome = services.answers_import(
        actor=provider, kind="account", file_name="tl.xlsx", data=data
    )
    assert outcome.errors == []
    assert (outcome.answered, outcome.unanswered, outcome.stored) == (3, 2, 3)
    states = _states()
    assert states["7100205123456"][0] == "verified"
    assert states["123456789"][0] == "mismatch"
    assert states["99990000111"][0] == "failed"
    assert states["0011001234567"] == ("unverified", None)
    assert Finding.objects.filter(kind="holder_mismatch").count() == 2
    again = services.answers_import(actor=provider, kind="account", file_name="tl.xlsx", data=data)
    assert again.already is not None and again.stored == 0
    assert Finding.objects.count() == 2


def test_provider_file_rows_for_changed_or_foreign_accounts_are_refused(
    officer, users, areas, people, accounts, tmp_path
):
    out = tmp_path / "tk.xlsx"
    services.account_list_export(actor=officer, commune_code=areas.home.code, out=out)
    # The officer replaces Mai's account after the export.
    mai = ReceivingAccount.objects.get(pk=accounts["123456789"])
    account_add(actor=officer, beneficiary_id=mai.beneficiary_id, kind="bank", institution_bin="970422",
                account_number="888877776666", holder_name="Lê Thị Mai", opened_on=dt.date(2026, 1, 1),
                reason="Đổi tài khoản")  # fmt: skip
    foreign = ReceivingAccount.objects.get(beneficiary_id=people["foreign"])
    data = fill(
        out,
        {accounts["123456789"]: {"bank_holder": "LE THI MAI"}},
        kind="account",
        extra_rows=[{"ref": foreign.pk, "bin": "970405", "account_number": foreign.account_number,
                     "bank_holder": "LE THI CUC"}],
    )  # fmt: skip
    outcome = services.answers_import(actor=officer, kind="account", file_name="tl.xlsx", data=data)
    assert len(outcome.errors) == 2
    assert all("cột B (Mã tài khoản)" in e for e in outcome.errors)
    assert (
        ReceivingAccount.objects.filter(verification="unverified").count()
        == ReceivingAccount.objects.count()
    )


def test_provider_answer_cells_are_checked(officer, areas, accounts, tmp_path):
    out = tmp_path / "tk.xlsx"
    services.account_list_export(actor=officer, commune_code=areas.home.code, out=out)
    data = fill(
        out,
        {
            accounts["7100205123456"]: {"answer": "Có tài khoản"},
            accounts["123456789"]: {"answer": "Không tìm thấy", "bank_holder": "LE THI MAI"},
            accounts["99990000111"]: {"answer": "Chưa rõ"},
        },
        kind="account",
    )
    errors = services.answers_import(actor=officer, kind="account", file_name="x", data=data).errors
    assert len(errors) == 3
    assert any("cột H (Tên chủ tài khoản theo ngân hàng)" in e for e in errors)
    assert any("cột I (Kết quả tra cứu)" in e and "Chưa rõ" in e for e in errors)


def test_account_export_needs_the_capability_and_the_area(users, areas, accounts, tmp_path):
    out = tmp_path / "tk.xlsx"
    for role in (Role.COMMUNE_POLICE, Role.APPROVER, Role.TREASURY, Role.PROVINCE, Role.AUDITOR,
                 Role.ADMINISTRATOR):  # fmt: skip
        with pytest.raises(PermissionDenied):
            services.account_list_export(actor=users[role], commune_code=areas.home.code, out=out)
    with pytest.raises(PermissionDenied):
        services.account_list_export(
            actor=users[Role.PROVIDER], commune_code=areas.foreign.code, out=out
        )
    assert not Exchange.objects.exists()


def test_accounts_unverified_since(officer, areas, accounts, vietqr):
    since = timezone.localdate()
    assert selectors.accounts_unverified_since(officer, since).count() == 5
    inquiry = VietQRInquiry(url=vietqr, client_id="ma-khach", api_key="khoa-thu")
    services.accounts_verify_online(actor=officer, commune_code=areas.home.code, inquiry=inquiry)
    pending = selectors.accounts_unverified_since(officer, since)
    assert sorted(pending.values_list("account_number", flat=True)) == [
        "123456789", "55556666777", "99990000111"
    ]  # fmt: skip
    tomorrow = since + dt.timedelta(days=1)
    assert selectors.accounts_unverified_since(officer, tomorrow).count() == 5
