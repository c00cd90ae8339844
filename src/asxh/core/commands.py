"""What the management commands share: a service's refusal told as a command error."""

from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError
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
