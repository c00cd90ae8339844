"""The settlement statement (quyết toán) as Excel, in a fixed layout."""

import datetime as dt
import io

import xlsxwriter

from asxh.core.formatting import month_vn
from asxh.cycles.models import Cycle
from asxh.reports.excel import Formats, date_words, heading, place_name
from asxh.results.selectors import Books

COLUMNS = [
    ("Tổ chức dịch vụ chi trả", 34, "provider_name"),
    ("Số người trong danh sách", 12, "payments"),
    ("Đã tạm ứng (đồng)", 18, "advanced"),
    ("Đã chi qua tài khoản", 18, "paid_account"),
    ("Đã chi tại nhà / qua người đại diện", 18, "paid_home"),
    ("Đã chi tiền mặt tại điểm chi trả", 18, "paid_cash"),
    ("Hoàn trả (chưa chi qua tài khoản)", 18, "returned"),
    ("Chuyển kỳ sau (tiền mặt chưa chi)", 18, "carried"),
    ("Chưa có kết quả", 16, "pending"),
    ("Cần kiểm tra", 16, "review"),
    ("Chi phí chi trả", 16, "fee"),
]


SIGNERS = (("Người lập biểu", "(Ký, ghi rõ họ tên)"), ("Kế toán trưởng", "(Ký, ghi rõ họ tên)"),
           ("Thủ trưởng đơn vị", "(Ký, ghi rõ họ tên, đóng dấu)"))  # fmt: skip
TABLE_TOP = 7  # under the administrative heading (reports.excel.heading)


def settlement_xlsx(cycle: Cycle, books: list[Books], today: dt.date) -> bytes:
    """The statement in the layout of the other administrative reports: heading, one row
    per provider, the total, the identity it checks and three signatures."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Quyết toán")
    f = Formats(book)
    last = len(COLUMNS) - 1
    heading(sheet, f, last=last, agency=cycle.province.name,
            place_date=f"{place_name(cycle.province.name)}, {date_words(today)}",
            title="BẢNG QUYẾT TOÁN KINH PHÍ CHI TRẢ",
            subtitle=f"Tháng {month_vn(cycle.month)} — {cycle.province.name}", unit="Đơn vị: đồng")  # fmt: skip
    for col, (text, width, _) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
        sheet.write_string(TABLE_TOP, col, text, f.header)
    row = TABLE_TOP + 1
    for found in books:
        for col, (_, _, name) in enumerate(COLUMNS):
            value = getattr(found, name)
            if isinstance(value, str):
                sheet.write_string(row, col, value, f.text)
            else:
                sheet.write_number(row, col, value, f.count)
        row += 1
    sheet.write_string(row, 0, "TỔNG CỘNG", f.total_text)
    for col, (_, _, name) in enumerate(COLUMNS[1:], start=1):
        sheet.write_number(row, col, sum(getattr(b, name) for b in books), f.total_count)
    sheet.write_string(row + 2, 0, "Đã tạm ứng = đã chi + hoàn trả + chuyển kỳ sau + chưa có "
                       "kết quả + cần kiểm tra.", f.note)  # fmt: skip
    for col, (title, hint) in zip((0, 4, 8), SIGNERS, strict=True):
        sheet.write_string(row + 4, col, title, f.sign)
        sheet.write_string(row + 5, col, hint, f.sign_note)
    book.close()
    return out.getvalue()
