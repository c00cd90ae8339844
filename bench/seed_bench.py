"""Seeding speed: N synthetic beneficiaries into the database in DATABASE_URL.

Run `asxh setup` on that database first (bench/README.md). Prints one JSON line.
`--generate-only` times the pure generator instead, without a database.
"""

import argparse
import json
import os
import resource
import sys
import time
from typing import Any


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--beneficiaries", type=int, default=1_000_000)
    parser.add_argument("--province", default="91")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--defect-rate", type=float, default=0.01)
    parser.add_argument("--allow-sqlite", action="store_true", help="Run without PostgreSQL.")
    parser.add_argument("--generate-only", action="store_true", help="Time the generator only.")
    return parser.parse_args()


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def _require_postgres(args: argparse.Namespace) -> None:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) and not args.allow_sqlite:
        sys.exit("DATABASE_URL must point at PostgreSQL (or pass --allow-sqlite).")


def _generate(args: argparse.Namespace) -> dict[str, Any]:
    from asxh.synthetic.generator import generate
    from asxh.synthetic.services import province_spec

    spec = province_spec(args.province, None)
    started = time.perf_counter()
    rows = sum(
        len(batch.people)
        for batch in generate(
            spec, count=args.beneficiaries, seed=args.seed, defect_rate=args.defect_rate
        )
    )
    return {"name": "generate", "rows": rows, "seconds": time.perf_counter() - started}


def _seed(args: argparse.Namespace) -> dict[str, Any]:
    from asxh.synthetic.services import seed_province
    from asxh.units.models import Commune

    if not Commune.objects.filter(province__code=args.province).exists():
        sys.exit(f"No communes of province {args.province}: run `asxh setup` on this database.")
    started = time.perf_counter()
    counts = seed_province(
        province_code=args.province,
        beneficiaries=args.beneficiaries,
        seed=args.seed,
        defect_rate=args.defect_rate,
        progress=lambda n: print(f"\r{n:,}", end="", file=sys.stderr, flush=True),
    )
    seconds = time.perf_counter() - started
    print(file=sys.stderr)
    return {"name": "seed", "rows": counts["beneficiaries"], "seconds": seconds, "counts": counts}


def main() -> None:
    args = _arguments()
    if not args.generate_only:
        _require_postgres(args)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    import django

    django.setup()
    from django.db import connection

    result = _generate(args) if args.generate_only else _seed(args)
    seconds = result["seconds"]
    result.update(
        seconds=round(seconds, 2),
        rows_per_s=round(result["rows"] / seconds),
        peak_rss_mb=_peak_rss_mb(),
        database="none" if args.generate_only else connection.vendor,
        province=args.province,
        seed=args.seed,
        defect_rate=args.defect_rate,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
