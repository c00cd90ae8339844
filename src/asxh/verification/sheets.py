"""The Excel lists exchanged with the police and the provider: writing them and reading them back.

Writing streams row by row (xlsxwriter's constant_memory), so a list of any size costs the same
memory. The list opens with the national-style title rows; the columns the police or provider
fill in are shaded, and the reference column carries our id so answers come back unambiguous.
"""

import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
from python_calamine import CalamineError, CalamineWorkbook

from asxh.verification.logic import (
    Column,
    cell_text,
    column_map,
    column_name,
    date_parse,
    header_key,
    reference_parse,
)

LIST_ID_LABEL = "Mã danh sách"
CHECKED_ON_LABEL = "Ngày xác minh"
# The label spans columns A–B; its value is in C.
VALUE_COLUMN = 2
# How far down the title rows may push the header before we give up looking for it.
HEADER_SEARCH_ROWS = 30


class FileUnusable(ValueError):
    """The file as a whole cannot be read as the expected list; nothing of it is stored."""


@dataclass(frozen=True)
class ListHeader:
    agency: str
    place: str
    title: str
    subtitle: str
    list_id: int
    made_on: dt.date
    # Identity lists ask the police for the date they checked.
    ask_checked_on: bool = False
    choices: dict[str, list[str]] = field(default_factory=dict)


def _formats(book: Any) -> dict[str, Any]:
    base = {"font_name": "Times New Roman", "font_size": 12}
    return {
        "agency": book.add_format({**base, "bold": True, "align": "center"}),
        "nation": book.add_format({**base, "bold": True, "align": "center"}),
        "motto": book.add_format({**base, "bold": True, "align": "center", "underline": 1}),
        "place": book.add_format({**base, "italic": True, "align": "center"}),
        "title": book.add_format(
            {**base, "bold": True, "font_size": 14, "align": "center", "text_wrap": True}
        ),
        "subtitle": book.add_format({**base, "italic": True, "align": "center"}),
        "label": book.add_format({**base, "bold": True}),
        "value": book.add_format({**base, "num_format": "@", "border": 1, "bg_color": "#FFF2CC"}),
        "hint": book.add_format({**base, "italic": True, "font_color": "#595959"}),
        "head": book.add_format(
            {**base, "bold": True, "border": 1, "align": "center", "valign": "vcenter"}
            | {"text_wrap": True, "bg_color": "#D9E1F2"}
        ),
        "head_answer": book.add_format(
            {**base, "bold": True, "border": 1, "align": "center", "valign": "vcenter"}
            | {"text_wrap": True, "bg_color": "#FFF2CC"}
        ),
        "numbering": book.add_format({**base, "italic": True, "border": 1, "align": "center"}),
        "cell": book.add_format({**base, "border": 1}),
        "text": book.add_format({**base, "border": 1, "num_format": "@"}),
        "answer": book.add_format({**base, "border": 1, "num_format": "@", "bg_color": "#FFF9E6"}),
    }


