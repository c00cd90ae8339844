import pytest
from django.conf import settings
from django.test import Client

from conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client: Client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/dang-nhap/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7"
    )


def test_login_then_home(officer):
    client = Client()
    assert _login(client, officer.username, PASSWORD).status_code == 302
    assert "Công chức xã" in client.get("/").content.decode()


def test_pages_need_a_login(people):
    response = Client().get(f"/doi-tuong/{people['home']}/")
    assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_repeated_failures_lock_the_username_even_with_the_right_password(officer):
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, officer.username, "sai-mat-khau").status_code == 200
    assert _login(client, officer.username, "sai-mat-khau").status_code == 429
    locked = _login(client, officer.username, PASSWORD)
    assert locked.status_code == 429 and "Tạm khoá đăng nhập" in locked.content.decode()


def test_sessions_expire_when_idle_and_at_browser_close():
    assert settings.SESSION_COOKIE_AGE <= 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_SAVE_EVERY_REQUEST


def test_administrator_creates_users_only_inside_own_province(users, areas, monkeypatch):
    import io

    from django.core.management import call_command
    from django.core.management.base import CommandError

    from asxh.access.models import User

    admin = users["administrator"]
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-moi-2026\n"))
    call_command(
        "user",
        "create",
        "canbo.moi",
        "--user",
        admin.username,
        "--role",
        "commune_officer",
        "--commune",
        areas.neighbour.code,
        "--password-stdin",
        stdout=io.StringIO(),
    )
    created = User.objects.get(username="canbo.moi")
    assert [a.commune for a in created.areas.all()] == [areas.neighbour]
    monkeypatch.setattr("sys.stdin", io.StringIO("mat-khau-moi-2026\n"))
    with pytest.raises(CommandError, match=areas.foreign.code):
        call_command(
            "user",
            "create",
            "canbo.ngoai",
            "--user",
            admin.username,
            "--role",
            "commune_officer",
            "--commune",
            areas.foreign.code,
            "--password-stdin",
        )
    monkeypatch.setattr("sys.stdin", io.StringIO("x\n"))
    with pytest.raises(CommandError, match="Không được phép"):
        call_command(
            "user",
            "create",
            "canbo.x",
            "--user",
            users["province"].username,
            "--role",
            "commune_officer",
            "--password-stdin",
        )
