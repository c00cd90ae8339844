"""The treasury advance request as Excel, in a fixed layout."""

import io

import xlsxwriter

from asxh.core.formatting import month_vn
from asxh.cycles.logic import Advance
from asxh.cycles.models import Cycle


def advance_xlsx(cycle: Cycle, rows: list[Advance]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"strings_to_formulas": False, "strings_to_numbers": False})
    sheet = book.add_worksheet("Đề nghị tạm ứng")
    bold = book.add_format({"bold": True})
    title = book.add_format({"bold": True, "font_size": 13, "align": "center"})
    head = book.add_format({"bold": True, "border": 1, "text_wrap": True, "align": "center"})
    money = book.add_format({"num_format": "#,##0", "border": 1})
    cell = book.add_format({"border": 1})
    money_bold = book.add_format({"num_format": "#,##0", "border": 1, "bold": True})
    for col, width in enumerate((6, 44, 12, 18, 16, 18, 18, 18)):
        sheet.set_column(col, col, width)
    sheet.write_string(0, 4, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    sheet.write_string(1, 4, "Độc lập - Tự do - Hạnh phúc", bold)
    sheet.merge_range(3, 0, 3, 7, "GIẤY ĐỀ NGHỊ TẠM ỨNG KINH PHÍ CHI TRẢ", title)
    sheet.merge_range(4, 0, 4, 7, f"Tháng {month_vn(cycle.month)} — {cycle.province.name}", title)
    titles = ("STT", "Tổ chức dịch vụ chi trả", "Số người", "Số tiền chi trả (đồng)",
              "Cách tính phí", "Chi phí chi trả (đồng)", "Tiền mặt tháng trước còn giữ (đồng)",
              "Tổng đề nghị tạm ứng (đồng)")  # fmt: skip
    for col, text in enumerate(titles):
        sheet.write_string(6, col, text, head)
    line = 7
    for n, row in enumerate(rows, start=1):
        rule = (
            f"{row.fee_value:,.0f} đ/người" if row.fee_kind == "per_head" else f"{row.fee_value}%"
        )
        sheet.write_number(line, 0, n, cell)
        sheet.write_string(line, 1, row.provider, cell)
        sheet.write_number(line, 2, row.people, money)
        sheet.write_number(line, 3, row.amount, money)
        sheet.write_string(line, 4, rule.replace(",", "."), cell)
        sheet.write_number(line, 5, row.fee, money)
        sheet.write_number(line, 6, -row.held_over, money)
        sheet.write_number(line, 7, row.total, money)
        line += 1
    sheet.write_string(line, 1, "TỔNG CỘNG", bold)
    for col, value in ((2, sum(r.people for r in rows)), (3, sum(r.amount for r in rows)),
                       (5, sum(r.fee for r in rows)), (6, -sum(r.held_over for r in rows)),
                       (7, sum(r.total for r in rows))):  # fmt: skip
        sheet.write_number(line, col, value, money_bold)
    for col, role in ((1, "NGƯỜI LẬP"), (3, "KẾ TOÁN TRƯỞNG"), (5, "THỦ TRƯỞNG ĐƠN VỊ")):
        sheet.write_string(line + 3, col, role, bold)
        sheet.write_string(line + 4, col, "(Ký, ghi rõ họ tên)")
    book.close()
    return out.getvalue()
