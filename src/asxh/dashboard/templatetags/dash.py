from django import template

from asxh.reports.logic import percent_vn, share

register = template.Library()


@register.filter
def pct(ratio: float | None) -> str:
    """A share as 99,4 %; a dash when there is nobody to count."""
    return percent_vn(ratio)


@register.filter
def share_of(part: int, whole: int) -> str:
    """part/whole as 99,4 %."""
    return percent_vn(share(part, whole))
