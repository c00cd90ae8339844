import datetime as dt

from django import template

from asxh.core import formatting

register = template.Library()


@register.filter
def vnd(amount: int | None) -> str:
    return formatting.vnd(amount)


@register.filter
def num(value: int | None) -> str:
    return formatting.number_vn(value)


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


@register.filter
def revision_summary(revision: object) -> str:
    """A stored revision in the words of the page: name · birth date · status · phone."""
    from asxh.beneficiaries.models import Status

    data = getattr(revision, "data", {}) or {}
    birth = data.get("birth_date")
    parts = [
        data.get("full_name", ""),
        formatting.partial_date_vn(
            dt.date.fromisoformat(birth) if birth else None, data.get("birth_date_precision", "day")
        ),
        Status(data["status"]).label if data.get("status") in Status.values else "",
        data.get("phone", ""),
    ]
    return " · ".join(p for p in parts if p)
