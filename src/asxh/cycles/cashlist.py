"""The printable cash payment list of one commune (danh sách chi trả tiền mặt) as PDF.

The cashier takes it to the commune: one line per person paid in cash, with a tall empty cell
in which the person signs or leaves a thumbprint. Drawn with reportlab in the DejaVu fonts,
which hold every Vietnamese letter (reportlab's own fonts do not).
"""

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    LongTable,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import HRFlowable

from asxh.core.formatting import month_vn, number_vn
from asxh.cycles.rows import ListHeader, PaymentRow

# Where the fonts live: Debian/Ubuntu (fonts-dejavu-core, as on CI), Fedora/Alpine, Arch.
FONT_DIRS: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
)
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"

TITLE = "DANH SÁCH CHI TRẢ TRỢ CẤP BẰNG TIỀN MẶT"
# Column titles and widths (mm); they add up to the 273 mm between the margins.
COLUMNS: tuple[tuple[str, float], ...] = (
    ("STT", 11),
    ("Họ và tên người hưởng", 46),
    ("Năm sinh", 15),
    ("Thôn/ấp", 30),
    ("Người nhận thay", 40),
    ("Nội dung", 51),
    ("Số tiền (đồng)", 28),
    ("Chi tại nhà", 14),
    ("Ký nhận hoặc điểm chỉ", 38),
)
AMOUNT_COL, SIGN_COL = 6, 8
HEADER_ROWS = 2  # titles, then the column numbers (1)…(9) that official forms carry
PAYEE_KINDS = {"guardian": "giám hộ", "authorised": "ủy quyền", "caregiver": "người chăm sóc"}
SIGNERS = (
    ("preparer", "Người lập biểu", "(Ký, ghi rõ họ tên)"),
    ("accountant", "Kế toán", "(Ký, ghi rõ họ tên)"),
    ("head", "Thủ trưởng đơn vị", "(Ký, ghi rõ họ tên, đóng dấu)"),
)


class FontMissing(RuntimeError):
    pass


def font_files() -> tuple[Path, Path]:
    """The regular and bold DejaVu Sans; a clear error rather than boxes for every ẫ."""
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    raise FontMissing(
        "Không tìm thấy phông chữ DejaVu (DejaVuSans.ttf, DejaVuSans-Bold.ttf) trong "
        + ", ".join(str(d) for d in FONT_DIRS)
        + ". Hãy cài gói fonts-dejavu-core (apt-get install fonts-dejavu-core)."
    )


def register_fonts() -> None:
    # Looked up on every call, so that a font removed since start-up still gives the error.
    regular, bold = font_files()
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(regular)))
        pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
        # Paragraphs look faces up by family; there is no italic in fonts-dejavu-core.
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


# --- Amount in words -------------------------------------------------------------------------

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")


def _hundreds(n: int, inner: bool) -> list[str]:
    """0 < n < 1000. An inner group (one with a higher group before it) is read in full,
    "không trăm linh năm", as accountants write 1.005 = "một nghìn không trăm linh năm"."""
    hundreds, tens, units = n // 100, n // 10 % 10, n % 10
    words = [_DIGITS[hundreds], "trăm"] if hundreds or inner else []
    if tens == 0 and units and words:
        words.append("linh")  # 105: "một trăm linh năm"
    elif tens == 1:
        words.append("mười")
    elif tens > 1:
        words += [_DIGITS[tens], "mươi"]
    if units == 1 and tens > 1:
        words.append("mốt")  # 21 "hai mươi mốt", but 11 "mười một" and 101 "một trăm linh một"
    elif units == 5 and tens > 0:
        words.append("lăm")  # 15 "mười lăm", 25 "hai mươi lăm", but 105 "một trăm linh năm"
    elif units:
        words.append(_DIGITS[units])
    return words


