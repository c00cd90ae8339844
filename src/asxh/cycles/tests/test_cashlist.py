"""The printable cash list: words for amounts, the table, the PDF itself. No database."""

import dataclasses
import datetime as dt
import io
import re
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from reportlab.platypus import KeepTogether, Paragraph, Table

from asxh.cycles import cashlist
from asxh.cycles.cashlist import (
    HEADER_ROWS,
    amount_in_words,
    cash_list_pdf,
    cash_list_story,
    cash_list_table,
    cash_row_cells,
    number_in_words,
)
from asxh.cycles.rows import ListHeader, PaymentRow

HEADER = ListHeader(
    cycle_id=7,
    month=dt.date(2026, 11, 1),
    area_code="91",
    area_name="Tỉnh An Giang",
    provider_code="buudien-ag",
    provider_name="Bưu điện tỉnh An Giang",
    payer_name="Sở Y tế tỉnh An Giang",
    payer_account="9527123456789",
    payer_bank_bin="970405",
    execution_date=dt.date(2026, 11, 8),
    created_at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC),
    rows=0,
    total=0,
)
NAMES = ("Nguyễn Thị Hoà", "Đặng Văn Ất", "Lê Thị Ửng", "Trần Ngọc Bích Phượng Hoàng Thị Kim Oanh")


def make_row(i: int, **changes: Any) -> PaymentRow:
    row = PaymentRow(
        reference=f"ASXH-7-{i}",
        beneficiary_id=i,
        full_name=NAMES[i % len(NAMES)],
        birth_year=1940 + i % 60,
        payee_name=NAMES[i % len(NAMES)],
        payee_kind="self",
        payee_phone="",
        commune_code="30010",
        commune_name="Xã Mỹ Hòa Hưng",
        village=f"Ấp Mỹ Phú {i % 4 + 1}",
        method="cash",
        cash_at_home=i % 7 == 0,
        bank_bin="",
        bank_name="",
        account_number="",
        amount=500_000 + 250_000 * (i % 4),
        details="TC tháng 11/2026",
    )
    return dataclasses.replace(row, **changes)


def texts(item: Any) -> list[str]:
    """Every text in a story, table cells included, in reading order."""
    if isinstance(item, Paragraph):
        return [item.getPlainText()]
    if isinstance(item, str):
        return [item] if item else []
    if isinstance(item, Table):
        return [t for line in item._cellvalues for cell in line for t in texts(cell)]
    if isinstance(item, KeepTogether):
        return texts(item._content)
    if isinstance(item, list | tuple):
        return [t for part in item for t in texts(part)]
    return []


