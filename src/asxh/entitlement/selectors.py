"""Reading stored rates: the book the engine prices with, and the list officials see."""

from django.db.models import QuerySet

from asxh.entitlement.models import RateEntry
from asxh.entitlement.rates import Rate, RateBook, Unit


def rate_of(entry: RateEntry) -> Rate:
    return Rate(
        key=entry.key,
        value=entry.value,
        unit=Unit(entry.unit),
        effective_from=entry.effective_from,
        until=entry.until,
        scope=entry.scope,
        source=entry.source,
    )


def rates_in_force() -> QuerySet[RateEntry]:
    """Every rate not withdrawn: those in force, superseded ones and those still to come."""
    return RateEntry.objects.filter(withdrawn_at=None)


def ratebook() -> RateBook:
    """All stored rates, national and provincial (a few hundred rows)."""
    return RateBook(rate_of(entry) for entry in rates_in_force())
