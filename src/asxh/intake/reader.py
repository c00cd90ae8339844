"""Reading officials' files: .xlsx/.xlsm/.ods (calamine), .xls (xlrd, with fonts), .csv.

The reader finds the sheet and the header row, and streams the data rows with their row
number as the official sees it in the spreadsheet. Anything that makes the whole file unusable
raises FileUnusable with a message that says what to do.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import charset_normalizer
import python_calamine
import xlrd

from asxh.core.vietnamese import legacy_font_encoding
from asxh.intake.columns import Layout, is_numbering_row, layout_find

HEADER_SEARCH_ROWS = 30
# A commune's list; a province holds 300,000 at most. A bigger file is a wrong file.
MAX_ROWS = 300_000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


class FileUnusable(ValueError):
    """The file as a whole cannot be imported; nothing is read from it."""


@dataclass
class Table:
    sheet_name: str
    layout: Layout
    rows: Iterator[tuple[int, list[Any]]]  # (row number in the sheet, 1-based; cells)
    titles: dict[int, str] = field(default_factory=dict)  # column → its title in the file
    legacy_fonts: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → font
    encoding: str = ""  # of a CSV file

    def font(self, row: int, column: int) -> str:
        return self.legacy_fonts.get((row, column), "")


def table_open(
    path: Path, *, sheet: str = "", extra_titles: Mapping[str, str] | None = None
) -> Table:
    data_head = _head(path)
    if not data_head:
        raise FileUnusable("Tệp rỗng (0 byte). Chọn đúng tệp danh sách đã lưu.")
    if data_head.startswith(OLE_MAGIC):
        if _is_encrypted(path):
            raise FileUnusable(
                "Tệp được đặt mật khẩu. Mở tệp trong Excel, bỏ mật khẩu (File → Info → "
                "Protect Workbook) rồi lưu lại và tải lên."
            )
        return _xls_table(path, sheet, extra_titles)
    if data_head.startswith(ZIP_MAGIC):
        return _workbook_table(path, sheet, extra_titles)
    if path.suffix.lower() in (".xlsx", ".xls", ".xlsm", ".ods"):
        raise FileUnusable(
            f"Tệp '{path.name}' không phải tệp Excel hợp lệ (có thể bị hỏng hoặc đổi đuôi). "
            "Mở bằng Excel và lưu lại dạng .xlsx."
        )
    return _csv_table(path, extra_titles)


def _head(path: Path) -> bytes:
    with path.open("rb") as handle:
        return handle.read(8)


def _is_encrypted(path: Path) -> bool:
    """An encrypted .xlsx is an OLE container holding an 'EncryptedPackage' stream."""
    return "EncryptedPackage".encode("utf-16-le") in path.read_bytes()


def _choose(
    names: list[str], sheet: str, first_rows: Any, extra: Mapping[str, str] | None
) -> tuple[str, Layout, list[list[Any]]]:
    """The asked-for sheet, or the first whose header names a 'Họ và tên' column."""
    if sheet and sheet not in names:
        raise FileUnusable(f"Không có trang '{sheet}'. Các trang trong tệp: {', '.join(names)}.")
    for name in [sheet] if sheet else names:
        rows = first_rows(name)
        layout = layout_find(rows, extra)
        if layout is not None:
            return name, layout, rows
    raise _no_header(f"trang '{sheet}'" if sheet else "các trang " + ", ".join(names))


def _no_header(where: str) -> FileUnusable:
    return FileUnusable(
        f"Không tìm thấy dòng tiêu đề có cột 'Họ và tên' trong {HEADER_SEARCH_ROWS} dòng đầu "
        f"của {where}. Kiểm tra đúng trang danh sách, hoặc khai báo tên cột (tham số --mapping)."
    )


def _titles(rows: list[list[Any]], layout: Layout) -> dict[int, str]:
    """Every column's title; with Nam/Nữ sub-columns the main titles are one row up."""
    rows_up = [rows[layout.header_row]]
    if layout.birth_sex_columns and layout.header_row > 0:
        rows_up.insert(0, rows[layout.header_row - 1])
    titles: dict[int, str] = {}
    for index in range(max(len(r) for r in rows_up)):
        parts = [
            str(r[index]).strip() for r in rows_up if index < len(r) and str(r[index] or "").strip()
        ]
        titles[index] = " / ".join(parts)
    return titles


