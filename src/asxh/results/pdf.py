"""The settlement statement (bảng quyết toán) as PDF: the same table as the page and the
Excel file, the national header and the signature block, in the cash list's fonts."""

import io

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from asxh.core.formatting import month_vn, number_vn
from asxh.cycles.cashlist import BOLD, FONT, register_fonts
from asxh.cycles.models import Cycle
from asxh.results.excel import COLUMNS
from asxh.results.selectors import Books

SIGNERS = ("NGƯỜI LẬP", "KẾ TOÁN TRƯỞNG", "THỦ TRƯỞNG ĐƠN VỊ")


def settlement_pdf(cycle: Cycle, books: list[Books]) -> bytes:
    register_fonts()
    plain = ParagraphStyle("plain", fontName=FONT, fontSize=8, leading=10)
    head = ParagraphStyle("head", parent=plain, fontName=BOLD, alignment=TA_CENTER)
    title = ParagraphStyle("title", parent=head, fontSize=13, leading=16)
    out = io.BytesIO()
    document = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=10 * mm,
                                 rightMargin=10 * mm, topMargin=12 * mm, bottomMargin=12 * mm,
                                 title=f"Quyết toán tháng {month_vn(cycle.month)}")  # fmt: skip
    national = Table(
        [[Paragraph(cycle.province.name.upper(), head),
          Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM<br/>Độc lập - Tự do - Hạnh phúc", head)]],
        colWidths=[110 * mm, 167 * mm],
    )  # fmt: skip
    heading = Paragraph(
        f"BẢNG QUYẾT TOÁN KINH PHÍ CHI TRẢ<br/>Tháng {month_vn(cycle.month)} — "
        f"{cycle.province.name}", title,
    )  # fmt: skip
    story = [national, Spacer(1, 6 * mm), heading, Spacer(1, 6 * mm), _table(books, plain, head)]
    story += [Spacer(1, 4 * mm), Paragraph(
        "Đã tạm ứng = đã chi + hoàn trả + chuyển kỳ sau + chưa có kết quả + cần kiểm tra.", plain
    ), Spacer(1, 10 * mm), _signatures(head, plain)]  # fmt: skip
    document.build(story)
    return out.getvalue()


def _table(books: list[Books], plain: ParagraphStyle, head: ParagraphStyle) -> Table:
    rows: list[list[object]] = [[Paragraph(text, head) for text, _, _ in COLUMNS]]
    for found in books:
        rows.append([_cell(getattr(found, name), plain) for _, _, name in COLUMNS])
    totals = [sum(getattr(b, name) for b in books) for _, _, name in COLUMNS[1:]]
    rows.append([Paragraph("TỔNG CỘNG", head), *(number_vn(t) for t in totals)])
    # The agency's name wraps; the amounts (up to 15 characters in bold) must not.
    widths = [36 * mm, 15 * mm] + [226 * mm / (len(COLUMNS) - 2)] * (len(COLUMNS) - 2)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 7.5), ("FONT", (0, -1), (-1, -1), BOLD, 7.5),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))  # fmt: skip
    return table


def _cell(value: str | int, style: ParagraphStyle) -> object:
    return Paragraph(value, style) if isinstance(value, str) else number_vn(value)


def _signatures(head: ParagraphStyle, plain: ParagraphStyle) -> Table:
    hint = ParagraphStyle("hint", parent=plain, alignment=TA_CENTER)
    table = Table(
        [[Paragraph(s, head) for s in SIGNERS], [Paragraph("(Ký, ghi rõ họ tên)", hint)] * 3],
        colWidths=[92 * mm] * 3,
    )
    return table
