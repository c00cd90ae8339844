"""The pain.001.001.09 writer against the official ISO 20022 schema (no database)."""

import dataclasses
import datetime as dt
import hashlib
import io
import tracemalloc
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pytest
from lxml import etree

from asxh.cycles.pain001 import NAMESPACE, pain001_write
from asxh.cycles.rows import ListHeader, PaymentRow

XSD = Path(__file__).resolve().parent.parent / "xsd" / "pain.001.001.09.xsd"
NS = {"p": NAMESPACE}


@pytest.fixture(scope="module")
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


ROW = {
    "beneficiary_id": 1,
    "full_name": "Nguyễn Thị Hoà",
    "birth_year": 1950,
    "payee_name": "Nguyễn Thị Hoà",
    "payee_kind": "self",
    "payee_phone": "0912345678",
    "commune_code": "30280",
    "commune_name": "Xã Mỹ Hòa Hưng",
    "village": "Ấp 1",
    "method": "account",
    "cash_at_home": False,
    "bank_bin": "970436",
    "bank_name": "Vietcombank",
    "account_number": "0071000123456",
    "amount": 1_500_000,
    "details": "TC tháng 11/2026; Truy lĩnh tháng 7–9/2026",
}


def make_row(n: int = 1, **changes: object) -> PaymentRow:
    return PaymentRow(**{**ROW, "reference": f"ASXH000042{n:010d}", **changes})  # type: ignore[arg-type]


def make_header(listed: list[PaymentRow], **changes: object) -> ListHeader:
    header = ListHeader(
        cycle_id=42,
        month=dt.date(2026, 11, 1),
        area_code="89",
        area_name="Tỉnh An Giang",
        provider_code="vcb-ag",
        provider_name="Vietcombank An Giang",
        payer_name="Sở Y tế tỉnh An Giang",
        payer_account="3713.0.1234567",
        payer_bank_bin="970415",
        execution_date=dt.date(2026, 11, 8),
        created_at=dt.datetime(2026, 11, 2, 9, 30, 15, 123456, tzinfo=dt.UTC),
        rows=len(listed),
        total=sum(r.amount for r in listed),
    )
    return dataclasses.replace(header, **changes)  # type: ignore[arg-type]


def write(header: ListHeader, rows: list[PaymentRow]) -> tuple[bytes, str]:
    out = io.BytesIO()
    digest = pain001_write(header, iter(rows), out, message_id="ASXH-42-vcb-ag-pain001")
    return out.getvalue(), digest


def texts(doc: etree._Element, path: str) -> list[str]:
    return [e.text for e in doc.xpath(path, namespaces=NS)]


def test_a_small_list_validates_and_carries_every_row(schema: etree.XMLSchema) -> None:
    decomposed = unicodedata.normalize("NFD", "Đặng Văn Ất")
    rows = [
        make_row(1, payee_name="Nguyễn Thị Hoà", amount=1_500_000),
        make_row(2, payee_name=decomposed, amount=750_000, bank_bin="970418", details=""),
        make_row(3, payee_name="Trần Thị Thuỷ", amount=2_250_000, account_number="9704181234"),
    ]
    data, digest = write(make_header(rows), rows)

    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    assert digest == hashlib.sha256(data).hexdigest()
    doc = etree.fromstring(data)
    schema.assertValid(doc)
    amounts = [int(a) for a in texts(doc, "//p:CdtTrfTxInf/p:Amt/p:InstdAmt")]
    assert amounts == [1_500_000, 750_000, 2_250_000]
    assert texts(doc, "//p:GrpHdr/p:CtrlSum") == texts(doc, "//p:PmtInf/p:CtrlSum") == ["4500000"]
    assert texts(doc, "//p:GrpHdr/p:NbOfTxs") == texts(doc, "//p:PmtInf/p:NbOfTxs") == ["3"]
    assert texts(doc, "//p:GrpHdr/p:CreDtTm") == ["2026-11-02T09:30:15+00:00"]
    assert doc.xpath("//p:InstdAmt/@Ccy", namespaces=NS) == ["VND"] * 3
    assert texts(doc, "//p:EndToEndId") == texts(doc, "//p:InstrId") == [r.reference for r in rows]
    assert texts(doc, "//p:CdtrAgt//p:MmbId") == ["970436", "970418", "970436"]
    assert texts(doc, "//p:CdtrAgt//p:ClrSysId/p:Prtry") == ["NAPAS"] * 3
    assert texts(doc, "//p:DbtrAgt//p:MmbId") == ["970415"]
    names = texts(doc, "//p:Cdtr/p:Nm")
    assert names == ["Nguyễn Thị Hoà", "Đặng Văn Ất", "Trần Thị Thuỷ"]
    assert all(unicodedata.is_normalized("NFC", n) for n in names)
    assert "Đặng Văn Ất".encode() in data  # UTF-8 as is, not character references
    assert texts(doc, "//p:CdtrAcct/p:Id/p:Othr/p:Id") == [r.account_number for r in rows]
    assert len(texts(doc, "//p:Ustrd")) == 2  # the row without details has no RmtInf


