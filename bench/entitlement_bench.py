"""Entitlement engine speed, in process and without a database: beneficiary-months per second.

People come from the synthetic generator (the seeded province's group mix, ages, deaths and
second enrolments); generating them is not timed. Two shapes of one million beneficiary-months
are priced: a monthly cycle (1,000,000 people × 1 month) and a year of a smaller province
(83,334 people × 12 months). Then arrears: a hypothetical base raise announced three months
late, recomputed for --arrears-people people against what was paid. Prints one JSON line each.

The generator records no children for single parents and no kind of care for carers; this
script fills them (1–3 children, a kind of care by index) so that those groups are priced.
"""

import argparse
import datetime as dt
import json
import resource
import time
from decimal import Decimal
from typing import Any

from asxh.entitlement.engine import CARE, CARE_KINDS, Enrolment, Person, arrears, month_evaluate
from asxh.entitlement.months import month_of
from asxh.entitlement.rates import Rate, RateBook, Unit, national_rates
from asxh.synthetic.generator import CommuneSpec, ProvinceSpec, generate

SPEC = ProvinceSpec(
    "91",
    tuple(CommuneSpec(f"3{i:04d}", "Phường" if i % 5 == 0 else "Xã", "89") for i in range(102)),
)
CYCLE_MONTH = month_of(dt.date(2026, 11, 1))
CARES = sorted(CARE_KINDS)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--year-people", type=int, default=83_334)
    parser.add_argument("--arrears-people", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=2026)
    return parser.parse_args()


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def _cases(count: int, seed: int) -> list[tuple[Person, tuple[Enrolment, ...]]]:
    cases = []
    for batch in generate(SPEC, count=count, seed=seed, as_of=dt.date(2026, 11, 1)):
        for p in batch.people:
            person = Person(
                birth_date=p.birth_date,
                birth_precision=p.birth_date_precision,
                death_date=p.death_date,
                province=SPEC.code,
                commune=p.commune,
            )
            enrolled = tuple(
                Enrolment(
                    group=e.group,
                    start=month_of(e.start_month),
                    end=month_of(e.end_month) if e.end_month else None,
                    disability_level=e.disability_level,
                    household_poverty=e.household_poverty,
                    in_education=e.in_education,
                    impairment_percent=e.impairment_percent,
                    martyr_count=e.martyr_count,
                    hiv_positive=e.hiv_positive,
                    children=1 + p.index % 3,
                    care_kind=CARES[p.index % len(CARES)] if e.group == CARE else "",
                    cared_birth_date=p.birth_date if e.group == CARE else None,
                )
                for e in p.enrolments
            )
            cases.append((person, enrolled))
    return cases


def _price(name: str, cases: list[Any], months: range, book: RateBook) -> dict[str, Any]:
    lines = amount = 0
    started = time.perf_counter()
    for person, enrolled in cases:
        for month in months:
            for line in month_evaluate(person, enrolled, month, book).lines:
                lines += 1
                amount += line.amount
    seconds = time.perf_counter() - started
    count = len(cases) * len(months)
    return {
        "name": name,
        "beneficiary_months": count,
        "lines": lines,
        "amount_vnd": amount,
        "seconds": round(seconds, 3),
        "rows_per_s": round(count / seconds),
        "peak_rss_mb": _peak_rss_mb(),
    }


def _arrears(cases: list[Any], book_rates: list[Rate]) -> dict[str, Any]:
    """Months 8–10/2026 were paid at the old rates; a raise from 1/8/2026 arrives in 11/2026."""
    old = RateBook(book_rates)
    raised = RateBook(
        [
            *book_rates,
            Rate("btxh.base", Decimal(540_000), Unit.VND, dt.date(2026, 8, 1), None, "", "bench"),
        ]
    )
    paid_months = range(CYCLE_MONTH - 3, CYCLE_MONTH)
    histories = []
    for person, enrolled in cases:
        paid: dict[tuple[str, int], int] = {}
        for month in paid_months:
            for line in month_evaluate(person, enrolled, month, old).lines:
                paid[(line.benefit, month)] = paid.get((line.benefit, month), 0) + line.amount
        histories.append(paid)
    started = time.perf_counter()
    lines = owed = 0
    for (person, enrolled), paid in zip(cases, histories, strict=True):
        found = arrears(person, enrolled, paid, CYCLE_MONTH, raised, since=paid_months[0])
        lines += len(found)
        owed += sum(line.amount for line in found)
    seconds = time.perf_counter() - started
    return {
        "name": "arrears_3_months",
        "people": len(cases),
        "beneficiary_months": len(cases) * len(paid_months),
        "lines": lines,
        "amount_vnd": owed,
        "seconds": round(seconds, 3),
        "rows_per_s": round(len(cases) * len(paid_months) / seconds),
        "peak_rss_mb": _peak_rss_mb(),
    }


def main() -> None:
    args = _arguments()
    rates = national_rates()
    started = time.perf_counter()
    cases = _cases(args.people, args.seed)
    print(json.dumps({"name": "generate_people", "people": len(cases),
                      "seconds": round(time.perf_counter() - started, 1)}))  # fmt: skip
    cycle = range(CYCLE_MONTH, CYCLE_MONTH + 1)
    print(json.dumps(_price("cycle_1_month", cases, cycle, RateBook(rates))))
    year = range(CYCLE_MONTH - 11, CYCLE_MONTH + 1)
    print(json.dumps(_price("year_12_months", cases[: args.year_people], year, RateBook(rates))))
    print(json.dumps(_arrears(cases[: args.arrears_people], rates)))


if __name__ == "__main__":
    main()
