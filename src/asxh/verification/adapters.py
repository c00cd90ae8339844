"""How asxh talks to the police and to the account-name inquiry, behind small interfaces.

Today the police check identities in the National Population Database and answer in an Excel
file; the day an online link exists, an `IdentityVerifier` that calls it replaces
`FileIdentityExchange` and the services stay as they are. Account-name inquiry (the provider
or NAPAS) has two implementations of `AccountNameInquiry`: the provider's answers file, and the
VietQR lookup API over HTTP.
"""

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from asxh.verification.logic import (
    ABSENT,
    ACCOUNT_COLUMNS,
    FOUND,
    IDENTITY_COLUMNS,
    RESULT_LABELS,
    UNAVAILABLE,
    AccountAnswer,
    AccountFacts,
    InquiryAnswer,
)
from asxh.verification.sheets import ListHeader, SheetRead, sheet_read, sheet_write


@dataclass(frozen=True)
class IdentityRequest:
    """One person the police are asked to check."""

    ref: int
    full_name: str
    birth: str
    sex: str
    id_number: str
    residence: str


@dataclass(frozen=True)
class AccountRequest:
    """One account the provider is asked about."""

    ref: int
    beneficiary: str
    bin: str
    bank: str
    account_number: str
    holder_name: str


class IdentityVerifier(Protocol):
    """Sends a list of people to the police and receives their answers, keyed by reference."""

    def send(self, requests: Iterable[IdentityRequest], header: ListHeader) -> int: ...

    def receive(self) -> SheetRead: ...


class AccountNameInquiry(Protocol):
    """Given BIN + account number: the holder's name as the bank has it, or not found."""

    def lookup(self, bin_: str, account_number: str) -> InquiryAnswer: ...


class FileIdentityExchange:
    """The police's Excel list: written for them, read back with their answers."""

    def __init__(self, *, out: str | Path | None = None, data: bytes | None = None) -> None:
        self.out, self.data = out, data

    def send(self, requests: Iterable[IdentityRequest], header: ListHeader) -> int:
        assert self.out is not None
        rows = (
            [n, r.ref, r.full_name, r.birth, r.sex, r.id_number, r.residence] + [""] * 6
            for n, r in enumerate(requests, start=1)
        )
        header = ListHeader(
            **{**header.__dict__, "choices": {"result": list(RESULT_LABELS.values())}}
        )
        return sheet_write(self.out, IDENTITY_COLUMNS, header, rows)

    def receive(self) -> SheetRead:
        assert self.data is not None
        return sheet_read(self.data, IDENTITY_COLUMNS, required=("ref", "result"))


def account_list_write(
    out: str | Path, requests: Iterable[AccountRequest], header: ListHeader
) -> int:
    """The list of accounts for the provider to look up (full numbers: an audited export)."""
    rows = (
        [n, r.ref, r.beneficiary, r.bin, r.bank, r.account_number, r.holder_name, "", "", ""]
        for n, r in enumerate(requests, start=1)
    )
    header = ListHeader(
        **{**header.__dict__, "choices": {"answer": ["Có tài khoản", "Không tìm thấy"]}}
    )
    return sheet_write(out, ACCOUNT_COLUMNS, header, rows)


def account_answers_read(data: bytes) -> SheetRead:
    return sheet_read(data, ACCOUNT_COLUMNS, required=("ref", "bin", "account_number"))


class ProviderFileInquiry:
    """The provider's answers file as an inquiry: each BIN + number answered as they wrote it.

    Built from the checked rows of the file; an account the file does not answer gets no answer
    (unavailable), never 'not found'.
    """

    def __init__(self, answers: Iterable[AccountAnswer]) -> None:
        self._answers = {(a.bin, a.account_number): a.answer for a in answers}

    def lookup(self, bin_: str, account_number: str) -> InquiryAnswer:
        missing = InquiryAnswer(UNAVAILABLE, detail="Tệp trả lời không có tài khoản này.")
        return self._answers.get((bin_, account_number), missing)


