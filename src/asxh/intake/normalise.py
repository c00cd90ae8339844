"""Pure parsers of the cells of an imported row: each returns the stored form or raises CellError.

A cell arrives as the spreadsheet reader gives it: text, a number (Excel keeps ID and phone
numbers typed as numbers, dropping their leading zero), a date, or empty. The messages are
what the official reads in the error report, so each says what is wrong and how to fix it.
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from asxh.beneficiaries.logic import id_number_problems, phone_normalise, phone_problems
from asxh.core.text import fold, nfc
from asxh.core.vietnamese import name_clean

# Words from a small vocabulary (sex, method, group, titles) repeat on every row: fold once.
fold_short = lru_cache(maxsize=8192)(fold)

# Excel's day 0 in the 1900 date system (it counts a 29/02/1900 that never was).
EXCEL_EPOCH = dt.date(1899, 12, 30)
FORMULA_PREFIXES = ("=", "+", "-", "@")


class CellError(ValueError):
    def __init__(self, message: str, fix: str = "") -> None:
        super().__init__(message)
        self.message, self.fix = message, fix


@dataclass(frozen=True)
class BirthDate:
    value: dt.date
    precision: str  # day | month | year


def cell_text(value: object) -> str:
    """The cell as text: 1234.0 → '1234', None → ''."""
    if type(value) is str:  # the common case first: this runs for every cell
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def plain_text(value: object) -> str:
    """Free text in NFC. A leading '=' stays text: exports never write it as a formula."""
    return nfc(cell_text(value))


_NAME_CHARS = re.compile(r"^[^\W\d_]+(?:[ '\-.][^\W\d_]+)*\.?$")


def full_name(value: object, font_name: str = "") -> tuple[str, str | None]:
    """(name in NFC, the legacy encoding it was converted from or None)."""
    text = cell_text(value)
    if not text:
        raise CellError("Thiếu họ và tên.", "Ghi họ và tên đầy đủ như trên CCCD.")
    if text.startswith(FORMULA_PREFIXES):
        raise CellError(
            f"Họ tên '{text}' bắt đầu bằng ký tự '{text[0]}'.",
            f"Xoá ký tự '{text[0]}' ở đầu ô (Excel có thể đã hiểu ô là công thức).",
        )
    name, converted = name_clean(text, font_name)
    if not _NAME_CHARS.match(name):
        raise CellError(
            f"Họ tên '{name}' có ký tự không phải chữ cái.",
            "Chỉ dùng chữ cái, dấu cách, dấu nháy hoặc gạch nối; bỏ số và ký hiệu.",
        )
    return name, converted


_DATE_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_DATE_MY = re.compile(r"^(\d{1,2})[/.\-](\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
_DATE_WORDS = re.compile(r"^(?:ngay\s*(\d{1,2})\s*)?(?:thang\s*(\d{1,2})\s*)?nam\s*(\d{4})$")
_SHORT_YEAR = re.compile(r"^\d{1,2}[/.\-]\d{1,2}[/.\-]\d{2}$")


def birth_date(value: object, today: dt.date) -> BirthDate | None:
    """Dates as dates, Excel serials, 'dd/mm/yyyy', 'mm/yyyy', 'yyyy', 'ngày … tháng … năm …'."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        found = BirthDate(value.date(), "day")
    elif isinstance(value, dt.date):
        found = BirthDate(value, "day")
    elif isinstance(value, int | float) and not isinstance(value, bool):
        found = _number_date(float(value))
    else:
        found = _text_date(str(value).strip())
    if found.value > today:
        raise CellError(
            f"Ngày sinh {_shown(found)} ở tương lai.", "Kiểm tra lại năm sinh (dd/mm/yyyy)."
        )
    if found.value.year < 1890:
        raise CellError(f"Năm sinh {found.value.year} không hợp lý.", "Kiểm tra lại năm sinh.")
    return found


def _shown(found: BirthDate) -> str:
    pattern = {"day": "%d/%m/%Y", "month": "%m/%Y", "year": "%Y"}[found.precision]
    return found.value.strftime(pattern)


def _number_date(number: float) -> BirthDate:
    if number.is_integer() and 1890 <= number <= 2100:
        return BirthDate(dt.date(int(number), 1, 1), "year")
    if 1 <= number < 2958466:
        return BirthDate(EXCEL_EPOCH + dt.timedelta(days=int(number)), "day")
    raise CellError(f"Ngày sinh '{cell_text(number)}' không đọc được.", _DATE_FIX)


