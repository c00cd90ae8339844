"""Readers of the provider's payment-result files (docs/ket-qua-chi-tra.md).

Accepted: the list the provider received (CSV or Excel) with three result columns filled in,
ISO 20022 pain.002.001.10, camt.053.001.08 and camt.054.001.08 (and the 2009 camt.05x.001.02).
`read_results` tells which from the file name and the content and returns the report's
identity with its events (`Reported`) as a stream: a province's file can hold a million rows,
so no reader holds the whole file (XML is parsed with iterparse and every element is dropped
once read; the Excel sheet's XML is streamed the same way; CSV is read record by record).

A file that is not what it claims raises ResultFileError before the first row. Problems of
single rows are collected and raised together when the stream ends; the importer rolls back
what it read by then. Codes map to outcomes as in docs/nghien-cuu-ket-qua-chi-tra.md §3.
"""

import codecs
import csv
import dataclasses
import io
import re
import unicodedata
import zipfile
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from itertools import chain, islice
from pathlib import Path, PurePath
from typing import IO, Any

import charset_normalizer
import python_calamine
from lxml import etree

from asxh.core.formatting import number_vn
from asxh.core.text import fold
from asxh.cycles.exports import FORMULA_START
from asxh.intake.reader import OLE_MAGIC, ZIP_MAGIC
from asxh.results.outcomes import LABELS, Outcome, Reported, ResultFileError

REFERENCE = re.compile(r"ASXH\d{16}")
REFERENCE_EXAMPLE = "ASXH0000420000001234"
ISO_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:"
# Message (namespace suffix) → format. The 2009 camt versions differ only in what the readers
# below already allow for (a plain <Sts>, no TxDtls/Amt).
XML_MESSAGES = {
    "pain.002.001.10": "pain002",
    "camt.053.001.08": "camt053",
    "camt.054.001.08": "camt054",
    "camt.053.001.02": "camt053",
    "camt.054.001.02": "camt054",
}
TITLE_SEARCH_ROWS = 20
MAX_PROBLEMS = 50

# --- What the provider writes in the result columns --------------------------------------

REFERENCE_TITLE = "Mã tham chiếu"
RESULT_TITLE = "Kết quả"
PAID_AMOUNT_TITLE = "Số tiền đã chi (đồng)"
REASON_TITLE = "Lý do"
_TITLES = {
    "reference": (REFERENCE_TITLE,),
    "result": (RESULT_TITLE, "Kết quả chi trả"),
    "amount": (PAID_AMOUNT_TITLE, "Số tiền đã chi", "Số tiền thực chi", "Số tiền thực chi (đồng)",
               "Số tiền đã chi trả", "Số tiền đã chi trả (đồng)"),
    "reason": (REASON_TITLE, "Lý do không chi được", "Lý do không chi"),
}  # fmt: skip

# Short forms of the outcome labels (outcomes.LABELS and the Outcome values are taken too).
RESULT_WORDS: dict[Outcome, tuple[str, ...]] = {
    Outcome.PAID: ("Đã chi", "Đã chi trả", "Chi trả", "Đã chuyển khoản", "Chuyển khoản",
                   "Đã chuyển tiền", "Thành công"),
    Outcome.PAID_HOME: ("Chi tại nhà", "Đã chi tại nhà", "Tiền mặt tại nhà"),
    Outcome.PAID_REPRESENTATIVE: ("Chi qua ủy quyền", "Chi qua người ủy quyền", "Ủy quyền",
                                  "Người ủy quyền", "Đã chi qua ủy quyền", "Giám hộ",
                                  "Người giám hộ", "Chi qua giám hộ", "Chi qua người giám hộ",
                                  "Đã chi qua giám hộ", "Đã chi qua người giám hộ"),
    Outcome.PAID_CASH: ("Tiền mặt", "Chi tiền mặt", "Đã chi tiền mặt", "Chi tại điểm chi trả",
                        "Đã chi tại điểm chi trả"),
    Outcome.FAILED_INVALID_ACCOUNT: ("Sai số tài khoản", "Sai tài khoản", "Sai ngân hàng",
                                     "Tài khoản không tồn tại", "Sai số tài khoản hoặc ngân hàng"),
    Outcome.FAILED_CLOSED_ACCOUNT: ("Tài khoản đóng", "Tài khoản đã đóng", "Tài khoản bị phong tỏa",
                                    "Tài khoản bị khóa", "Tài khoản đã đóng hoặc bị phong tỏa"),
    Outcome.FAILED_NAME_MISMATCH: ("Sai tên", "Tên không khớp", "Sai tên chủ tài khoản",
                                   "Tên người nhận không khớp chủ tài khoản"),
    Outcome.NOT_COLLECTED: ("Không nhận", "Chưa nhận", "Không nhận tiền", "Chưa nhận tiền",
                            "Không đến nhận", "Người hưởng không nhận tiền"),
    Outcome.FAILED_OTHER: ("Không chi được", "Chưa chi được", "Không thành công", "Thất bại",
                           "Bị từ chối", "Từ chối", "Lý do khác"),
    Outcome.REVERSED: ("Trả lại", "Bị trả lại", "Đã bị trả lại", "Hoàn trả", "Hủy bút toán"),
    Outcome.REVIEW: ("Kiểm tra",),
}  # fmt: skip
# A label may be written with this in front ("Không chi được - sai tên").
_FAILED_PREFIX = "khong chi duoc "

# ISO 20022 statuses (pain.002 TxSts, and the "Kết quả" column of a list).
PAID_STATUSES = {"ACCC": "", "ACSC": "Ngân hàng đã trích tiền, chờ xác nhận ghi có"}
REJECTED = "RJCT"
PENDING_STATUSES = frozenset({"RCVD", "ACTC", "ACCP", "ACSP", "ACWC", "ACWP", "PDNG", "PATC"})

