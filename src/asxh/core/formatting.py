"""Vietnamese display formats: dates dd/mm/yyyy, money 1.234.567 đ."""

import datetime as dt
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def number_vn(value: int | None) -> str:
    """Thousands grouped with dots: 1.234.567."""
    if value is None:
        return ""
    return f"{int(value):,}".replace(",", ".")


def vnd(amount: int | None) -> str:
    """Integer VND as officials write it: 1.234.567 đ."""
    return "" if amount is None else f"{number_vn(amount)} đ"


def date_vn(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(VIETNAM)
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def partial_date_vn(value: dt.date | None, precision: str) -> str:
    """A birth date known to the day, the month or only the year."""
    if value is None:
        return ""
    if precision == "year":
        return f"{value.year}"
    if precision == "month":
        return value.strftime("%m/%Y")
    return value.strftime("%d/%m/%Y")


def month_vn(value: dt.date | None) -> str:
    return value.strftime("%m/%Y") if value else ""
