import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from asxh.core.selectors import stored_counts


class Command(BaseCommand):
    help = "Đếm dữ liệu đang lưu."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--json", action="store_true", help="Một đối tượng JSON.")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = stored_counts()
        if options["json"]:
            self.stdout.write(json.dumps(counts))
        else:
            for name, n in counts.items():
                self.stdout.write(f"{name:>18}: {n:,}".replace(",", "."))