# Reason codes (pain.002 StsRsnInf, camt RtrInf): outcome and label, research note §3.
_REASON_GROUPS: tuple[tuple[Outcome, str, tuple[str, ...]], ...] = (
    (Outcome.FAILED_INVALID_ACCOUNT, "Số tài khoản không đúng hoặc không tồn tại", ("AC01", "AC03")),
    (Outcome.FAILED_INVALID_ACCOUNT, "Ngân hàng không có khách hàng với tài khoản này", ("BE06",)),
    (Outcome.FAILED_INVALID_ACCOUNT, "Tài khoản không nhận được loại giao dịch này", ("AG01", "AG03")),
    (Outcome.FAILED_INVALID_ACCOUNT, "Mã ngân hàng (BIN NAPAS) không đúng",
     ("RC01", "RC04", "RC08", "RC10")),
    (Outcome.FAILED_CLOSED_ACCOUNT, "Tài khoản đã đóng", ("AC04", "AC07")),
    (Outcome.FAILED_CLOSED_ACCOUNT, "Tài khoản bị phong tỏa", ("AC06",)),
    (Outcome.FAILED_NAME_MISMATCH, "Tên người nhận không khớp với chủ tài khoản", ("BE01",)),
    (Outcome.FAILED_NAME_MISMATCH, "Tên người nhận thiếu hoặc không hợp lệ", ("BE21", "BE22", "RR03")),
    (Outcome.NOT_COLLECTED, "Người hưởng không nhận tiền", ("CNPC", "NOAS")),
    (Outcome.FAILED_OTHER, "Người hưởng đã qua đời", ("MD07",)),
    (Outcome.FAILED_OTHER, "Số tiền vượt hạn mức cho phép", ("AM02", "AM14", "AM21")),
    (Outcome.FAILED_OTHER, "Bị từ chối vì yêu cầu pháp lý", ("RR01", "RR02", "RR04")),
    (Outcome.FAILED_OTHER, "Bị từ chối, không nêu lý do", ("MS02", "MS03")),
    (Outcome.FAILED_OTHER, "Bị từ chối", ("NARR",)),  # the words are in AddtlInf
    (Outcome.FAILED_OTHER, "Tệp bị ngân hàng từ chối ({code})",
     ("FF01", "AM10", "AM16", "AM17", "AM18", "AM19", "AM20", "DU01", "DT01")),
    (Outcome.REVIEW, "Giao dịch bị coi là trùng lặp, cần kiểm tra",
     ("AM05", "DU03", "DU04", "DU05", "DUPL")),
)  # fmt: skip
REASONS = {code: (outcome, label) for outcome, label, codes in _REASON_GROUPS for code in codes}
UNKNOWN_CODE = "Ngân hàng trả mã {code}, cần kiểm tra"
NO_REASON = "Bị từ chối, không nêu lý do"
REVERSAL_TEXT = "Ngân hàng hủy bút toán đã chi"
_ISO_CODE = re.compile(r"[A-Z]{2}\d{2}")
_REASON_CELL = re.compile(r"\s*([A-Za-z]{2}\d{2}|[A-Za-z]{4})\b\s*[-–—:.,)]?\s*(.*)", re.S)


def _key(text: str) -> str:
    """How result words and titles are compared: no accents or case, punctuation as spaces."""
    return _PUNCTUATION.sub(" ", fold(text)).strip()


_PUNCTUATION = re.compile(r"[\s/.,;:()\[\]\-–—_'\"!?*]+")


def _result_table() -> dict[str, Outcome | str]:
    """folded word → the outcome it names, or the ISO status or reason code it is."""
    table: dict[str, Outcome | str] = {}

    def put(word: str, meaning: Outcome | str) -> None:
        if table.setdefault(_key(word), meaning) != meaning:
            raise ValueError(f"result word {word!r} means two things")

    for outcome in Outcome:
        for word in (LABELS[outcome], outcome.value, *RESULT_WORDS[outcome]):
            put(word, outcome)
    for code in (*PAID_STATUSES, REJECTED, *REASONS):
        put(code, code)
    return table


RESULT_TABLE = _result_table()
ACCEPTED_RESULTS = "; ".join(LABELS.values()) + "; hoặc mã ISO ACCC (đã chi), RJCT (bị từ chối)"

# --- The interface -----------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ResultRead:
    format: str  # "csv" | "xlsx" | "pain002" | "camt053" | "camt054"
    message_id: str  # XML: GrpHdr/MsgId of the report; '' for CSV/Excel
    # pain.002 OrgnlGrpInfAndSts/OrgnlMsgId; camt Refs/MsgId (else PmtInfId) of the first
    # transaction reported; '' otherwise
    original_message_id: str
    rows: Iterator[Reported]  # streamed, in file order


def read_results(path: Path, name: str) -> ResultRead:
    """Open the result file `path` uploaded as `name`. Raises ResultFileError at once when the
    file is not a result file; while `rows` is consumed, at its end if any row was wrong."""
    fmt, reader = _reader(path, name)
    ids, problems = _Ids(), _Problems()
    rows = reader(ids, problems)
    first = next(rows, None)  # the header and the first row: a wrong file is refused here
    streamed = rows if first is None else chain((first,), rows)
    return ResultRead(fmt, ids.message_id, ids.original_message_id, streamed)


@dataclasses.dataclass
class _Ids:
    message_id: str = ""
    original_message_id: str = ""
    original_known: bool = False


class _Problems:
    """The rows' problems, in file order, the first MAX_PROBLEMS in words."""

    def __init__(self) -> None:
        self.listed: list[str] = []
        self.more = 0

    def add(self, text: str) -> None:
        if len(self.listed) < MAX_PROBLEMS:
            self.listed.append(text)
        else:
            self.more += 1

    def error(self, *last: str) -> ResultFileError:
        more = [f"… và {number_vn(self.more)} lỗi khác."] if self.more else []
        return ResultFileError([*self.listed, *more, *last])

    def raise_any(self) -> None:
        if self.listed:
            raise self.error()


class _Invalid(ValueError):
    """A value that cannot be read; its message says where and how to fix it."""


Reader = Callable[[_Ids, _Problems], Iterator[Reported]]


def _reader(path: Path, name: str) -> tuple[str, Reader]:
    suffix = PurePath(name).suffix.lower()
    with path.open("rb") as handle:
        head = handle.read(8)
    if not head:
        raise ResultFileError([f"Tệp «{name}» rỗng (0 byte). Chọn đúng tệp kết quả đã lưu."])
    if suffix in (".csv", ".xlsx", ".xls"):
        if head.startswith(ZIP_MAGIC):
            return "xlsx", partial(_xlsx_rows, path, name)
        if head.startswith(OLE_MAGIC):
            return "xlsx", partial(_xls_rows, path, name)
        if suffix == ".csv":
            return "csv", partial(_csv_rows, path, name)
        raise ResultFileError(
            [f"Tệp «{name}» không phải tệp Excel hợp lệ (hỏng hoặc bị đổi đuôi). Mở bằng Excel "
             "và lưu lại dạng .xlsx."]
        )  # fmt: skip
    if suffix == ".xml":
        fmt, namespace = _xml_format(path, name)
        rows = _pain002_rows if fmt == "pain002" else _camt_rows
        return fmt, partial(rows, path, namespace)
    raise ResultFileError(
        [f"Không nhận tệp «{name}»: chỉ nhận danh sách có cột kết quả (.csv, .xlsx, .xls) hoặc "
         "tệp XML ISO 20022 (.xml: " + _accepted_messages() + ")."]
    )  # fmt: skip


# --- Rows of a table (CSV or Excel) ------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _Columns:
    title_row: int  # the row number of the titles, as the spreadsheet shows it
    reference: int
    result: int
    amount: int | None
    reason: int | None


