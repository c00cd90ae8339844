"""`asxh quality …`: the data-quality scan and its findings, through the same services as the page."""

import json
import sys
from argparse import ArgumentParser
from dataclasses import asdict
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from asxh.access.selectors import user_by_username
from asxh.core.commands import refusals_reported
from asxh.core.formatting import date_vn, number_vn
from asxh.core.masking import mask_id_number
from asxh.quality import selectors, services
from asxh.quality.logic import finding_message
from asxh.quality.models import Finding, FindingKind


def _row(f: Finding) -> dict[str, Any]:
    return {
        "id": f.pk,
        "kind": f.kind,
        "state": f.state,
        "beneficiary": f.beneficiary_id,
        "full_name": f.beneficiary.full_name,
        "id_number": mask_id_number(f.beneficiary.id_number),
        "commune": f.commune.code,
        "related": f.related_id,
        "message": finding_message(f.kind, f.detail),
        "detected_at": date_vn(f.detected_at),
        "reason": f.state_reason,
    }


class Command(BaseCommand):
    help = "Làm sạch dữ liệu: scan (quét), list (danh sách phát hiện), dismiss (bỏ qua có lý do)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)

        def with_user(p: ArgumentParser) -> ArgumentParser:
            p.add_argument("--user", required=True, help="Tên đăng nhập của người thực hiện.")
            p.add_argument("--json", action="store_true", help="Kết quả là JSON.")
            return p

        scan = with_user(sub.add_parser("scan", help="Quét địa bàn của người dùng (hoặc một xã)."))
        scan.add_argument("--commune", default="", help="Mã xã/phường (mặc định: cả địa bàn).")
        listing = with_user(sub.add_parser("list", help="Phát hiện trong địa bàn của người dùng."))
        listing.add_argument("--kind", default="", choices=["", *FindingKind.values])
        listing.add_argument("--state", default="open", help="open, fixed, dismissed hoặc all.")
        listing.add_argument("--commune", default="")
        listing.add_argument("--limit", type=int, default=50)
        dismiss = with_user(sub.add_parser("dismiss", help="Bỏ qua một phát hiện, ghi lý do."))
        dismiss.add_argument("id", type=int)
        dismiss.add_argument("--reason", required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        with refusals_reported():
            user = user_by_username(options["user"])
            result = getattr(self, f"_{options['action']}")(user, options)
        if options["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, default=str))

    def _scan(self, user: Any, o: dict[str, Any]) -> dict[str, Any]:
        if not o["json"]:
            sys.stderr.write("Đang quét…\n")
        result = services.quality_scan(actor=user, commune_code=o["commune"])
        if not o["json"]:
            self.stdout.write(
                f"Đã quét {number_vn(result.scanned)} đối tượng ở {result.communes} xã/phường "
                f"trong {result.seconds} giây: {number_vn(result.raised)} phát hiện mới, "
                f"{number_vn(result.seen_again)} vẫn còn, {number_vn(result.closed)} đã được sửa."
            )
            labels = dict(FindingKind.choices)
            for kind, n in result.by_kind.items():
                self.stdout.write(f"  {labels.get(kind, kind)}: {number_vn(n)}")
        return asdict(result)

    def _list(self, user: Any, o: dict[str, Any]) -> list[dict[str, Any]]:
        state = "" if o["state"] == "all" else o["state"]
        filters = selectors.FindingFilters(kind=o["kind"], state=state, commune=o["commune"])
        rows = [_row(f) for f in selectors.finding_page(user, filters, size=o["limit"]).rows]
        if not o["json"]:
            for r in rows:
                self.stdout.write(
                    f"{r['id']}\t{r['commune']}\t{r['full_name']}\t{r['id_number']}\t{r['message']}"
                )
        return rows

    def _dismiss(self, user: Any, o: dict[str, Any]) -> dict[str, Any]:
        selectors.finding_get(user, o["id"])  # not found outside the user's area
        finding = services.finding_dismiss(actor=user, finding_id=o["id"], reason=o["reason"])
        if not o["json"]:
            self.stdout.write(f"Đã bỏ qua phát hiện số {finding.pk}.")
        return {"id": finding.pk, "state": finding.state, "reason": finding.state_reason}
