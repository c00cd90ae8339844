"""The daily progress report as an Excel file in the fixed form of an administrative report.

One sheet per province: the national header, the title and the date, a two-row column header
with column numbers, one row per commune, the total row (SUM formulas), shares as formulas,
and the signature block. Every formula carries its computed value, so a reader that does not
recalculate (or `openpyxl` with data_only=True) sees the same figures as the page.
"""

import datetime as dt
import io
from collections.abc import Sequence

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from asxh.reports.logic import Column, Figures, columns, header_groups
from asxh.reports.selectors import DailyReport, ProvinceBlock

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
TITLE = (
    "BÁO CÁO TIẾN ĐỘ THU THẬP, XÁC THỰC THÔNG TIN TÀI KHOẢN "
    "CHI TRẢ AN SINH XÃ HỘI KHÔNG DÙNG TIỀN MẶT"
)
PREPARER = "Người lập biểu"
HEAD = "Thủ trưởng đơn vị"

# The fixed layout (0-based rows): tests and readers of the file rely on these.
HEADER_TOP = 7  # group titles
HEADER_SUB = 8  # column titles
NUMBERS_ROW = 9  # (1), (2), …
FIRST_DATA_ROW = 10
FIRST_VALUE_COL = 2  # A = STT, B = Xã/phường


