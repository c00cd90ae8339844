"""Beneficiary list speed on seeded data: the selector and the whole page (/doi-tuong/).

For a commune officer (the province's largest commune) and a province user: first page, a
deep page (half-way, via the cursor), a folded-name search and a group filter. Each case is
the median of --runs timed calls after one warm-up. Prints one JSON line.
"""

import argparse
import json
import os
import resource
import statistics
import time
from collections.abc import Callable
from typing import Any

ROLE_USERS = {"commune_officer": "bench.xa", "province": "bench.tinh"}
PASSWORD = "bench-mat-khau-2026"  # noqa: S105 - throwaway users of the benchmark database


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--province", default="91")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--search", default="nguyen thi")
    parser.add_argument("--group", default="btxh_khuyet_tat")
    parser.add_argument("--rare-group", default="ncc_ba_me_vnah")
    return parser.parse_args()


def _median_ms(call: Callable[[], int], runs: int) -> tuple[float, int]:
    """Median milliseconds of `runs` calls after a warm-up; also the rows of the last call."""
    rows = call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        rows = call()
        times.append(time.perf_counter() - started)
    return round(statistics.median(times) * 1000, 1), rows


def bench_users(province_code: str) -> dict[str, Any]:
    """The two bench users, created once; the officer works in the largest commune."""
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


def _deep_cursor(user: Any) -> str:
    """The cursor of the row half-way through the user's list (found once, not timed)."""
    from asxh.beneficiaries import selectors

    qs = selectors.beneficiaries_for(user).order_by("name_folded", "id")
    middle = qs.count() // 2
    row = qs.only("id", "name_folded")[middle]
    return selectors._encode_cursor(row)  # the selector's own cursor format


def _cases(args: argparse.Namespace, user: Any) -> dict[str, tuple[dict[str, str], str]]:
    return {
        "first_page": ({}, ""),
        "deep_page": ({}, _deep_cursor(user)),
        "search": ({"q": args.search}, ""),
        "group": ({"group": args.group}, ""),
        "rare_group": ({"group": args.rare_group}, ""),
    }


def _time_user(args: argparse.Namespace, user: Any) -> tuple[dict[str, Any], int, float]:
    from django.test import Client

    from asxh.beneficiaries.selectors import BeneficiaryFilters, beneficiary_page

    client = Client()
    client.force_login(user)
    results: dict[str, Any] = {}
    rows = 0
    seconds = 0.0
    for case, (params, cursor) in _cases(args, user).items():

        def selector(params: dict[str, str] = params, cursor: str = cursor) -> int:
            return len(beneficiary_page(user, BeneficiaryFilters(**params), cursor=cursor).rows)

        def page(params: dict[str, str] = params, cursor: str = cursor) -> int:
            response = client.get(
                "/doi-tuong/", {**params, **({"after": cursor} if cursor else {})}
            )
            assert response.status_code == 200, response.status_code
            return len(response.context["rows"])

        selector_ms, n = _median_ms(selector, args.runs)
        page_ms, _ = _median_ms(page, args.runs)
        results[case] = {"selector_ms": selector_ms, "page_ms": page_ms, "rows": n}
        rows += 2 * args.runs * n
        seconds += args.runs * (selector_ms + page_ms) / 1000
    return results, rows, seconds


def main() -> None:
    args = _arguments()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asxh.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from asxh.beneficiaries.selectors import beneficiaries_for

    setup_test_environment()  # the test Client's host, and response.context
    cases, in_scope = {}, {}
    rows, seconds = 0, 0.0
    for role, user in bench_users(args.province).items():
        in_scope[role] = beneficiaries_for(user).count()
        cases[role], n, s = _time_user(args, user)
        rows, seconds = rows + n, seconds + s
    print(
        json.dumps(
            {
                "name": "list_page",
                "rows": rows,
                "seconds": round(seconds, 2),
                "rows_per_s": round(rows / seconds) if seconds else 0,
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
                "database": connection.vendor,
                "beneficiaries_in_scope": in_scope,
                "runs": args.runs,
                "cases": cases,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
