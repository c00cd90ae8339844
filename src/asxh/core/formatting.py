"""Vietnamese display formats: dates dd/mm/yyyy, money 1.234.567 đ."""

import datetime as dt


def vnd(amount: int | None) -> str:
    if amount is None:
        return ""
    sign = "-" if amount < 0 else ""
    return f"{sign}{abs(int(amount)):,}".replace(",", ".") + " đ"


def date_vn(value: dt.date | dt.datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
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
