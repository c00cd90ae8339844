"""The non-cash coverage report as an Excel file in the fixed form of an administrative report.

Three sheets: by programme and benefit for the month shown, the communes ranked (lowest share
first), and the trend of the shares month by month. The header, title and signature blocks
are those of the daily report (`reports.excel`). Sums and shares are formulas carrying their
computed values, so a reader that does not recalculate sees the page's figures.
"""

import datetime as dt
import io
from collections.abc import Sequence
from dataclasses import dataclass

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from asxh.entitlement.months import month_label
from asxh.reports.coverage_logic import Coverage, Ranked
from asxh.reports.excel import Formats, date_words, heading, place_name, signatures
from asxh.reports.selectors import CoverageReport, MonthCoverage

TITLE = "BÁO CÁO TỶ LỆ CHI TRẢ AN SINH XÃ HỘI KHÔNG DÙNG TIỀN MẶT"
GROUP_SHEET = "Theo nhóm"
COMMUNE_SHEET = "Theo xã"
TREND_SHEET = "Xu hướng"
TOTAL = "TỔNG CỘNG"

# The fixed layout (0-based rows and columns): tests and readers of the file rely on these.
HEADER_TOP = 7
HEADER_SUB = 8
NUMBERS_ROW = 9
FIRST_DATA_ROW = 10
# The trend sheet: title rows, then its own two header rows and a row a month.
TREND_HEADER_TOP = 3
TREND_HEADER_SUB = 4
TREND_FIRST_ROW = 5
# Columns C…H of the first two sheets: people, of whom without cash, share; amount, idem.
PEOPLE, PEOPLE_NON_CASH, PEOPLE_SHARE, AMOUNT, AMOUNT_NON_CASH, AMOUNT_SHARE = range(2, 8)
LAST_COL = AMOUNT_SHARE
PEOPLE_HEAD = "Số người được chi trả"
AMOUNT_HEAD = "Số tiền chi trả (đồng)"
SUB_HEADS = ("Tổng số", "Không dùng tiền mặt", "Tỷ lệ")
ONCE_NOTE = (
    "Một người hưởng nhiều chế độ được tính một lần ở mỗi nhóm và một lần ở dòng Tổng cộng; "
    "số tiền thì cộng dồn."
)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")


