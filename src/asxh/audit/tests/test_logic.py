import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from asxh.audit.logic import GENESIS, EventFields, event_hash, first_break, jsonable


def _fields(reason: str) -> EventFields:
    at = dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC)
    return EventFields(
        at,
        "canbo.xa",
        "beneficiary.update",
        "beneficiary",
        "1",
        "30682",
        {"phone": "0912"},
        {"phone": "0913"},
        reason,
    )


def _chain(reasons: list[str]) -> list[tuple[int, str, str, EventFields]]:
    rows, prev = [], GENESIS
    for i, reason in enumerate(reasons, start=1):
        h = event_hash(prev, _fields(reason))
        rows.append((i, prev, h, _fields(reason)))
        prev = h
    return rows


@given(st.lists(st.text(max_size=20), min_size=1, max_size=12), st.data())
def test_any_edit_anywhere_breaks_the_chain_there(reasons, data):
    rows = _chain(reasons)
    assert first_break(rows) is None
    index = data.draw(st.integers(0, len(rows) - 1))
    i, prev, h, fields = rows[index]
    rows[index] = (i, prev, h, _fields(fields.reason + "!"))
    broken = first_break(rows)
    assert broken is not None and broken.event_id == i


def test_jsonable_keeps_dates_as_text_and_refuses_nothing():
    assert jsonable({"d": dt.date(2025, 7, 1), "n": 5, "s": {1}}) == {
        "d": "2025-07-01",
        "n": 5,
        "s": [1],
    }