_DATE_FIX = "Ghi ngày sinh dạng dd/mm/yyyy (ví dụ 05/03/1950), mm/yyyy hoặc chỉ năm yyyy."


def _text_date(text: str) -> BirthDate:
    try:
        if m := _DATE_DMY.match(text):
            return BirthDate(dt.date(int(m[3]), int(m[2]), int(m[1])), "day")
        if m := _DATE_ISO.match(text):
            return BirthDate(dt.date(int(m[1]), int(m[2]), int(m[3])), "day")
        if m := _DATE_MY.match(text):
            return BirthDate(dt.date(int(m[2]), int(m[1]), 1), "month")
        if text.isdigit() and len(text) == 4:
            return BirthDate(dt.date(int(text), 1, 1), "year")
        if m := _DATE_WORDS.match(re.sub(r"\s+", " ", fold_short(text).replace(",", " "))):
            day, month, year = m.groups()
            precision = "day" if day else "month" if month else "year"
            return BirthDate(dt.date(int(year), int(month or 1), int(day or 1)), precision)
    except ValueError:
        raise CellError(f"Ngày sinh '{text}' không có thật.", _DATE_FIX) from None
    if _SHORT_YEAR.match(text):
        raise CellError(f"Ngày sinh '{text}' chỉ có 2 số năm.", "Ghi năm đủ 4 chữ số (dd/mm/yyyy).")
    raise CellError(f"Ngày sinh '{text}' không đọc được.", _DATE_FIX)


_SEX = {"nam": "M", "m": "M", "male": "M", "nu": "F", "f": "F", "female": "F"}


def sex(value: object) -> str | None:
    text = fold_short(cell_text(value))
    if not text:
        return None
    if text in _SEX:
        return _SEX[text]
    raise CellError(f"Giới tính '{cell_text(value)}' không rõ.", "Ghi 'Nam' hoặc 'Nữ'.")


