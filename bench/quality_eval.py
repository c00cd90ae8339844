"""Precision and recall of the data-quality scan on synthetic data with planted defects.

Uses the province's people if it has some with planted defects (`--reseed` to add a fresh
batch anyway), otherwise seeds `--beneficiaries` people with `--defect-rate` first; then scans
the province (as a province user) and compares the open scan findings with the defects
recorded in `synthetic_seeddefect`. Prints a table, then one JSON line.

A duplicate finding is right when both of its records are copies of one planted person (either
record may carry it: each side gets its own finding); a planted duplicate is recalled when a
right finding names its record. The other kinds: the finding's record was planted with the
kind (TCVN3/VNI names count for legacy_encoding, decomposed ones for decomposed_unicode).
Works on SQLite too (set ASXH_DATA_DIR to a scratch directory and run `asxh setup` there).
"""

import argparse
import json
import os
import time

USERNAME = "bench.tinh"
PASSWORD = "bench-mat-khau-2026"  # noqa: S105 - throwaway user of the benchmark database


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="91")
    parser.add_argument("--beneficiaries", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--defect-rate", type=float, default=0.05)
    parser.add_argument("--reseed", action="store_true", help="Seed even if data is there.")
    return parser.parse_args()


def _province_user(province_code: str):  # type: ignore[no-untyped-def]
    from django.db import transaction

    from asxh.access.models import User
    from asxh.access.roles import Role
    from asxh.access.services import user_bootstrap
    from asxh.units.models import Province

    user = User.objects.filter(username=USERNAME).first()
    if user is None:
        with transaction.atomic():
            user = user_bootstrap(
                username=USERNAME,
                password=PASSWORD,
                role=Role.PROVINCE,
                full_name="Benchmark province",
                provinces=[Province.objects.get(code=province_code)],
                communes=[],
            )
    return user


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    import django

    django.setup()
    from django.db import connection

    from asxh.quality.evaluation import detection_report
    from asxh.quality.services import quality_scan
    from asxh.synthetic.models import SeedDefect
    from asxh.synthetic.services import seed_province
    from asxh.units.models import Commune

    seeded = SeedDefect.objects.filter(beneficiary__commune__province__code=args.province)
    if args.reseed or not seeded.exists():
        seed_province(
            province_code=args.province,
            beneficiaries=args.beneficiaries,
            seed=args.seed,
            defect_rate=args.defect_rate,
        )
    user = _province_user(args.province)
    started = time.perf_counter()
    result = quality_scan(actor=user)
    seconds = time.perf_counter() - started
    ids = list(Commune.objects.filter(province__code=args.province).values_list("pk", flat=True))
    scores = detection_report(ids)
    print(f"{'kind':<20}{'planted':>9}{'found':>9}{'right':>9}{'precision':>11}{'recall':>9}")
    for s in scores:
        print(
            f"{s.kind:<20}{s.planted:>9}{s.found:>9}{s.true_positives:>9}"
            f"{s.precision:>11.4f}{s.recall:>9.4f}"
        )
    print(
        json.dumps(
            {
                "name": "quality_eval",
                "rows": result.scanned,
                "seconds": round(seconds, 2),
                "database": connection.vendor,
                "scores": {
                    s.kind: {
                        "planted": s.planted,
                        "found": s.found,
                        "true_positives": s.true_positives,
                        "recalled": s.recalled,
                        "precision": round(s.precision, 4),
                        "recall": round(s.recall, 4),
                    }
                    for s in scores
                },
            }
        )
    )


if __name__ == "__main__":
    main()