def _find_columns(rows: Iterable[tuple[int, Sequence[object]]]) -> _Columns | None:
    """The title row among the first rows: the one with a cell "Mã tham chiếu"."""
    wanted = {_key(title): field for field, titles in _TITLES.items() for title in titles}
    for number, cells in rows:
        found: dict[str, list[int]] = {}
        for index, cell in enumerate(cells):
            field = wanted.get(_key(_cell_text(cell)))
            if field:
                found.setdefault(field, []).append(index)
        if "reference" in found:
            return _columns_checked(number, found)
    return None


def _columns_checked(number: int, found: dict[str, list[int]]) -> _Columns:
    for field, indexes in found.items():
        if len(indexes) > 1:
            title = _TITLES[field][0]
            letters = ", ".join(_column_letters(i) for i in indexes)
            raise ResultFileError(
                [f"Dòng tiêu đề (dòng {number}) có {len(indexes)} cột «{title}» (cột {letters}). "
                 "Giữ một cột, xóa hoặc đổi tên các cột kia."]
            )  # fmt: skip
    if "result" not in found:
        raise ResultFileError(
            [f"Dòng tiêu đề (dòng {number}) không có cột «{RESULT_TITLE}». Thêm vào bên phải "
             f"danh sách các cột «{RESULT_TITLE}» (bắt buộc), «{PAID_AMOUNT_TITLE}» và "
             f"«{REASON_TITLE}», rồi ghi kết quả của từng người."]
        )  # fmt: skip
    amount, reason = found.get("amount", [None])[0], found.get("reason", [None])[0]
    return _Columns(number, found["reference"][0], found["result"][0], amount, reason)


def _no_title_row(name: str) -> ResultFileError:
    return ResultFileError(
        [f"Không tìm thấy dòng tiêu đề có ô «{REFERENCE_TITLE}» trong {TITLE_SEARCH_ROWS} dòng "
         f"đầu của tệp «{name}». Dùng đúng tệp danh sách đã nhận từ hệ thống, giữ nguyên dòng "
         f"tiêu đề, và ghi kết quả vào các cột «{RESULT_TITLE}», «{PAID_AMOUNT_TITLE}», "
         f"«{REASON_TITLE}»."]
    )  # fmt: skip


