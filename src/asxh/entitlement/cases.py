"""Hypothetical cases in, amounts with explanations out: `asxh policy evaluate FILE.json`,
the calculator page and the golden tests share this. No database is needed.

The file format is documented in README.md ("Tính thử chế độ").
"""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from asxh.entitlement.engine import (
    CARE_KINDS,
    Enrolment,
    Line,
    MonthResult,
    OneOff,
    Person,
    arrears,
    benefit_name,
    line_title,
    months_evaluate,
)
from asxh.entitlement.months import month_iso, month_parse
from asxh.entitlement.rates import Rate, RateBook, RateError, RateMissing, rates_parse
from asxh.intake.normalise import CellError, birth_date

# Far enough ahead that a hypothetical date is never "in the future".
_NO_LIMIT = dt.date(2200, 1, 1)


class CaseError(ValueError):
    """A case that cannot be read; the message names the case and the field."""


@dataclass(frozen=True)
class Case:
    ident: str
    person: Person
    enrolments: tuple[Enrolment, ...]
    months: tuple[int, ...]
    paid: Mapping[tuple[str, int], int]
    pay_month: int | None
    since: int | None = None


def _month(value: Any, where: str) -> int:
    try:
        return month_parse(str(value))
    except ValueError as error:
        raise CaseError(f"{where}: {error}") from None


def _date(value: Any, where: str) -> tuple[dt.date, str] | None:
    if value in (None, ""):
        return None
    try:
        found = birth_date(str(value), _NO_LIMIT)
    except CellError as error:
        raise CaseError(f"{where}: {error.message} {error.fix}") from None
    return (found.value, found.precision) if found else None


def _person(data: Mapping[str, Any], where: str) -> Person:
    born = _date(data.get("birth_date"), f"{where}, person.birth_date")
    died = _date(data.get("death_date"), f"{where}, person.death_date")
    if died is not None and died[1] != "day":
        raise CaseError(f"{where}, person.death_date: ghi đủ ngày chết dạng dd/mm/yyyy.")
    moves = tuple(
        (_month(move.get("last_month"), f"{where}, person.moves"), str(move.get("commune", "")))
        for move in data.get("moves") or ()
    )
    resumed = data.get("resumed")
    return Person(
        birth_date=born[0] if born else None,
        birth_precision=born[1] if born else "day",
        death_date=died[0] if died else None,
        province=str(data.get("province") or ""),
        commune=str(data.get("commune") or ""),
        moves=moves,
        uncollected=frozenset(
            _month(m, f"{where}, person.uncollected") for m in data.get("uncollected") or ()
        ),
        resumed=_month(resumed, f"{where}, person.resumed") if resumed else None,
        lists=frozenset(str(code) for code in data.get("lists") or ()),
    )


_ENROLMENT_FIELDS = set(Enrolment._fields)


_TERMS = [
    ("group", str, "mã nhóm đối tượng"),
    ("in_education", bool, "true hoặc false"),
    ("hiv_positive", bool, "true hoặc false"),
    ("pregnant", bool, "true hoặc false"),
    ("impairment_percent", int, "số nguyên từ 1 đến 100"),
    ("martyr_count", int, "số nguyên"),
    ("children", int, "số nguyên"),
]
_CHOICES = {
    "disability_level": ("", "severe", "very_severe"),
    "household_poverty": ("", "poor", "near_poor"),
    "care_kind": ("", *CARE_KINDS),
}


def _is(value: Any, kind: type) -> bool:
    if kind is int:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0
    return isinstance(value, kind)


def _enrolment(data: Mapping[str, Any], where: str) -> Enrolment:
    unknown = set(data) - _ENROLMENT_FIELDS
    if unknown:
        raise CaseError(f"{where}: trường không biết: {', '.join(sorted(unknown))}.")
    if not data.get("group"):
        raise CaseError(f"{where}: thiếu 'group' (mã nhóm đối tượng).")
    if not data.get("start"):
        raise CaseError(f"{where}: thiếu 'start' (tháng bắt đầu hưởng, theo quyết định).")
    values = dict(data)
    for name, kind, fix in _TERMS:
        value = data.get(name)
        if value not in (None, "") and not _is(value, kind):
            raise CaseError(f"{where}.{name}: '{value}' không hợp lệ: {fix}.")
        if value == "" and kind is not str:
            values[name] = None if kind is int else False
    for name, choices in _CHOICES.items():
        if data.get(name, "") not in choices:
            raise CaseError(f"{where}.{name}: ghi một trong {', '.join(map(repr, choices))}.")
    values["start"] = _month(data["start"], f"{where}.start")
    values["end"] = _month(data["end"], f"{where}.end") if data.get("end") else None
    cared = _date(data.get("cared_birth_date"), f"{where}.cared_birth_date")
    values["cared_birth_date"] = cared[0] if cared else None
    try:
        return Enrolment(**values)
    except TypeError as error:
        raise CaseError(f"{where}: {error}") from None