def vietqr_answer(payload: Mapping[str, Any]) -> InquiryAnswer:
    """VietQR `POST /v2/lookup`: code 00 with data.accountName, 42 = invalid account number.

    Any other code (41 bank not supported, 43 error, provider busy…) is no answer, not a
    verdict on the account.
    """
    code = str(payload.get("code", ""))
    desc = str(payload.get("desc", ""))
    data = payload.get("data") or {}
    name = data.get("accountName") if isinstance(data, Mapping) else None
    if code == "00" and name:
        return InquiryAnswer(FOUND, bank_name=str(name))
    if code == "42":
        return InquiryAnswer(ABSENT, detail=desc or "Số tài khoản không hợp lệ")
    return InquiryAnswer(UNAVAILABLE, detail=f"VietQR trả mã {code or '?'}: {desc}".strip())


class VietQRInquiry:
    """Account-name inquiry through VietQR's lookup API (x-client-id / x-api-key headers)."""

    def __init__(self, *, url: str, client_id: str, api_key: str, timeout: float = 15.0) -> None:
        if not url.startswith(("https://", "http://")):
            raise ImproperlyConfigured(f"Địa chỉ tra cứu '{url}' phải bắt đầu bằng https://.")
        self.url, self.timeout = url, timeout
        self.headers = {
            "x-client-id": client_id,
            "x-api-key": api_key,
            "Content-Type": "application/json",
            "Accept": "application/json",
        }

    def lookup(self, bin_: str, account_number: str) -> InquiryAnswer:
        if not (account_number.isdigit() and 6 <= len(account_number) <= 19):
            return InquiryAnswer(
                UNAVAILABLE, detail="VietQR chỉ tra cứu số tài khoản gồm 6–19 chữ số."
            )
        body = json.dumps({"bin": int(bin_), "accountNumber": account_number}).encode()
        request = urllib.request.Request(  # noqa: S310 - scheme checked in __init__
            self.url, data=body, headers=self.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return vietqr_answer(json.load(response))
        except urllib.error.HTTPError as error:
            return _http_error_answer(error)
        except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
            return InquiryAnswer(UNAVAILABLE, detail=f"Không gọi được dịch vụ tra cứu: {error}")


def _http_error_answer(error: urllib.error.HTTPError) -> InquiryAnswer:
    try:
        payload = json.loads(error.read() or b"{}")
    except ValueError:
        payload = {}
    if isinstance(payload, Mapping) and payload.get("code"):
        return vietqr_answer(payload)
    return InquiryAnswer(UNAVAILABLE, detail=f"Dịch vụ tra cứu trả lỗi HTTP {error.code}.")


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, None) or os.environ.get(name, default))


def vietqr_from_settings() -> VietQRInquiry:
    """The VietQR inquiry configured by ASXH_VIETQR_URL / _CLIENT_ID / _API_KEY."""
    client_id, api_key = _setting("ASXH_VIETQR_CLIENT_ID"), _setting("ASXH_VIETQR_API_KEY")
    if not client_id or not api_key:
        raise ImproperlyConfigured(
            "Chưa cấu hình tra cứu VietQR: đặt biến môi trường ASXH_VIETQR_CLIENT_ID và "
            "ASXH_VIETQR_API_KEY (lấy tại my.vietqr.io), hoặc dùng --via file."
        )
    url = _setting("ASXH_VIETQR_URL", "https://api.vietqr.io/v2/lookup")
    return VietQRInquiry(url=url, client_id=client_id, api_key=api_key)


def lookup_all(
    inquiry: AccountNameInquiry, accounts: Sequence[AccountFacts], *, workers: int = 4
) -> list[AccountAnswer]:
    """Ask about every account; a few requests in flight at once, as the API is network-bound."""

    def ask(account: AccountFacts) -> AccountAnswer:
        answer = inquiry.lookup(account.bin, account.account_number)
        return AccountAnswer(0, account.id, account.bin, account.account_number, answer)

    if workers <= 1 or len(accounts) <= 1:
        return [ask(a) for a in accounts]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(ask, accounts))
