"""Files for the provider: every file adds up to the list; a file given out is kept and handed
out again as it is, never replaced."""

import csv
import datetime as dt
import hashlib
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from asxh.audit.models import AuditEvent
from asxh.cycles import selectors
from asxh.cycles.models import ExportFile, PaymentLine
from asxh.cycles.services import cycle_approve, cycle_build, cycle_export
from asxh.cycles.tests.conftest import MONTH
from conftest import make_user

pytestmark = pytest.mark.django_db


def _build(setting, month=MONTH):  # type: ignore[no-untyped-def]
    return cycle_build(
        actor=setting.preparer, month=month, province_code=setting.areas.province.code
    ).cycle


@pytest.fixture
def locked(setting):  # type: ignore[no-untyped-def]
    return cycle_approve(actor=setting.approver, cycle_id=_build(setting).pk)


def _export(setting, cycle, fmt, path, commune=""):  # type: ignore[no-untyped-def]
    return cycle_export(actor=setting.preparer, cycle_id=cycle.pk, provider_code="buudien-ag",
                        fmt=fmt, path=path, commune_code=commune)  # fmt: skip


def _sheet_rows(path):  # type: ignore[no-untyped-def]
    """The Excel list's rows as openpyxl (read-only) and python-calamine read them."""
    book = load_workbook(path, read_only=True)
    cells = [list(row) for row in book.active.iter_rows()]
    book.close()
    read = [[cell.value for cell in row] for row in cells]
    calamine = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return cells, read, calamine


