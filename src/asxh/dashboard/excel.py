"""The monthly report to the upper level as an Excel file in a fixed layout.

The national header and the signature block are the reports' own (`reports.excel`); then,
always in this order: I. people paid by group, II. payments by channel and what became of
them, III. the other indicators (non-cash shares, held lines, refused transfers, the state
of each province's list and settlement), IV. the same per commune when there are several.
Totals are SUM formulas carrying their computed value, so a reader that does not recalculate
sees the page's figures.
"""

import datetime as dt
import io
from collections.abc import Sequence

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from asxh.dashboard.logic import CHANNELS, Payments, payments_sum
from asxh.dashboard.selectors import MonthReport
from asxh.entitlement.months import month_label
from asxh.reports.coverage_logic import Coverage
from asxh.reports.excel import Formats, date_words, heading, place_name, signatures

TITLE = "BÁO CÁO KẾT QUẢ CHI TRẢ CHẾ ĐỘ CHÍNH SÁCH THÁNG {month}"
SHEET = "Báo cáo tháng"
LAST_COL = 9  # A = STT, B = the row's name, C…J = figures
FIRST_SECTION_ROW = 8  # after the heading's seven rows and a blank one

SECTION_GROUPS = "I. ĐỐI TƯỢNG ĐƯỢC CHI TRẢ THEO NHÓM"
SECTION_CHANNELS = "II. KẾT QUẢ CHI TRẢ THEO HÌNH THỨC"
SECTION_OTHER = "III. CÁC CHỈ TIÊU KHÁC"
SECTION_COMMUNES = "IV. CHI TIẾT THEO XÃ/PHƯỜNG"


def month_xlsx(report: MonthReport, *, on: dt.date, agency: str = "", preparer: str = "") -> bytes:
    """The report as .xlsx bytes; `agency` goes under "ỦY BAN NHÂN DÂN" (by default the
    area), `preparer` under "Người lập biểu"."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    title = TITLE.format(month=month_label(report.month))
    book.set_properties(
        {"title": title, "comments": "asxh — số liệu tổng hợp, không có dữ liệu cá nhân"}
    )
    f = Formats(book)
    section = book.add_format({"font_name": "Times New Roman", "font_size": 11, "bold": True})
    sheet = book.add_worksheet(SHEET)
    heading(sheet, f, last=LAST_COL, agency=agency or report.area_name,
            place_date=f"{place_name(report.area_name)}, {date_words(on)}", title=title,
            subtitle=f"Địa bàn: {report.area_name} — số liệu đến ngày {on:%d/%m/%Y}",
            unit="Đơn vị tính: người, đồng")  # fmt: skip
    row = FIRST_SECTION_ROW
    sections = [(SECTION_GROUPS, _groups), (SECTION_CHANNELS, _channels), (SECTION_OTHER, _other)]
    for name, write in sections:
        sheet.write(row, 0, name, section)
        row = write(sheet, f, report, row + 1) + 1
    if len(report.communes) > 1:
        sheet.write(row, 0, SECTION_COMMUNES, section)
        row = _communes(sheet, f, report, row + 1) + 1
    signatures(sheet, f, row + 1, LAST_COL, preparer)
    sheet.set_column(0, 0, 5)
    sheet.set_column(1, 1, 42)
    sheet.set_column(2, LAST_COL, 15)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    book.close()
    return buffer.getvalue()


def _header(sheet: Worksheet, f: Formats, row: int, name: str,
            groups: Sequence[tuple[str, Sequence[str]]]) -> int:  # fmt: skip
    """Two header rows: STT, the name column, then each group's title over its columns."""
    sheet.merge_range(row, 0, row + 1, 0, "STT", f.header)
    sheet.merge_range(row, 1, row + 1, 1, name, f.header)
    col = 2
    for title, subtitles in groups:
        if len(subtitles) == 1:
            sheet.merge_range(row, col, row + 1, col, title, f.header)
        else:
            sheet.merge_range(row, col, row, col + len(subtitles) - 1, title, f.header)
            for i, sub in enumerate(subtitles):
                sheet.write(row + 1, col + i, sub, f.header)
        col += len(subtitles)
    sheet.set_row(row + 1, 32)
    return row + 2


def _coverage_cells(sheet: Worksheet, f: Formats, row: int, c: Coverage, total: bool) -> None:
    count, pct = (f.total_count, f.total_share) if total else (f.count, f.share)
    sheet.write_number(row, 2, c.people, count)
    sheet.write_number(row, 3, c.people_non_cash, count)
    _share(sheet, row, 4, c.people_share, pct)
    sheet.write_number(row, 5, c.amount, count)
    sheet.write_number(row, 6, c.amount_non_cash, count)
    _share(sheet, row, 7, c.amount_share, pct)


def _share(sheet: Worksheet, row: int, col: int, value: float | None, fmt: object) -> None:
    """A number, or an empty cell where there is no share (nobody to count)."""
    if value is None:
        sheet.write_blank(row, col, None, fmt)
    else:
        sheet.write_number(row, col, value, fmt)


def _groups(sheet: Worksheet, f: Formats, report: MonthReport, row: int) -> int:
    """People paid per programme, and everyone once; returns the next free row."""
    sub = ("Tổng số", "Không dùng tiền mặt", "Tỷ lệ")
    row = _header(sheet, f, row, "Nhóm đối tượng",
                  [("Số người được chi trả", sub), ("Số tiền chi trả", sub)])  # fmt: skip
    for i, group in enumerate(report.groups):
        sheet.write_number(row, 0, i + 1, f.stt)
        sheet.write_string(row, 1, group.name, f.text)
        _coverage_cells(sheet, f, row, group.figures, total=False)
        row += 1
    sheet.merge_range(row, 0, row, 1, "Tổng cộng (mỗi người tính một lần)", f.total_text)
    _coverage_cells(sheet, f, row, report.coverage, total=True)
    return row + 1