def _column_letters(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _cell_text(value: object) -> str:
    """A cell as text; our CSV's apostrophe before a formula-like text is dropped."""
    if value.__class__ is str:  # the usual case first: this runs for every cell read
        text = value.strip()  # type: ignore[attr-defined]
        return text[1:] if text[:1] == "'" and text[1:2] in FORMULA_START else text
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _cell_text(str(value))


def _table_rows(
    rows: Iterable[tuple[int, Sequence[object]]], columns: _Columns, problems: _Problems
) -> Iterator[Reported]:
    """Events of the data rows under the title row; rows without a result are not reported
    yet (like the non-final statuses of pain.002)."""
    results = _ResultCells()
    referenced = with_result = 0
    absent = 1 << 30  # the index of a column the file does not have
    ref_at, result_at = columns.reference, columns.result
    amount_at = absent if columns.amount is None else columns.amount
    reason_at = absent if columns.reason is None else columns.reason
    for number, cells in rows:
        size = len(cells)
        reference = _cell_text(cells[ref_at]) if ref_at < size else ""
        result = _cell_text(cells[result_at]) if result_at < size else ""
        if not reference:
            if not _blank_or_total(cells):
                problems.add(
                    f"Dòng {number}, cột «{REFERENCE_TITLE}»: để trống nhưng dòng có dữ liệu. "
                    "Chép mã tham chiếu từ danh sách đã nhận, hoặc xóa dòng."
                )
            continue
        referenced += 1
        if not result:
            continue
        with_result += 1
        reason = _cell_text(cells[reason_at]) if reason_at < size else ""
        if not reason.isascii():  # a code-page CSV decodes tones as combining marks
            reason = unicodedata.normalize("NFC", reason)
        try:
            reference = _table_reference(number, reference)
            outcome, code, text = results.meaning(number, result, reason)
            amount = _table_amount(number, cells[amount_at] if amount_at < size else None, outcome)
        except _Invalid as invalid:
            problems.add(str(invalid))
            continue
        yield Reported(f"dòng {number}", reference, outcome, amount, code, text, "")
    if referenced and not with_result:
        problems.add(
            f"Cột «{RESULT_TITLE}» trống ở mọi dòng. Ghi kết quả chi trả của từng người ("
            f"{ACCEPTED_RESULTS}) rồi nhập lại."
        )
    problems.raise_any()


def _blank_or_total(cells: Sequence[object]) -> bool:
    """An empty row, or the "TỔNG CỘNG" row under our Excel list."""
    texts = [text for cell in cells if (text := _cell_text(cell))]
    return not texts or _key(texts[0]).startswith("tong cong")


def _table_reference(number: int, text: str) -> str:
    if REFERENCE.fullmatch(text):
        return text
    cleaned = "".join(text.split()).lstrip("'").upper()
    if REFERENCE.fullmatch(cleaned):
        return cleaned
    raise _Invalid(
        f"Dòng {number}, cột «{REFERENCE_TITLE}»: «{text}» không phải mã tham chiếu của hệ thống "
        f"(ASXH và 16 chữ số, ví dụ {REFERENCE_EXAMPLE}). Chép lại mã từ danh sách đã nhận; "
        "nếu bảng tính đã đổi ô thành số hoặc ngày, định dạng cột là Văn bản (Text)."
    )


class _ResultCells:
    """The meaning of "Kết quả" (and "Lý do"); the few distinct values are looked up once."""

    def __init__(self) -> None:
        self._known: dict[str, Outcome | str | None] = {}
        self._listed = False  # the accepted values were listed in an earlier problem

    def meaning(self, number: int, result: str, reason: str) -> tuple[Outcome, str, str]:
        if result not in self._known:
            self._known[result] = _result_meaning(result)
        meaning = self._known[result]
        if meaning is None:
            raise _Invalid(f"Dòng {number}, cột «{RESULT_TITLE}»: không hiểu giá trị «{result}». "
                           + self._accepted())  # fmt: skip
        code, words = _reason_cell(reason)
        if isinstance(meaning, Outcome):
            if meaning is Outcome.FAILED_OTHER and code in REASONS:
                return _rejection(code, words)  # "Không chi được" with an ISO reason: refined
            return meaning, code, words
        if meaning in PAID_STATUSES:
            return Outcome.PAID, meaning, _joined(PAID_STATUSES[meaning], reason)
        if meaning == REJECTED:
            return (
                _rejection(code, words)
                if code
                else (Outcome.FAILED_OTHER, REJECTED, reason or NO_REASON)
            )
        return _rejection(meaning, reason)  # a reason code written as the result

    def _accepted(self) -> str:
        """The accepted values, listed once per file: a file wrong on every row would
        otherwise repeat them on each of the problems shown."""
        if self._listed:
            return "Ghi một trong các giá trị đã nêu ở lỗi đầu tiên của cột này."
        self._listed = True
        return (f"Ghi một trong: {ACCEPTED_RESULTS} (với RJCT, ghi mã lý do ISO như AC04 vào "
                f"cột «{REASON_TITLE}»).")  # fmt: skip


def _result_meaning(result: str) -> Outcome | str | None:
    key = _key(result)
    meaning = RESULT_TABLE.get(key)
    if meaning is None and key.startswith(_FAILED_PREFIX):
        meaning = RESULT_TABLE.get(key.removeprefix(_FAILED_PREFIX))
    return meaning


def _reason_cell(reason: str) -> tuple[str, str]:
    """ "AC04 - tài khoản đã đóng" → ("AC04", "tài khoản đã đóng"); a reason without an ISO
    code at its start → ("", the reason)."""
    match = _REASON_CELL.match(reason) if reason else None
    if match:
        code = match[1].upper()
        if code in REASONS or _ISO_CODE.fullmatch(code):
            return code, match[2].strip()
    return "", reason


def _rejection(code: str, details: str, *, proprietary: bool = False) -> tuple[Outcome, str, str]:
    """(outcome, code, text) of a rejection reason; an unknown or proprietary code needs a look."""
    if not code:
        return Outcome.FAILED_OTHER, REJECTED, _joined(NO_REASON, details)
    outcome, label = (
        REASONS.get(code, (Outcome.REVIEW, UNKNOWN_CODE))
        if not proprietary
        else (Outcome.REVIEW, UNKNOWN_CODE)
    )
    return outcome, code, _joined(label.format(code=code), details)


def _joined(label: str, details: str) -> str:
    return f"{label}: {details}" if label and details else label or details


_PAID = frozenset({Outcome.PAID, Outcome.PAID_HOME, Outcome.PAID_REPRESENTATIVE, Outcome.PAID_CASH})


def _table_amount(number: int, value: object, outcome: Outcome) -> int | None:
    """The amount column: None when empty on a paid or returned row (the row's full amount);
    0 on a failure; a returned amount is written positive and reported negative."""
    text = _cell_text(value)
    if not text:
        amount = None
    elif text.isdigit() and text.isascii():
        amount = int(text)
    else:
        amount = _whole_vnd(f"Dòng {number}, cột «{PAID_AMOUNT_TITLE}»", value)
    if outcome in _PAID or outcome is Outcome.REVERSED:
        if amount == 0:
            raise _Invalid(
                f"Dòng {number}, cột «{PAID_AMOUNT_TITLE}»: số tiền là 0 ở dòng đã chi hoặc bị "
                "trả lại. Ghi số tiền, hoặc để trống nếu là toàn bộ số tiền trong danh sách."
            )
        return -amount if amount and outcome is Outcome.REVERSED else amount
    if amount:
        raise _Invalid(
            f"Dòng {number}, cột «{PAID_AMOUNT_TITLE}»: kết quả là không chi được nhưng ghi "
            f"{number_vn(amount)} đồng. Để trống hoặc ghi 0."
        )
    return 0


_GROUPED = (re.compile(r"\d{1,3}(?:\.\d{3})+"), re.compile(r"\d{1,3}(?:,\d{3})+"),
            re.compile(r"\d{1,3}(?: \d{3})+"))  # fmt: skip
_CURRENCY = re.compile(r"\s*(?:dong|vnd|d)$")


def _whole_vnd(where: str, value: object) -> int:
    """Whole đồng, ≥ 0: 1234567, "1.234.567", "1,234,567", "1 234 567 đ"."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value < 0:
            raise _Invalid(_negative(where, _cell_text(value)))
        if isinstance(value, float) and not value.is_integer():
            raise _Invalid(_fraction(where, _cell_text(value)))
        return int(value)
    text = _cell_text(value)
    bare = text if _GROUPED[0].fullmatch(text) else _CURRENCY.sub("", fold(text))
    if bare.isascii() and bare.isdigit():
        return int(bare)
    for grouped in _GROUPED:
        if grouped.fullmatch(bare):
            return int(re.sub(r"\D", "", bare))
    if bare.startswith(("-", "(")):
        raise _Invalid(_negative(where, text))
    if re.fullmatch(r"[\d., ]+", bare):
        raise _Invalid(_fraction(where, text))
    raise _Invalid(f"{where}: «{text}» không phải số tiền. Ghi số đồng, ví dụ 1.234.567.")


def _negative(where: str, text: str) -> str:
    return (
        f"{where}: «{text}» là số âm. Ghi số tiền dương; tiền bị trả lại ghi ở dòng có kết quả "
        "«Trả lại»."
    )


def _fraction(where: str, text: str) -> str:
    return (
        f"{where}: «{text}» không phải số đồng nguyên. Không ghi phần lẻ; dấu chấm hoặc dấu phẩy "
        "chỉ dùng để tách hàng nghìn (1.234.567)."
    )


# --- CSV ---------------------------------------------------------------------------------

_DELIMITERS = (",", ";", "\t", "|")
_ENCODING_SAMPLE = 262_144  # bytes; a byte that is not UTF-8 further on is reported then
_HEAD_CHARS = 65_536


def _csv_rows(path: Path, name: str, ids: _Ids, problems: _Problems) -> Iterator[Reported]:
    encoding = _csv_encoding(path, name)
    with path.open(encoding=encoding, newline="") as handle:
        try:
            delimiter, columns = _csv_layout(handle.read(_HEAD_CHARS), name)
            handle.seek(0)
            records = enumerate(csv.reader(handle, delimiter=delimiter), start=1)
            yield from _table_rows(islice(records, columns.title_row, None), columns, problems)
        except UnicodeDecodeError as error:
            raise problems.error(
                f"Tệp «{name}» có ký tự không đọc được theo bảng mã {encoding}. Mở bằng Excel và "
                "lưu lại dạng «CSV UTF-8»."
            ) from error
        except csv.Error as error:
            raise problems.error(f"Tệp «{name}» không đọc được dạng CSV: {error}.") from error


def _csv_encoding(path: Path, name: str) -> str:
    """UTF-8 (our export writes it with a BOM) unless the start of the file says otherwise."""
    with path.open("rb") as handle:
        head = handle.read(_ENCODING_SAMPLE)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(head).best()
    if best is None:
        raise ResultFileError(
            [f"Không nhận ra bảng mã của tệp «{name}». Mở bằng Excel và lưu dạng «CSV UTF-8» "
             "hoặc .xlsx."]
        )  # fmt: skip
    return str(best.encoding)


def _csv_layout(head: str, name: str) -> tuple[str, _Columns]:
    """The delimiter (Excel in Vietnamese saves with ";") that gives a title row."""
    for delimiter in _DELIMITERS:
        rows = enumerate(csv.reader(io.StringIO(head), delimiter=delimiter), start=1)
        columns = _find_columns(islice(rows, TITLE_SEARCH_ROWS))
        if columns:
            return delimiter, columns
    raise _no_title_row(name)


# --- Excel -------------------------------------------------------------------------------


def _xls_rows(path: Path, name: str, ids: _Ids, problems: _Problems) -> Iterator[Reported]:
    """Excel 97–2003 (.xls, at most 65,536 rows): calamine reads it whole, which is small."""
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(path))
    except Exception as error:  # calamine raises its own types for every kind of damage
        raise _unreadable_excel(name, error) from error
    for sheet_name in book.sheet_names:
        sheet = book.get_sheet_by_name(sheet_name)
        first = (sheet.start[0] if sheet.start else 0) + 1
        columns = _find_columns(
            islice(enumerate(sheet.iter_rows(), start=first), TITLE_SEARCH_ROWS)
        )
        if columns:
            rows = enumerate(sheet.iter_rows(), start=first)
            yield from _table_rows(
                islice(rows, columns.title_row - first + 1, None), columns, problems
            )
            return
    raise _no_title_row(name)


def _unreadable_excel(name: str, error: Exception) -> ResultFileError:
    return ResultFileError(
        [f"Không đọc được tệp Excel «{name}» ({type(error).__name__}: {error}). Nếu tệp có mật "
         "khẩu, bỏ mật khẩu; mở bằng Excel và lưu lại dạng .xlsx."]
    )  # fmt: skip


def _xlsx_rows(path: Path, name: str, ids: _Ids, problems: _Problems) -> Iterator[Reported]:
    """.xlsx: the sheet's XML is streamed (a whole-sheet reader holds about 1.5 kB a row)."""
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise _unreadable_excel(name, error) from error
    with archive:
        try:
            sheets, shared = _xlsx_parts(archive)
            strings = _SharedStrings(archive, shared, name) if shared else None
        except (zipfile.BadZipFile, KeyError, etree.XMLSyntaxError, OSError) as error:
            raise _unreadable_excel(name, error) from error
        for part in sheets:  # the first sheet with the title row
            with archive.open(part) as handle:
                head = islice(_xlsx_sheet(handle, strings, name), TITLE_SEARCH_ROWS)
                columns = _find_columns((n, r) for n, r in head if n <= TITLE_SEARCH_ROWS)
            if columns:
                with archive.open(part) as handle:
                    rows = _xlsx_sheet(handle, strings, name, columns)
                    yield from _table_rows(rows, columns, problems)
                return
    raise _no_title_row(name)


def _xlsx_parts(archive: zipfile.ZipFile) -> tuple[list[str], str]:
    """The sheets' XML parts in workbook order, and the shared strings' part ('' if none)."""
    book = etree.fromstring(archive.read("xl/workbook.xml"), _SMALL_XML)
    rels = etree.fromstring(archive.read("xl/_rels/workbook.xml.rels"), _SMALL_XML)
    targets = {rel.get("Id"): _xlsx_target(rel.get("Target", "")) for rel in rels}
    sheets = []
    for sheet in book.iter("{*}sheet"):
        rel_id = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), "")
        if targets.get(rel_id) in archive.NameToInfo:
            sheets.append(targets[rel_id])
    shared = [_xlsx_target(r.get("Target", "")) for r in rels
              if r.get("Type", "").endswith("/sharedStrings")]  # fmt: skip
    return sheets, shared[0] if shared else ""


