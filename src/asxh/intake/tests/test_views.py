"""The pages: upload → check (nothing written) → confirm, and who may use them."""

from pathlib import Path

import openpyxl
import pytest
from django.test import Client
from django.urls import reverse

from asxh.access.roles import Capability, Role
from asxh.beneficiaries.models import Beneficiary
from asxh.intake.models import ImportBatch
from asxh.intake.tests.test_import import GOOD, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _upload(client: Client, path: Path, commune: str):
    with path.open("rb") as handle:
        return client.post(reverse("intake_check"), {"commune": commune, "file": handle})


def test_upload_check_confirm(officer, areas, tmp_path) -> None:
    bad: list[list[object]] = [
        *GOOD,
        [4, "=Sai Tên", "1950", None, None, None, None, None, None, None, None, None],
    ]
    client = _client(officer)
    response = _upload(client, workbook(tmp_path / "ds.xlsx", bad), areas.home.code)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Lỗi cần sửa (1)" in page and "Xoá ký tự" in page
    assert not Beneficiary.objects.exists()  # checking writes nothing
    errors = client.get(reverse("intake_errors"))
    assert errors.status_code == 200
    out = tmp_path / "loi.xlsx"
    out.write_bytes(b"".join(errors.streaming_content))  # type: ignore[attr-defined]
    rows = list(openpyxl.load_workbook(out).active.values)  # type: ignore[union-attr]
    assert rows[1][2] == "=Sai Tên"
    response = client.post(reverse("intake_confirm"))
    batch = ImportBatch.objects.get()
    assert response.status_code == 302 and response.url == reverse("intake_batch", args=[batch.pk])  # type: ignore[attr-defined]
    assert Beneficiary.objects.count() == 3 and batch.created == 3 and batch.rows_skipped == 1
    assert "Lần nhập" in client.get(response.url).content.decode()  # type: ignore[attr-defined]
    # The pending check is used up: confirming again stores nothing more.
    client.post(reverse("intake_confirm"))
    assert ImportBatch.objects.count() == 1


def test_unusable_upload_says_why(officer, areas, tmp_path) -> None:
    path = tmp_path / "rong.xlsx"
    path.write_bytes(b"")
    page = _upload(_client(officer), path, areas.home.code).content.decode()
    assert "Tệp rỗng" in page and "intake_confirm" not in page and "Ghi 0 dòng" not in page


@pytest.mark.parametrize("role", list(Role))
def test_area_and_role_matrix(role, users, areas, tmp_path) -> None:
    """Only importers see the pages; nobody imports into or exports a commune outside their area."""
    user = users[role]
    client = _client(user)
    may = user.can(Capability.IMPORT_BENEFICIARIES)
    assert client.get(reverse("intake_upload")).status_code == (200 if may else 403)
    foreign = _upload(client, workbook(tmp_path / "f.xlsx", GOOD), areas.foreign.code)
    assert foreign.status_code in (302, 403)
    assert not Beneficiary.objects.filter(commune=areas.foreign).exists()
    export = client.get(reverse("intake_export"), {"commune": areas.foreign.code})
    assert export.status_code == 403
    if may:
        own = client.get(reverse("intake_export"), {"commune": areas.home.code})
        assert own.status_code == 200
