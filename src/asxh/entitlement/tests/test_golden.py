"""Golden cases: amounts computed by hand from the legal text, checked against the engine.

Each JSON file in golden/ is a policy file ("rates", "one_offs", "cases") whose cases carry
three more fields:
- "cites": the article, clause and point the case checks;
- "expect": {"YYYY-MM": {benefit: amount}} with every line expected in every evaluated month
  ({} = nothing payable); lines of the same benefit in a month are summed;
- "expect_arrears" (with "paid" and "pay_month"): [{"benefit", "kind", "amount"}];
- optionally "expect_commune": {"YYYY-MM": commune} for every line of that month.

The expected amounts are the law's, never the engine's output copied back: a failing case
is a disagreement to resolve, not a number to update. Pure functions only, no database.
"""

import functools
import json
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from asxh.entitlement.cases import policy_evaluate
from asxh.entitlement.rates import Rate, national_rates

GOLDEN = Path(__file__).parent / "golden"


def _files() -> list[tuple[str, dict[str, Any]]]:
    return [
        (path.name, json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(GOLDEN.glob("*.json"))
    ]


def _cases() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    return [(name, data, case) for name, data in _files() for case in data.get("cases", [])]


CASES = _cases()


@functools.cache
def _national() -> tuple[Rate, ...]:
    return tuple(national_rates())


def _evaluate(data: Mapping[str, Any], case: Mapping[str, Any]) -> dict[str, Any]:
    policy = {
        "rates": data.get("rates", []),
        "one_offs": data.get("one_offs", []),
        "cases": [case],
    }
    return policy_evaluate(policy, _national())


def _by_benefit(lines: list[dict[str, Any]]) -> dict[str, int]:
    amounts: dict[str, int] = {}
    for line in lines:
        amounts[line["benefit"]] = amounts.get(line["benefit"], 0) + line["amount"]
    return amounts


@pytest.mark.parametrize(
    ("name", "data", "case"),
    [pytest.param(*c, id=f"{Path(c[0]).stem}:{c[2]['id']}") for c in CASES],
)
def test_golden_case(name: str, data: dict[str, Any], case: dict[str, Any]) -> None:
    where = f"{name} / {case['id']} ({case['cites']})"
    answer = _evaluate(data, case)
    assert answer["errors"] == [], f"{where}: {answer['errors']}"
    (result,) = answer["cases"]

    months = {month["month"]: month for month in result["months"]}
    assert sorted(months) == sorted(case["expect"]), (
        f"{where}: the case's 'months' and 'expect' name different months"
    )
    got = {month: _by_benefit(months[month]["lines"]) for month in sorted(months)}
    want = {month: dict(case["expect"][month]) for month in sorted(months)}
    notes = {month: months[month]["notes"] for month in sorted(months) if months[month]["notes"]}
    assert got == want, f"{where}\nengine notes: {notes}"

    for month, commune in case.get("expect_commune", {}).items():
        communes = {line["commune"] for line in months[month]["lines"]}
        assert communes == {commune}, f"{where}: paying commune in {month}"

    if "expect_arrears" in case or "pay_month" in case:
        assert "expect_arrears" in case, f"{where}: a case with pay_month needs expect_arrears"
        lines = result.get("arrears", {}).get("lines", [])
        got_arrears = Counter((line["benefit"], line["kind"], line["amount"]) for line in lines)
        want_arrears = Counter(
            (line["benefit"], line["kind"], line["amount"]) for line in case["expect_arrears"]
        )
        assert got_arrears == want_arrears, f"{where}: arrears lines"
        assert result["arrears"]["total"] == sum(
            line["amount"] for line in case["expect_arrears"]
        ), f"{where}: arrears total"


def test_golden_cases_are_many_and_cited() -> None:
    assert len(CASES) >= 60
    for name, _, case in CASES:
        assert str(case.get("cites", "")).strip(), f"{name} / {case.get('id')}: no cites"
        assert case.get("expect"), f"{name} / {case.get('id')}: no expect"


def test_golden_case_ids_are_unique() -> None:
    ids = Counter(f"{Path(name).stem}:{case['id']}" for name, _, case in CASES)
    assert [ident for ident, count in ids.items() if count > 1] == []