def _xlsx_target(target: str) -> str:
    return target.lstrip("/") if target.startswith("/") else f"xl/{target}"


_SMALL_XML = etree.XMLParser(resolve_entities=False, no_network=True)


class _SharedStrings:
    """The workbook's strings, packed as UTF-8: a file saved by Excel keeps every name,
    account and reference here, millions of short strings (a few tens of MB packed, several
    times that as Python strings)."""

    def __init__(self, archive: zipfile.ZipFile, part: str, name: str) -> None:
        self._data = bytearray()
        self._ends = array("Q")
        with archive.open(part) as handle:
            for item in _iterparse(handle, "{*}si", name):
                self._data += _shared_text(item).encode()
                self._ends.append(len(self._data))
                _release(item)

    def __getitem__(self, index: int) -> str:
        start = self._ends[index - 1] if index else 0
        return self._data[start : self._ends[index]].decode()


def _shared_text(item: Any) -> str:
    """<si><t>…</t></si> or rich text <si><r><t>…</t></r>…</si>; phonetic runs left out."""
    parts = []
    for child in item:
        if child.tag.endswith("}t"):
            parts.append(child.text or "")
        elif child.tag.endswith("}r"):
            parts.extend(t.text or "" for t in child if t.tag.endswith("}t"))
    return "".join(parts)


def _xlsx_sheet(
    handle: IO[bytes], strings: _SharedStrings | None, name: str, columns: _Columns | None = None
) -> Iterator[tuple[int, list[object]]]:
    """(row number, cells) of a sheet; under the title row of `columns`, only its columns
    unless the reference is empty (then the whole row, to tell a blank or total row)."""
    wanted: dict[str, int] = {}  # column letters → index
    if columns is not None:
        spots = (columns.reference, columns.result, columns.amount, columns.reason)
        wanted = {_column_letters(index): index for index in spots if index is not None}
    after = columns.title_row if columns else 0
    number = 0
    for row in _iterparse(handle, "{*}row", name):
        address = row.get("r")
        number = int(address or number + 1)
        if number > after:
            if columns is None:
                cells = _xlsx_cells(row, strings)
            else:
                cells = _xlsx_wanted(row, strings, wanted, address)
                at = columns.reference
                if not (at < len(cells) and _cell_text(cells[at])):
                    cells = _xlsx_cells(row, strings)
            yield number, cells
        _release(row)


def _xlsx_wanted(
    row: Any, strings: _SharedStrings | None, wanted: dict[str, int], address: str | None
) -> list[object]:
    """Only the wanted cells, found by their address ("R12"): a million rows of twenty cells
    make the per-cell work count."""
    cells: list[object] = [None] * (max(wanted.values()) + 1)
    first = row[0] if len(row) else None
    if address is None or first is None or first.get("r") is None:  # no addresses to go by
        for index, value in enumerate(_xlsx_cells(row, strings)):
            if index < len(cells) and index in wanted.values():
                cells[index] = value
        return cells
    at = {letters + address: index for letters, index in wanted.items()}
    for cell in row:
        spot = at.get(cell.get("r"))
        if spot is not None:
            cells[spot] = _xlsx_value(cell, strings)
    return cells


_COLUMN_INDEX: dict[str, int] = {}  # "AB" → 27
_DIGITS = "0123456789"