CHANNEL_COLUMNS = [
    ("Danh sách đã gửi", ("people", "amount")),
    ("Đã chi trả", ("paid_people", "paid_amount")),
    ("Không chi được (hoàn trả, chuyển kỳ sau)", ("unpaid_people", "unpaid_amount")),
    ("Chưa có kết quả", ("pending_people", "pending_amount")),
]


def _figures(sheet: Worksheet, row: int, p: Payments, keys: Sequence[str], fmt: object) -> None:
    for i, key in enumerate(keys):
        sheet.write_number(row, 2 + i, getattr(p, key), fmt)


def _sums(sheet: Worksheet, row: int, first: int, p: Payments, keys: Sequence[str],
          fmt: object) -> None:  # fmt: skip
    """The total row: a SUM of the rows above per column, with its value."""
    for i, key in enumerate(keys):
        top, bottom = xl_rowcol_to_cell(first, 2 + i), xl_rowcol_to_cell(row - 1, 2 + i)
        sheet.write_formula(row, 2 + i, f"=SUM({top}:{bottom})", fmt, getattr(p, key))


def _channels(sheet: Worksheet, f: Formats, report: MonthReport, row: int) -> int:
    """Per channel: sent, paid, not paid, no result yet; the total row as SUM formulas."""
    row = _header(sheet, f, row, "Hình thức chi trả",
                  [(title, ("Số người", "Số tiền")) for title, _ in CHANNEL_COLUMNS])  # fmt: skip
    keys = [key for _, pair in CHANNEL_COLUMNS for key in pair]
    first = row
    for i, (code, label) in enumerate(CHANNELS):
        sheet.write_number(row, 0, i + 1, f.stt)
        sheet.write_string(row, 1, label, f.text)
        _figures(sheet, row, report.channels[code], keys, f.count)
        row += 1
    sheet.merge_range(row, 0, row, 1, "Tổng cộng", f.total_text)
    _sums(sheet, row, first, report.total, keys, f.total_count)
    return row + 1


def _other(sheet: Worksheet, f: Formats, report: MonthReport, row: int) -> int:
    """The shares, held lines, refused transfers and the state of each province's list."""
    total = report.total
    rows: list[tuple[str, list[tuple[float | None, object]]]] = [
        ("Tỷ lệ số người nhận không dùng tiền mặt", [(report.coverage.people_share, f.share)]),
        ("Tỷ lệ số tiền chi không dùng tiền mặt", [(report.coverage.amount_share, f.share)]),
        ("Khoản tạm giữ, chuyển kỳ sau (số khoản; số tiền)",
         [(total.held_lines, f.count), (total.held_amount, f.count)]),
        ("Chuyển khoản bị ngân hàng từ chối trong tháng (người)",
         [(total.refused_people, f.count)]),
        ("Chuyển khoản bị từ chối chờ xã xử lý (việc, hiện tại)",
         [(report.refused_open, f.count)]),
    ]  # fmt: skip
    for n, (label, values) in enumerate(rows, start=1):
        _label(sheet, f, row, n, label)
        for col, (value, fmt) in enumerate(values, start=2):
            _share(sheet, row, col, value, fmt)
        row += 1
    _label(sheet, f, row, len(rows) + 1, "Tình trạng danh sách và quyết toán")
    words = " ".join(state.words for state in report.lists) or "Không có địa bàn."
    sheet.merge_range(row, 2, row, LAST_COL, words, f.text)
    return row + 1


def _label(sheet: Worksheet, f: Formats, row: int, n: int, label: str) -> None:
    sheet.write_number(row, 0, n, f.stt)
    sheet.write_string(row, 1, label, f.text)


COMMUNE_COLUMNS: list[tuple[str, Sequence[str]]] = [
    ("Số người được chi trả", ("Số người",)),
    ("Số tiền đã gửi", ("Số tiền",)),
    ("Số tiền đã chi trả", ("Chuyển khoản", "Tiền mặt", "Tại nhà, ủy quyền")),
    ("Tạm giữ (khoản)", ("Tạm giữ",)),
    ("Bị từ chối (người)", ("Bị từ chối",)),
    ("Chưa có kết quả (người)", ("Chưa có kết quả",)),
]


def commune_values(channels: dict[str, Payments]) -> list[int]:
    """A row of section IV, in COMMUNE_COLUMNS' order."""
    total = payments_sum(channels.values())
    paid = [channels[code].paid_amount for code, _ in CHANNELS]
    return [total.people, total.amount, *paid, total.held_lines, total.refused_people,
            total.pending_people]  # fmt: skip


def _communes(sheet: Worksheet, f: Formats, report: MonthReport, row: int) -> int:
    row = _header(sheet, f, row, "Xã/phường", COMMUNE_COLUMNS)
    first = row
    for i, commune in enumerate(report.communes):
        sheet.write_number(row, 0, i + 1, f.stt)
        sheet.write_string(row, 1, commune.place.name, f.text)
        for col, value in enumerate(commune_values(commune.channels), start=2):
            sheet.write_number(row, col, value, f.count)
        row += 1
    sheet.merge_range(row, 0, row, 1, "Tổng cộng", f.total_text)
    for col, value in enumerate(commune_values(report.channels), start=2):
        top, bottom = xl_rowcol_to_cell(first, col), xl_rowcol_to_cell(row - 1, col)
        sheet.write_formula(row, col, f"=SUM({top}:{bottom})", f.total_count, value)
    return row + 1
