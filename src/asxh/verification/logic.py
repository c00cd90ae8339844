"""Pure rules of verification: the exchanged lists' columns, reading the answers, comparing names.

No ORM and no I/O: the services hand in plain rows and facts and get answers and row errors.
"""

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from asxh.beneficiaries.logic import partial_date_parse
from asxh.core.formatting import partial_date_vn
from asxh.core.masking import mask_account_number
from asxh.core.text import fold, fold_upper, nfc

MATCH, MISMATCH, NOT_FOUND = "match", "mismatch", "not_found"
VERIFIED, HOLDER_MISMATCH, FAILED = "verified", "mismatch", "failed"
FOUND, ABSENT, UNAVAILABLE = "found", "not_found", "unavailable"


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    width: int
    # Filled in by the police or the provider, not by us.
    answer: bool = False
    # Kept as text so Excel does not turn 0912… into a number or 05/03/1955 into a serial.
    text: bool = False


IDENTITY_COLUMNS = (
    Column("stt", "STT", 6),
    Column("ref", "Mã đối tượng", 11),
    Column("full_name", "Họ và tên", 26),
    Column("birth", "Ngày sinh", 12),
    Column("sex", "Giới tính", 9),
    Column("id_number", "Số định danh/CCCD", 16, text=True),
    Column("residence", "Nơi thường trú", 34),
    Column("result", "Kết quả (Khớp / Sai lệch / Không tìm thấy)", 18, answer=True),
    Column("db_full_name", "Họ và tên theo CSDL dân cư", 26, answer=True),
    Column("db_birth", "Ngày sinh theo CSDL dân cư", 14, answer=True, text=True),
    Column("db_sex", "Giới tính theo CSDL dân cư", 12, answer=True),
    Column("db_id_number", "Số định danh theo CSDL dân cư", 18, answer=True, text=True),
    Column("note", "Ghi chú", 28, answer=True),
)

ACCOUNT_COLUMNS = (
    Column("stt", "STT", 6),
    Column("ref", "Mã tài khoản", 11),
    Column("beneficiary", "Họ và tên đối tượng", 26),
    Column("bin", "Mã BIN", 9, text=True),
    Column("bank", "Ngân hàng/tổ chức", 18),
    Column("account_number", "Số tài khoản", 20, text=True),
    Column("holder", "Tên chủ tài khoản theo hồ sơ", 26),
    Column("bank_holder", "Tên chủ tài khoản theo ngân hàng", 26, answer=True),
    Column("answer", "Kết quả tra cứu (Có tài khoản / Không tìm thấy)", 18, answer=True),
    Column("note", "Ghi chú", 28, answer=True),
)

RESULT_LABELS = {MATCH: "Khớp", MISMATCH: "Sai lệch", NOT_FOUND: "Không tìm thấy"}
_RESULT_WORDS = {
    "khop": MATCH,
    "dung": MATCH,
    "sai lech": MISMATCH,
    "sai": MISMATCH,
    "khong tim thay": NOT_FOUND,
    "khong co": NOT_FOUND,
    "khong co trong csdl": NOT_FOUND,
}
_ANSWER_WORDS = {
    "co tai khoan": FOUND,
    "co": FOUND,
    "hop le": FOUND,
    "khong tim thay": ABSENT,
    "khong ton tai": ABSENT,
    "khong co": ABSENT,
    "sai so tai khoan": ABSENT,
}
_SEX_WORDS = {"nam": "M", "m": "M", "nu": "F", "f": "F"}
_NUMBERING = re.compile(r"^\(\d+\)$")
_NOT_WORD = re.compile(r"[^0-9A-Z ]+")


def header_key(text: object) -> str:
    """A header cell as a lookup key: folded, without its '(…)' hint."""
    return fold(str(text).split("(")[0])


def column_map(header_row: list[Any], columns: tuple[Column, ...]) -> dict[str, int]:
    """Which cell of the row holds each known column, matched by header text."""
    wanted = {header_key(c.header): c.key for c in columns}
    found: dict[str, int] = {}
    for index, cell in enumerate(header_row):
        key = wanted.get(header_key(cell)) if cell not in (None, "") else None
        if key and key not in found:
            found[key] = index
    return found


