"""What the management commands share: a service's refusal told as a command error, and a
report given as Excel, JSON or text."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.http import Http404


@contextmanager
def refusals_reported() -> Iterator[None]:
    """A refusal by a service or selector (not allowed, not found in the user's area, invalid
    data) becomes a CommandError with its Vietnamese message: exit code 1, no traceback."""
    try:
        yield
    except PermissionDenied as error:
        raise CommandError(f"Không được phép: {error}") from None
    except Http404 as error:
        raise CommandError(str(error)) from None
    except ValidationError as error:
        raise CommandError("Không thực hiện được: " + "; ".join(error.messages)) from None


def report_answer(command: BaseCommand, options: dict[str, Any], xlsx: Callable[[], bytes],
                  as_dict: Callable[[], Any], text: Callable[[], str]) -> None:  # fmt: skip
    """A report as the report commands give it: an Excel file (-o F.xlsx), JSON (--json), or
    text when neither was asked for."""
    if options["output"]:
        path = Path(options["output"])
        if path.suffix.lower() != ".xlsx":
            raise CommandError(f"File '{path}' phải có đuôi .xlsx.")
        path.write_bytes(xlsx())
        command.stderr.write(f"Đã ghi {path}.")
    if options["json"]:
        command.stdout.write(json.dumps(as_dict(), ensure_ascii=False))
    elif not options["output"]:
        command.stdout.write(text())
