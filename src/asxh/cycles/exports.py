"""The provider's list as CSV and Excel, streamed row by row (docs/danh-sach-chi-tra.md).

Both writers count what they write; the caller compares the count and sum with the list's
header and refuses the file when they differ.
"""

import csv
import multiprocessing
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, TextIO

from rustpy_xlsxwriter import Format, write_worksheet

from asxh.core.formatting import month_vn, number_vn
from asxh.cycles.pain001 import Pain001File
from asxh.cycles.rows import ListHeader, PaymentRow

if TYPE_CHECKING:  # the type lives only in the library's stub
    from rustpy_xlsxwriter.rustpy_xlsxwriter import MergeRange

COLUMNS = [
    ("STT", 6),
    ("Mã tham chiếu", 20),
    ("Mã xã", 8),
    ("Xã/phường", 22),
    ("Thôn/ấp", 18),
    ("Họ và tên người hưởng", 26),
    ("Năm sinh", 8),
    ("Người nhận", 26),
    ("Quan hệ", 12),
    ("Điện thoại", 12),
    ("Hình thức", 10),
    ("Chi tại nhà", 8),
    ("Mã BIN", 8),
    ("Ngân hàng", 14),
    ("Số tài khoản", 18),
    ("Số tiền (đồng)", 14),
    ("Nội dung", 40),
]
PAYEE_KINDS = {"self": "Bản thân", "guardian": "Giám hộ", "authorised": "Ủy quyền",
               "caregiver": "Hộ chăm sóc"}  # fmt: skip
METHODS = {"account": "Tài khoản", "cash": "Tiền mặt"}
FORMULA_START = frozenset("=+-@")
HEADER_ROW = 6  # 0-based: the column titles, under the heading rows
AMOUNT = "Số tiền (đồng)"
AMOUNT_COLUMN = [title for title, _ in COLUMNS].index(AMOUNT)
TEXT_CODES = ("Mã xã", "Điện thoại", "Mã BIN", "Số tài khoản")


def _cells(n: int, row: PaymentRow) -> list[str | int]:
    return [
        n, row.reference, row.commune_code, row.commune_name, row.village, row.full_name,
        row.birth_year or "", row.payee_name, PAYEE_KINDS.get(row.payee_kind, row.payee_kind),
        row.payee_phone, METHODS.get(row.method, row.method), "x" if row.cash_at_home else "",
        row.bank_bin, row.bank_name, row.account_number, row.amount, row.details,
    ]  # fmt: skip


def csv_write(header: ListHeader, rows: Iterable[PaymentRow], out: TextIO) -> tuple[int, int]:
    """UTF-8 CSV with the column titles on the first line; returns (rows, total)."""
    written = CsvList(out)
    for row in rows:
        written.add(row)
    return written.rows, written.total


class CsvList:
    """The CSV list, one row at a time, counted and summed."""

    def __init__(self, out: TextIO) -> None:
        self._writer = csv.writer(out, lineterminator="\r\n")
        self._writer.writerow([title for title, _ in COLUMNS])
        self.rows = self.total = 0

    def add(self, row: PaymentRow) -> None:
        self.add_cells(_cells(self.rows + 1, row), row.amount)

    def add_cells(self, cells: list[str | int], amount: int) -> None:
        self.rows += 1
        self.total += amount
        # A text cell a spreadsheet would take for a formula gets a leading apostrophe (CSV
        # has no cell types); written inline, as this runs for every cell of the list.
        self._writer.writerow(["'" + cell if isinstance(cell, str) and cell[:1] in FORMULA_START
                               else cell for cell in cells])  # fmt: skip


def provider_files(
    rows: Iterable[PaymentRow], header: ListHeader, accounts: ListHeader,
    paths: dict[str, Path], message_id: str,
) -> dict[str, tuple[int, int]]:  # fmt: skip
    """The provider's whole-list files named in `paths` ("xlsx", "csv", "pain001"), written in
    one pass over the rows: reading and ordering a province's list costs more than writing
    any one file. The Excel file is written by a process of its own (the library's work per
    cell is as much as the other two files together), fed with the rows' cells. pain.001
    takes the account rows (`accounts` is their header). Returns each file's (rows, total)
    for the caller to compare with its header."""
    with ExitStack() as files:
        excel = (
            files.enter_context(_ExcelProcess(header, paths["xlsx"])) if "xlsx" in paths else None
        )
        text = (
            files.enter_context(paths["csv"].open("w", encoding="utf-8-sig", newline=""))
            if "csv" in paths
            else None
        )
        listed = CsvList(text) if text else None
        out = files.enter_context(paths["pain001"].open("wb")) if "pain001" in paths else None
        transfer = Pain001File(accounts, out, message_id=message_id) if out else None
        for n, row in enumerate(rows, start=1):
            cells = _cells(n, row)
            if listed:
                listed.add_cells(cells, row.amount)
            if transfer and row.method == "account":
                transfer.add(row)
            if excel:
                excel.add(cells)
        counted = {"xlsx": excel.close()} if excel else {}
        if listed:
            counted["csv"] = (listed.rows, listed.total)
        if transfer:
            transfer.close()
            counted["pain001"] = (transfer.rows, transfer.total)
    return counted