def _data_rows(
    rows: Iterator[list[Any]], layout: Layout, first_number: int
) -> Iterator[tuple[int, list[Any]]]:
    """Rows under the header, numbered as in the sheet; the '(1) (2) (3)' row is skipped."""
    for offset, row in enumerate(rows):
        number = first_number + offset
        if offset <= layout.header_row:
            continue
        if offset == layout.header_row + 1 and is_numbering_row(row):
            continue
        if number - first_number > MAX_ROWS + layout.header_row + 2:
            raise FileUnusable(
                f"Tệp có hơn {MAX_ROWS:,} dòng.".replace(",", ".")
                + " Chia danh sách theo xã/phường rồi nhập từng tệp."
            )
        yield number, row


def _workbook_table(path: Path, sheet: str, extra: Mapping[str, str] | None) -> Table:
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own types for every kind of damage
        raise FileUnusable(
            f"Không đọc được tệp '{path.name}' ({error}). Mở bằng Excel và lưu lại dạng .xlsx."
        ) from error

    sheets: dict[str, Any] = {}  # calamine parses a whole sheet when it is opened: once

    def first_rows(name: str) -> list[list[Any]]:
        sheets[name] = sheets.get(name) or book.get_sheet_by_name(name)
        rows = sheets[name].iter_rows()
        return [row for _, row in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)]

    name, layout, head = _choose(book.sheet_names, sheet, first_rows, extra)
    data = sheets[name]
    if data.height > MAX_ROWS + HEADER_SEARCH_ROWS:
        raise FileUnusable(
            f"Trang '{name}' có {data.height:,} dòng, quá {MAX_ROWS:,} dòng.".replace(",", ".")
            + " Chia danh sách theo xã/phường rồi nhập từng tệp."
        )
    first_number = (data.start[0] if data.start else 0) + 1
    index = book.sheet_names.index(name)
    return Table(
        sheet_name=name,
        layout=layout,
        rows=_data_rows(data.iter_rows(), layout, first_number),
        titles=_titles(head, layout),
        legacy_fonts=_xlsx_legacy_fonts(path, index),
    )


def _xls_table(path: Path, sheet: str, extra: Mapping[str, str] | None) -> Table:
    try:
        book = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True)
    except Exception as error:  # xlrd raises XLRDError, struct errors, … on damaged files
        raise FileUnusable(
            f"Không đọc được tệp '{path.name}' ({error}). Mở bằng Excel và lưu lại dạng .xlsx."
        ) from error

    def cells(name: str) -> Iterator[list[Any]]:
        data = book.sheet_by_name(name)
        for r in range(data.nrows):
            yield [_xls_value(book, data.cell(r, c)) for c in range(data.ncols)]

    def first_rows(name: str) -> list[list[Any]]:
        return [row for _, row in zip(range(HEADER_SEARCH_ROWS), cells(name), strict=False)]

    name, layout, head = _choose(book.sheet_names(), sheet, first_rows, extra)
    data = book.sheet_by_name(name)
    fonts: dict[tuple[int, int], str] = {}
    for r in range(data.nrows):
        for c in range(data.ncols):
            font = book.font_list[book.xf_list[data.cell_xf_index(r, c)].font_index].name
            if legacy_font_encoding(font):
                fonts[(r + 1, c)] = font
    return Table(name, layout, _data_rows(cells(name), layout, 1), _titles(head, layout), fonts)


