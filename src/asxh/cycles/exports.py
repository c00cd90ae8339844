"""The provider's list as CSV and Excel, streamed row by row (docs/danh-sach-chi-tra.md).

Both writers count what they write; the caller compares the count and sum with the list's
header and refuses the file when they differ.
"""

import csv
from collections.abc import Iterable
from typing import BinaryIO, TextIO

import xlsxwriter

from asxh.core.formatting import date_vn, month_vn
from asxh.cycles.rows import ListHeader, PaymentRow

COLUMNS = [
    ("STT", 6),
    ("Mã tham chiếu", 20),
    ("Mã xã", 8),
    ("Xã/phường", 22),
    ("Thôn/ấp", 18),
    ("Họ và tên người hưởng", 26),
    ("Năm sinh", 8),
    ("Người nhận", 26),
    ("Quan hệ", 12),
    ("Điện thoại", 12),
    ("Hình thức", 10),
    ("Chi tại nhà", 8),
    ("Mã BIN", 8),
    ("Ngân hàng", 14),
    ("Số tài khoản", 18),
    ("Số tiền (đồng)", 14),
    ("Nội dung", 40),
]
PAYEE_KINDS = {"self": "Bản thân", "guardian": "Giám hộ", "authorised": "Ủy quyền",
               "caregiver": "Hộ chăm sóc"}  # fmt: skip
METHODS = {"account": "Tài khoản", "cash": "Tiền mặt"}
FORMULA_START = ("=", "+", "-", "@")


def _cells(n: int, row: PaymentRow) -> list[str | int]:
    return [
        n, row.reference, row.commune_code, row.commune_name, row.village, row.full_name,
        row.birth_year or "", row.payee_name, PAYEE_KINDS.get(row.payee_kind, row.payee_kind),
        row.payee_phone, METHODS.get(row.method, row.method), "x" if row.cash_at_home else "",
        row.bank_bin, row.bank_name, row.account_number, row.amount, row.details,
    ]  # fmt: skip


def _safe(value: str | int) -> str | int:
    """A text cell that a spreadsheet would take for a formula is written with a leading
    apostrophe (CSV has no cell types)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_write(header: ListHeader, rows: Iterable[PaymentRow], out: TextIO) -> tuple[int, int]:
    """UTF-8 CSV with the column titles on the first line; returns (rows, total)."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([title for title, _ in COLUMNS])
    count = total = 0
    for count, row in enumerate(rows, start=1):
        writer.writerow([_safe(cell) for cell in _cells(count, row)])
        total += row.amount
    return count, total


def xlsx_write(header: ListHeader, rows: Iterable[PaymentRow], out: BinaryIO) -> tuple[int, int]:
    """The list in Excel: title, one row per person, total row, signature block. Written in
    constant-memory mode; every text cell is a string (never a formula)."""
    book = xlsxwriter.Workbook(
        out,
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
         "strings_to_urls": False, "in_memory": False},
    )  # fmt: skip
    # A fixed creation time, so that exporting the same list again gives the same bytes.
    book.set_properties({"created": header.created_at.replace(tzinfo=None)})
    sheet = book.add_worksheet("Danh sách")
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 13, "align": "center"})
    head = book.add_format(
        {"bold": True, "border": 1, "text_wrap": True, "align": "center", "valign": "vcenter"}
    )
    money = book.add_format({"num_format": "#,##0"})
    money_bold = book.add_format({"num_format": "#,##0", "bold": True})
    for col, (_, width) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 0, header.payer_name.upper(), bold)
    sheet.write_string(0, 9, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    sheet.write_string(1, 9, "Độc lập - Tự do - Hạnh phúc", bold)
    sheet.merge_range(3, 0, 3, len(COLUMNS) - 1,
                      f"DANH SÁCH CHI TRẢ TRỢ CẤP THÁNG {month_vn(header.month)}", title)  # fmt: skip
    sheet.merge_range(4, 0, 4, len(COLUMNS) - 1,
                      f"{header.area_name} — Tổ chức chi trả: {header.provider_name}", title)  # fmt: skip
    for col, (name, _) in enumerate(COLUMNS):
        sheet.write_string(6, col, name, head)
    line = 7
    count = total = 0
    for count, row in enumerate(rows, start=1):
        for col, cell in enumerate(_cells(count, row)):
            if isinstance(cell, int) and col == 15:
                sheet.write_number(line, col, cell, money)
            elif isinstance(cell, int):
                sheet.write_number(line, col, cell)
            else:
                sheet.write_string(line, col, cell)
        total += row.amount
        line += 1
    sheet.write_string(line, 5, f"TỔNG CỘNG: {count} người", bold)
    sheet.write_number(line, 15, total, money_bold)
    sheet.write_string(line + 2, 12, f"Ngày {date_vn(header.created_at.date())}")
    for col, role in ((1, "NGƯỜI LẬP BIỂU"), (7, "KẾ TOÁN"), (13, "THỦ TRƯỞNG ĐƠN VỊ")):
        sheet.write_string(line + 3, col, role, bold)
        sheet.write_string(line + 4, col, "(Ký, ghi rõ họ tên)")
    book.close()
    return count, total