def number_in_words(n: int) -> str:
    """An integer in Vietnamese words, lower case: 1.500.000 -> "một triệu năm trăm nghìn".

    Groups of three digits; a group of zeros is left out (1.000.005 = "một triệu không trăm
    linh năm"), and "tỷ" repeats above a thousand million (10^12 = "một nghìn tỷ")."""
    if n < 0:
        return "âm " + number_in_words(-n)
    if n == 0:
        return "không"
    billions, rest = divmod(n, 10**9)
    words = [number_in_words(billions), "tỷ"] if billions else []
    for value, unit in (
        (rest // 10**6, "triệu"),
        (rest // 1000 % 1000, "nghìn"),
        (rest % 1000, ""),
    ):
        if value:
            words += _hundreds(value, inner=bool(words))
            words += [unit] if unit else []
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """The "Bằng chữ" line: "Một triệu năm trăm nghìn đồng"."""
    words = number_in_words(amount)
    return words[0].upper() + words[1:] + " đồng"


# --- The table -------------------------------------------------------------------------------


def cash_row_cells(number: int, row: PaymentRow) -> tuple[str, ...]:
    """The texts of one line, in the order of COLUMNS; the signature cell is left empty."""
    payee = ""
    if row.payee_kind != "self":
        payee = f"{row.payee_name} ({PAYEE_KINDS.get(row.payee_kind, row.payee_kind)})"
    return (
        str(number),
        row.full_name,
        str(row.birth_year or ""),
        row.village,
        payee,
        row.details,
        number_vn(row.amount),
        "x" if row.cash_at_home else "",
        "",
    )


def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()  # a Paragraph needs its font known when it is made, not when drawn
    base = ParagraphStyle("cell", fontName=FONT, fontSize=9, leading=11)
    return {
        "cell": base,
        "head": ParagraphStyle("head", base, fontName=BOLD, alignment=TA_CENTER),
        "center": ParagraphStyle("center", base, fontSize=11, leading=14, alignment=TA_CENTER),
        "bold": ParagraphStyle(
            "bold", base, fontName=BOLD, fontSize=11, leading=14, alignment=TA_CENTER
        ),
        "title": ParagraphStyle(
            "title",
            base,
            fontName=BOLD,
            fontSize=15,
            leading=20,
            alignment=TA_CENTER,
            spaceBefore=4 * mm,
        ),
        "text": ParagraphStyle("text", base, fontSize=11, leading=15, alignment=TA_LEFT),
    }


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    # Paragraph reads markup: a name with "&" or "<" must not break the list.
    return Paragraph(escape(text), style)


def cash_list_table(rows: Iterable[PaymentRow]) -> tuple[Table, int, int, int]:
    """The table of the cash payees among `rows`, in the order given, with a total line.
    Returns the table, the number of people, of them paid at home, and the total in VND."""
    st = _styles()
    data: list[list[Any]] = [
        [_para(title, st["head"]) for title, _ in COLUMNS],
        [f"({n})" for n in range(1, len(COLUMNS) + 1)],
    ]
    # One shared spacer makes every line tall enough to sign or leave a thumbprint in.
    sign_space = Spacer(1, 10 * mm)
    count = at_home = total = 0
    for row in rows:
        if row.method != "cash":  # transfers are in the provider's file, not on paper
            continue
        count += 1
        at_home += row.cash_at_home
        total += row.amount
        cells: list[Any] = list(cash_row_cells(count, row))
        for col in (1, 3, 4, 5):  # texts that can be long wrap inside their column
            cells[col] = _para(cells[col], st["cell"])
        cells[SIGN_COL] = sign_space
        data.append(cells)
    total_line = ["", f"Tổng cộng: {count} người", "", "", "", "", number_vn(total)]
    data.append([*total_line, str(at_home or ""), ""])
    last = len(data) - 1
    # LongTable stops measuring rows once a page is full: 5,000 lines in seconds, not minutes.
    table = LongTable(data, colWidths=[w * mm for _, w in COLUMNS], repeatRows=HEADER_ROWS)
    table.setStyle(
        TableStyle(
            [
                ("FONT", (0, 0), (-1, -1), FONT, 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),  # STT, year, "x", column numbers
                ("ALIGN", (AMOUNT_COL, HEADER_ROWS), (AMOUNT_COL, -1), "RIGHT"),
                ("FONT", (0, 1), (-1, 1), FONT, 7),
                ("FONT", (0, last), (-1, last), BOLD, 9),
            ]
        )
    )
    return table, count, at_home, total


# --- The document ----------------------------------------------------------------------------


def _place(area_name: str) -> str:
    # "Tỉnh An Giang" -> "An Giang", as the place of a document is written.
    for prefix in ("Thành phố ", "Tỉnh "):
        if area_name.startswith(prefix):
            return area_name.removeprefix(prefix)
    return area_name


def _rule(width: float) -> HRFlowable:
    return HRFlowable(width=width, thickness=0.6, color=colors.black, spaceBefore=3, spaceAfter=4)


def _national_header(header: ListHeader, st: dict[str, ParagraphStyle]) -> Table:
    # As on every official paper: a short rule under the agency, the motto underlined in full.
    motto = "Độc lập - Tự do - Hạnh phúc"
    left = [
        _para(header.payer_name.upper(), st["bold"]),
        _rule(30 * mm),
        _para("Số: ........../DS", st["center"]),
    ]
    right = [
        _para("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st["bold"]),
        _para(motto, st["bold"]),
        _rule(pdfmetrics.stringWidth(motto, BOLD, st["bold"].fontSize)),
        _para(f"{_place(header.area_name)}, ngày ..... tháng ..... năm ........", st["center"]),
    ]
    table = Table([[left, right]], colWidths=[110 * mm, 163 * mm])
    # A cell places its flowables by its own ALIGN, whatever their hAlign says.
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("ALIGN", (0, 0), (-1, -1), "CENTER")])
    )
    return table


