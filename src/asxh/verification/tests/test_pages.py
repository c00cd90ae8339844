"""Pages and commands × every role × a foreign area: nothing foreign is shown or changed."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from asxh.access.models import User
from asxh.access.roles import Capability, Role
from asxh.accounts.models import ReceivingAccount
from asxh.audit.models import AuditEvent
from asxh.beneficiaries.models import Beneficiary
from asxh.verification import selectors, services
from asxh.verification.models import Exchange, IdentityCheck
from asxh.verification.tests.helpers import fill
from conftest import COMMUNE_ROLES, make_user

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _foreign(role: str, people: dict[str, int]) -> list[Beneficiary]:
    keys = ["foreign", "neighbour"] if role in COMMUNE_ROLES else ["foreign"]
    return [Beneficiary.objects.get(pk=people[k]) for k in keys]


def _answers_of(
    person: Beneficiary, tmp_path, kind: str
) -> tuple[bytes, bytes, Exchange, Exchange]:
    """Filled lists for the person's own commune, and their own uploads waiting in preview."""
    police = make_user(Role.COMMUNE_POLICE, commune=person.commune, username=f"ca-{person.pk}")
    officer = make_user(Role.COMMUNE_OFFICER, commune=person.commune, username=f"cb-{person.pk}")
    ids_path, acc_path = tmp_path / f"ds-{person.pk}.xlsx", tmp_path / f"tk-{person.pk}.xlsx"
    services.identity_list_export(actor=police, commune_code=person.commune.code, out=ids_path)
    services.account_list_export(actor=officer, commune_code=person.commune.code, out=acc_path)
    account = ReceivingAccount.objects.get(beneficiary=person)
    identity = fill(ids_path, {person.pk: {"result": "Không tìm thấy"}})
    accounts = fill(acc_path, {account.pk: {"answer": "Không tìm thấy"}}, kind="account")
    pending_identity = services.answers_preview(
        actor=police, kind="identity", file_name="a.xlsx", data=identity
    ).exchange
    pending_account = services.answers_preview(
        actor=officer, kind="account", file_name="b.xlsx", data=accounts
    ).exchange
    assert pending_identity and pending_account
    return identity, accounts, pending_identity, pending_account


def _requests(person, identity: bytes, accounts: bytes, pi: Exchange, pa: Exchange):
    code = person.commune.code

    def upload(data: bytes) -> dict:
        return {"file": SimpleUploadedFile("kq.xlsx", data), "checked_on": ""}

    return [
        ("get", "/xac-thuc/danh-tinh/", {}),
        ("get", f"/xac-thuc/danh-tinh/?commune={code}", {}),
        ("get", f"/xac-thuc/danh-tinh/?commune={code}&result=never", {}),
        ("post", "/xac-thuc/danh-tinh/tai-ve/", {"commune": code}),
        ("get", "/xac-thuc/danh-tinh/nhap/", {}),
        ("post", "/xac-thuc/danh-tinh/nhap/", upload(identity)),
        ("get", f"/xac-thuc/danh-tinh/nhap/{pi.pk}/", {}),
        ("post", f"/xac-thuc/danh-tinh/nhap/{pi.pk}/ghi/", {}),
        ("get", "/xac-thuc/tai-khoan/", {}),
        ("get", f"/xac-thuc/tai-khoan/?commune={code}", {}),
        ("post", "/xac-thuc/tai-khoan/tai-ve/", {"commune": code}),
        ("get", "/xac-thuc/tai-khoan/nhap/", {}),
        ("post", "/xac-thuc/tai-khoan/nhap/", upload(accounts)),
        ("get", f"/xac-thuc/tai-khoan/nhap/{pa.pk}/", {}),
        ("post", f"/xac-thuc/tai-khoan/nhap/{pa.pk}/ghi/", {}),
    ]


@pytest.mark.parametrize("role", Role.values)
def test_no_page_shows_or_changes_a_foreign_person(role, users, people, tmp_path):
    user = users[role]
    client = _client(user)
    for person in _foreign(role, people):
        account = ReceivingAccount.objects.get(beneficiary=person)
        identity, accounts, pi, pa = _answers_of(person, tmp_path, role)
        exports = AuditEvent.objects.filter(action__endswith=".export").count()
        for method, url, data in _requests(person, identity, accounts, pi, pa):
            response = getattr(client, method)(url, data)
            assert response.status_code in (200, 302, 403, 404), (role, url, response.status_code)
            body = b"".join(response) if response.streaming else response.content
            text = body.decode(errors="replace")
            assert response.get("Content-Disposition") is None, (role, url)
            assert person.full_name not in text, (role, url)
            assert person.id_number not in text, (role, url)
            assert account.account_number not in text, (role, url)
        account.refresh_from_db()
        assert account.verification == "unverified", role
        assert not IdentityCheck.objects.filter(beneficiary=person).exists(), role
        assert AuditEvent.objects.filter(action__endswith=".export").count() == exports
        assert not Exchange.objects.filter(created_by=user).exists(), role


@pytest.mark.parametrize("role", Role.values)
def test_each_role_reaches_the_pages_its_capabilities_allow(role, users, people):
    user = users[role]
    client = _client(user)
    own = Beneficiary.objects.get(pk=people["home"])
    identity = client.get("/xac-thuc/danh-tinh/")
    accounts = client.get("/xac-thuc/tai-khoan/")
    upload = client.get("/xac-thuc/danh-tinh/nhap/")
    may_view = user.can(Capability.VERIFY_IDENTITY) or selectors.may_export_identity(user)
    assert identity.status_code == (200 if may_view else 403), role
    assert upload.status_code == (200 if user.can(Capability.VERIFY_IDENTITY) else 403), role
    assert accounts.status_code == (200 if user.can(Capability.VERIFY_ACCOUNT) else 403), role
    for response in (identity, accounts):
        if response.status_code == 200:
            text = response.content.decode()
            assert own.full_name in text
            assert own.id_number not in text  # masked on pages
            assert "7100205123456" not in text
    export = client.post("/xac-thuc/danh-tinh/tai-ve/", {"commune": own.commune.code})
    allowed = selectors.may_export_identity(user)
    assert export.status_code == (200 if allowed else 403), role