def column_name(index: int) -> str:
    return xl_col_to_name(index)


def cell_text(value: object) -> str:
    """A cell as text: numbers without '.0', dates as dd/mm/yyyy, NFC, single spaces."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "x" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return nfc(str(value))


def is_numbering_row(cells: Mapping[str, object]) -> bool:
    """The '(1) (2) (3)…' row under a Vietnamese form's header."""
    return bool(_NUMBERING.match(cell_text(cells.get("stt")))) or bool(
        _NUMBERING.match(cell_text(cells.get("ref")))
    )


def reference_parse(value: object) -> int:
    text = cell_text(value)
    if not text.isdigit():
        raise ValueError(f"'{text}' không phải mã số (chỉ gồm chữ số); giữ nguyên mã khi xuất.")
    return int(text)


def result_parse(value: object) -> str | None:
    """'Khớp' / 'Sai lệch' / 'Không tìm thấy' (any case, with or without accents); blank → None."""
    text = fold(cell_text(value)).rstrip(".")
    if not text:
        return None
    if text in _RESULT_WORDS:
        return _RESULT_WORDS[text]
    raise ValueError(f"'{cell_text(value)}' không phải Khớp, Sai lệch hoặc Không tìm thấy.")


def answer_parse(value: object) -> str | None:
    text = fold(cell_text(value)).rstrip(".")
    if not text:
        return None
    if text in _ANSWER_WORDS:
        return _ANSWER_WORDS[text]
    raise ValueError(f"'{cell_text(value)}' không phải 'Có tài khoản' hoặc 'Không tìm thấy'.")


def sex_parse(value: object) -> str:
    text = fold(cell_text(value))
    if not text:
        return ""
    if text in _SEX_WORDS:
        return _SEX_WORDS[text]
    raise ValueError(f"'{cell_text(value)}' không phải Nam hoặc Nữ.")


def birth_parse(value: object) -> str:
    """A birth date as the police write it (dd/mm/yyyy, mm/yyyy or yyyy), zero-padded."""
    text = cell_text(value)
    if not text:
        return ""
    birth, precision = partial_date_parse(text)
    return partial_date_vn(birth, precision)


def id_number_parse(value: object) -> str:
    """12 digits (or a legacy 9-digit CMND); a number cell that lost its leading 0 gets it back."""
    text = cell_text(value).replace(" ", "")
    if not text:
        return ""
    if text.isdigit() and len(text) == 11:
        text = "0" + text
    if not (text.isdigit() and len(text) in (9, 12)):
        raise ValueError(f"'{text}' không phải số định danh 12 chữ số (hoặc CMND 9 số).")
    return text


def date_parse(value: object) -> dt.date | None:
    """A full date (the police's date of checking): a date cell or dd/mm/yyyy text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if not text:
        return None
    day, precision = partial_date_parse(text)
    if precision != "day":
        raise ValueError(f"Cần ngày đầy đủ dd/mm/yyyy, không phải '{text}'.")
    return day


def name_key(value: str) -> str:
    """The form two names are compared in: upper case, no accents (Đ → D), no punctuation."""
    return " ".join(_NOT_WORD.sub(" ", fold_upper(value)).split())


def names_match(stored: str, answered: str) -> bool:
    return name_key(stored) == name_key(answered)


def holder_outcome(stored: str, bank_name: str | None) -> str:
    """The account's verification from the bank's answer: verified, mismatch, or failed."""
    if bank_name is None:
        return FAILED
    return VERIFIED if names_match(stored, bank_name) else HOLDER_MISMATCH


@dataclass(frozen=True)
class RowError:
    """A problem with one cell of an answers file: where it is and how to fix it."""

    row: int
    column: str
    header: str
    message: str

    def __str__(self) -> str:
        where = f"Dòng {self.row}" + (f", cột {self.column} ({self.header})" if self.column else "")
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class PersonFacts:
    """What the check of a police answer needs to know about a person in the user's area."""

    id: int
    full_name: str
    birth: str
    sex: str
    id_number: str
    commune_id: int


