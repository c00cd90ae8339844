"""The HTTP gateway against a local server; choosing the gateway from the environment."""

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from django.core.exceptions import ImproperlyConfigured

from asxh.notifications.adapters import HttpGateway, LogGateway, gateway_from_settings


class FakeGateway(BaseHTTPRequestHandler):
    received: ClassVar[list[dict[str, Any]]] = []

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeGateway.received.append(
            {"body": body, "auth": self.headers.get("Authorization"), "path": self.path}
        )
        status, answer = {
            "0900000400": (400, b'{"error": "invalid number"}'),
            "0900000429": (429, b"slow down"),
            "0900000500": (500, b"oops"),
            "0900000111": (200, b"not json"),
        }.get(body["to"], (200, json.dumps({"id": f"m-{len(FakeGateway.received)}"}).encode()))
        if body["to"] == "0900000999":
            time.sleep(1.0)  # longer than the client waits
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def url() -> Iterator[str]:
    FakeGateway.received.clear()
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeGateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms"
    server.shutdown()
    server.server_close()


def test_a_message_is_posted_as_json_with_the_token(url):
    gateway = HttpGateway(url=url, token="bi-mat", sender="SOYTE-AG")
    result = gateway.send("0912345678", "Nguyen Thi Hoa: tro cap thang 11/2026")
    assert result.ok and result.message_id == "m-1" and not result.error
    [request] = FakeGateway.received
    assert request["body"] == {
        "to": "0912345678",
        "text": "Nguyen Thi Hoa: tro cap thang 11/2026",
        "sender": "SOYTE-AG",
    }
    assert request["auth"] == "Bearer bi-mat" and request["path"] == "/sms"


def test_http_errors_are_failures(url):
    gateway = HttpGateway(url=url, token="t")
    refused = gateway.send("0900000400", "x")
    assert not refused.ok and refused.permanent
    assert "HTTP 400" in refused.error and "invalid number" in refused.error
    busy = gateway.send("0900000429", "x")
    assert not busy.ok and not busy.permanent and "HTTP 429" in busy.error
    broken = gateway.send("0900000500", "x")
    assert not broken.ok and not broken.permanent and "HTTP 500" in broken.error
    odd = gateway.send("0900000111", "x")
    assert odd.ok and odd.message_id == ""


def test_a_timeout_and_an_unreachable_gateway_are_failures(url):
    slow = HttpGateway(url=url, token="t", timeout=0.2).send("0900000999", "x")
    assert not slow.ok and not slow.permanent and "Không gọi được cổng SMS" in slow.error
    closed = HttpGateway(url="http://127.0.0.1:9/sms", token="t", timeout=1).send("09", "x")
    assert not closed.ok and "Không gọi được cổng SMS" in closed.error


def test_only_http_urls():
    with pytest.raises(ImproperlyConfigured):
        HttpGateway(url="file:///etc/passwd", token="t")


def test_the_backend_comes_from_the_environment(monkeypatch, url):
    monkeypatch.delenv("ASXH_SMS_BACKEND", raising=False)
    assert isinstance(gateway_from_settings(), LogGateway)
    monkeypatch.setenv("ASXH_SMS_BACKEND", "http")
    monkeypatch.delenv("ASXH_SMS_URL", raising=False)
    with pytest.raises(ImproperlyConfigured, match="ASXH_SMS_URL"):
        gateway_from_settings()
    monkeypatch.setenv("ASXH_SMS_URL", url)
    monkeypatch.setenv("ASXH_SMS_TOKEN", "tok")
    gateway = gateway_from_settings()
    assert isinstance(gateway, HttpGateway)
    assert gateway.send("0912345678", "x").ok
    assert FakeGateway.received[-1]["auth"] == "Bearer tok"
    monkeypatch.setenv("ASXH_SMS_BACKEND", "smpp")
    with pytest.raises(ImproperlyConfigured, match="log hoặc http"):
        gateway_from_settings()


def test_the_log_gateway_always_succeeds_with_distinct_ids():
    gateway = LogGateway()
    first, second = gateway.send("0912345678", "a"), gateway.send("0912345678", "b")
    assert first.ok and second.ok and first.message_id != second.message_id
