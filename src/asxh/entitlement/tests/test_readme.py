"""The example in README.md's "Tính thử chế độ" runs as documented."""

import json
from pathlib import Path

from asxh.entitlement.cases import policy_evaluate
from asxh.entitlement.rates import national_rates

README = Path(__file__).resolve().parents[4] / "README.md"


def test_the_readme_example_evaluates_without_errors():
    section = README.read_text(encoding="utf-8").split("## Tính thử chế độ")[1]
    example = json.loads(section.split("```json")[1].split("```")[0])
    answer = policy_evaluate(example, national_rates())
    assert answer["errors"] == []
    case = answer["cases"][0]
    # 360.000 × 1,5 in 6/2024; 500.000 × 1,5 from 7/2024; × 2,0 from the 80th birthday (8/2024).
    assert [m["total"] for m in case["months"][:3]] == [540_000, 750_000, 1_000_000]
    # The move: the old commune pays through 9/2024, the new one from 10/2024.
    assert [m["lines"][0]["commune"] for m in case["months"][3:5]] == ["30682", "30685"]
    # 7/2024 paid 540.000 of 750.000; 8 and 9/2024 not paid: 210.000 + 2 × 1.000.000.
    assert case["arrears"]["total"] == 2_210_000
