"""Files for the provider: every file adds up to the list, and is never silently replaced."""

import csv
import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from openpyxl import load_workbook

from asxh.audit.models import AuditEvent
from asxh.cycles.models import ExportFile
from asxh.cycles.services import cycle_approve, cycle_build, cycle_export
from asxh.cycles.tests.conftest import MONTH

pytestmark = pytest.mark.django_db


@pytest.fixture
def locked(setting):  # type: ignore[no-untyped-def]
    cycle = cycle_build(
        actor=setting.preparer, month=MONTH, province_code=setting.areas.province.code
    ).cycle
    return cycle_approve(actor=setting.approver, cycle_id=cycle.pk)


def _export(setting, cycle, fmt, path, commune=""):  # type: ignore[no-untyped-def]
    return cycle_export(actor=setting.preparer, cycle_id=cycle.pk, provider_code="buudien-ag",
                        fmt=fmt, path=path, commune_code=commune)  # fmt: skip


def test_csv_and_excel_add_up_to_the_list(setting, locked, tmp_path):
    _export(setting, locked, "csv", tmp_path / "ds.csv")
    with (tmp_path / "ds.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sum(int(r["Số tiền (đồng)"]) for r in rows) == locked.total == 2_000_000
    assert {r["Họ và tên người hưởng"] for r in rows} == {"Nguyễn Thị Hoà", "Trần Văn Bình"}
    assert {r["Số tài khoản"] for r in rows} == {"7100205123456"}  # kept as text
    _export(setting, locked, "xlsx", tmp_path / "ds.xlsx")
    sheet = load_workbook(tmp_path / "ds.xlsx", read_only=True).active
    values = [
        row for row in sheet.iter_rows(min_row=8, values_only=True) if isinstance(row[0], int)
    ]
    assert sum(row[15] for row in values) == locked.total and len(values) == 2
    assert all(isinstance(row[14], str) for row in values)  # account numbers stay text


def test_exporting_again_gives_the_same_bytes_and_is_recorded(setting, locked, tmp_path):
    first = _export(setting, locked, "xlsx", tmp_path / "a.xlsx")
    second = _export(setting, locked, "xlsx", tmp_path / "b.xlsx")
    digest = hashlib.sha256((tmp_path / "b.xlsx").read_bytes()).hexdigest()
    assert first.pk == second.pk and first.sha256 == digest
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert AuditEvent.objects.filter(action="cycle.export").count() == 2


def test_a_changed_file_is_refused_rather_than_replaced(setting, locked, tmp_path):
    export = _export(setting, locked, "csv", tmp_path / "a.csv")
    ExportFile.objects.filter(pk=export.pk).update(sha256="0" * 64)  # as if sent with other bytes
    with pytest.raises(ValidationError, match="khác tệp đã gửi"):
        _export(setting, locked, "csv", tmp_path / "b.csv")
    assert not (tmp_path / "b.csv").exists()


def test_a_draft_is_not_exported(setting, tmp_path):
    draft = cycle_build(
        actor=setting.preparer, month=MONTH, province_code=setting.areas.province.code
    ).cycle
    with pytest.raises(ValidationError, match="chưa được duyệt"):
        _export(setting, draft, "csv", tmp_path / "a.csv")


def test_the_cycle_page_shows_the_calendar_and_hands_out_files(setting, locked):
    client = Client()
    client.force_login(setting.preparer)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda: dt.date(2026, 11, 6))
        page = client.get(f"/ky-chi/{locked.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "2.000.000 đ" in body
    assert "quá hạn" in body  # day 4 passed with no file sent yet
    response = client.get(f"/ky-chi/{locked.pk}/tep/buudien-ag/csv/")
    assert response.status_code == 200
    assert "Nguyễn Thị Hoà" in b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    advance = client.get(f"/ky-chi/{locked.pk}/tam-ung/").content.decode()
    # 2 people × 5.000 đ fee on 2.000.000 đ.
    assert "10.000 đ" in advance and "2.010.000 đ" in advance


def test_the_transfer_file_and_the_cash_list_add_up_to_their_lines(
    setting, locked, tmp_path, people
):
    from lxml import etree

    from asxh.beneficiaries.models import PaymentMethodRegistration

    _export(setting, locked, "pain001", tmp_path / "ds.xml")
    ns = {"p": "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09"}
    tree = etree.parse(str(tmp_path / "ds.xml"))
    amounts = [int(a) for a in tree.xpath("//p:CdtTrfTxInf/p:Amt/p:InstdAmt/text()", namespaces=ns)]
    assert (
        sum(amounts)
        == int(tree.xpath("string(//p:GrpHdr/p:CtrlSum)", namespaces=ns))
        == locked.total
    )
    assert set(tree.xpath("//p:CdtrAcct/p:Id/p:Othr/p:Id/text()", namespaces=ns)) == {
        "7100205123456"
    }
    # Cash payees appear on their commune's printable list, and only there.
    PaymentMethodRegistration.objects.filter(beneficiary_id=people["home"]).update(method="cash")
    december = cycle_build(actor=setting.preparer, month=dt.date(2026, 12, 1),
                           province_code=setting.areas.province.code).cycle  # fmt: skip
    december = cycle_approve(actor=setting.approver, cycle_id=december.pk)
    export = _export(setting, december, "pdf", tmp_path / "ds.pdf", setting.areas.home.code)
    assert (export.rows, export.total) == (1, 1_000_000)
    assert (tmp_path / "ds.pdf").read_bytes().startswith(b"%PDF")