def _xlsx_cells(row: Any, strings: _SharedStrings | None) -> list[object]:
    """The row's cells by column index (the sheet leaves empty cells out)."""
    cells: list[object] = []
    index = -1
    for cell in row:
        ref = cell.get("r")  # a cell without it follows the one before
        if ref:
            letters = ref.rstrip(_DIGITS)
            known = _COLUMN_INDEX.get(letters)
            index = _column_index(letters) if known is None else known
        else:
            index += 1
        if index >= len(cells):
            cells.extend([None] * (index + 1 - len(cells)))
        cells[index] = _xlsx_value(cell, strings)
    return cells


def _column_index(letters: str) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    _COLUMN_INDEX[letters] = index - 1
    return index - 1


def _xlsx_value(cell: Any, strings: _SharedStrings | None) -> object:
    kind = cell.get("t")
    if kind == "inlineStr":
        return "".join(cell.itertext())
    value = None
    for child in cell:  # <f> (a formula) may come first; <v> holds the value
        if child.tag.endswith("}v"):
            value = child.text
    if value is None:
        return None
    if kind == "s":
        return strings[int(value)] if strings is not None else None
    if kind in ("str", "e"):
        return value
    if kind == "b":
        return value == "1"
    try:
        number = float(value)
    except ValueError:
        return value
    return int(number) if number.is_integer() else number


# --- XML ---------------------------------------------------------------------------------


def _accepted_messages() -> str:
    return ", ".join(XML_MESSAGES)


def _xml_format(path: Path, name: str) -> tuple[str, str]:
    """(format, namespace) from the root element, the only thing read here."""
    with path.open("rb") as handle:
        try:
            _, root = next(iter(etree.iterparse(handle, events=("start",), **_XML_OPTIONS)))
        except (etree.XMLSyntaxError, StopIteration) as error:
            raise ResultFileError(
                [f"Tệp «{name}» không phải tệp XML đọc được ({error}). Xin tổ chức chi trả gửi "
                 "lại tệp kết quả."]
            ) from error  # fmt: skip
    namespace = etree.QName(root).namespace or ""
    message = namespace.removeprefix(ISO_NAMESPACE)
    if etree.QName(root).localname == "Document" and message in XML_MESSAGES:
        return XML_MESSAGES[message], namespace
    found = (
        f"thông điệp ISO 20022 {message}"
        if namespace.startswith(ISO_NAMESPACE)
        else f"phần tử gốc «{etree.QName(root).localname}», namespace «{namespace or 'không có'}»"
    )
    raise ResultFileError(
        [f"Tệp «{name}» là {found}. Hệ thống chỉ nhận {_accepted_messages()}. Xin tổ chức chi "
         "trả gửi kết quả theo một trong các phiên bản này."]
    )  # fmt: skip


_XML_OPTIONS: dict[str, Any] = {"resolve_entities": False, "no_network": True}


def _iterparse(handle: IO[bytes], tags: str | tuple[str, ...], name: str = "") -> Iterator[Any]:
    """The `end` of each element named in `tags`; a damaged file raises ResultFileError."""
    try:
        for _, element in etree.iterparse(handle, events=("end",), tag=tags, **_XML_OPTIONS):
            yield element
    except etree.XMLSyntaxError as error:
        raise ResultFileError(
            [f"Tệp {name or 'XML'} bị hỏng (dòng {error.lineno}: {error.msg}). Xin tổ chức chi "
             "trả gửi lại tệp."]
        ) from error  # fmt: skip


def _release(element: Any) -> None:
    """Drop an element once read, and its earlier siblings: memory stays flat (§2.4)."""
    element.clear()
    parent = element.getparent()
    if parent is not None:
        while element.getprevious() is not None:
            del parent[0]


class _Paths:
    """Qualified names and paths in the message's namespace, each built once per file; the
    names read for every transaction are attributes."""

    def __init__(self, namespace: str) -> None:
        self._ns = f"{{{namespace}}}"
        self._built: dict[str, str] = {}
        self.refs = self("Refs")
        self.end_to_end = self("EndToEndId")
        self.instruction = self("InstrId")
        self.message = self("MsgId")
        self.block = self("PmtInfId")
        self.bank_ref = self("AcctSvcrRef")
        self.amount = self("Amt")
        self.amount_details = self("AmtDtls")
        self.direction = self("CdtDbtInd")
        self.codes = self("BkTxCd")
        self.returned = self("RtrInf")
        self.original_end_to_end = self("OrgnlEndToEndId")
        self.original_instruction = self("OrgnlInstrId")
        self.original_transaction = self("OrgnlTxRef")
        self.transaction_status = self("TxSts")
        self.status_reason = self("StsRsnInf")

    def __call__(self, path: str) -> str:
        built = self._built.get(path)
        if built is None:
            built = self._built[path] = "/".join(self._ns + step for step in path.split("/"))
        return built


def _texts(element: Any) -> dict[str, str]:
    """The text of each child, by qualified tag (one pass instead of a find per field)."""
    return {child.tag: (child.text or "").strip() for child in element}


def _xml_reference(*candidates: str | None) -> str:
    """Our reference: the first candidate given (a bank may write NOTPROVIDED), spaces out."""
    for candidate in candidates:
        text = "".join((candidate or "").split())
        if text and text.upper() != "NOTPROVIDED":
            return text
    return ""


_XML_WHOLE = re.compile(r"(\d+)(?:\.0*)?")


def _vnd(where: str, amount: tuple[str, str] | None) -> int:
    """An XML amount (text, Ccy): whole VND, > 0."""
    if amount is None:
        raise _Invalid(f"{where}: không có số tiền.")
    text, currency = amount
    if currency != "VND":
        raise _Invalid(f"{where}: số tiền bằng «{currency or 'không ghi'}», chỉ nhận VND.")
    match = _XML_WHOLE.fullmatch(text)
    if not match or int(match[1]) <= 0:
        raise _Invalid(f"{where}: số tiền «{text}» không phải số đồng nguyên dương.")
    return int(match[1])


def _amount_of(element: Any) -> tuple[str, str] | None:
    if element is None:
        return None
    return (element.text or "").strip(), (element.get("Ccy") or "").strip()


def _capital(where: str) -> str:
    return where[:1].upper() + where[1:]


def _check_reference(where: str, reference: str, tag: str) -> None:
    if not reference:
        raise _Invalid(f"{_capital(where)}: không có {tag}: không biết giao dịch của ai.")
    if not REFERENCE.fullmatch(reference):
        raise _Invalid(
            f"{_capital(where)}: mã tham chiếu «{reference}» ({tag}) không phải mã của hệ thống "
            f"(ASXH và 16 chữ số, ví dụ {REFERENCE_EXAMPLE})."
        )


# --- pain.002 ----------------------------------------------------------------------------