def _xls_value(book: Any, cell: Any) -> Any:
    if cell.ctype == xlrd.XL_CELL_DATE:
        return xlrd.xldate_as_datetime(cell.value, book.datemode)
    if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return ""
    return cell.value


def _xlsx_legacy_fonts(path: Path, sheet_index: int) -> dict[tuple[int, int], str]:
    """Cells styled with a legacy font (.VnTime, VNI-Times…): their text is decoded by font.

    Read from the workbook's XML only when the styles name such a font at all, which keeps the
    usual Unicode file at one pass.
    """
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if "xl/styles.xml" not in names:
            return {}
        styles = ET.fromstring(archive.read("xl/styles.xml"))  # noqa: S314 (local upload, no DTD)
        fonts = [
            (f.find("m:name", _NS).get("val", "") if f.find("m:name", _NS) is not None else "")  # type: ignore[union-attr]
            for f in styles.iterfind("m:fonts/m:font", _NS)
        ]
        if not any(legacy_font_encoding(f) for f in fonts):
            return {}
        xf_font = [int(xf.get("fontId", "0")) for xf in styles.iterfind("m:cellXfs/m:xf", _NS)]
        sheet_xml = _sheet_part(archive, sheet_index)
        if sheet_xml not in names:
            return {}
        found: dict[tuple[int, int], str] = {}
        with archive.open(sheet_xml) as handle:
            for _, element in ET.iterparse(handle):  # noqa: S314
                if element.tag.endswith("}c"):
                    style = int(element.get("s", "0"))
                    font = fonts[xf_font[style]] if style < len(xf_font) else ""
                    if legacy_font_encoding(font):
                        found[_cell_ref(element.get("r", ""))] = font
                    element.clear()
        return found


def _sheet_part(archive: zipfile.ZipFile, index: int) -> str:
    """The XML part of the index-th sheet, following the workbook's relationships."""
    book = ET.fromstring(archive.read("xl/workbook.xml"))  # noqa: S314
    sheets = book.findall("m:sheets/m:sheet", _NS)
    rel_id = sheets[index].get(
        "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    )
    rels = ET.fromstring(archive.read("xl/_rels/workbook.xml.rels"))  # noqa: S314
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return ""


def _cell_ref(ref: str) -> tuple[int, int]:
    """'C12' → (12, 2): the row as the sheet numbers it, the column 0-based."""
    match = re.match(r"([A-Z]+)(\d+)", ref)
    if not match:
        return (0, 0)
    column = 0
    for letter in match[1]:
        column = column * 26 + ord(letter) - 64
    return int(match[2]), column - 1


def _csv_table(path: Path, extra: Mapping[str, str] | None) -> Table:
    raw = path.read_bytes()
    encoding, text = _decode(raw, path.name)
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    rows = csv.reader(io.StringIO(text), dialect)
    head = [row for _, row in zip(range(HEADER_SEARCH_ROWS), rows, strict=False)]
    layout = layout_find(head, extra)
    if layout is None:
        raise _no_header(f"tệp '{path.name}'")
    rows = csv.reader(io.StringIO(text), dialect)
    return Table(
        path.name, layout, _data_rows(rows, layout, 1), _titles(head, layout), encoding=encoding
    )


def _decode(raw: bytes, name: str) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first; otherwise the detected code page."""
    try:
        return "utf-8", raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    if b"\x00" in raw[:1000] and raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return "utf-16", raw.decode("utf-16")
    best = charset_normalizer.from_bytes(raw[:200_000]).best()
    if best is None:
        raise FileUnusable(
            f"Không nhận ra bảng mã của tệp '{name}'. Mở bằng Excel và lưu dạng "
            "'CSV UTF-8' hoặc .xlsx."
        )
    # Vietnamese Windows text is cp1258; a legacy-font file reads as cp1252 (decoded later).
    return best.encoding, raw.decode(best.encoding, errors="replace")