def _title_rows(sheet: Any, f: dict[str, Any], header: ListHeader, width: int) -> int:
    """National-style heading; returns the row where the column headers go."""
    split = min(4, width // 2)
    made = header.made_on
    sheet.merge_range(0, 0, 0, split, header.agency.upper(), f["agency"])
    sheet.merge_range(0, split + 1, 0, width - 1, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", f["nation"])
    sheet.merge_range(1, split + 1, 1, width - 1, "Độc lập - Tự do - Hạnh phúc", f["motto"])
    place = f"{header.place}, ngày {made.day:02d} tháng {made.month:02d} năm {made.year}"
    sheet.merge_range(2, split + 1, 2, width - 1, place, f["place"])
    sheet.set_row(4, 36)
    sheet.merge_range(4, 0, 4, width - 1, header.title.upper(), f["title"])
    sheet.merge_range(5, 0, 5, width - 1, header.subtitle, f["subtitle"])
    sheet.merge_range(7, 0, 7, 1, LIST_ID_LABEL, f["label"])
    sheet.write_number(7, VALUE_COLUMN, header.list_id, f["label"])
    row = 8
    if header.ask_checked_on:
        sheet.merge_range(8, 0, 8, 1, CHECKED_ON_LABEL, f["label"])
        sheet.write_blank(8, VALUE_COLUMN, None, f["value"])
        sheet.write_string(
            8, VALUE_COLUMN + 1, "← Công an ghi ngày xác minh (dd/mm/yyyy)", f["hint"]
        )
        row = 9
    return row + 1


def sheet_write(
    path: str | Path,
    columns: tuple[Column, ...],
    header: ListHeader,
    rows: Iterable[list[Any]],
) -> int:
    """Write the list to `path`, streaming `rows` (values in the order of `columns`)."""
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("Danh sách")
    f = _formats(book)
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
    top = _title_rows(sheet, f, header, len(columns))
    sheet.set_row(top, 48)
    # constant_memory flushes a row once a later one is written: finish each row in turn.
    for index, column in enumerate(columns):
        sheet.write_string(top, index, column.header, f["head_answer" if column.answer else "head"])
    for index in range(len(columns)):
        sheet.write_string(top + 1, index, f"({index + 1})", f["numbering"])
    sheet.freeze_panes(top + 2, 3)
    styles = [f["answer"] if c.answer else f["text"] if c.text else f["cell"] for c in columns]
    count = 0
    for count, values in enumerate(rows, start=1):
        for index, value in enumerate(values):
            if value is None or value == "":
                sheet.write_blank(top + 1 + count, index, None, styles[index])
            elif isinstance(value, int):
                sheet.write_number(top + 1 + count, index, value, styles[index])
            else:
                sheet.write_string(top + 1 + count, index, str(value), styles[index])
    for key, choices in header.choices.items():
        index = next(i for i, c in enumerate(columns) if c.key == key)
        sheet.data_validation(
            top + 2,
            index,
            top + 1 + max(count, 1),
            index,
            {
                "validate": "list",
                "source": choices,
                "error_title": "Giá trị không hợp lệ",
                "error_message": "Chọn một trong: " + ", ".join(choices),
            },
        )
    book.close()
    return count


@dataclass
class SheetRead:
    """An answers file as read: data rows keyed by column, and the list's own cells."""

    where: dict[str, int]
    rows: list[tuple[int, dict[str, object]]]
    list_id: int | None = None
    checked_on: dt.date | None = None


def _open(data: bytes) -> Iterator[list[Any]]:
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        return iter(sheet.iter_rows())
    except (CalamineError, ValueError, IndexError) as error:
        raise FileUnusable(
            f"Không đọc được tệp như bảng tính Excel (.xlsx): {error}. "
            "Lưu lại tệp dạng Excel Workbook (.xlsx) rồi tải lên lại."
        ) from None


def _meta(row_number: int, row: list[Any], read: SheetRead) -> None:
    """The list id and the police's date of checking, from the rows above the header."""
    label = header_key(row[0]) if row else ""
    value_at = VALUE_COLUMN
    if len(row) <= value_at or not cell_text(row[value_at]):
        return
    if label not in (header_key(LIST_ID_LABEL), header_key(CHECKED_ON_LABEL)):
        return
    where = f"Dòng {row_number}, cột {column_name(value_at)}"
    try:
        if label == header_key(LIST_ID_LABEL):
            read.list_id = reference_parse(row[value_at])
        else:
            read.checked_on = date_parse(row[value_at])
    except ValueError as error:
        raise FileUnusable(f"{where} ({row[0]}): {error}") from None


def sheet_read(data: bytes, columns: tuple[Column, ...], required: tuple[str, ...]) -> SheetRead:
    """Find the header row by its text, then read every row under it."""
    rows = _open(data)
    read = SheetRead(where={}, rows=[])
    for number, row in enumerate(rows, start=1):
        where = column_map(row, columns)
        if all(key in where for key in required):
            read.where = where
            break
        _meta(number, row, read)
        if number >= HEADER_SEARCH_ROWS:
            break
    else:
        number = 0
    if not read.where:
        names = ", ".join(f"'{c.header.split(' (')[0]}'" for c in columns if c.key in required)
        raise FileUnusable(
            f"Không thấy dòng tiêu đề có các cột {names} trong {HEADER_SEARCH_ROWS} dòng đầu: "
            "dùng đúng mẫu danh sách đã tải về, không đổi tên cột."
        )
    for offset, row in enumerate(rows, start=number + 1):
        cells = {key: row[index] if index < len(row) else "" for key, index in read.where.items()}
        read.rows.append((offset, cells))
    return read
