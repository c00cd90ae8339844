"""Data-quality scan speed on seeded data: a whole province, a rescan, and one commune.

Run `asxh migrate` on the seeded database first (bench/README.md). The first scan raises every
finding (`--fresh` deletes the province's scan findings before it, so runs compare), the rescan
finds them open and only marks them seen, and the commune scan (the province's largest commune)
also compares its people with everyone else's. Prints one JSON line per scan; `peak_rss_mb` is
the process's peak so far (it only grows).
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
    parser.add_argument("--province", default="91")
    parser.add_argument("--fresh", action="store_true", help="Delete earlier scan findings.")
    parser.add_argument("--no-commune", action="store_true", help="Skip the commune scan.")
    parser.add_argument("--allow-sqlite", action="store_true", help="Run without PostgreSQL.")
    return parser.parse_args()


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def _scan(name: str, user: Any, commune_code: str = "") -> dict[str, Any]:
    from django.db import connection

    from asxh.quality.services import quality_scan

    started = time.perf_counter()
    result = quality_scan(actor=user, commune_code=commune_code)
    seconds = time.perf_counter() - started
    return {
        "name": name,
        "rows": result.scanned,
        "seconds": round(seconds, 2),
        "rows_per_s": round(result.scanned / seconds),
        "peak_rss_mb": _peak_rss_mb(),
        "database": connection.vendor,
        "communes": result.communes,
        "raised": result.raised,
        "seen_again": result.seen_again,
        "closed": result.closed,
        "by_kind": result.by_kind,
    }


def main() -> None:
    args = _arguments()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")) and not args.allow_sqlite:
        sys.exit("DATABASE_URL must point at PostgreSQL (or pass --allow-sqlite).")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    import django

    django.setup()
    # The same users as the list-page benchmark (bench/ is the script directory on sys.path).
    from list_page_bench import bench_users

    from asxh.quality.logic import SCAN_PREFIX
    from asxh.quality.models import Finding

    users = bench_users(args.province)
    if args.fresh:
        Finding.objects.filter(
            commune__province__code=args.province, key__startswith=SCAN_PREFIX
        ).delete()
    print(json.dumps(_scan("province_scan", users["province"])), flush=True)
    print(json.dumps(_scan("province_rescan", users["province"])), flush=True)
    if not args.no_commune:
        officer = users["commune_officer"]
        commune = officer.areas.get().commune.code
        print(json.dumps(_scan("commune_scan", officer, commune)), flush=True)


if __name__ == "__main__":
    main()
