"""`asxh results import FILE --cycle ID --user U [--json]`: a provider's result file."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from asxh.access.selectors import user_by_username
from asxh.core.commands import refusals_reported
from asxh.core.formatting import number_vn
from asxh.results.outcomes import LABELS, Outcome, ResultFileError
from asxh.results.services import results_import


class Command(BaseCommand):
    help = "Kết quả chi trả: import (nhập tệp kết quả của tổ chức chi trả)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        found = sub.add_parser(
            "import",
            help="Nhập tệp kết quả (Excel/CSV theo mẫu danh sách, pain.002, camt.053/054).",
        )
        found.add_argument("file")
        found.add_argument("--cycle", type=int, required=True)
        found.add_argument("--user", required=True)
        found.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"Không có tệp {path}.")
        with refusals_reported():
            try:
                summary = results_import(actor=user_by_username(o["user"]), cycle_id=o["cycle"],
                                         path=path, name=path.name)  # fmt: skip
            except ResultFileError as error:
                raise CommandError("Tệp không nhập được:\n" + "\n".join(error.problems)) from None
        if o["json"]:
            self.stdout.write(json.dumps({
                "file": summary.file.pk if summary.file else None, "rows": summary.rows,
                "events": summary.events, "outcomes": summary.by_outcome,
                "already_imported": summary.already,
            }, ensure_ascii=False))  # fmt: skip
            return
        if summary.already:
            self.stdout.write("Tệp này đã được nhập trước đó: không có gì thay đổi.")
            return
        self.stdout.write(
            f"Đã đọc {number_vn(summary.rows)} dòng, ghi nhận {number_vn(summary.events)} kết quả "
            "mới (các dòng còn lại không thay đổi gì)."
        )
        for outcome, count in summary.by_outcome.items():
            self.stdout.write(f"  {LABELS[Outcome(outcome)]}: {number_vn(count)}")
