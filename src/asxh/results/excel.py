"""The settlement statement (quyết toán) as Excel, in a fixed layout."""

import io

import xlsxwriter

from asxh.core.formatting import month_vn
from asxh.cycles.models import Cycle
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


def settlement_xlsx(cycle: Cycle, books: list[Books]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Quyết toán")
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 13, "align": "center"})
    head = book.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center"})
    money = book.add_format({"num_format": "#,##0", "border": 1})
    money_bold = book.add_format({"num_format": "#,##0", "border": 1, "bold": True})
    cell = book.add_format({"border": 1})
    last = len(COLUMNS) - 1
    sheet.write_string(0, 0, cycle.province.name.upper(), bold)
    sheet.write_string(0, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    sheet.write_string(1, 6, "Độc lập - Tự do - Hạnh phúc", bold)
    sheet.merge_range(3, 0, 3, last, "BẢNG QUYẾT TOÁN KINH PHÍ CHI TRẢ", title)
    sheet.merge_range(
        4, 0, 4, last, f"Tháng {month_vn(cycle.month)} — {cycle.province.name}", title
    )
    for col, (text, width, _) in enumerate(COLUMNS):
        sheet.set_column(col, col, width)
        sheet.write_string(6, col, text, head)
    row = 7
    for found in books:
        for col, (_, _, name) in enumerate(COLUMNS):
            value = getattr(found, name)
            if isinstance(value, str):
                sheet.write_string(row, col, value, cell)
            else:
                sheet.write_number(row, col, value, money)
        row += 1
    sheet.write_string(row, 0, "TỔNG CỘNG", bold)
    for col, (_, _, name) in enumerate(COLUMNS[1:], start=1):
        sheet.write_number(row, col, sum(getattr(b, name) for b in books), money_bold)
    sheet.write_string(row + 2, 0, "Đã tạm ứng = đã chi + hoàn trả + chuyển kỳ sau + chưa có "
                       "kết quả + cần kiểm tra.")  # fmt: skip
    for col, role in ((0, "NGƯỜI LẬP"), (4, "KẾ TOÁN TRƯỞNG"), (8, "THỦ TRƯỞNG ĐƠN VỊ")):
        sheet.write_string(row + 4, col, role, bold)
        sheet.write_string(row + 5, col, "(Ký, ghi rõ họ tên)")
    book.close()
    return out.getvalue()
