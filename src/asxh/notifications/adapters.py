"""How asxh hands an SMS to a gateway, behind one small interface.

`LogGateway` (the default) only writes the message to the Python log: nothing leaves the
machine. `HttpGateway` posts JSON to an SMS gateway (a telecom's brand-name SMS service or an
aggregator). `ASXH_SMS_BACKEND` = log | http chooses; the services record the outcome in the
delivery log (`SmsMessage`).
"""

import itertools
import json
import logging
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from asxh.notifications.logic import phone_masked

log = logging.getLogger("asxh.sms")


@dataclass(frozen=True)
class GatewayResult:
    ok: bool
    message_id: str = ""
    error: str = ""
    # The gateway refused the message itself (bad number, bad text): retrying will not help.
    permanent: bool = False


class SmsGateway(Protocol):
    def send(self, phone: str, text: str) -> GatewayResult: ...


class LogGateway:
    """Writes each message to the log `asxh.sms`; always succeeds."""

    _ids = itertools.count(1)

    def send(self, phone: str, text: str) -> GatewayResult:
        message_id = f"log-{os.getpid()}-{next(self._ids)}"
        # The phone is masked in the log: logs are kept longer and read by more people.
        log.info("SMS %s to %s: %s", message_id, phone_masked(phone), text)
        return GatewayResult(ok=True, message_id=message_id)


# HTTP statuses worth retrying: timeouts, rate limits and server errors.
_RETRYABLE = {408, 425, 429}


class HttpGateway:
    """POST {"to", "text", "sender"} as JSON with a bearer token; a 2xx answer is accepted.

    The gateway's message id is read from the answer's "id" or "message_id" when it sends one.
    """

    def __init__(self, *, url: str, token: str, sender: str = "ASXH", timeout: float = 10.0):
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"Địa chỉ cổng SMS '{url}' phải bắt đầu bằng https://.")
        self.url, self.token, self.sender, self.timeout = url, token, sender, timeout

    def send(self, phone: str, text: str) -> GatewayResult:
        body = json.dumps({"to": phone, "text": text, "sender": self.sender}).encode()
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url, data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as error:
            detail = error.read(300).decode("utf-8", "replace").strip()
            return GatewayResult(
                ok=False,
                error=f"Cổng SMS trả lỗi HTTP {error.code}" + (f": {detail}" if detail else ""),
                permanent=400 <= error.code < 500 and error.code not in _RETRYABLE,
            )
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            return GatewayResult(ok=False, error=f"Không gọi được cổng SMS: {reason}")
        return GatewayResult(ok=True, message_id=_message_id(raw))


def _message_id(raw: bytes) -> str:
    try:
        payload = json.loads(raw or b"{}")
    except ValueError:
        return ""
    if not isinstance(payload, dict):
        return ""
    return str(payload.get("id") or payload.get("message_id") or "")[:100]


def setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, None) or os.environ.get(name, default))


def gateway_from_settings() -> SmsGateway:
    """The gateway chosen by ASXH_SMS_BACKEND (log, the default, or http)."""
    backend = setting("ASXH_SMS_BACKEND", "log").strip().lower()
    if backend == "log":
        return LogGateway()
    if backend == "http":
        url = setting("ASXH_SMS_URL")
        if not url:
            raise ImproperlyConfigured(
                "ASXH_SMS_BACKEND=http cần ASXH_SMS_URL (địa chỉ cổng SMS) và ASXH_SMS_TOKEN."
            )
        try:
            timeout = float(setting("ASXH_SMS_TIMEOUT", "10"))
        except ValueError:
            raise ImproperlyConfigured("ASXH_SMS_TIMEOUT phải là số giây, ví dụ 10.") from None
        return HttpGateway(
            url=url,
            token=setting("ASXH_SMS_TOKEN"),
            sender=setting("ASXH_SMS_SENDER", "ASXH"),
            timeout=timeout,
        )
    raise ImproperlyConfigured(f"ASXH_SMS_BACKEND='{backend}' không có; dùng log hoặc http.")
