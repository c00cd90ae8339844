"""Round-trip speed of verification on one large commune; prints one JSON line per step.

    DATABASE_URL=postgres://… .venv/bin/python bench/verification_bench.py --people 20000

Seeds N synthetic people into one commune of province 91 (on a database prepared with
`asxh setup`), then times: the identity export, the police's answers import (every row answered,
5 % mismatch, 1 % not found), its re-import, the account export and the provider's answers
import. Filling the files (openpyxl, as the police would) is not timed.
"""

import argparse
import io
import json
import os
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(name: str, rows: int | None, step: Callable[[], Any]) -> Any:
    """Run and time one step; `rows` None means the step's own count (an exchange's rows)."""
    from django.db import connection

    started = time.perf_counter()
    result = step()
    seconds = time.perf_counter() - started
    rows = result.rows if rows is None else rows
    line = {
        "name": name,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds) if seconds else None,
        "peak_rss_mb": _peak_rss_mb(),
        "database": connection.vendor,
    }
    print(json.dumps(line), flush=True)
    return result


def _fill(
    path: Path, columns: Any, answer: Callable[[int, dict[str, int]], dict[str, Any]]
) -> bytes:
    """Answer every data row, as the police/provider would in Excel."""
    import openpyxl

    from asxh.verification.logic import column_map

    book = openpyxl.load_workbook(path)
    sheet = book.active
    header = next(
        r for r in sheet.iter_rows() if "ref" in column_map([c.value for c in r], columns)
    )
    where = column_map([c.value for c in header], columns)
    for index, row in enumerate(sheet.iter_rows(min_row=header[0].row + 2)):
        for key, value in answer(index, where).items():
            row[where[key]].value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    import django

    django.setup()
    from asxh.access.roles import Role
    from asxh.access.services import user_bootstrap
    from asxh.synthetic.services import seed_province
    from asxh.units.models import Commune
    from asxh.verification import services
    from asxh.verification.logic import ACCOUNT_COLUMNS, IDENTITY_COLUMNS

    commune = Commune.objects.filter(province__code="91").order_by("-code").first()
    assert commune is not None, "run `asxh setup` first"
    _timed(
        "seed_one_commune",
        args.people,
        lambda: seed_province(
            province_code="91",
            beneficiaries=args.people,
            seed=args.seed,
            commune_codes=[commune.code],
        ),
    )
    users = {}
    for role in (Role.COMMUNE_POLICE, Role.COMMUNE_OFFICER):
        users[role] = user_bootstrap(
            username=f"bench-{role}-{commune.code}-{args.seed}",
            password="mat-khau-do-toc-2026",  # noqa: S106 - a throwaway benchmark user
            role=role,
            full_name="Đo tốc độ",
            provinces=[],
            communes=[commune],
        )
    police, officer = users[Role.COMMUNE_POLICE], users[Role.COMMUNE_OFFICER]
    folder = Path(tempfile.mkdtemp(prefix="asxh-verif-bench-"))
    ids = folder / "ds.xlsx"
    exchange = _timed(
        "identity_export",
        None,
        lambda: services.identity_list_export(actor=police, commune_code=commune.code, out=ids),
    )
    rows = exchange.rows

    def police_answer(index: int, where: dict[str, int]) -> dict[str, Any]:
        if index % 100 == 0:
            return {"result": "Không tìm thấy"}
        if index % 20 == 0:
            return {"result": "Sai lệch", "note": "Sai ngày sinh so với CSDL"}
        return {"result": "Khớp"}

    answers = _fill(ids, IDENTITY_COLUMNS, police_answer)
    outcome = _timed(
        "identity_import",
        rows,
        lambda: services.answers_import(
            actor=police, kind="identity", file_name="kq.xlsx", data=answers
        ),
    )
    assert not outcome.errors, outcome.errors[:5]
    print(json.dumps({"identity_import": outcome.as_dict()}, default=str, ensure_ascii=False))
    _timed(
        "identity_reimport",
        rows,
        lambda: services.answers_import(
            actor=police, kind="identity", file_name="kq.xlsx", data=answers
        ),
    )
    accounts = folder / "tk.xlsx"
    sent = _timed(
        "account_export",
        None,
        lambda: services.account_list_export(
            actor=officer, commune_code=commune.code, out=accounts
        ),
    )

    def provider_answer(index: int, where: dict[str, int]) -> dict[str, Any]:
        return {"answer": "Không tìm thấy"} if index % 50 == 0 else {}

    provider = _fill(accounts, ACCOUNT_COLUMNS, provider_answer)
    # The provider copies the holder names it finds (these are the stored names, as NAPAS would
    # return them folded, so most verify); every 50th is not found.
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(provider))
    sheet = book.active
    from asxh.core.text import fold_upper
    from asxh.verification.logic import column_map

    header = next(
        r for r in sheet.iter_rows() if "ref" in column_map([c.value for c in r], ACCOUNT_COLUMNS)
    )
    where = column_map([c.value for c in header], ACCOUNT_COLUMNS)
    for row in sheet.iter_rows(min_row=header[0].row + 2):
        if not row[where["answer"]].value and row[where["holder"]].value:
            row[where["bank_holder"]].value = fold_upper(str(row[where["holder"]].value))
    out = io.BytesIO()
    book.save(out)
    result = _timed(
        "account_import",
        sent.rows,
        lambda: services.answers_import(
            actor=officer, kind="account", file_name="tl.xlsx", data=out.getvalue()
        ),
    )
    assert not result.errors, result.errors[:5]
    print(json.dumps({"account_import": result.as_dict()}, default=str, ensure_ascii=False))


if __name__ == "__main__":
    main()
