"""The budget estimate (dự toán) as an Excel file in a fixed layout.

One sheet per province: the national header and the title (`reports.excel.heading`), columns
STT, xã/phường, nhóm đối tượng, số đối tượng, trợ cấp hằng tháng (12 tháng), hỗ trợ mai táng,
chi phí chi trả, tổng cộng; per commune a subtotal row over its group rows, then the province
total, the assumptions in a few lines, and the three signatures of a budget (người lập, kế toán
trưởng, thủ trưởng đơn vị). Sums are formulas carrying their computed values, so a reader that
does not recalculate sees the page's figures.
"""

import datetime as dt
import io

import xlsxwriter
from django.utils import timezone
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from asxh.core.formatting import number_vn
from asxh.reports.budget import BudgetReport, CommuneBudget, Figures, ProvinceBudget, window_text
from asxh.reports.excel import Formats, date_words, heading, place_name

TITLE = "DỰ TOÁN KINH PHÍ THỰC HIỆN CHÍNH SÁCH TRỢ GIÚP XÃ HỘI, ƯU ĐÃI NGƯỜI CÓ CÔNG NĂM {year}"
HEADS = (
    "STT",
    "Xã/phường",
    "Nhóm đối tượng",
    "Số đối tượng (người)",
    "Trợ cấp hằng tháng (12 tháng)",
    "Hỗ trợ mai táng",
    "Chi phí chi trả",
    "Tổng cộng",
)
SIGNATURES = (
    ("NGƯỜI LẬP", "(Ký, ghi rõ họ tên)"),
    ("KẾ TOÁN TRƯỞNG", "(Ký, ghi rõ họ tên)"),
    ("THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên, đóng dấu)"),
)
TOTAL = "TỔNG CỘNG"

# The fixed layout (0-based rows and columns): tests and readers of the file rely on these.
HEADER_ROW = 7
NUMBERS_ROW = 8
FIRST_DATA_ROW = 9
PEOPLE, MONTHLY, FUNERAL, FEES, SUM = range(3, 8)
LAST_COL = SUM
AMOUNT_COLS = (MONTHLY, FUNERAL, FEES)


def budget_xlsx(
    report: BudgetReport, *, on: dt.date, agency: str = "", preparer: str = ""
) -> bytes:
    """The report as .xlsx bytes, dated `on`. `agency` is the body under "ỦY BAN NHÂN DÂN"
    (by default the commune when the sheet holds one, else the province); `preparer` is
    printed under "NGƯỜI LẬP"."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties(
        {"title": TITLE.format(year=report.year), "comments": "asxh — số liệu tổng hợp"}
    )
    f = Formats(book)
    for block in report.provinces:
        sheet = book.add_worksheet(_sheet_name(block))
        unit = agency or (block.communes[0].name if len(block.communes) == 1 else block.name)
        _sheet(sheet, f, report.year, block, on=on, agency=unit, preparer=preparer)
    if not report.provinces:
        book.add_worksheet("Dự toán").write(0, 0, "Không có xã/phường nào trong phạm vi.")
    book.close()
    return buffer.getvalue()


def _sheet_name(block: ProvinceBudget) -> str:
    # Excel allows 31 characters and no []:*?/\ in a sheet name.
    return "".join(ch for ch in f"{block.code} {block.name}" if ch not in "[]:*?/\\")[:31]


def _sheet(
    sheet: Worksheet,
    f: Formats,
    year: int,
    block: ProvinceBudget,
    *,
    on: dt.date,
    agency: str,
    preparer: str,
) -> None:
    estimate = block.estimate
    subtitle = (
        f"{block.name} — số đối tượng đang hưởng đến ngày {estimate.as_of:%d/%m/%Y}"
        if estimate
        else block.name
    )
    heading(
        sheet,
        f,
        last=LAST_COL,
        agency=agency,
        place_date=f"{place_name(block.name)}, {date_words(on)}",
        title=TITLE.format(year=year),
        subtitle=subtitle,
        unit="Đơn vị tính: người, đồng",
    )
    _header(sheet, f)
    if estimate is None:
        sheet.merge_range(
            FIRST_DATA_ROW,
            0,
            FIRST_DATA_ROW,
            LAST_COL,
            f"Chưa tính dự toán năm {year} cho {block.name}.",
            f.text,
        )
        return
    r = FIRST_DATA_ROW
    subtotals = []
    for n, commune in enumerate(block.communes, start=1):
        subtotals.append(r)
        r = _commune(sheet, f, r, n, commune)
    sheet.merge_range(r, 0, r, 2, TOTAL, f.total_text)
    _sums(sheet, f, r, subtotals, block.total)
    r = _notes(sheet, f, r + 1, block)
    _signatures(sheet, f, r + 1, preparer)


def _header(sheet: Worksheet, f: Formats) -> None:
    for c, title in enumerate(HEADS):
        sheet.write(HEADER_ROW, c, title, f.header)
    sheet.set_row(HEADER_ROW, 45)
    for c in range(LAST_COL + 1):
        sheet.write(NUMBERS_ROW, c, f"({c + 1})", f.number)
    sheet.write(NUMBERS_ROW, SUM, "(8)=(5)+(6)+(7)", f.number)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 24)
    sheet.set_column(2, 2, 48)
    sheet.set_column(PEOPLE, PEOPLE, 11)
    sheet.set_column(MONTHLY, SUM, 18)
    sheet.freeze_panes(FIRST_DATA_ROW, 3)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_ROW, NUMBERS_ROW)


def _commune(sheet: Worksheet, f: Formats, r: int, n: int, commune: CommuneBudget) -> int:
    """The commune's subtotal row (SUM of its group rows below), then a row per group; the
    row after them."""
    head = r
    for k, row in enumerate(commune.rows, start=1):
        r += 1
        sheet.write_string(r, 0, f"{n}.{k}", f.stt)
        sheet.write_blank(r, 1, None, f.text)
        sheet.write_string(r, 2, row.name, f.text)
        _values(sheet, f, r, row.figures)
    sheet.write_number(head, 0, n, f.total_text)
    sheet.write_string(head, 1, commune.name, f.total_text)
    sheet.write_string(head, 2, "Cộng", f.total_text)
    _sums(sheet, f, head, list(range(head + 1, r + 1)), commune.subtotal)
    return r + 1


def _values(sheet: Worksheet, f: Formats, r: int, figures: Figures) -> None:
    sheet.write_number(r, PEOPLE, figures.people, f.count)
    for c, value in zip(AMOUNT_COLS, (figures.monthly, figures.funeral, figures.fees), strict=True):
        sheet.write_number(r, c, value, f.count)
    _row_total(sheet, r, figures.total, f.count)


def _row_total(sheet: Worksheet, r: int, value: int, fmt: object) -> None:
    cells = "+".join(xl_rowcol_to_cell(r, c) for c in AMOUNT_COLS)
    sheet.write_formula(r, SUM, f"={cells}", fmt, value)


def _sums(sheet: Worksheet, f: Formats, r: int, rows: list[int], figures: Figures) -> None:
    """=SUM of the given rows in the people and amount columns; the row's own total."""
    values = {
        PEOPLE: figures.people,
        MONTHLY: figures.monthly,
        FUNERAL: figures.funeral,
        FEES: figures.fees,
    }
    for c, value in values.items():
        if rows:
            sheet.write_formula(r, c, _sum_formula(rows, c), f.total_count, value)
        else:
            sheet.write_number(r, c, value, f.total_count)
    _row_total(sheet, r, figures.total, f.total_count)