# What a reason of a refused file means (ISO definitions), for the message that says so.
FILE_REASONS = {
    "FF01": "sai định dạng tệp", "AM10": "tổng kiểm tra (CtrlSum) sai",
    "AM16": "tổng tiền của cả tệp sai", "AM17": "tổng tiền của lô sai",
    "AM18": "số giao dịch (NbOfTxs) sai", "AM19": "số giao dịch của cả tệp sai",
    "AM20": "số giao dịch của lô sai", "DU01": "trùng mã thông điệp (MsgId) đã gửi",
    "DT01": "ngày không hợp lệ",
}  # fmt: skip


@dataclasses.dataclass
class _Status:
    """A transaction's, a payment block's or the group's status and first reason."""

    status: str = ""
    code: str = ""
    proprietary: bool = False
    details: str = ""


def _status_of(holder: Any, p: _Paths, status_name: str) -> _Status:
    """The status in the child `status_name` (a qualified tag) and the first reason."""
    found = _Status()
    details: list[str] = []
    reason_name = p.status_reason
    for child in holder:
        if child.tag == status_name:
            found.status = (child.text or "").strip()
        elif child.tag == reason_name:
            if not found.code:
                code = (child.findtext(p("Rsn/Cd")) or "").strip()
                prtry = (child.findtext(p("Rsn/Prtry")) or "").strip()
                found.code, found.proprietary = code or prtry, bool(prtry and not code)
            details += [text.strip() for text in child.itertext(p("AddtlInf")) if text.strip()]
    found.details = " ".join(details)
    return found


def _pain002_rows(path: Path, namespace: str, ids: _Ids, problems: _Problems) -> Iterator[Reported]:
    """One event per final TxInfAndSts, read as the file streams past."""
    p = _Paths(namespace)
    tx_tag, block_tag, group_tag, header_tag = (
        p("TxInfAndSts"), p("OrgnlPmtInfAndSts"), p("OrgnlGrpInfAndSts"), p("GrpHdr"),
    )  # fmt: skip
    group, block, block_element = _Status(), _Status(), None
    count, empty_blocks = 0, []
    with path.open("rb") as handle:
        for element in _iterparse(handle, (tx_tag, block_tag, group_tag, header_tag), "pain.002"):
            tag = element.tag
            if tag == tx_tag:
                count += 1
                if element.getparent() is not block_element:  # a new block: read its status once
                    block_element = element.getparent()
                    block = _status_of(block_element, p, p("PmtInfSts"))
                try:
                    event = _transaction(element, p, f"giao dịch {count}", block, group)
                except _Invalid as invalid:
                    problems.add(str(invalid))
                else:
                    if event:
                        yield event
            elif tag == block_tag and element is not block_element:
                empty_blocks.append(_status_of(element, p, p("PmtInfSts")))
            elif tag == group_tag:
                group = _status_of(element, p, p("GrpSts"))
                ids.original_message_id = (element.findtext(p("OrgnlMsgId")) or "").strip()
            elif tag == header_tag:
                ids.message_id = (element.findtext(p("MsgId")) or "").strip()
            _release(element)
    if not count:
        raise _no_transactions(ids.original_message_id, group, empty_blocks)
    problems.raise_any()


def _transaction(tx: Any, p: _Paths, where: str, block: _Status, group: _Status) -> Reported | None:
    texts = _texts(tx)
    reference = _xml_reference(texts.get(p.original_end_to_end), texts.get(p.original_instruction))
    _check_reference(where, reference, "OrgnlEndToEndId")
    own = (
        _status_of(tx, p, p.transaction_status)
        if p.status_reason in texts
        else _Status(texts.get(p.transaction_status, ""))  # no reason: most transactions
    )
    # Without TxSts the status is the block's, else the group's (and so are the reasons).
    status = own if own.status else block if block.status else group
    reason = own if own.code or own.details else status
    bank_ref = texts.get(p.bank_ref, "")
    if status.status in PENDING_STATUSES:
        return None
    if status.status in PAID_STATUSES:
        amount = None
        if p.original_transaction in texts:  # our amount echoed: the amount paid
            echoed = _amount_of(tx.find(p("OrgnlTxRef/Amt/InstdAmt")))
            amount = None if echoed is None else _vnd(f"{_capital(where)} ({reference})", echoed)
        text = _joined(PAID_STATUSES[status.status], reason.details)
        return Reported(where, reference, Outcome.PAID, amount, status.status, text, bank_ref)
    if status.status == REJECTED:
        outcome, code, text = _rejection(
            reason.code, reason.details, proprietary=reason.proprietary
        )
        return Reported(where, reference, outcome, 0, code, text, bank_ref)
    text = (UNKNOWN_CODE.format(code=status.status) if status.status
            else "Ngân hàng không ghi trạng thái giao dịch, cần kiểm tra")  # fmt: skip
    return Reported(where, reference, Outcome.REVIEW, 0, status.status,
                    _joined(text, reason.details), bank_ref)  # fmt: skip


def _no_transactions(original: str, group: _Status, blocks: list[_Status]) -> ResultFileError:
    """A report without TxInfAndSts: a refused file, or nothing per person to import."""
    refused = next((s for s in (group, *blocks) if s.status == REJECTED), None)
    file = f"tệp {original}" if original else "tệp đã gửi"
    if refused:
        code = refused.code or "không ghi"
        meaning = FILE_REASONS.get(refused.code) or (
            _rejection(refused.code, "", proprietary=refused.proprietary)[2] if refused.code else ""
        )
        why = "; ".join(part for part in (meaning, refused.details) if part)
        return ResultFileError(
            [f"Ngân hàng từ chối toàn bộ {file}, mã lý do {code}" + (f" ({why})" if why else "")
             + ". Không người nào trong tệp được chi. Sửa theo lý do, lập lại tệp chuyển khoản "
             "và gửi lại ngân hàng."]
        )  # fmt: skip
    status = group.status or next((s.status for s in blocks if s.status), "") or "không ghi"
    return ResultFileError(
        [f"Báo cáo pain.002 cho {file} không có trạng thái từng giao dịch (trạng thái chung: "
         f"{status}), nên không có kết quả của người nào để nhập. Xin ngân hàng gửi báo cáo chi "
         "tiết từng giao dịch (TxInfAndSts) hoặc sao kê camt.054."]
    )  # fmt: skip


# --- camt.053 / camt.054 -----------------------------------------------------------------