def coverage_xlsx(
    report: CoverageReport, *, on: dt.date, agency: str = "", preparer: str = ""
) -> bytes:
    """The report as .xlsx bytes, dated `on`; the first two sheets show the last month with
    a list. `agency` is the reporting body (by default the area's name)."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    book.set_properties(
        {"title": TITLE, "comments": "asxh — số liệu tổng hợp, không có dữ liệu cá nhân"}
    )
    f = Formats(book)
    month = report.latest
    unit = agency or report.area_name
    if month is None:
        book.add_worksheet(GROUP_SHEET).write(
            0, 0, "Chưa có danh sách chi trả nào đã duyệt trong khoảng tháng này."
        )
    else:
        top = _Top(report, month, on, unit)
        _group_sheet(book.add_worksheet(GROUP_SHEET), f, top, month, preparer)
        _commune_sheet(book.add_worksheet(COMMUNE_SHEET), f, top, month, preparer)
    _trend_sheet(book.add_worksheet(TREND_SHEET), f, report)
    book.close()
    return buffer.getvalue()


@dataclass(frozen=True)
class _Top:
    report: CoverageReport
    month: MonthCoverage
    on: dt.date
    agency: str

    def write(self, sheet: Worksheet, f: Formats) -> None:
        provinces = self.month.provinces
        place = provinces[0][1] if len(provinces) == 1 else self.report.area_name
        heading(
            sheet,
            f,
            last=LAST_COL,
            agency=self.agency,
            place_date=f"{place_name(place)}, {date_words(self.on)}",
            title=TITLE,
            subtitle=f"Tháng {month_label(self.month.month)} — {self.report.area_name}",
            unit="Đơn vị tính: người, đồng",
        )


def _header(sheet: Worksheet, f: Formats, first_title: str, second_title: str) -> None:
    sheet.merge_range(HEADER_TOP, 0, HEADER_SUB, 0, first_title, f.header)
    sheet.merge_range(HEADER_TOP, 1, HEADER_SUB, 1, second_title, f.header)
    sheet.merge_range(HEADER_TOP, PEOPLE, HEADER_TOP, PEOPLE_SHARE, PEOPLE_HEAD, f.header)
    sheet.merge_range(HEADER_TOP, AMOUNT, HEADER_TOP, AMOUNT_SHARE, AMOUNT_HEAD, f.header)
    for i, title in enumerate(SUB_HEADS * 2):
        sheet.write(HEADER_SUB, PEOPLE + i, title, f.header)
    sheet.set_row(HEADER_SUB, 32)
    for c in range(LAST_COL + 1):
        sheet.write(NUMBERS_ROW, c, f"({c + 1})", f.number)
    sheet.set_column(0, 0, 6)
    sheet.set_column(1, 1, 44)
    sheet.set_column(PEOPLE, PEOPLE_SHARE, 12)
    sheet.set_column(AMOUNT, AMOUNT_NON_CASH, 18)
    sheet.set_column(AMOUNT_SHARE, AMOUNT_SHARE, 10)
    sheet.freeze_panes(FIRST_DATA_ROW, 2)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)
    sheet.repeat_rows(HEADER_TOP, NUMBERS_ROW)


def _shares(sheet: Worksheet, r: int, figures: Coverage, share: object) -> None:
    """The two share cells of a row: =IF(total=0,"",part/total)."""
    for part, whole, col, value in (
        (PEOPLE_NON_CASH, PEOPLE, PEOPLE_SHARE, figures.people_share),
        (AMOUNT_NON_CASH, AMOUNT, AMOUNT_SHARE, figures.amount_share),
    ):
        num, den = xl_rowcol_to_cell(r, part), xl_rowcol_to_cell(r, whole)
        formula = f'=IF({den}=0,"",{num}/{den})'
        sheet.write_formula(r, col, formula, share, "" if value is None else value)


def _counts(sheet: Worksheet, r: int, figures: Coverage, count: object) -> None:
    sheet.write_number(r, PEOPLE, figures.people, count)
    sheet.write_number(r, PEOPLE_NON_CASH, figures.people_non_cash, count)
    sheet.write_number(r, AMOUNT, figures.amount, count)
    sheet.write_number(r, AMOUNT_NON_CASH, figures.amount_non_cash, count)


def _sums(sheet: Worksheet, r: int, rows: Sequence[int], cols: Sequence[int], values: Coverage,
          f: Formats) -> None:  # fmt: skip
    """=SUM of the given rows in the given columns (amounts always; people when additive)."""
    by_col = {
        PEOPLE: values.people,
        PEOPLE_NON_CASH: values.people_non_cash,
        AMOUNT: values.amount,
        AMOUNT_NON_CASH: values.amount_non_cash,
    }
    for c in cols:
        cells = ",".join(xl_rowcol_to_cell(row, c) for row in rows)
        if cells:
            sheet.write_formula(r, c, f"=SUM({cells})", f.total_count, by_col[c])
        else:
            sheet.write_number(r, c, by_col[c], f.total_count)


def _group_sheet(
    sheet: Worksheet, f: Formats, top: _Top, month: MonthCoverage, preparer: str
) -> None:
    top.write(sheet, f)
    _header(sheet, f, "STT", "Nhóm đối tượng, chế độ")
    r = FIRST_DATA_ROW
    programme_rows = []
    for n, group in enumerate(month.groups):
        head, r = r, r + 1
        for i, (_, name, figures) in enumerate(group.benefits):
            sheet.write_number(r, 0, i + 1, f.stt)
            sheet.write_string(r, 1, f"  {name}", f.text)
            _counts(sheet, r, figures, f.count)
            _shares(sheet, r, figures, f.share)
            r += 1
        sheet.write_string(head, 0, ROMAN[n] if n < len(ROMAN) else str(n + 1), f.total_text)
        sheet.write_string(head, 1, group.name, f.total_text)
        # A person with two benefits of a programme is one person of it: people are written,
        # amounts summed from the benefit rows.
        sheet.write_number(head, PEOPLE, group.figures.people, f.total_count)
        sheet.write_number(head, PEOPLE_NON_CASH, group.figures.people_non_cash, f.total_count)
        _sums(sheet, head, range(head + 1, r), (AMOUNT, AMOUNT_NON_CASH), group.figures, f)
        _shares(sheet, head, group.figures, f.total_share)
        programme_rows.append(head)
    sheet.merge_range(r, 0, r, 1, TOTAL, f.total_text)
    sheet.write_number(r, PEOPLE, month.total.people, f.total_count)
    sheet.write_number(r, PEOPLE_NON_CASH, month.total.people_non_cash, f.total_count)
    _sums(sheet, r, programme_rows, (AMOUNT, AMOUNT_NON_CASH), month.total, f)
    _shares(sheet, r, month.total, f.total_share)
    sheet.write(r + 1, 0, ONCE_NOTE, f.note)
    signatures(sheet, f, r + 3, LAST_COL, preparer)


def _commune_sheet(
    sheet: Worksheet, f: Formats, top: _Top, month: MonthCoverage, preparer: str
) -> None:
    top.write(sheet, f)
    _header(sheet, f, "Hạng", "Xã/phường (tỷ lệ số người thấp nhất ở trên)")
    rows: list[Ranked] = month.communes
    for i, row in enumerate(rows):
        r = FIRST_DATA_ROW + i
        if row.rank is None:
            sheet.write_string(r, 0, "–", f.stt)
        else:
            sheet.write_number(r, 0, row.rank, f.stt)
        sheet.write_string(r, 1, row.place.name, f.text)
        _counts(sheet, r, row.figures, f.count)
        _shares(sheet, r, row.figures, f.share)
    r = FIRST_DATA_ROW + len(rows)
    sheet.merge_range(r, 0, r, 1, TOTAL, f.total_text)
    data_rows = range(FIRST_DATA_ROW, r)
    _sums(sheet, r, data_rows, (PEOPLE, PEOPLE_NON_CASH, AMOUNT, AMOUNT_NON_CASH), month.total, f)
    _shares(sheet, r, month.total, f.total_share)
    signatures(sheet, f, r + 2, LAST_COL, preparer)


def _trend_sheet(sheet: Worksheet, f: Formats, report: CoverageReport) -> None:
    """One row a month; per group the share of people and of money paid without cash."""
    programmes = [("", "Tất cả các nhóm"), *report.programmes()]
    sheet.merge_range(0, 0, 0, 1 + 2 * len(programmes), TITLE, f.title)
    sheet.merge_range(
        1, 0, 1, 1 + 2 * len(programmes), f"Xu hướng theo tháng — {report.area_name}", f.subtitle
    )
    sheet.merge_range(TREND_HEADER_TOP, 0, TREND_HEADER_SUB, 0, "Tháng", f.header)
    sheet.merge_range(TREND_HEADER_TOP, 1, TREND_HEADER_SUB, 1, "Số danh sách đã duyệt", f.header)
    for i, (_, name) in enumerate(programmes):
        c = 2 + 2 * i
        sheet.merge_range(TREND_HEADER_TOP, c, TREND_HEADER_TOP, c + 1, name, f.header)
        sheet.write(TREND_HEADER_SUB, c, "Tỷ lệ số người", f.header)
        sheet.write(TREND_HEADER_SUB, c + 1, "Tỷ lệ số tiền", f.header)
    for n, month in enumerate(report.months):
        r = TREND_FIRST_ROW + n
        sheet.write_string(r, 0, month_label(month.month), f.stt)
        sheet.write_number(r, 1, month.lists, f.count)
        groups = {g.code: g.figures for g in month.groups}
        for i, (code, _) in enumerate(programmes):
            figures = month.total if not code else groups.get(code, Coverage())
            for k, value in enumerate((figures.people_share, figures.amount_share)):
                if value is None:
                    sheet.write_blank(r, 2 + 2 * i + k, None, f.share)
                else:
                    sheet.write_number(r, 2 + 2 * i + k, value, f.share)
    sheet.set_column(0, 1, 12)
    sheet.set_column(2, 1 + 2 * len(programmes), 13)
    sheet.set_row(TREND_HEADER_TOP, 45)