def test_csv_and_excel_add_up_to_the_list(setting, locked, tmp_path, people):
    from asxh.beneficiaries.models import Beneficiary

    # A name a spreadsheet would take for a formula is text in both files.
    Beneficiary.objects.filter(pk=people["neighbour"]).update(full_name="=1+1 Trần Văn Bình")
    _export(setting, locked, "csv", tmp_path / "ds.csv")
    with (tmp_path / "ds.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert sum(int(r["Số tiền (đồng)"]) for r in rows) == locked.total == 2_000_000
    assert {r["Họ và tên người hưởng"] for r in rows} == {"Nguyễn Thị Hoà", "'=1+1 Trần Văn Bình"}
    assert {r["Số tài khoản"] for r in rows} == {"7100205123456"}  # kept as text
    _export(setting, locked, "xlsx", tmp_path / "ds.xlsx")
    cells, read, calamine = _sheet_rows(tmp_path / "ds.xlsx")
    assert read[5][0] == "Tổng cộng: 2 người, 2.000.000 đồng" == calamine[5][0]
    assert read[6][15] == "Số tiền (đồng)" and read[-1][0] == "TỔNG CỘNG"
    data, by_calamine = read[7:-1], calamine[7:-1]
    assert [row[0] for row in data] == [1, 2] == [row[0] for row in by_calamine]
    assert sum(row[15] for row in data) == sum(row[15] for row in by_calamine) == locked.total
    assert read[-1][15] == f"=SUM(P8:P{len(read) - 1})"  # recalculated when the file opens
    assert all(isinstance(row[14], str) for row in data + by_calamine)  # account numbers: text
    name = next(row[5] for row in cells[7:-1] if str(row[5].value).startswith("="))
    assert name.data_type == "s" and "=1+1 Trần Văn Bình" in [row[5] for row in by_calamine]
    with zipfile.ZipFile(tmp_path / "ds.xlsx") as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        workbook = book.read("xl/workbook.xml").decode()
    assert 'orientation="landscape"' in sheet and "Trang &amp;P/&amp;N" in sheet
    assert 'fullCalcOnLoad="1"' in workbook and "Print_Titles" in workbook


def test_an_empty_list_in_excel_still_has_its_column_titles(tmp_path):
    from asxh.cycles.exports import COLUMNS, xlsx_write
    from asxh.cycles.tests.test_cashlist import HEADER

    with (tmp_path / "empty.xlsx").open("wb") as out:
        assert xlsx_write(HEADER, iter([]), out) == (0, 0)
    _, read, _ = _sheet_rows(tmp_path / "empty.xlsx")
    assert read[6] == [title for title, _ in COLUMNS] and read[-1][0] == "TỔNG CỘNG"


def test_one_row_per_person_in_commune_and_name_order_with_lines_in_order(
    setting, policy_user
):  # fmt: skip
    from asxh.cycles.selectors import header_for, payment_rows
    from asxh.entitlement.rates import Rate, Unit
    from asxh.entitlement.services import rates_add
    from asxh.providers.models import Provider

    november = cycle_approve(actor=setting.approver, cycle_id=_build(setting).pk)
    raise_ = Rate("btxh.base", Decimal(540_000), Unit.VND, MONTH, None, "", "NĐ thử")
    rates_add(actor=policy_user, rates=[raise_], reason="NĐ thử")
    december = _build(setting, dt.date(2026, 12, 1))
    provider = Provider.objects.get(code="buudien-ag")
    rows = list(payment_rows(december, provider))
    lines = PaymentLine.objects.filter(cycle=december, held_reason="").order_by("pk")
    assert november.pk != december.pk and lines.count() == 4  # a month and arrears each
    for row in rows:
        mine = lines.filter(beneficiary_id=row.beneficiary_id)
        assert row.amount == sum(mine.values_list("amount", flat=True)) == 1_160_000
        assert row.details == "; ".join(dict.fromkeys(mine.values_list("title", flat=True)))
        assert "Truy lĩnh" in row.details and row.reference.startswith(f"ASXH{december.pk:06d}")
        assert row.birth_year in (1950, 1955) and row.cash_at_home is False
    assert [r.commune_code for r in rows] == sorted(r.commune_code for r in rows)
    header = header_for(december, provider, created_at=december.created_at)
    assert (header.rows, header.total) == (len(rows), sum(r.amount for r in rows))


def test_asking_again_hands_out_the_stored_file_and_is_recorded(setting, locked, tmp_path):
    first = _export(setting, locked, "xlsx", tmp_path / "a.xlsx")
    assert first.stored_name == f"exports/{locked.pk}/ky-{locked.pk}-buudien-ag.xlsx"
    with pytest.MonkeyPatch.context() as patch:  # asking again reads no payment line
        patch.setattr("asxh.cycles.selectors.payment_rows", _never)
        second = _export(setting, locked, "xlsx", tmp_path / "b.xlsx")
    digest = hashlib.sha256((tmp_path / "b.xlsx").read_bytes()).hexdigest()
    assert first.pk == second.pk and first.sha256 == digest
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    assert first.stored_path.read_bytes() == (tmp_path / "a.xlsx").read_bytes()
    events = AuditEvent.objects.filter(action="cycle.export").order_by("pk")
    assert [e.after["again"] for e in events] == [False, True]  # type: ignore[index]


def test_the_first_request_makes_the_providers_files_in_one_pass(setting, locked, tmp_path):
    reads = []
    real = selectors.payment_rows

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(kwargs)
        return real(*args, **kwargs)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("asxh.cycles.selectors.payment_rows", counted)
        csv_file = _export(setting, locked, "csv", tmp_path / "a.csv")
        xlsx_file = _export(setting, locked, "xlsx", tmp_path / "a.xlsx")
        transfer = _export(setting, locked, "pain001", tmp_path / "a.xml")
    assert len(reads) == 1  # the list was read once, for the three files
    assert (csv_file.rows, csv_file.total) == (xlsx_file.rows, xlsx_file.total) == (2, 2_000_000)
    accounts = PaymentLine.objects.filter(cycle=locked, method="account", held_reason="")
    assert transfer.total == sum(accounts.values_list("amount", flat=True)) > 0
    assert {csv_file.created_at} == {xlsx_file.created_at, transfer.created_at}


def _never(*args, **kwargs):  # type: ignore[no-untyped-def]
    raise AssertionError("the list is read again")


def test_two_first_requests_at_once_give_out_one_file(setting, locked, tmp_path):
    first = _export(setting, locked, "csv", tmp_path / "a.csv")
    with pytest.MonkeyPatch.context() as patch:  # as if both had found no earlier export
        patch.setattr("asxh.cycles.services._Export.find", lambda self: None)
        second = _export(setting, locked, "csv", tmp_path / "b.csv")
    assert first.pk == second.pk and ExportFile.objects.filter(format="csv").count() == 1
    assert (tmp_path / "b.csv").read_bytes() == first.stored_path.read_bytes()
    kept = {e.stored_path.name for e in ExportFile.objects.all()}
    assert {p.name for p in first.stored_path.parent.iterdir()} == kept  # no scratch file left


@pytest.mark.parametrize("damage", ["changed", "missing"])
def test_a_changed_or_missing_stored_file_is_refused_and_nothing_is_written(
    setting, locked, tmp_path, damage
):
    export = _export(setting, locked, "csv", tmp_path / "a.csv")
    stored = export.stored_path
    if damage == "changed":
        stored.write_bytes(stored.read_bytes().replace(b"1000000", b"1900000"))
    else:
        stored.unlink()
    kept = stored.read_bytes() if stored.exists() else None
    with pytest.raises(ValidationError, match=r"đã bị thay đổi|Không còn tệp"):
        _export(setting, locked, "csv", tmp_path / "b.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.csv", "data"]  # no b.csv, no .tmp
    assert (stored.read_bytes() if stored.exists() else None) == kept  # not written again
    assert ExportFile.objects.get(format="csv").sha256 == export.sha256
    assert AuditEvent.objects.filter(action="cycle.export").count() == 1


def test_a_draft_is_not_exported(setting, tmp_path):
    with pytest.raises(ValidationError, match="chưa được duyệt"):
        _export(setting, _build(setting), "csv", tmp_path / "a.csv")


def test_the_cycle_page_shows_the_calendar_and_hands_out_files(setting, locked):
    client = Client()
    client.force_login(setting.preparer)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.utils.timezone.localdate", lambda: dt.date(2026, 11, 6))
        page = client.get(f"/ky-chi/{locked.pk}/")
    body = page.content.decode()
    assert page.status_code == 200 and "2.000.000 đ" in body
    assert "quá hạn" in body  # day 4 passed with no file sent yet
    files = [client.get(f"/ky-chi/{locked.pk}/tep/buudien-ag/csv/") for _ in range(2)]
    given = [b"".join(f.streaming_content) for f in files]  # type: ignore[attr-defined]
    assert [f.status_code for f in files] == [200, 200] and given[0] == given[1]
    assert "Nguyễn Thị Hoà" in given[0].decode("utf-8-sig")
    stored = ExportFile.objects.get(format="csv").stored_path
    stored.write_bytes(given[0] + b"x")  # changed on disk: refused, back to the page
    refused = client.get(f"/ky-chi/{locked.pk}/tep/buudien-ag/csv/", follow=True)
    assert refused.redirect_chain and "đã bị thay đổi" in refused.content.decode()
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


def test_the_transfer_queues_one_message_per_person_paid_into_an_account(setting, locked):
    from asxh.cycles.selectors import payment_rows
    from asxh.cycles.services import cycle_transfer_confirm
    from asxh.notifications.models import SmsMessage

    transfer = cycle_transfer_confirm(actor=setting.preparer, cycle_id=locked.pk,
                                      provider_code="buudien-ag")  # fmt: skip
    references = {
        row.reference for row in payment_rows(locked, transfer.provider, method="account")
    }
    assert transfer.messages == len(references) == 2
    assert set(SmsMessage.objects.values_list("reference", flat=True)) == references


def test_a_providers_own_users_act_for_it_and_no_other(setting, locked, users, tmp_path):
    from asxh.access.roles import Role
    from asxh.cycles.services import cycle_transfer_confirm
    from asxh.providers.services import provider_add, provider_staff_add

    own = users[Role.PROVIDER]
    other = make_user(Role.PROVIDER, province=setting.areas.province, username="nganhang-x")
    provider_add(actor=setting.preparer, code="nganhang-x", name="Ngân hàng X", kind="bank")
    provider_staff_add(actor=setting.preparer, provider_code="buudien-ag", username=own.username)
    provider_staff_add(actor=setting.preparer, provider_code="nganhang-x", username=other.username)
    for action in (
        lambda u: cycle_export(actor=u, cycle_id=locked.pk, provider_code="buudien-ag",
                               fmt="csv", path=tmp_path / f"{u.username}.csv"),
        lambda u: cycle_transfer_confirm(actor=u, cycle_id=locked.pk, provider_code="buudien-ag"),
    ):  # fmt: skip
        with pytest.raises(PermissionDenied, match="không thuộc tổ chức chi trả"):
            action(other)
        action(own)
    with pytest.raises(ValidationError, match="không phải tài khoản có vai trò"):
        provider_staff_add(actor=setting.preparer, provider_code="buudien-ag",
                           username=setting.officer.username)  # fmt: skip
    assert AuditEvent.objects.filter(action="provider.staff_add").count() == 2


def test_an_excel_file_that_cannot_be_written_stops_the_export(setting, locked, tmp_path):
    from django.utils import timezone

    from asxh.cycles import exports
    from asxh.providers.models import Provider

    provider = Provider.objects.get(code="buudien-ag")
    header = selectors.header_for(locked, provider, created_at=timezone.now())
    paths = {"xlsx": tmp_path / "missing-folder" / "ds.xlsx", "csv": tmp_path / "ds.csv"}
    with pytest.raises((ValueError, OSError)):  # the Excel process could not open its file
        exports.provider_files(selectors.payment_rows(locked, provider), header, header, paths, "X")