class _Entry:
    """One Ntry, its fields read once (they precede NtryDtls in the schema, so they are
    parsed when its first TxDtls ends)."""

    def __init__(self, element: Any, number: int, p: _Paths) -> None:
        self.element, self.number, self.transactions = element, number, 0
        texts = _texts(element)
        status = element.find(p("Sts"))  # 2009: <Sts>BOOK</Sts>; since: <Sts><Cd>BOOK</Cd>
        code = "" if status is None else status.findtext(p("Cd")) or status.text or ""
        self.booked = code.strip() == "BOOK"
        self.amount = _amount_of(element.find(p("Amt")))
        self.credit = texts.get(p("CdtDbtInd")) == "CRDT"
        self.reversal = texts.get(p("RvslInd"), "").lower() in ("true", "1")
        self.returned = (element.findtext(p("BkTxCd/Domn/Fmly/SubFmlyCd")) or "").strip() == "RRTN"
        self.bank_ref = texts.get(p.bank_ref, "")
        # A TxDtls without an amount takes the entry's if it is the entry's only one: it
        # waits here for the next TxDtls or the entry's end to tell.
        self.waiting: tuple[Reported, str] | None = None  # the event, its file's MsgId

    def where(self) -> str:
        return f"bút toán {self.number}, giao dịch {self.transactions}"


def _camt_rows(path: Path, namespace: str, ids: _Ids, problems: _Problems) -> Iterator[Reported]:
    """One event per TxDtls of a booked entry: paid (DBIT), returned or reversed (CRDT)."""
    p = _Paths(namespace)
    tx_tag, entry_tag, header_tag = p("TxDtls"), p("Ntry"), p("GrpHdr")
    tags = (tx_tag, entry_tag, header_tag, p("Stmt"), p("Ntfctn"))
    entry: _Entry | None = None
    entries = 0
    with path.open("rb") as handle:
        for element in _iterparse(handle, tags, "camt"):
            tag = element.tag
            if tag == tx_tag:
                ntry = element.getparent().getparent()
                if entry is None or entry.element is not ntry:
                    entries += 1
                    entry = _Entry(ntry, entries, p)
                event = _entry_transaction(entry, element, p, ids, problems)
                if event:
                    yield event
            elif tag == entry_tag:
                if entry is None or entry.element is not element:
                    entries += 1  # no TxDtls: a booking of a whole file, no one's result
                elif event := _entry_end(entry, ids, problems):
                    yield event
            elif tag == header_tag:
                ids.message_id = (element.findtext(p("MsgId")) or "").strip()
            _release(element)
    problems.raise_any()


def _entry_transaction(
    entry: _Entry, tx: Any, p: _Paths, ids: _Ids, problems: _Problems
) -> Reported | None:
    entry.transactions += 1
    if entry.waiting:  # a second TxDtls: the first cannot take the entry's amount
        problems.add(_no_amount(entry.waiting[0]))
        entry.waiting = None
    if not entry.booked:
        return None
    try:
        found = _camt_event(entry, tx, p)
    except _Invalid as invalid:
        problems.add(str(invalid))
        return None
    if found is None:
        return None
    event, message_id, has_amount = found
    if has_amount:
        return _first_noted(event, message_id, ids)
    if entry.transactions == 1:
        entry.waiting = event, message_id
    else:
        problems.add(_no_amount(event))
    return None


def _no_amount(event: Reported) -> str:
    return f"{_capital(event.where)} ({event.reference}): không có số tiền (TxDtls/Amt)."


def _entry_end(entry: _Entry, ids: _Ids, problems: _Problems) -> Reported | None:
    """The entry's only TxDtls, if it waited for the entry's amount."""
    if not entry.waiting:
        return None
    event, message_id = entry.waiting
    entry.waiting = None
    try:
        amount = _vnd(f"{_capital(event.where)} ({event.reference})", entry.amount)
    except _Invalid as invalid:
        problems.add(str(invalid))
        return None
    signed = -amount if event.outcome is Outcome.REVERSED else amount
    return _first_noted(event._replace(amount=signed), message_id, ids)


def _first_noted(event: Reported, message_id: str, ids: _Ids) -> Reported:
    """The event, the first one's file noted as the report's original message."""
    if not ids.original_known:
        ids.original_message_id, ids.original_known = message_id, True
    return event


def _camt_event(entry: _Entry, tx: Any, p: _Paths) -> tuple[Reported, str, bool] | None:
    """(event, its file's MsgId, whether the TxDtls has its own amount); None for a movement
    of the account that is not one of our payments (funding, charges)."""
    where = entry.where()
    children = {child.tag: child for child in tx}
    refs = children.get(p.refs)
    texts = {} if refs is None else _texts(refs)
    reference = _xml_reference(texts.get(p.end_to_end), texts.get(p.instruction))
    message_id = _xml_reference(texts.get(p.message), texts.get(p.block))
    if not REFERENCE.fullmatch(reference):
        if message_id.startswith("ASXH"):  # our file, yet not our reference: say so
            _check_reference(where, reference, "Refs/EndToEndId")
        return None
    amount = _amount_of(children.get(p.amount))
    if amount is None and p.amount_details in children:  # 2009: no TxDtls/Amt
        amount = _amount_of(tx.find(p("AmtDtls/TxAmt/Amt")))
    outcome, code, text = _camt_outcome(entry, children, p)
    value = 0
    if outcome is not Outcome.REVIEW and amount is not None:
        value = _vnd(f"{_capital(where)} ({reference})", amount)
    signed = -value if outcome is Outcome.REVERSED else value
    bank_ref = texts.get(p.bank_ref) or entry.bank_ref
    event = Reported(where, reference, outcome, signed, code, text, bank_ref)
    return event, message_id, amount is not None or outcome is Outcome.REVIEW


def _camt_outcome(entry: _Entry, children: dict[str, Any], p: _Paths) -> tuple[Outcome, str, str]:
    direction = children.get(p.direction)
    credit = entry.credit if direction is None else (direction.text or "").strip() == "CRDT"
    codes = children.get(p.codes)
    returned = entry.returned or (
        codes is not None and (codes.findtext(p("Domn/Fmly/SubFmlyCd")) or "").strip() == "RRTN"
    )
    back = children.get(p.returned)
    if credit and (back is not None or returned):
        return _returned(back, p)
    if credit and entry.reversal:
        return Outcome.REVERSED, "", REVERSAL_TEXT
    if credit:
        return (Outcome.REVIEW, "",
                "Tài khoản chi trả được ghi có một khoản không phải tiền trả lại, cần kiểm tra")  # fmt: skip
    if entry.reversal:
        return (Outcome.REVIEW, "",
                "Ngân hàng hủy một khoản đã ghi có (bút toán nợ đảo), cần kiểm tra")  # fmt: skip
    return Outcome.PAID, "", ""


def _returned(back: Any, p: _Paths) -> tuple[Outcome, str, str]:
    """A return: its reason's label from the table, the code kept as given."""
    code = details = ""
    if back is not None:
        code = (back.findtext(p("Rsn/Cd")) or back.findtext(p("Rsn/Prtry")) or "").strip()
        details = " ".join(t.strip() for t in back.itertext(p("AddtlInf")) if t.strip())
    label = REASONS[code][1].format(code=code) if code in REASONS else code and f"mã {code}"
    text = f"Đã chi nhưng bị trả lại: {label}" if label else "Đã chi nhưng bị trả lại"
    return Outcome.REVERSED, code, _joined(text, details)
