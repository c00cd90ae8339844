"""SMS text rules: the GSM-7 alphabet, Vietnamese without accents, templates and their length.

Pure functions: no ORM, no I/O. A phone counts a GSM-7 message in septets (160 in one SMS,
153 per part when concatenated; the extension table costs 2 septets, escape + character) and a
UCS-2 message in UTF-16 units (70 in one SMS, 67 per part). Vietnamese with accents is UCS-2,
so the accent-free variant is the one that fits a single SMS.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

# GSM 03.38 default alphabet (0x1B, the escape, is not a character of its own).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs 2 septets.
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_GSM7, PART_GSM7 = 160, 153
SINGLE_UCS2, PART_UCS2 = 70, 67

GSM7, UCS2 = "gsm7", "ucs2"

# Typography that Word and phones put in text, and its plain equivalent.
_PLAIN = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "–": "-",
        "—": "-",
        "‘": "'",
        "’": "'",
        "“": '"',
        "”": '"',
        "…": "...",
        "\u00a0": " ",
        "\u202f": " ",
        "\t": " ",
    }
)


def gsm7_septets(text: str) -> int | None:
    """Septets the text takes in GSM-7, or None when a character is not in the alphabet."""
    count = 0
    for ch in text:
        if ch in GSM7_BASIC:
            count += 1
        elif ch in GSM7_EXTENSION:
            count += 2
        else:
            return None
    return count


def gsm7_fits(text: str) -> bool:
    """True when the text is all GSM-7 and fits one SMS (≤ 160 septets)."""
    septets = gsm7_septets(text)
    return septets is not None and septets <= SINGLE_GSM7


def accent_free(text: str) -> str:
    """Vietnamese without diacritics, đ→d, Đ→D ('Nguyễn Thị Đào' → 'Nguyen Thi Dao').

    NFC or NFD input gives the same output; the result is NFC. Curly quotes, dashes and the
    ellipsis become their plain forms, so Vietnamese text comes out all GSM-7.
    """
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).translate(_PLAIN))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return unicodedata.normalize("NFC", bare)


def gsm7_only(text: str) -> str:
    """Accent-free, and any character still outside GSM-7 replaced by '?'."""
    return "".join(
        ch if ch in GSM7_BASIC or ch in GSM7_EXTENSION else "?" for ch in accent_free(text)
    )


@dataclass(frozen=True)
class SmsSize:
    encoding: str  # gsm7 | ucs2
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    parts: int  # messages the phone receives: 1, 2, …

    @property
    def single(self) -> int:
        return SINGLE_GSM7 if self.encoding == GSM7 else SINGLE_UCS2


def _ucs2_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _gsm7_parts(text: str) -> int:
    """Parts of a concatenated GSM-7 message: an escape pair is never split between parts."""
    parts, used = 1, 0
    for ch in text:
        width = 2 if ch in GSM7_EXTENSION else 1
        if used + width > PART_GSM7:
            parts, used = parts + 1, 0
        used += width
    return parts


def _ucs2_parts(text: str) -> int:
    """Parts of a concatenated UCS-2 message: a surrogate pair is never split."""
    parts, used = 1, 0
    for ch in text:
        width = 2 if ord(ch) > 0xFFFF else 1
        if used + width > PART_UCS2:
            parts, used = parts + 1, 0
        used += width
    return parts


def sms_size(text: str) -> SmsSize:
    """Encoding, length and number of SMS parts, as a phone counts them."""
    septets = gsm7_septets(text)
    if septets is not None:
        parts = 1 if septets <= SINGLE_GSM7 else _gsm7_parts(text)
        return SmsSize(GSM7, septets, parts)
    units = _ucs2_units(text)
    parts = 1 if units <= SINGLE_UCS2 else _ucs2_parts(text)
    return SmsSize(UCS2, units, parts)


# --- Templates -----------------------------------------------------------------------------

# Placeholders a template may use, what they say, and the longest value put in (longer values
# are cut at a word), so that a template that fits with the samples fits with any row.
PLACEHOLDERS: dict[str, str] = {
    "ten": "tên người hưởng",
    "nguoi_nhan": "tên người nhận (người hưởng, người giám hộ hoặc người được ủy quyền)",
    "so_tien": "số tiền, ví dụ 1.500.000đ",
    "thang": "tháng chi, ví dụ 11/2026",
    "to_chuc": "tổ chức chi trả",
    "so_tk_cuoi": "4 số cuối của tài khoản",
    "xa": "tên xã, phường",
    "lien_he": "số điện thoại hoặc nơi giải đáp thắc mắc",
}
LIMITS: dict[str, int] = {
    "ten": 30,
    "nguoi_nhan": 30,
    "to_chuc": 24,
    "xa": 25,
    "lien_he": 21,
    "so_tk_cuoi": 4,
}
# The longest realistic values, each as long as its limit: a template's accent-free body must
# fit one SMS with these.
LONG_SAMPLE: dict[str, object] = {
    "ten": "Trần Nguyễn Thị Phương Thảo Vy",
    "nguoi_nhan": "Trần Nguyễn Thị Phương Thảo My",
    "so_tien": 99_999_999,
    "thang": dt.date(2026, 12, 1),
    "to_chuc": "Bưu điện tỉnh Quảng Ngãi",
    "so_tk_cuoi": "123456789012",
    "xa": "Phường Bình Hưng Hòa Đông",
    "lien_he": "UBND xã 0296 3852 000",
}

_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class TemplateProblem(ValueError):
    """A template that cannot be used; the message is for the official who typed it."""


def placeholders(template: str) -> list[str]:
    """The names between braces, in order of appearance."""
    return _PLACEHOLDER.findall(template)


def template_problems(template: str) -> list[str]:
    """What is wrong with a template body: unknown placeholders, stray braces."""
    problems = []
    unknown = sorted({p for p in placeholders(template) if p not in PLACEHOLDERS})
    if unknown:
        known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
        shown = ", ".join("{" + p + "}" for p in unknown)
        problems.append(f"Không có trường {shown}; dùng được: {known}.")
    if "{" in _PLACEHOLDER.sub("", template) or "}" in _PLACEHOLDER.sub("", template):
        problems.append("Dấu ngoặc nhọn { } phải đi theo cặp, quanh tên trường.")
    return problems


def amount_text(amount: int, *, ascii_only: bool) -> str:
    """1.500.000đ, or 1.500.000d without accents."""
    grouped = f"{int(amount):,}".replace(",", ".")
    return grouped + ("d" if ascii_only else "đ")


def _cut(value: str, limit: int) -> str:
    """At most `limit` characters, cut at a space when there is one in the second half."""
    if len(value) <= limit:
        return value
    cut = value[:limit]
    space = cut.rfind(" ")
    return cut[:space] if space > limit // 2 else cut


def _value(name: str, value: object, *, ascii_only: bool) -> str:
    if value is None:
        return ""
    if name == "so_tien" and isinstance(value, int):
        return amount_text(value, ascii_only=ascii_only)
    if name == "thang" and isinstance(value, dt.date):
        return value.strftime("%m/%Y")
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    if name == "so_tk_cuoi":
        # Never more than the last 4 characters of an account number.
        return text.replace(" ", "")[-4:]
    if ascii_only:
        text = gsm7_only(text)
    return _cut(text, LIMITS.get(name, 40))


class Rendered(NamedTuple):
    text: str
    is_gsm7: bool
    parts: int


def sms_render(
    template: str, values: Mapping[str, object], *, ascii_only: bool = False
) -> Rendered:
    """The template with its placeholders filled.

    `so_tien` may be an int (formatted 1.500.000đ, or 1.500.000d with `ascii_only`), `thang` a
    date (mm/yyyy); `so_tk_cuoi` keeps only the last 4 characters whatever is given. With
    `ascii_only` the values lose their accents (the template's own text is used as written).
    A missing value renders empty; an unknown placeholder is a TemplateProblem.
    """
    problems = template_problems(template)
    if problems:
        raise TemplateProblem(" ".join(problems))

    def fill(match: re.Match[str]) -> str:
        return _value(match.group(1), values.get(match.group(1)), ascii_only=ascii_only)

    text = unicodedata.normalize("NFC", _PLACEHOLDER.sub(fill, template)).strip()
    size = sms_size(text)
    return Rendered(text, size.encoding == GSM7, size.parts)


def last4(account_number: str) -> str:
    return "".join(ch for ch in account_number if ch.isalnum())[-4:]


PHONE = re.compile(r"^0\d{9}$")


def phone_normal(value: str) -> str:
    """A Vietnamese mobile number as 10 digits from 0, or '' when it is not one."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if digits.startswith("84") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if PHONE.match(digits) else ""


# A typical row, for showing officials what a message looks like.
TYPICAL_SAMPLE: dict[str, object] = {
    "ten": "Nguyễn Thị Hoà",
    "nguoi_nhan": "Nguyễn Thị Hoà",
    "so_tien": 1_500_000,
    "thang": dt.date(2026, 11, 1),
    "to_chuc": "Bưu điện tỉnh An Giang",
    "so_tk_cuoi": "7100205123456",
    "xa": "Xã Núi Sập",
    "lien_he": "UBND Xã Núi Sập",
}


@dataclass(frozen=True)
class Preview:
    """One variant of a template as a phone would show it, with the typical and longest values."""

    text: str
    longest: str
    size: SmsSize  # of the longest
    problems: tuple[str, ...]

    @property
    def label(self) -> str:
        kind = "ký tự GSM-7" if self.size.encoding == GSM7 else "ký tự có dấu (UCS-2)"
        return f"{self.size.units} {kind} · {self.size.parts} tin"


def template_preview(body: str, *, ascii_only: bool) -> Preview:
    problems = template_problems(body)
    if problems:
        return Preview("", "", SmsSize(GSM7, 0, 0), tuple(problems))
    text = sms_render(body, TYPICAL_SAMPLE, ascii_only=ascii_only).text
    longest = sms_render(body, LONG_SAMPLE, ascii_only=ascii_only).text
    return Preview(text, longest, sms_size(longest), ())


def phone_masked(phone: str) -> str:
    """Only the last 3 digits shown: '0912345678' → '*******678' (core's mask keeps 3 + 3)."""
    return "*" * max(len(phone) - 3, 0) + phone[-3:] if len(phone) > 3 else "*" * len(phone)