# Excel takes at most 255 arguments in a function.
SUM_ARGUMENTS = 255


def _sum_formula(rows: list[int], c: int) -> str:
    """=SUM(D11:D21) over consecutive rows; else =SUM(D10,D22,…), nested beyond 255 cells (a
    province's communes)."""
    if rows == list(range(rows[0], rows[-1] + 1)):
        first, last = xl_rowcol_to_cell(rows[0], c), xl_rowcol_to_cell(rows[-1], c)
        return f"=SUM({first}:{last})"
    cells = [xl_rowcol_to_cell(row, c) for row in rows]
    while len(cells) > SUM_ARGUMENTS:
        cells = [
            f"SUM({','.join(cells[i : i + SUM_ARGUMENTS])})"
            for i in range(0, len(cells), SUM_ARGUMENTS)
        ]
    return f"=SUM({','.join(cells)})"


def _notes(sheet: Worksheet, f: Formats, r: int, block: ProvinceBudget) -> int:
    """The assumptions under the table, in one line each; the row after them."""
    estimate = block.estimate
    assert estimate is not None
    facts = estimate.assumptions
    fees = facts["fee_person_months"]
    notes = [
        "Số đối tượng: người đang hưởng, tính ở mỗi nhóm mà người đó được chi trong năm; "
        "trợ cấp hằng tháng tính từng tháng theo tuổi và mức có hiệu lực của tháng đó.",
        f"Hỗ trợ mai táng: tỷ lệ tử vong theo nhóm tuổi của đối tượng trợ giúp xã hội trong "
        f"{window_text(facts)} × số người-tháng hưởng × mức mai táng của tháng; dự kiến khoảng "
        f"{number_vn(round(facts['expected_deaths']))} người.",
        f"Chi phí chi trả: theo hợp đồng {number_vn(fees['contract'])} người-tháng; theo mức phí "
        f"của tỉnh {number_vn(fees['rate'])}; chưa có mức phí {number_vn(fees['none'])}.",
        f"Tính lúc {timezone.localtime(estimate.computed_at):%H:%M ngày %d/%m/%Y}, người tính: "
        f"{estimate.computed_by.full_name or estimate.computed_by.username}.",
    ]
    for note in notes:
        sheet.write(r, 0, note, f.note)
        r += 1
    return r


def _signatures(sheet: Worksheet, f: Formats, r: int, preparer: str) -> None:
    """Three signature blocks side by side: columns A–C, D–E, F–H."""
    spans = ((0, 2), (3, 5), (6, LAST_COL))
    for (first, last), (title, note) in zip(spans, SIGNATURES, strict=True):
        _span(sheet, r, first, last, title, f.sign)
        _span(sheet, r + 1, first, last, note, f.sign_note)
    if preparer:
        _span(sheet, r + 5, 0, 2, preparer, f.sign)


def _span(sheet: Worksheet, r: int, first: int, last: int, text: str, fmt: object) -> None:
    if first == last:
        sheet.write(r, first, text, fmt)
    else:
        sheet.merge_range(r, first, r, last, text, fmt)