@dataclass(frozen=True)
class IdentityAnswer:
    row: int
    beneficiary_id: int
    result: str
    db_full_name: str = ""
    db_birth: str = ""
    db_sex: str = ""
    db_id_number: str = ""
    note: str = ""

    @property
    def fingerprint(self) -> str:
        parts = [self.result, self.db_full_name, self.db_birth, self.db_sex, self.db_id_number]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


IDENTITY_FIELDS = {
    "db_full_name": "full_name",
    "db_birth": "birth",
    "db_sex": "sex",
    "db_id_number": "id_number",
}


def _differs(person: PersonFacts, key: str, value: str) -> bool:
    stored = getattr(person, IDENTITY_FIELDS[key])
    if key == "db_full_name":
        return nfc(value).casefold() != nfc(stored).casefold()
    return value != stored


def mismatch_fields(answer: IdentityAnswer, person: PersonFacts) -> dict[str, list[str]]:
    """{field: [in the registry, in the population database]} for the values that differ."""
    return {
        IDENTITY_FIELDS[key]: [getattr(person, IDENTITY_FIELDS[key]), getattr(answer, key)]
        for key in IDENTITY_FIELDS
        if getattr(answer, key) and _differs(person, key, getattr(answer, key))
    }


@dataclass
class Checked:
    """The outcome of checking an answers file: what may be stored, and what is wrong."""

    answers: list[Any] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    unanswered: int = 0


class _Row:
    """One data row of an answers file, reporting errors at its cells."""

    def __init__(
        self, number: int, cells: Mapping[str, object], where: dict[str, int], cols: dict[str, str]
    ) -> None:
        self.number, self.cells, self.where, self.headers = number, cells, where, cols
        self.errors: list[RowError] = []

    def error(self, key: str, message: str) -> None:
        column = column_name(self.where[key]) if key in self.where else ""
        self.errors.append(RowError(self.number, column, self.headers.get(key, ""), message))

    def parse(self, key: str, parser: Any) -> Any:
        try:
            return parser(self.cells.get(key))
        except ValueError as problem:
            self.error(key, str(problem))
            return None


def _headers(columns: tuple[Column, ...]) -> dict[str, str]:
    return {c.key: c.header.split(" (")[0] for c in columns}


def _reference(row: _Row, people: Mapping[int, Any], seen: dict[int, int], area: str) -> Any | None:
    ref = row.parse("ref", reference_parse)
    if ref is None:
        return None
    if ref in seen:
        row.error("ref", f"mã {ref} đã có ở dòng {seen[ref]}; mỗi mã chỉ ghi một dòng.")
        return None
    seen[ref] = row.number
    facts = people.get(ref)
    if facts is None:
        row.error("ref", f"mã {ref} không có trong {area} của bạn; giữ nguyên mã khi xuất.")
    return facts


def _is_blank(cells: Mapping[str, object]) -> bool:
    return not any(cell_text(v) for k, v in cells.items() if k != "stt")


def _answers_check(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    where: dict[str, int],
    columns: tuple[Column, ...],
    known: Mapping[int, Any],
    scope: str,
    answer_of: Callable[[_Row, Any], Any],
) -> Checked:
    """The rows of an answers file: each names a known reference and carries an answer."""
    headers = _headers(columns)
    out = Checked()
    seen: dict[int, int] = {}
    for number, cells in rows:
        if _is_blank(cells) or is_numbering_row(cells):
            continue
        row = _Row(number, cells, where, headers)
        item = _reference(row, known, seen, scope)
        answer = answer_of(row, item) if item else None
        if row.errors:
            out.errors.extend(row.errors)
        elif answer is None:
            out.unanswered += 1
        else:
            out.answers.append(answer)
    return out


def identity_answers_check(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    where: dict[str, int],
    people: Mapping[int, PersonFacts],
) -> Checked:
    """Check the police's rows against the people of the user's area.

    `rows` are (Excel row number, {column key: cell}); `where` maps column keys to their index
    for error messages; `people` holds only the people the user may verify.
    """
    return _answers_check(rows, where, IDENTITY_COLUMNS, people, "địa bàn", _identity_row)


