"""Months as integers (year × 12 + month − 1): cheap to compare, count and use as keys."""

import datetime as dt
import re

_MONTH = re.compile(r"^\s*(\d{4})-(\d{1,2})\s*$|^\s*(\d{1,2})/(\d{4})\s*$")


def month_of(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_parse(text: str) -> int:
    """'2024-07' or '07/2024' → month number; ValueError in Vietnamese otherwise."""
    found = _MONTH.match(text or "")
    if not found:
        raise ValueError(f"Tháng '{text}' không hợp lệ: ghi theo dạng 2024-07 hoặc 07/2024.")
    year, month = (found[1], found[2]) if found[1] else (found[4], found[3])
    if not 1 <= int(month) <= 12:
        raise ValueError(f"Tháng '{text}' không hợp lệ: tháng phải từ 1 đến 12.")
    return int(year) * 12 + int(month) - 1


def month_first_day(month: int) -> dt.date:
    return dt.date(month // 12, month % 12 + 1, 1)


def month_iso(month: int) -> str:
    return f"{month // 12:04d}-{month % 12 + 1:02d}"


def month_label(month: int) -> str:
    """07/2024, as officials write a month."""
    return f"{month % 12 + 1:02d}/{month // 12}"


def month_span_label(first: int, last: int) -> str:
    """'tháng 7–9/2024', 'tháng 11/2024–2/2025' or 'tháng 7/2024'."""
    if first == last:
        return f"tháng {first % 12 + 1}/{first // 12}"
    if first // 12 == last // 12:
        return f"tháng {first % 12 + 1}–{last % 12 + 1}/{last // 12}"
    return f"tháng {first % 12 + 1}/{first // 12}–{last % 12 + 1}/{last // 12}"