class Formats:
    """The cell formats of an administrative report (Times New Roman, bordered table)."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        base = {"font_name": "Times New Roman", "font_size": 11}
        cell = {**base, "border": 1, "valign": "vcenter"}

        def add(**props: object) -> object:
            return book.add_format({**base, **props})

        self.agency = add(align="center")
        self.agency_bold = add(align="center", bold=True)
        self.nation = add(align="center", bold=True)
        self.motto = add(align="center", bold=True, underline=1)
        self.place_date = add(align="center", italic=True)
        self.title = add(align="center", bold=True, font_size=13, text_wrap=True)
        self.subtitle = add(align="center", italic=True)
        self.header = book.add_format(
            {**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#EEF1F5"}
        )
        self.number = book.add_format({**cell, "align": "center", "italic": True})
        self.text = book.add_format(cell)
        self.stt = book.add_format({**cell, "align": "center"})
        self.count = book.add_format({**cell, "num_format": "#,##0"})
        self.share = book.add_format({**cell, "num_format": "0.0%"})
        self.total_text = book.add_format({**cell, "bold": True})
        self.total_count = book.add_format({**cell, "bold": True, "num_format": "#,##0"})
        self.total_share = book.add_format({**cell, "bold": True, "num_format": "0.0%"})
        self.sign = add(align="center", bold=True)
        self.sign_note = add(align="center", italic=True)
        self.note = add(italic=True)


def report_xlsx(report: DailyReport, *, agency: str = "", preparer: str = "") -> bytes:
    """The report as .xlsx bytes.

    `agency` is the reporting body under "ỦY BAN NHÂN DÂN"; by default the commune when the
    sheet holds one, else the province. `preparer` is printed under "Người lập biểu".
    """
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties(
        {"title": TITLE, "comments": "asxh — số liệu tổng hợp, không có dữ liệu cá nhân"}
    )
    formats = Formats(book)
    cols = columns(report.programmes)
    for block in report.provinces:
        sheet = book.add_worksheet(_sheet_name(block))
        unit = agency or (block.rows[0].name if len(block.rows) == 1 else block.name)
        _sheet(sheet, formats, report, block, cols, agency=unit)
        last = FIRST_VALUE_COL + len(cols) - 1
        signatures(sheet, formats, FIRST_DATA_ROW + len(block.rows) + 2, last, preparer)
    if not report.provinces:
        book.add_worksheet("Tiến độ").write(0, 0, "Không có xã/phường nào trong phạm vi.")
    book.close()
    return buffer.getvalue()


def _sheet_name(block: ProvinceBlock) -> str:
    # Excel allows 31 characters and no []:*?/\ in a sheet name.
    name = f"{block.code} {block.name}"
    return "".join(ch for ch in name if ch not in "[]:*?/\\")[:31]


def _sheet(
    sheet: Worksheet,
    f: Formats,
    report: DailyReport,
    block: ProvinceBlock,
    cols: Sequence[Column],
    *,
    agency: str,
) -> None:
    last = FIRST_VALUE_COL + len(cols) - 1
    on = report.on
    heading(
        sheet,
        f,
        last=last,
        agency=agency,
        place_date=f"{place_name(block.name)}, {date_words(on)}",
        title=TITLE,
        subtitle=f"Số liệu {report.as_of()} — {block.name}",
        unit="Đơn vị tính: người",
    )
    _header(sheet, f, cols)
    rows = block.rows
    for i, row in enumerate(rows):
        r = FIRST_DATA_ROW + i
        sheet.write_number(r, 0, i + 1, f.stt)
        sheet.write_string(r, 1, row.name, f.text)
        _values(sheet, r, cols, row.figures, f.count, f.share)
    total_row = FIRST_DATA_ROW + len(rows)
    sheet.merge_range(total_row, 0, total_row, 1, "TỔNG CỘNG", f.total_text)
    _totals(sheet, total_row, cols, block.total, f)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 26)
    sheet.set_column(FIRST_VALUE_COL, last, 12)
    sheet.freeze_panes(FIRST_DATA_ROW, FIRST_VALUE_COL)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_TOP, NUMBERS_ROW)


def heading(
    sheet: Worksheet,
    f: Formats,
    *,
    last: int,
    agency: str,
    place_date: str,
    title: str,
    subtitle: str,
    unit: str,
) -> None:
    """Rows 1–7 of an administrative report: the agency on the left, the nation, motto,
    place and date on the right, the title, the subtitle and the unit over columns 0…last."""
    split = max(3, last // 2)
    sheet.merge_range(0, 0, 0, split - 1, "ỦY BAN NHÂN DÂN", f.agency)
    sheet.merge_range(1, 0, 1, split - 1, agency.upper(), f.agency_bold)
    sheet.merge_range(0, split, 0, last, NATION, f.nation)
    sheet.merge_range(1, split, 1, last, MOTTO, f.motto)
    sheet.merge_range(2, split, 2, last, place_date, f.place_date)
    sheet.merge_range(4, 0, 4, last, title, f.title)
    sheet.set_row(4, 36)
    sheet.merge_range(5, 0, 5, last, subtitle, f.subtitle)
    sheet.write(6, last, unit, f.note)


def date_words(on: dt.date) -> str:
    """'ngày 05 tháng 01 năm 2026', as under the motto."""
    return f"ngày {on.day:02d} tháng {on.month:02d} năm {on.year}"


def place_name(name: str) -> str:
    """'Tỉnh An Giang' → 'An Giang', as written before the date."""
    for prefix in ("Tỉnh ", "Thành phố ", "Xã ", "Phường ", "Đặc khu "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _header(sheet: Worksheet, f: Formats, cols: Sequence[Column]) -> None:
    sheet.merge_range(HEADER_TOP, 0, HEADER_SUB, 0, "STT", f.header)
    sheet.merge_range(HEADER_TOP, 1, HEADER_SUB, 1, "Xã/phường", f.header)
    for title, first, width, grouped in header_groups(cols):
        c = FIRST_VALUE_COL + first
        if not grouped:
            sheet.merge_range(HEADER_TOP, c, HEADER_SUB, c, title, f.header)
        elif width == 1:
            sheet.write(HEADER_TOP, c, title, f.header)
        else:
            sheet.merge_range(HEADER_TOP, c, HEADER_TOP, c + width - 1, title, f.header)
    for i, col in enumerate(cols):
        if col.group:
            sheet.write(HEADER_SUB, FIRST_VALUE_COL + i, col.title, f.header)
    sheet.set_row(HEADER_SUB, 60)
    for c in range(FIRST_VALUE_COL + len(cols)):
        sheet.write(NUMBERS_ROW, c, f"({c + 1})", f.number)


def _share_formula(row: int, cols: Sequence[Column], col: Column) -> str:
    """=IF(den=0,"",num/den) over the count columns of the same row."""
    num = _cell_of(row, cols, col.key)
    den = _cell_of(row, cols, col.of)
    return f'=IF({den}=0,"",{num}/{den})'


def _cell_of(row: int, cols: Sequence[Column], key: str) -> str:
    index = next(i for i, c in enumerate(cols) if c.key == key and not c.is_share)
    return xl_rowcol_to_cell(row, FIRST_VALUE_COL + index)


def _values(
    sheet: Worksheet, r: int, cols: Sequence[Column], figures: Figures, count: object, pct: object
) -> None:
    for i, col in enumerate(cols):
        c = FIRST_VALUE_COL + i
        value = col.cell(figures)
        if col.is_share:
            sheet.write_formula(
                r, c, _share_formula(r, cols, col), pct, "" if value is None else value
            )
        else:
            sheet.write_number(r, c, value or 0, count)


def _totals(sheet: Worksheet, r: int, cols: Sequence[Column], total: Figures, f: Formats) -> None:
    for i, col in enumerate(cols):
        c = FIRST_VALUE_COL + i
        value = col.cell(total)
        if col.is_share:
            formula = _share_formula(r, cols, col)
            sheet.write_formula(r, c, formula, f.total_share, "" if value is None else value)
        elif r == FIRST_DATA_ROW:  # no commune: a zero, not an empty SUM range
            sheet.write_number(r, c, 0, f.total_count)
        else:
            letter = xl_col_to_name(c)
            formula = f"=SUM({letter}{FIRST_DATA_ROW + 1}:{letter}{r})"
            sheet.write_formula(r, c, formula, f.total_count, value)


def signatures(sheet: Worksheet, f: Formats, row: int, last: int, preparer: str) -> None:
    """The preparer's and the head's signature blocks from `row`, over columns 0…last."""
    split = max(3, last // 2)
    sheet.merge_range(row, 0, row, split - 1, PREPARER, f.sign)
    sheet.merge_range(row + 1, 0, row + 1, split - 1, "(Ký, ghi rõ họ tên)", f.sign_note)
    sheet.merge_range(row, split, row, last, HEAD, f.sign)
    sheet.merge_range(row + 1, split, row + 1, last, "(Ký, ghi rõ họ tên, đóng dấu)", f.sign_note)
    if preparer:
        sheet.merge_range(row + 5, 0, row + 5, split - 1, preparer, f.sign)