def _identity_row(row: _Row, person: PersonFacts) -> IdentityAnswer | None:
    listed = cell_text(row.cells.get("full_name"))
    if listed and name_key(listed) != name_key(person.full_name):
        row.error(
            "full_name",
            f"mã {person.id} là '{person.full_name}' trong hồ sơ, dòng này ghi '{listed}': "
            "kiểm tra lại cột Mã đối tượng.",
        )
        return None
    result = row.parse("result", result_parse)
    values = {
        "db_full_name": cell_text(row.cells.get("db_full_name")),
        "db_birth": row.parse("db_birth", birth_parse) or "",
        "db_sex": row.parse("db_sex", sex_parse) or "",
        "db_id_number": row.parse("db_id_number", id_number_parse) or "",
    }
    note = cell_text(row.cells.get("note"))[:300]
    if row.errors:
        return None
    if result is None:
        if any(values.values()):
            row.error("result", "có ghi giá trị theo CSDL nhưng chưa ghi kết quả.")
        return None
    answer = IdentityAnswer(row.number, person.id, result, **values, note=note)
    differs = mismatch_fields(answer, person)
    if result == MATCH and differs:
        first = next(k for k in IDENTITY_FIELDS if IDENTITY_FIELDS[k] in differs)
        row.error(first, "kết quả Khớp nhưng giá trị theo CSDL khác hồ sơ: ghi 'Sai lệch'.")
    if result == MISMATCH and not differs and not note:
        row.error(
            "result",
            "kết quả Sai lệch: ghi giá trị theo CSDL dân cư khác hồ sơ, hoặc ghi chú lý do.",
        )
    return None if row.errors else answer


@dataclass(frozen=True)
class AccountFacts:
    """An active account in the user's area, as stored."""

    id: int
    beneficiary_id: int
    commune_id: int
    bin: str
    account_number: str
    holder_name: str


@dataclass(frozen=True)
class InquiryAnswer:
    """What the bank says about BIN + account number: the holder's name, not found, or no answer."""

    status: str
    bank_name: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class AccountAnswer:
    row: int
    account_id: int
    bin: str
    account_number: str
    answer: InquiryAnswer


def account_answers_check(
    rows: Iterable[tuple[int, Mapping[str, object]]],
    where: dict[str, int],
    accounts: Mapping[int, AccountFacts],
) -> Checked:
    """Check the provider's rows against the active accounts of the user's area."""
    scope = "danh sách tài khoản đang dùng thuộc địa bàn"
    return _answers_check(rows, where, ACCOUNT_COLUMNS, accounts, scope, _account_row)


def _account_row(row: _Row, account: AccountFacts) -> AccountAnswer | None:
    listed = (cell_text(row.cells.get("bin")), cell_text(row.cells.get("account_number")))
    if listed != (account.bin, account.account_number):
        row.error(
            "account_number",
            f"tài khoản mã {account.id} hiện là {account.bin}/"
            f"{mask_account_number(account.account_number)}, "
            "khác dòng này (đã thay đổi sau khi xuất danh sách?): xuất danh sách mới.",
        )
        return None
    bank_name = cell_text(row.cells.get("bank_holder"))
    status = row.parse("answer", answer_parse)
    if row.errors:
        return None
    if status == ABSENT and bank_name:
        row.error("answer", "ghi 'Không tìm thấy' thì để trống tên chủ tài khoản theo ngân hàng.")
        return None
    if bank_name:
        answer = InquiryAnswer(FOUND, bank_name=bank_name)
    elif status == ABSENT:
        answer = InquiryAnswer(ABSENT, detail=cell_text(row.cells.get("note")))
    elif status == FOUND:
        row.error("bank_holder", "ghi 'Có tài khoản' thì ghi cả tên chủ tài khoản theo ngân hàng.")
        return None
    else:
        return None
    return AccountAnswer(row.number, account.id, account.bin, account.account_number, answer)