def _signatures(signers: Mapping[str, str], st: dict[str, ParagraphStyle]) -> Table:
    titles = [_para(title, st["bold"]) for _, title, _ in SIGNERS]
    hints = [_para(hint, st["center"]) for _, _, hint in SIGNERS]
    names = [_para(signers.get(key, ""), st["bold"]) for key, _, _ in SIGNERS]
    table = Table(
        [titles, hints, ["", "", ""], names],
        colWidths=[91 * mm] * 3,
        rowHeights=[None, None, 24 * mm, None],
    )
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


class _NumberedCanvas(Canvas):  # type: ignore[misc]
    """Keeps each page until the end, so that the footer can say "Trang x/y"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        for number, page in enumerate(self._pages, start=1):
            self.__dict__.update(page)
            self.setFont(FONT, 8)
            self.drawCentredString(
                self._pagesize[0] / 2, 8 * mm, f"Trang {number}/{len(self._pages)}"
            )
            super().showPage()
        super().save()


def cash_list_story(
    header: ListHeader,
    commune_name: str,
    rows: Iterable[PaymentRow],
    signers: Mapping[str, str] | None = None,
) -> tuple[list[Flowable], int, int]:
    """What the list says, top to bottom; returns it with the number of people and the total."""
    signers = signers or {}
    if unknown := set(signers) - {key for key, _, _ in SIGNERS}:
        raise ValueError(f"Người ký không rõ: {', '.join(sorted(unknown))}")
    st = _styles()
    table, count, at_home, total = cash_list_table(rows)
    story: list[Flowable] = [
        _national_header(header, st),
        _para(TITLE, st["title"]),
        _para(f"Tháng {month_vn(header.month)} — {commune_name}, {header.area_name}", st["bold"]),
        _para(f"Tổ chức dịch vụ chi trả: {header.provider_name}", st["center"]),
        Spacer(1, 4 * mm),
        table,
        # The totals, the titles, the room to sign and the names stay on one page, so that
        # no page of signatures stands alone, apart from what they sign for.
        KeepTogether(
            [
                Spacer(1, 4 * mm),
                _para(
                    f"Tổng cộng: {count} người, số tiền {number_vn(total)} đồng "
                    f"(trong đó chi tại nhà: {at_home} người).",
                    st["text"],
                ),
                _para(f"Bằng chữ: {amount_in_words(total)}.", st["text"]),
                Spacer(1, 6 * mm),
                _signatures(signers, st),
            ]
        ),
    ]
    return story, count, total


def cash_list_pdf(
    header: ListHeader,
    commune_name: str,
    rows: Iterable[PaymentRow],
    out: BinaryIO,
    *,
    signers: Mapping[str, str] | None = None,
) -> tuple[int, int]:
    """Writes one commune's cash list to `out` (A4 landscape); returns (people, total VND).

    `rows` are that commune's rows in payee order (as the other exporters get them); rows paid
    into an account are skipped. `signers` may name "preparer", "accountant" and "head"."""
    story, count, total = cash_list_story(header, commune_name, rows, signers)
    month = month_vn(header.month)
    short_title = f"Danh sách chi trả tiền mặt tháng {month} — {commune_name}, {header.area_name}"

    def later_page(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.drawString(doc.leftMargin, doc.pagesize[1] - 9 * mm, short_title)
        canvas.drawRightString(
            doc.pagesize[0] - doc.rightMargin, doc.pagesize[1] - 9 * mm, header.provider_name
        )
        canvas.restoreState()

    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=13 * mm,
        bottomMargin=14 * mm,
        title=f"{TITLE} tháng {month} — {commune_name}",
        author=header.payer_name,
        subject=header.provider_name,
        creator="asxh",
        lang="vi",
        initialFontName=FONT,
        invariant=1,  # the same list gives the same bytes
        pageCompression=1,
    )
    doc.build(story, onLaterPages=later_page, canvasmaker=_NumberedCanvas)
    return count, total
