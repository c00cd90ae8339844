"""Rates as effective-dated data: the base level, coefficients, fixed amounts and fees.

A rate is never edited. A new decree adds entries with a later effective date, which
supersede the earlier ones from that date; an entry may also lapse (`until`) when its group
is abolished. A province entry overrides the national one, except for the floors the law
sets (the base level and funeral support), where the province may only go higher.
"""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from importlib import resources
from typing import Any

from asxh.core.formatting import date_vn, number_vn
from asxh.entitlement.months import month_first_day


class Unit(StrEnum):
    VND = "vnd"  # đồng per month (or once, for one-off and funeral amounts)
    COEFFICIENT = "coefficient"  # × the base level
    MULTIPLE = "multiple"  # × the base level, once (funeral support)
    PERCENT = "percent"  # % of the amount paid (provider fee)


# National minimums a province may raise but not lower (NĐ 20/2021 Điều 4 khoản 2, Điều 11).
FLOOR_KEYS = frozenset({"btxh.base", "btxh.mai_tang"})

FIELDS = ("key", "value", "unit", "from", "until", "scope", "source")


class RateError(ValueError):
    """A rate file or entry that cannot be used; the message says where and how to fix it."""


class RateMissing(LookupError):
    def __init__(self, key: str, day: dt.date, scope: str) -> None:
        where = f" (tỉnh {scope})" if scope else ""
        super().__init__(
            f"Chưa có mức '{key}' áp dụng ngày {date_vn(day)}{where}: "
            "nhập mức của văn bản quy định trước khi tính."
        )
        self.key = key


@dataclass(frozen=True, slots=True)
class Rate:
    key: str
    value: Decimal
    unit: Unit
    effective_from: dt.date
    until: dt.date | None
    scope: str
    source: str

    @property
    def vnd(self) -> int:
        return int(self.value)

    @property
    def hundredths(self) -> int:
        """A coefficient or percent × 100, exact (2.5 → 250)."""
        return int(self.value * 100)

    def shown(self) -> str:
        if self.unit == Unit.VND:
            return f"{number_vn(self.vnd)} đ"
        places = 1 if self.value == self.value.quantize(Decimal("0.1")) else 2
        text = f"{self.value:.{places}f}".replace(".", ",")
        return f"{text}%" if self.unit == Unit.PERCENT else text

    def record(self) -> dict[str, str]:
        return {
            "key": self.key,
            "value": f"{self.value.normalize():f}",
            "unit": str(self.unit),
            "from": self.effective_from.isoformat(),
            "until": self.until.isoformat() if self.until else "",
            "scope": self.scope,
            "source": self.source,
        }


