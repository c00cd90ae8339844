"""Pure checks of a person's identity fields (no ORM, no I/O)."""

import datetime as dt
import re

# Birth-registration province codes of the 12-digit number (0 + old 63-province code).
ID_PROVINCE_CODES = frozenset(
    f"0{c}"
    for c in [
        "01",
        "02",
        "04",
        "06",
        "08",
        "10",
        "11",
        "12",
        "14",
        "15",
        "17",
        "19",
        "20",
        "22",
        "24",
        "25",
        "26",
        "27",
        "30",
        "31",
        "33",
        "34",
        "35",
        "36",
        "37",
        "38",
        "40",
        "42",
        "44",
        "45",
        "46",
        "48",
        "49",
        "51",
        "52",
        "54",
        "56",
        "58",
        "60",
        "62",
        "64",
        "66",
        "67",
        "68",
        "70",
        "72",
        "74",
        "75",
        "77",
        "79",
        "80",
        "82",
        "83",
        "84",
        "86",
        "87",
        "89",
        "91",
        "92",
        "93",
        "94",
        "95",
        "96",
    ]
)
_DIGITS = re.compile(r"^[0-9]+$")


def id_number_century_digit(sex: str, year: int) -> str:
    """The 4th digit: 0/1 for men/women born 1900–1999, 2/3 for 2000–2099, 4/5 for 2100–2199."""
    century = (year // 100) - 19
    return str(2 * century + (1 if sex == "F" else 0))


def id_number_problems(id_number: str, *, sex: str, birth_year: int | None) -> list[str]:
    """What is wrong with an ID number for this person, in Vietnamese; empty when consistent."""
    if not id_number:
        return []
    if not _DIGITS.match(id_number):
        return ["Số định danh chỉ gồm chữ số."]
    if len(id_number) == 9:
        return []  # legacy CMND: no structure to check; flagged for renewal by the quality scan
    if len(id_number) != 12:
        return ["Số định danh phải có 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ)."]
    problems = []
    if id_number[:3] not in ID_PROVINCE_CODES:
        problems.append(f"Ba số đầu '{id_number[:3]}' không phải mã tỉnh nơi đăng ký khai sinh.")
    sex_century = id_number[3]
    if sex_century not in "012345":
        problems.append(f"Chữ số thứ tư '{sex_century}' phải từ 0 đến 5 (thế kỷ và giới tính).")
    elif birth_year is not None:
        expected = id_number_century_digit(sex, birth_year)
        if sex_century != expected:
            problems.append(
                f"Chữ số thứ tư '{sex_century}' không khớp giới tính và năm sinh {birth_year} "
                f"(phải là '{expected}')."
            )
        if id_number[4:6] != f"{birth_year % 100:02d}":
            problems.append(f"Chữ số 5–6 '{id_number[4:6]}' không khớp năm sinh {birth_year}.")
    return problems


_OLD_PREFIXES = {
    **{f"016{d}": f"03{d}" for d in "23456789"},
    "0120": "070",
    "0121": "079",
    "0122": "077",
    "0126": "076",
    "0128": "078",
    "0123": "083",
    "0124": "084",
    "0125": "085",
    "0127": "081",
    "0129": "082",
    "0186": "056",
    "0188": "058",
    "0199": "059",
}


def phone_normalise(value: str) -> str:
    """Digits only, +84 → 0, and the 2018 conversion of 11-digit mobiles to 10 digits."""
    digits = re.sub(r"\D", "", value)
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    if len(digits) == 11 and digits[:4] in _OLD_PREFIXES:
        digits = _OLD_PREFIXES[digits[:4]] + digits[4:]
    return digits


def phone_problems(value: str) -> list[str]:
    if not value:
        return []
    if len(value) != 10 or not value.startswith("0") or not _DIGITS.match(value):
        return ["Số điện thoại phải có 10 chữ số, bắt đầu bằng 0 (số 11 số cũ được tự đổi)."]
    return []


def first_of_month(value: dt.date) -> dt.date:
    return value.replace(day=1)


_PARTIAL_DATE = re.compile(r"^(?:(?:(\d{1,2})[/.-])?(\d{1,2})[/.-])?(\d{4})$")


def partial_date_parse(text: str) -> tuple[dt.date, str]:
    """'05/03/1950' → day precision, '03/1950' → month, '1950' → year (stored as the 1st)."""
    match = _PARTIAL_DATE.match(text.strip())
    if not match:
        raise ValueError(f"Ngày '{text}' không đúng dạng dd/mm/yyyy, mm/yyyy hoặc yyyy.")
    day, month, year = match.groups()
    try:
        value = dt.date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        raise ValueError(f"Ngày '{text}' không có thật.") from None
    precision = "day" if day else "month" if month else "year"
    return value, precision