@pytest.mark.parametrize(
    ("n", "words"),
    [
        (0, "không"),
        (1, "một"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (20, "hai mươi"),
        (21, "hai mươi mốt"),
        (25, "hai mươi lăm"),
        (55, "năm mươi lăm"),
        (101, "một trăm linh một"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (115, "một trăm mười lăm"),
        (121, "một trăm hai mươi mốt"),
        (1_000, "một nghìn"),
        (1_005, "một nghìn không trăm linh năm"),
        (1_050, "một nghìn không trăm năm mươi"),
        (15_000, "mười lăm nghìn"),
        (100_000, "một trăm nghìn"),
        (1_500_000, "một triệu năm trăm nghìn"),
        (1_000_005, "một triệu không trăm linh năm"),
        (1_001_000, "một triệu không trăm linh một nghìn"),
        (10_000_000, "mười triệu"),
        (1_234_567, "một triệu hai trăm ba mươi bốn nghìn năm trăm sáu mươi bảy"),
        (1_000_000_000, "một tỷ"),
        (1_005_000_000, "một tỷ không trăm linh năm triệu"),
        (2_500_000_021, "hai tỷ năm trăm triệu không trăm hai mươi mốt"),
        (1_000_000_000_000, "một nghìn tỷ"),
    ],
)
def test_number_in_words(n: int, words: str) -> None:
    assert number_in_words(n) == words


def test_amount_in_words_is_a_sentence() -> None:
    assert amount_in_words(1_500_000) == "Một triệu năm trăm nghìn đồng"
    assert amount_in_words(0) == "Không đồng"


def test_row_cells() -> None:
    own = make_row(1, full_name="Đặng Văn Ất", cash_at_home=True, amount=1_234_567)
    assert cash_row_cells(3, own) == (
        "3", "Đặng Văn Ất", "1941", "Ấp Mỹ Phú 2", "", "TC tháng 11/2026", "1.234.567", "x", "",
    )  # fmt: skip
    guarded = make_row(2, payee_kind="guardian", payee_name="Lê Văn Giám", birth_year=None)
    cells = cash_row_cells(4, guarded)
    assert cells[2] == "" and cells[4] == "Lê Văn Giám (giám hộ)" and cells[7] == ""


def test_table_keeps_order_skips_transfers_and_adds_up() -> None:
    rows = [make_row(i) for i in range(10)]
    rows[3] = make_row(3, method="account", amount=9_999_999)
    table, count, at_home, total = cash_list_table(iter(rows))  # one pass over an iterator
    cash = [r for r in rows if r.method == "cash"]
    assert count == 9 and total == sum(r.amount for r in cash)
    assert at_home == sum(r.cash_at_home for r in cash) == 2  # rows 0 and 7
    assert table.repeatRows == HEADER_ROWS  # the column titles on every page
    lines = table._cellvalues
    assert texts(lines[0])[0] == "STT" and "Ký nhận hoặc điểm chỉ" in texts(lines[0])
    body = lines[HEADER_ROWS:-1]
    assert [line[0] for line in body] == [str(n) for n in range(1, 10)]
    assert [texts(line[1])[0] for line in body] == [r.full_name for r in cash]
    assert texts(lines[-1]) == ["Tổng cộng: 9 người", "7.000.000", "2"]


def test_story_says_what_an_official_list_says() -> None:
    rows = [make_row(i, full_name="Bùi Thị <Yến> & con") for i in range(3)]
    story, count, total = cash_list_story(
        HEADER, "Xã Mỹ Hòa Hưng", rows, {"head": "Ngô Văn Trưởng"}
    )
    said = texts(story)
    assert (count, total) == (3, 2_250_000)
    for text in (
        "SỞ Y TẾ TỈNH AN GIANG",
        "Số: ........../DS",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "An Giang, ngày ..... tháng ..... năm ........",
        "DANH SÁCH CHI TRẢ TRỢ CẤP BẰNG TIỀN MẶT",
        "Tháng 11/2026 — Xã Mỹ Hòa Hưng, Tỉnh An Giang",
        "Tổ chức dịch vụ chi trả: Bưu điện tỉnh An Giang",
        "Bùi Thị <Yến> & con",  # markup characters are text, not tags
        "Tổng cộng: 3 người, số tiền 2.250.000 đồng (trong đó chi tại nhà: 1 người).",
        "Bằng chữ: Hai triệu hai trăm năm mươi nghìn đồng.",
        "Người lập biểu",
        "Kế toán",
        "Thủ trưởng đơn vị",
        "(Ký, ghi rõ họ tên, đóng dấu)",
        "Ngô Văn Trưởng",
    ):
        assert text in said
    assert isinstance(story[-1], KeepTogether)  # signatures never split from their titles


def test_unknown_signer_is_refused() -> None:
    with pytest.raises(ValueError, match="ke_toan"):
        cash_list_story(HEADER, "Xã Mỹ Hòa Hưng", [], {"ke_toan": "X"})


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", pdf))


def test_pdf_of_120_people(tmp_path: Path) -> None:
    rows = [make_row(i) for i in range(120)]
    out = io.BytesIO()
    count, total = cash_list_pdf(HEADER, "Xã Mỹ Hòa Hưng", iter(rows), out,
                                 signers={"preparer": "Trần Thị Lập"})  # fmt: skip
    pdf = out.getvalue()
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert (count, total) == (120, sum(r.amount for r in rows))
    assert pdf_pages(pdf) > 1
    assert b"DejaVuSans" in pdf  # the Vietnamese letters come from the embedded DejaVu
    again = io.BytesIO()
    cash_list_pdf(HEADER, "Xã Mỹ Hòa Hưng", rows, again, signers={"preparer": "Trần Thị Lập"})
    assert again.getvalue() == pdf  # the same list, the same bytes

    pdftotext = shutil.which("pdftotext")
    if not pdftotext:  # poppler-utils is not on every machine: the checks above must do
        return
    path = tmp_path / "cash-list.pdf"
    path.write_bytes(pdf)
    # Our own file, read by a fixed program found on PATH.
    run = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, check=True)  # noqa: S603
    text = run.stdout.decode()
    pages = unicodedata.normalize("NFC", text).split("\f")[:-1]
    assert len(pages) == pdf_pages(pdf)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in pages[0]
    assert "Đặng Văn Ất" in pages[0] and "Lê Thị Ửng" in pages[0]
    for number, page in enumerate(pages, start=1):
        assert f"Trang {number}/{len(pages)}" in page
        assert "Họ và tên người hưởng" in page  # the header row repeats
    assert "Danh sách chi trả tiền mặt tháng 11/2026" in pages[1]
    assert "Bằng chữ: Một trăm linh năm triệu đồng." in pages[-1] and "Trần Thị Lập" in pages[-1]


def test_missing_font_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(cashlist, "FONT_DIRS", (tmp_path,))
    with pytest.raises(cashlist.FontMissing, match="fonts-dejavu-core") as error:
        cash_list_pdf(HEADER, "Xã Mỹ Hòa Hưng", [make_row(1)], io.BytesIO())
    assert "Không tìm thấy phông chữ DejaVu" in str(error.value)
