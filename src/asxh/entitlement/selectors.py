"""Reading stored rates: the book the engine prices with, and the list officials see."""

from django.db.models import QuerySet

from asxh.beneficiaries.models import Beneficiary
from asxh.entitlement.engine import Enrolment, OneOff, Person
from asxh.entitlement.models import OneOffListEntry, OneOffPayment, RateEntry
from asxh.entitlement.months import month_of
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


def person_case(beneficiary: Beneficiary) -> tuple[Person, list[Enrolment]]:
    """A registered person and their enrolments as the engine reads them."""
    commune = beneficiary.commune
    person = Person(
        birth_date=beneficiary.birth_date,
        birth_precision=beneficiary.birth_date_precision,
        death_date=beneficiary.death_date,
        province=commune.province.code,
        commune=commune.code,
        lists=frozenset(
            OneOffListEntry.objects.filter(beneficiary=beneficiary).values_list(
                "payment__code", flat=True
            )
        ),
    )
    enrolments = [
        Enrolment(
            group=e.group.code,
            start=month_of(e.start_month),
            end=month_of(e.end_month) if e.end_month else None,
            disability_level=e.disability_level,
            household_poverty=e.household_poverty,
            in_education=e.in_education,
            hiv_positive=e.hiv_positive,
            impairment_percent=e.impairment_percent,
            martyr_count=e.martyr_count,
            children=e.children,
            pregnant=e.pregnant,
            care_kind=e.care_kind,
            cared_birth_date=e.cared_birth_date,
        )
        for e in beneficiary.enrolments.select_related("group")
    ]
    return person, enrolments


def one_offs(province: str = "") -> list[OneOff]:
    """One-off payments that apply in a province (its own and the national ones)."""
    return [
        OneOff(
            code=p.code,
            name=p.name,
            month=month_of(p.month),
            target=p.target,
            groups=frozenset(p.groups),
            source=p.source,
        )
        for p in OneOffPayment.objects.filter(scope__in=["", province])
    ]