def _date(text: Any, field: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise RateError(
            f"{where}, cột '{field}': '{text}' không phải ngày dạng 2024-07-01."
        ) from None


def rate_parse(record: Mapping[str, Any], where: str) -> Rate:
    """One entry from a file row or form; `where` names it in errors ('Dòng 4')."""
    key = str(record.get("key") or "").strip()
    if not key:
        raise RateError(f"{where}, cột 'key': thiếu mã mức (ví dụ btxh.base).")
    try:
        unit = Unit(str(record.get("unit") or "").strip())
    except ValueError:
        units = ", ".join(u.value for u in Unit)
        raise RateError(
            f"{where}, cột 'unit': '{record.get('unit')}' phải là một trong: {units}."
        ) from None
    try:
        value = Decimal(str(record.get("value")).strip().replace(",", "."))
    except InvalidOperation:
        raise RateError(f"{where}, cột 'value': '{record.get('value')}' không phải số.") from None
    if value < 0 or (unit == Unit.VND and value != value.to_integral_value()):
        raise RateError(f"{where}, cột 'value': số tiền phải là số đồng nguyên, không âm.")
    if unit != Unit.VND and value != value.quantize(Decimal("0.01")):
        raise RateError(f"{where}, cột 'value': hệ số, tỷ lệ ghi tối đa 2 chữ số thập phân.")
    start = _date(record.get("from"), "from", where)
    until = _date(record["until"], "until", where) if record.get("until") else None
    if until is not None and until < start:
        raise RateError(f"{where}, cột 'until': ngày hết hiệu lực trước ngày có hiệu lực.")
    source = str(record.get("source") or "").strip()
    if not source:
        raise RateError(f"{where}, cột 'source': ghi văn bản, điều, khoản quy định mức này.")
    scope = str(record.get("scope") or "").strip()
    return Rate(key, value, unit, start, until, scope, source)


def rates_parse(records: Iterable[Mapping[str, Any]], first_row: int = 1) -> list[Rate]:
    rates = [rate_parse(r, f"Dòng {n}") for n, r in enumerate(records, start=first_row)]
    seen: set[tuple[str, str, dt.date]] = set()
    for n, rate in enumerate(rates, start=first_row):
        ident = (rate.key, rate.scope, rate.effective_from)
        if ident in seen:
            raise RateError(
                f"Dòng {n}: mức '{rate.key}' từ {date_vn(rate.effective_from)} bị ghi hai lần."
            )
        seen.add(ident)
    return rates


def rates_read(name: str, content: bytes) -> list[Rate]:
    """A rate file: JSON ({"rates": [...]}) or CSV with the columns of FIELDS."""
    if name.lower().endswith(".json"):
        try:
            data = json.loads(content.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise RateError(f"Tệp JSON không đọc được: {error}.") from None
        records = data.get("rates") if isinstance(data, dict) else data
        if not isinstance(records, list):
            raise RateError('Tệp JSON phải có danh sách "rates".')
        return rates_parse(records)
    if name.lower().endswith(".csv"):
        reader = csv.DictReader(io.StringIO(content.decode("utf-8-sig")))
        missing = [f for f in FIELDS if f not in (reader.fieldnames or [])]
        if missing:
            raise RateError(f"Tệp CSV thiếu cột: {', '.join(missing)}.")
        return rates_parse(reader, first_row=2)
    raise RateError("Chỉ nhận tệp .json hoặc .csv.")


def national_rates() -> list[Rate]:
    """The rates shipped with asxh (data/rates.json), each with its legal source."""
    content = resources.files("asxh.entitlement").joinpath("data/rates.json").read_bytes()
    return rates_read("rates.json", content)


class RateBook:
    """Lookups of the rate in force on a day, for a province; memoised per month."""

    def __init__(self, rates: Iterable[Rate]) -> None:
        self._entries: dict[tuple[str, str], list[Rate]] = {}
        for rate in rates:
            self._entries.setdefault((rate.key, rate.scope), []).append(rate)
        for entries in self._entries.values():
            entries.sort(key=lambda r: r.effective_from)
        self._by_month: dict[tuple[str, int, str], Rate | None] = {}
        # Amounts the rules derived from these rates, keyed by the rules (engine._priced).
        self.memo: dict[tuple[object, ...], Any] = {}

    def __iter__(self):  # type: ignore[no-untyped-def]
        for entries in self._entries.values():
            yield from entries

    def _in_scope(self, key: str, scope: str, day: dt.date) -> Rate | None:
        found = None
        for rate in self._entries.get((key, scope), ()):
            if rate.effective_from > day:
                break
            found = rate
        if found is None or (found.until is not None and found.until < day):
            return None
        return found

    def on(self, key: str, day: dt.date, province: str = "") -> Rate | None:
        national = self._in_scope(key, "", day)
        local = self._in_scope(key, province, day) if province else None
        if local is None:
            return national
        if key in FLOOR_KEYS and national is not None and national.value > local.value:
            return national
        return local

    def in_month(self, key: str, month: int, province: str = "") -> Rate | None:
        """The rate in force on the first day of the month."""
        memo = (key, month, province)
        if memo not in self._by_month:
            self._by_month[memo] = self.on(key, month_first_day(month), province)
        return self._by_month[memo]

    def started(self, key: str, day: dt.date, province: str = "") -> bool:
        """Whether some entry for the key had come into force by the day (it may have lapsed)."""
        return any(
            r.effective_from <= day
            for scope in ("", province)
            for r in self._entries.get((key, scope), ())
        )

    def require(self, key: str, day: dt.date, province: str = "") -> Rate:
        rate = self.on(key, day, province)
        if rate is None:
            raise RateMissing(key, day, province)
        return rate