def id_number(value: object) -> tuple[str, list[str]]:
    """(digits, warnings). Excel drops the leading zero of IDs typed as numbers; put it back."""
    warnings = []
    text = _ID_SEPARATORS.sub("", cell_text(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        padded = (
            text.zfill(12) if len(text) in (10, 11) else text.zfill(9) if len(text) == 8 else text
        )
        if padded != text:
            warnings.append(
                f"Số định danh {text} mất số 0 ở đầu (ô dạng số); đã sửa thành {padded}. "
                "Nên định dạng cột là Text."
            )
            text = padded
    if text and not text.isdigit():
        raise CellError(f"Số định danh '{cell_text(value)}' có ký tự không phải số.", _ID_FIX)
    if text and len(text) not in (9, 12):
        raise CellError(f"Số định danh '{text}' có {len(text)} chữ số.", _ID_FIX)
    if len(text) == 9:
        warnings.append("Số CMND 9 số cũ: cần cập nhật số định danh cá nhân 12 số.")
    return text, warnings


_ID_SEPARATORS = re.compile(r"[\s.'’-]")
_NOT_DIGIT = re.compile(r"\D")
_ACCOUNT_SEPARATORS = re.compile(r"[\s.\-]")
_ACCOUNT = re.compile(r"[0-9A-Za-z]{4,34}")
_ID_FIX = "Ghi số định danh cá nhân/CCCD 12 chữ số (hoặc CMND cũ 9 chữ số), không dấu cách."


def id_consistency(number: str, sex_code: str, born: BirthDate | None) -> None:
    year = born.value.year if born else None
    problems = id_number_problems(number, sex=sex_code, birth_year=year)
    if problems:
        raise CellError(
            " ".join(problems), "Đối chiếu số định danh, giới tính và năm sinh với CCCD."
        )


def phone(value: object) -> tuple[str, list[str]]:
    """10-digit phone; 11-digit old numbers converted; a leading 0 lost by Excel restored."""
    raw = cell_text(value)
    digits = _NOT_DIGIT.sub("", raw)
    if not digits:
        return "", []
    # 9 or 10 digits without the 0 are a number cell (Excel dropped it): 840000000 is 084…;
    # +84 country codes are 11 or 12 digits and are handled by phone_normalise.
    if digits[0] != "0" and len(digits) in (9, 10):
        digits = "0" + digits
    number = phone_normalise(digits)
    if phone_problems(number):
        raise CellError(
            f"Số điện thoại '{raw}' không hợp lệ.",
            "Ghi số di động 10 chữ số bắt đầu bằng 0 (số 11 số cũ sẽ được tự đổi).",
        )
    warnings = (
        [f"Số điện thoại 11 số cũ {digits} đã đổi thành {number}."] if len(digits) == 11 else []
    )
    return number, warnings


def account_number(value: object) -> str:
    if isinstance(value, float) and abs(value) >= 1e15:
        raise CellError(
            "Số tài khoản quá dài đã bị Excel làm tròn.",
            "Định dạng cột Số tài khoản là Text rồi gõ lại số cho đúng.",
        )
    text = _ACCOUNT_SEPARATORS.sub("", cell_text(value))
    if text and not _ACCOUNT.fullmatch(text):
        raise CellError(
            f"Số tài khoản '{cell_text(value)}' không hợp lệ.",
            "Số tài khoản gồm 4–34 chữ số hoặc chữ cái, không dấu.",
        )
    return text


_BANK_WORDS = re.compile(r"\b(ngan hang|nh|tmcp|thuong mai co phan|viet nam|vn)\b")


@lru_cache(maxsize=4096)
def bank_key(name: str) -> str:
    """'Ngân hàng TMCP Ngoại thương Việt Nam (Vietcombank)' → compared without the filler."""
    key = re.sub(r"[^a-z0-9]", "", _BANK_WORDS.sub(" ", fold(name)))
    # "MB Bank", "MBBank" and "MB" are one bank; so are "Agribank" and "Agri bank".
    return key.removesuffix("bank") or key


def bank(value: object, index: Mapping[str, str]) -> str:
    """The institution's BIN, from a BIN or a name (short name, full name, former name)."""
    text = cell_text(value)
    if text.isdigit() and len(text) == 6 and text in index.values():
        return text
    found = index.get(bank_key(text))
    if found is None:
        # "Agribank - CN An Giang": the bank is named before the branch.
        head = re.split(r"\s[-–(,]|\bchi nhanh\b|\bcn\b", fold(text))[0]
        found = index.get(bank_key(head))
    if found is None:
        raise CellError(
            f"Không nhận ra ngân hàng/tổ chức '{text}'.",
            "Ghi tên viết tắt (ví dụ Agribank, VBSP, Viettel Money) hoặc mã BIN 6 số.",
        )
    return found


_METHODS = {
    "tai khoan": "account", "chuyen khoan": "account", "qua tai khoan": "account",
    "khong dung tien mat": "account", "atm": "account", "ngan hang": "account",
    "vi dien tu": "account", "mobile money": "account",
    "tien mat": "cash", "truc tiep": "cash", "chi tai nha": "cash",
    "chua co tai khoan": "no_account",
}  # fmt: skip


def method(value: object) -> tuple[str, bool]:
    """(payment method, cash at home)."""
    key = fold_short(cell_text(value))
    if not key:
        return "", False
    if key in _METHODS:
        return _METHODS[key], key == "chi tai nha"
    raise CellError(
        f"Hình thức nhận '{cell_text(value)}' không rõ.",
        "Ghi 'Tài khoản', 'Tiền mặt', 'Chi tại nhà' hoặc 'Chưa có tài khoản'.",
    )


def month(value: object) -> dt.date | None:
    """'07/2024', a date or a serial → the first of that month."""
    if value is None or value == "":
        return None
    try:
        found = birth_date(value, dt.date(2100, 1, 1))
    except CellError:
        found = None
    if found is None or found.precision == "year":
        raise CellError(
            f"Tháng '{cell_text(value)}' không đọc được.", "Ghi tháng dạng mm/yyyy (ví dụ 07/2024)."
        )
    return found.value.replace(day=1)


def group(value: object, index: Mapping[str, str]) -> str:
    """A target group's code, from its code or its name."""
    text = cell_text(value)
    code = index.get(text) or index.get(fold_short(text))
    if code is None:
        raise CellError(
            f"Không có nhóm đối tượng '{text}'.",
            "Ghi mã nhóm (xem danh mục ở trang Nhập liệu) hoặc đúng tên nhóm.",
        )
    return code
