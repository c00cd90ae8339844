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

ROLE_USERS = {"commune_officer": "bench.xa", "province": "bench.tinh"}
PASSWORD = "bench-mat-khau-2026"  # noqa: S105 - throwaway users of the benchmark database


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="91")
    parser.add_argument("--fresh", action="store_true", help="Delete earlier scan findings.")
    parser.add_argument("--no-commune", action="store_true", help="Skip the commune scan.")
    parser.add_argument("--allow-sqlite", action="store_true", help="Run without PostgreSQL.")
    return parser.parse_args()


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # kB on Linux


def _users(province_code: str) -> dict[str, Any]:
    """The bench users (as list_page_bench.py makes them): the officer of the largest commune
    and a province user."""
    from django.db import transaction
    from django.db.models import Count

    from asxh.access.models import User
    from asxh.access.roles import Role
    from asxh.access.services import user_bootstrap
    from asxh.units.models import Commune, Province

    province = Province.objects.get(code=province_code)
    largest = (
        Commune.objects.filter(province=province)
        .annotate(n=Count("beneficiaries"))
        .order_by("-n", "code")
        .first()
    )
    users = {}
    for role, username in ROLE_USERS.items():
        user = User.objects.filter(username=username).first()
        if user is None:
            in_commune = role == Role.COMMUNE_OFFICER
            with transaction.atomic():
                user = user_bootstrap(
                    username=username,
                    password=PASSWORD,
                    role=role,
                    full_name=f"Benchmark {role}",
                    provinces=[] if in_commune else [province],
                    communes=[largest] if in_commune else [],
                )
        users[role] = user
    return users


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
    from asxh.quality.logic import SCAN_PREFIX
    from asxh.quality.models import Finding

    users = _users(args.province)
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