class _ExcelProcess:
    """The Excel list written by another process from the cells sent to it in chunks."""

    CHUNK = 5_000

    def __init__(self, header: ListHeader, path: Path) -> None:
        spawn = multiprocessing.get_context("spawn")
        self._pipe, theirs = spawn.Pipe()
        self._process = spawn.Process(target=_excel_from_pipe, args=(header, path, theirs),
                                      daemon=True)  # fmt: skip
        self._process.start()
        theirs.close()
        self._chunk: list[list[str | int]] = []

    def __enter__(self) -> "_ExcelProcess":
        return self

    def add(self, cells: list[str | int]) -> None:
        self._chunk.append(cells)
        if len(self._chunk) >= self.CHUNK:
            self._pipe.send(self._chunk)
            self._chunk = []

    def close(self) -> tuple[int, int]:
        """Send the last cells and wait for the file: its (rows, total)."""
        self._pipe.send(self._chunk)
        self._pipe.send(None)
        try:
            kind, answer = self._pipe.recv()
        except EOFError:
            raise ValueError("Tiến trình ghi tệp Excel dừng giữa chừng.") from None
        if kind != "done":
            raise ValueError(f"Không ghi được tệp Excel: {answer}")
        return answer

    def __exit__(self, *exc: object) -> None:
        if self._process.is_alive() and exc[0] is not None:
            self._process.terminate()
        self._process.join()
        self._pipe.close()


def _excel_from_pipe(header: ListHeader, path: Path, pipe: Connection) -> None:
    """In the Excel process: the cells as they arrive, until None."""

    def received() -> Iterator[list[str | int]]:
        while (chunk := pipe.recv()) is not None:
            yield from chunk

    try:
        with path.open("wb") as out:
            pipe.send(("done", _excel(header, received(), out)))
    except Exception as error:  # told to the parent, which refuses the file
        pipe.send(("error", f"{type(error).__name__}: {error}"))


def xlsx_write(header: ListHeader, rows: Iterable[PaymentRow], out: BinaryIO) -> tuple[int, int]:
    """The list in Excel, streamed in constant memory: the heading rows, one row per person, a
    total row (a SUM formula, recalculated when the file opens). The library can write
    nothing below the data, so the signature blocks are on the PDF cash list and the advance
    request. Every text cell is a string, never a formula."""
    return _excel(header, (_cells(n, row) for n, row in enumerate(rows, start=1)), out)


def _excel(header: ListHeader, cells: Iterable[list[str | int]], out: BinaryIO) -> tuple[int, int]:
    counted = _Counted(cells)
    write_worksheet(
        counted.records(),
        out,
        sheet_name="Danh sách",
        header_row=HEADER_ROW,
        merge_ranges=_heading(header),
        column_widths=[width for _, width in COLUMNS],
        column_formats={AMOUNT: Format().set_num_format("#,##0")},
        header_format=Format().set_bold().set_border("thin").set_text_wrap().set_align("center"),
        # Codes are strings (cells of text): Excel is told not to flag them as numbers.
        ignore_errors=list(TEXT_CODES),
        totals_row={AMOUNT: "sum"},
        totals_label="TỔNG CỘNG",
        totals_format=Format().set_num_format("#,##0").set_bold(),
        freeze_row=HEADER_ROW + 1,
        page_setup={"landscape": True, "paper_size": 9, "fit_to_pages": (1, 0),
                    "repeat_rows": HEADER_ROW, "footer": "&CTrang &P/&N"},
    )  # fmt: skip
    return counted.rows, counted.total


def _heading(header: ListHeader) -> list["MergeRange"]:
    """Payer and national motto, title, area and provider, the list's figures: merged rows,
    the only cells the library writes above the column titles."""
    last = len(COLUMNS) - 1
    bold = Format().set_bold().set_align("center")
    title = Format().set_bold().set_font_size(13).set_align("center")
    figures = f"Tổng cộng: {number_vn(header.rows)} người, {number_vn(header.total)} đồng"
    return [
        (0, 0, 0, 7, header.payer_name.upper(), bold),
        (0, 9, 0, last, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold),
        (1, 9, 1, last, "Độc lập - Tự do - Hạnh phúc", bold),
        (3, 0, 3, last, f"DANH SÁCH CHI TRẢ TRỢ CẤP THÁNG {month_vn(header.month)}", title),
        (4, 0, 4, last, f"{header.area_name} — Tổ chức chi trả: {header.provider_name}", title),
        (5, 0, 5, last, figures, Format().set_italic().set_align("center")),
    ]


class _Counted:
    """The rows' cells as the library's records (one dict per row, keyed by column title),
    counted and summed on the way."""

    def __init__(self, cells: Iterable[list[str | int]]) -> None:
        self._cells, self.rows, self.total = cells, 0, 0

    def records(self) -> Iterator[dict[str, str | int | None]]:
        titles = [title for title, _ in COLUMNS]
        for row in self._cells:
            self.rows += 1
            self.total += int(row[AMOUNT_COLUMN])
            yield dict(zip(titles, row, strict=True))
        if not self.rows:  # the library takes the column titles from the first record
            yield dict.fromkeys(titles)
