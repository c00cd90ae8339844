"""Pure functions of the hash chain."""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64


def jsonable(value: Any) -> Any:
    """Plain JSON values only (no floats), so the stored form hashes the same after a round trip."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bool | int | str) or value is None:
        return value
    return str(value)


@dataclass(frozen=True)
class EventFields:
    at: dt.datetime
    actor_name: str
    action: str
    object_type: str
    object_id: str
    area_code: str
    before: Any
    after: Any
    reason: str


def event_hash(prev_hash: str, event: EventFields) -> str:
    body = {
        "at": event.at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
        "actor": event.actor_name,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "area": event.area_code,
        "before": event.before,
        "after": event.after,
        "reason": event.reason,
    }
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(f"{prev_hash}|{text}".encode()).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    event_id: int
    problem: str


def first_break(events: Iterable[tuple[int, str, str, EventFields]]) -> ChainBreak | None:
    """Walk (id, prev_hash, hash, fields) in id order; the first event whose link or content fails."""
    expected_prev = GENESIS
    for event_id, prev_hash, stored_hash, fields in events:
        if prev_hash != expected_prev:
            return ChainBreak(event_id, "liên kết với sự kiện trước bị đứt (có sự kiện bị xoá)")
        if event_hash(prev_hash, fields) != stored_hash:
            return ChainBreak(event_id, "nội dung đã bị sửa sau khi ghi")
        expected_prev = stored_hash
    return None