def _months(value: Any, where: str) -> tuple[int, ...]:
    if isinstance(value, Mapping):
        first, last = _month(value.get("from"), where), _month(value.get("to"), where)
        if last < first or last - first > 600:
            raise CaseError(f"{where}: khoảng tháng không hợp lệ.")
        return tuple(range(first, last + 1))
    if isinstance(value, list) and value:
        return tuple(_month(m, where) for m in value)
    raise CaseError(f'{where}: ghi "months" là danh sách tháng hoặc {{"from": …, "to": …}}.')


def case_parse(data: Mapping[str, Any], number: int) -> Case:
    ident = str(data.get("id") or f"#{number}")
    where = f"Trường hợp {ident}"
    enrolments = tuple(
        _enrolment(e, f"{where}, enrolments[{i}]")
        for i, e in enumerate(data.get("enrolments") or ())
    )
    paid: dict[tuple[str, int], int] = {}
    for i, row in enumerate(data.get("paid") or ()):
        key = (str(row.get("benefit")), _month(row.get("month"), f"{where}, paid[{i}]"))
        amount = row.get("amount")
        if not isinstance(amount, int) or isinstance(amount, bool):
            raise CaseError(f"{where}, paid[{i}].amount: số tiền là số đồng nguyên.")
        paid[key] = paid.get(key, 0) + amount
    pay_month, since = data.get("pay_month"), data.get("arrears_since")
    return Case(
        ident,
        _person(data.get("person") or {}, where),
        enrolments,
        _months(data.get("months"), f"{where}, months") if data.get("months") else (),
        paid,
        _month(pay_month, f"{where}, pay_month") if pay_month else None,
        _month(since, f"{where}, arrears_since") if since else None,
    )


def one_offs_parse(records: Sequence[Mapping[str, Any]]) -> list[OneOff]:
    found = []
    for i, data in enumerate(records):
        where = f"one_offs[{i}]"
        if data.get("target") not in ("beneficiaries", "list"):
            raise CaseError(f"{where}.target: 'beneficiaries' hoặc 'list'.")
        found.append(
            OneOff(
                code=str(data["code"]),
                name=str(data.get("name") or data["code"]),
                month=_month(data.get("month"), f"{where}.month"),
                target=str(data["target"]),
                groups=frozenset(data.get("groups") or ()),
                source=str(data.get("source") or ""),
            )
        )
    return found


def line_json(line: Line) -> dict[str, Any]:
    return {
        "benefit": line.benefit,
        "name": benefit_name(line.benefit),
        "title": line_title(line),
        "kind": line.kind,
        "month": month_iso(line.month),
        "amount": line.amount,
        "commune": line.commune,
        "explanation": line.explain(),
    }


def _month_json(result: MonthResult) -> dict[str, Any]:
    return {
        "month": month_iso(result.month),
        "total": result.total,
        "lines": [line_json(line) for line in result.lines],
        "notes": list(result.notes),
    }


def case_evaluate(case: Case, book: RateBook, one_offs: Sequence[OneOff] = ()) -> dict[str, Any]:
    results = months_evaluate(case.person, case.enrolments, case.months, book, one_offs)
    answer: dict[str, Any] = {
        "id": case.ident,
        "months": [_month_json(r) for r in results],
        "total": sum(r.total for r in results),
    }
    if case.pay_month is not None:
        lines = arrears(
            case.person, case.enrolments, case.paid, case.pay_month, book, since=case.since
        )
        answer["arrears"] = {
            "pay_month": month_iso(case.pay_month),
            "lines": [line_json(line) for line in lines],
            "total": sum(line.amount for line in lines),
        }
    return answer


def policy_evaluate(data: Mapping[str, Any], base_rates: Sequence[Rate]) -> dict[str, Any]:
    """Every case of a policy file, with the file's own rates added to `base_rates`.

    A case that cannot be read or priced is reported in "errors" with its id; the others
    are still evaluated.
    """
    try:
        extra = rates_parse(data.get("rates") or ())
        one_offs = one_offs_parse(data.get("one_offs") or ())
    except (RateError, CaseError) as error:
        return {"cases": [], "errors": [{"id": "", "error": str(error)}]}
    book = RateBook(_merged(base_rates, extra))
    answers, errors = [], []
    for number, raw in enumerate(data.get("cases") or (), start=1):
        try:
            answers.append(case_evaluate(case_parse(raw, number), book, one_offs))
        except (CaseError, RateMissing) as error:
            errors.append({"id": str(raw.get("id") or f"#{number}"), "error": str(error)})
    return {"cases": answers, "errors": errors}


def _merged(base: Sequence[Rate], extra: Sequence[Rate]) -> list[Rate]:
    """The file's rates win over shipped ones with the same key, scope and start date."""
    replaced = {(r.key, r.scope, r.effective_from) for r in extra}
    return [r for r in base if (r.key, r.scope, r.effective_from) not in replaced] + list(extra)