def test_the_same_list_gives_the_same_bytes() -> None:
    rows = [make_row(1), make_row(2)]
    assert write(make_header(rows), rows) == write(make_header(rows), rows)


def test_xml_special_characters_are_escaped(schema: etree.XMLSchema) -> None:
    tricky = 'Lê Văn "Tí" & <Tèo> > Hải'
    rows = [make_row(1, payee_name=tricky, details="Truy lĩnh <3 tháng> & phụ cấp")]
    data, _ = write(make_header(rows, payer_name="Sở LĐ-TB&XH <An Giang>"), rows)
    assert b"&amp;" in data and b"&lt;T" in data
    doc = etree.fromstring(data)
    schema.assertValid(doc)
    assert texts(doc, "//p:Cdtr/p:Nm") == [tricky]
    assert texts(doc, "//p:Dbtr/p:Nm") == ["Sở LĐ-TB&XH <An Giang>"]
    assert texts(doc, "//p:Ustrd") == ["Truy lĩnh <3 tháng> & phụ cấp"]


def test_long_details_are_cut_at_a_word(schema: etree.XMLSchema) -> None:
    details = "; ".join(f"Truy lĩnh tháng {m}/2026" for m in range(1, 13))
    rows = [make_row(1, details=details)]
    data, _ = write(make_header(rows), rows)
    doc = etree.fromstring(data)
    schema.assertValid(doc)
    (ustrd,) = texts(doc, "//p:Ustrd")
    assert len(ustrd) <= 140 and ustrd.endswith("…")
    assert details.startswith(ustrd[:-1]) and details[len(ustrd) - 1] in " ;"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rows": 3}, "không khớp"),
        ({"total": 2_999_999}, "không khớp"),
        ({"total": 3_000_001}, "không khớp"),
    ],
)
def test_a_header_that_disagrees_with_the_rows_is_refused(changes: dict, message: str) -> None:
    rows = [make_row(1), make_row(2)]
    out = io.BytesIO()
    with pytest.raises(ValueError, match=message):
        pain001_write(make_header(rows, **changes), rows, out, message_id="M1")
    with pytest.raises(etree.XMLSyntaxError):  # left unclosed: it cannot pass for a whole file
        etree.fromstring(out.getvalue())


def test_more_rows_than_the_header_stops_at_once() -> None:
    rows = [make_row(1), make_row(2)]
    header = make_header(rows[:1])

    def endless() -> Iterator[PaymentRow]:
        yield from rows
        raise AssertionError("read past the header's count")

    with pytest.raises(ValueError, match="không khớp"):
        pain001_write(header, endless(), io.BytesIO(), message_id="M1")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"method": "cash", "bank_bin": "", "account_number": ""}, "tiền mặt"),
        ({"reference": "R" * 36}, "tối đa 35"),
        ({"payee_name": "Nguyễn " * 21}, "tối đa 140"),
        ({"payee_name": " "}, "để trống"),
        ({"bank_bin": "97043"}, "6 chữ số"),
        ({"account_number": ""}, "để trống"),
        ({"account_number": "1" * 35}, "tối đa 34"),
        ({"amount": 0}, "số đồng dương"),
        ({"payee_name": "Nguyễn\x07Hoà"}, "ký tự điều khiển"),
    ],
)
def test_a_row_that_cannot_be_sent_is_refused(changes: dict, message: str) -> None:
    rows = [make_row(1, **changes)]
    with pytest.raises(ValueError, match=message):
        write(make_header(rows, total=1), rows)


def test_bad_message_id_or_empty_list_is_refused() -> None:
    rows = [make_row(1)]
    with pytest.raises(ValueError, match="tối đa 35"):
        pain001_write(make_header(rows), rows, io.BytesIO(), message_id="M" * 36)
    with pytest.raises(ValueError, match="không có dòng"):
        pain001_write(make_header([]), [], io.BytesIO(), message_id="M1")


def test_200k_rows_stream_in_flat_memory(tmp_path: Path) -> None:
    n = 200_000
    amount = 1_234_000
    header = make_header([], rows=n, total=n * amount)
    # Generated lazily, as the database cursor yields them: nothing holds the whole list.
    rows = (make_row(i, amount=amount, payee_name=f"Nguyễn Văn Ất {i}") for i in range(n))
    path = tmp_path / "big.xml"

    tracemalloc.start()
    try:
        with path.open("wb") as out:
            digest = pain001_write(header, rows, out, message_id="ASXH-42-big")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 50 * 1024 * 1024

    data = path.read_bytes()
    assert digest == hashlib.sha256(data).hexdigest()
    # One transaction a line, and the file closed: the small files above check the schema.
    assert data.count(b"\n<CdtTrfTxInf>") == n
    assert data.endswith(b"</PmtInf>\n</CstmrCdtTrfInitn>\n</Document>\n")