def test_police_download_fill_preview_and_store_through_the_pages(users, areas, people, tmp_path):
    police = users[Role.COMMUNE_POLICE]
    client = _client(police)
    response = client.post("/xac-thuc/danh-tinh/tai-ve/", {"commune": areas.home.code})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment; filename=")
    saved = tmp_path / "tai-ve.xlsx"
    saved.write_bytes(b"".join(response))  # a FileResponse streams its content
    assert AuditEvent.objects.filter(action="identity.export", actor=police).count() == 1

    bad = fill(saved, {people["home"]: {"result": "Đúng rồi"}})
    shown = client.post("/xac-thuc/danh-tinh/nhap/", {"file": SimpleUploadedFile("kq.xlsx", bad)})
    text = shown.content.decode()
    assert shown.status_code == 200 and "Dòng 13, cột H (Kết quả)" in text
    assert not IdentityCheck.objects.exists()

    good = fill(
        saved,
        {people["home"]: {"result": "Sai lệch", "db_full_name": "Nguyễn Thị Hòa Bình"}},
    )
    preview = client.post(
        "/xac-thuc/danh-tinh/nhap/", {"file": SimpleUploadedFile("kq.xlsx", good)}
    )
    assert preview.status_code == 302
    page = client.get(preview["Location"])
    assert "Sai lệch" in page.content.decode() and not IdentityCheck.objects.exists()
    stored = client.post(preview["Location"] + "ghi/")
    assert stored.status_code == 302
    check = IdentityCheck.objects.get()
    assert (check.beneficiary_id, check.result) == (people["home"], "mismatch")
    listing = client.get("/xac-thuc/danh-tinh/").content.decode()
    assert "Sai lệch" in listing

    again = client.post("/xac-thuc/danh-tinh/nhap/", {"file": SimpleUploadedFile("kq.xlsx", good)})
    assert again.status_code == 302
    assert "đã được nhập" in client.get(again["Location"]).content.decode()
    assert IdentityCheck.objects.count() == 1


def test_page_filter_unverified_since(users, areas, people):
    client = _client(users[Role.COMMUNE_POLICE])
    text = client.get("/xac-thuc/danh-tinh/?since=01/01/2026").content.decode()
    assert "Nguyễn Thị Hoà" in text
    text = client.get("/xac-thuc/danh-tinh/?result=match").content.decode()
    assert "Nguyễn Thị Hoà" not in text


def test_commands_refuse_a_foreign_commune_and_write_nothing(users, areas, people, tmp_path):
    police = users[Role.COMMUNE_POLICE]
    for commune in (areas.neighbour, areas.foreign):
        with pytest.raises(CommandError, match="không thuộc địa bàn"):
            call_command("verify", "export", "--commune", commune.code, "-o",
                         str(tmp_path / "x.xlsx"), "--user", police.username)  # fmt: skip
        with pytest.raises(CommandError, match="không thuộc địa bàn"):
            call_command("verify", "accounts", "--commune", commune.code, "-o",
                         str(tmp_path / "y.xlsx"), "--user", users[Role.COMMUNE_OFFICER].username)  # fmt: skip
    with pytest.raises(CommandError, match="không thuộc địa bàn"):
        call_command("verify", "accounts", "--commune", areas.foreign.code, "-o",
                     str(tmp_path / "y.xlsx"), "--user", users[Role.PROVIDER].username)  # fmt: skip
    with pytest.raises(CommandError, match="không có quyền"):
        call_command("verify", "accounts", "--commune", areas.home.code, "-o",
                     str(tmp_path / "y.xlsx"), "--user", police.username)  # fmt: skip
    assert not Exchange.objects.exists()


def test_command_round_trip_with_json_and_row_errors(users, areas, people, tmp_path, capsys):
    police = users[Role.COMMUNE_POLICE]
    out = tmp_path / "ds.xlsx"
    call_command("verify", "export", "--commune", areas.home.code, "-o", str(out),
                 "--user", police.username, "--json")  # fmt: skip
    assert json.loads(capsys.readouterr().out)["rows"] == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(fill(out, {people["home"]: {"result": "??"}}))
    with pytest.raises(CommandError, match="Tệp có 1 lỗi; không ghi gì"):
        call_command("verify", "import", str(bad), "--user", police.username, "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["errors"][0].startswith("Dòng 13, cột H (Kết quả)")
    good = tmp_path / "good.xlsx"
    good.write_bytes(fill(out, {people["home"]: {"result": "Khớp"}}))
    call_command("verify", "import", str(good), "--user", police.username)
    assert "Đã ghi 1" in capsys.readouterr().out
    call_command("verify", "import", str(good), "--user", police.username)
    assert "đã được nhập" in capsys.readouterr().out
    assert IdentityCheck.objects.count() == 1
    call_command("verify", "unverified", "--since", "01/01/2020", "--user", police.username,
                 "--json")  # fmt: skip
    assert json.loads(capsys.readouterr().out)["total"] == 0
    with pytest.raises(CommandError, match="Không có người dùng"):
        call_command("verify", "import", str(good), "--user", "ai-do")
