"""Shared builders for the event log tests: sample events and a filled log."""

from __future__ import annotations

from pathlib import Path

import msgspec

from nautui import events
from nautui.store import EventLog

ALL = events.decode_many(events.event_fixtures())


def fixture(kind: str) -> events.Event:
    return next(e for e in ALL if events.kind(e) == kind)


def quotes(n: int, start: int = 0) -> list[events.Event]:
    quote = fixture("QuoteTick")
    assert isinstance(quote, events.QuoteTick)
    return [
        msgspec.structs.replace(quote, ts_event=quote.ts_event + i, ts_init=quote.ts_init + i)
        for i in range(start, start + n)
    ]


def submit(i: int) -> events.Event:
    order = fixture("SubmitOrder")
    assert isinstance(order, events.SubmitOrder)
    return msgspec.structs.replace(order, client_order_id=f"O-test-{i}")


def sample_log(directory: Path, name: str = "run.db") -> Path:
    """A closed log: every fixture kind, then 20 quotes (seq 1..54)."""
    path = directory / name
    with EventLog.create(path, run_id="test-run", config='{"mode": "test"}') as log:
        log.append(ALL)
        log.append(quotes(20))
    return path
