import datetime as dt

from django import template

from asxh.core import formatting

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    return formatting.vnd(amount)


@register.filter
def date_vn(value: dt.date | dt.datetime | None) -> str:
    return formatting.date_vn(value)


@register.filter
def month_vn(value: dt.date | None) -> str:
    return formatting.month_vn(value)


@register.filter
def birth_vn(person: object) -> str:
    """A person's birth date with its precision: 05/03/1950, 03/1950 or 1950."""
    return formatting.partial_date_vn(
        getattr(person, "birth_date", None), getattr(person, "birth_date_precision", "day")
    )
