"""The event log: every event appended to an SQLite file under a hash chain.

A thin wrapper over the engine's log (core/src/store/): events go in as ``nautui.events``
structs (or their MessagePack payloads) and come back the same way; reports are typed.
The file is plain SQLite (WAL): the ``sqlite3`` shell and sqlite-utils can query it. Its
head is also kept in ``<log>.anchor`` beside it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterable, Iterator, Sequence
from types import TracebackType
from typing import Literal, Self

import msgspec

from nautui import _core, events

__all__ = ["Durability", "EventLog", "LogInfo", "LogRow", "TornTail", "VerifyReport"]

Durability = Literal["safe", "full", "batched"]
"""When appends reach the disk. ``safe`` (the default): commands (submit, cancel, modify,
cancel-all, flatten, halt, resume) are durable before ``append`` returns, everything else is
committed within 50 ms. ``full``: every append is durable. ``batched``: nothing waits."""

PAGE = 4096
"""Rows read per query when iterating."""


class LogRow(msgspec.Struct, frozen=True):
    """One stored row: its columns, the event's MessagePack payload and its chain hash."""

    seq: int
    ts_event: int
    ts_init: int
    kind: str
    instrument_id: str | None
    strategy_id: str | None
    client_order_id: str | None
    payload: bytes
    hash: bytes

    def event(self) -> events.Event:
        return events.decode(self.payload)


class VerifyReport(msgspec.Struct, frozen=True):
    """What ``verify`` found; ``summary`` is one line naming the first problem's seq."""

    ok: bool
    summary: str
    events: int
    last_seq: int
    last_hash: str
    anchor_seq: int | None
    anchor_hash: str | None
    anchor_problem: str | None
    first_bad: int | None
    problem: str | None
    snapshots: int
    bad_snapshots: list[int]


class LogInfo(msgspec.Struct, frozen=True):
    path: str
    schema_version: int
    run_id: str
    config: str
    events: int
    first_seq: int
    last_seq: int
    first_ts: int | None
    last_ts: int | None
    head_hash: str
    anchor_seq: int | None
    anchor_hash: str | None
    snapshots: int
    latest_snapshot_seq: int | None
    kinds: list[tuple[str, int]]
    file_bytes: int


class TornTail(msgspec.Struct, frozen=True):
    """Rows cut on open: from ``from_seq`` on, ``removed`` of them, and why."""

    from_seq: int
    removed: int
    reason: str


class EventLog:
    """An open event log. Use ``create``, ``open`` (verifies, cuts a torn tail, appends) or
    ``open_readonly`` (reads only). Closing commits what is pending; so does leaving ``with``."""

    def __init__(self, core: _core.EventLog) -> None:
        self._core = core

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        run_id: str | None = None,
        config: str = "",
        durability: Durability = "safe",
    ) -> Self:
        """A new, empty log; an existing file is refused."""
        run = run_id if run_id is not None else uuid.uuid4().hex
        return cls(_core.EventLog.create(os.fspath(path), run, config, durability))

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, durability: Durability = "safe") -> Self:
        """Opens a log for appending after verifying all of it."""
        return cls(_core.EventLog.open(os.fspath(path), durability))

    @classmethod
    def open_readonly(cls, path: str | os.PathLike[str]) -> Self:
        """Opens a log for reading; nothing is verified until ``verify`` and nothing written."""
        return cls(_core.EventLog.open_readonly(os.fspath(path)))

    @property
    def path(self) -> str:
        return self._core.path

    @property
    def torn_tail(self) -> TornTail | None:
        """The torn tail cut when the log was opened, if any."""
        torn = self._core.torn_tail
        return None if torn is None else TornTail(*torn)

    def append(self, batch: Iterable[events.Event]) -> tuple[int, int]:
        """Appends events; returns their first and last seq."""
        return self._core.append([events.encode(e) for e in batch])

    def append_durable(self, batch: Iterable[events.Event]) -> tuple[int, int]:
        """Appends events and returns once they are committed under synchronous=FULL."""
        return self._core.append_durable([events.encode(e) for e in batch])

    def append_payloads(
        self, payloads: Sequence[bytes], *, durable: bool = False
    ) -> tuple[int, int]:
        """Appends events already encoded as MessagePack (``nautui.events.encode``)."""
        if durable:
            return self._core.append_durable(list(payloads))
        return self._core.append(list(payloads))

    def append_durable_nowait(self, payloads: Sequence[bytes]) -> _core.DurableTicket:
        """Appends encoded events for a durable commit without waiting: the ticket's
        ``wait()`` returns once they are on disk. Release a command to the venue only then;
        meanwhile keep working, so many commands share one fsync."""
        return self._core.append_durable_nowait(list(payloads))

    def flush(self) -> None:
        """Commits everything appended so far, durably."""
        self._core.flush()

    def head(self) -> tuple[int, bytes]:
        """The last committed seq and its chain hash."""
        return self._core.head()

    def head_line(self) -> str:
        """The line a run prints at its end, so the head is recorded outside the log too."""
        seq, digest = self.head()
        return f"event log {self.path}: head seq {seq} hash {digest.hex()}"

    def rows(self, from_seq: int = 1, to_seq: int | None = None) -> Iterator[LogRow]:
        """Committed rows from ``from_seq`` (to ``to_seq``), read a page at a time."""
        seq = max(from_seq, 1)
        while to_seq is None or seq <= to_seq:
            limit = PAGE if to_seq is None else min(PAGE, to_seq - seq + 1)
            page = self._core.read_rows(seq, limit)
            for row in page:
                yield LogRow(*row)
            if len(page) < limit:
                return
            seq = page[-1][0] + 1

    def read_from(self, seq: int = 1) -> Iterator[tuple[int, events.Event]]:
        """Decoded events from ``seq``."""
        for row in self.rows(seq):
            yield row.seq, row.event()

    def read_range(self, from_seq: int, to_seq: int) -> Iterator[tuple[int, events.Event]]:
        for row in self.rows(from_seq, to_seq):
            yield row.seq, row.event()

    def save_snapshot(self, seq: int, ts: int, payload: bytes) -> None:
        self._core.save_snapshot(seq, ts, payload)

    def latest_snapshot(self) -> tuple[int, bytes] | None:
        return self._core.latest_snapshot()

    def snapshot_at_or_before(self, seq: int) -> tuple[int, bytes] | None:
        return self._core.snapshot_at_or_before(seq)

    def verify(self, *, deep: bool = False) -> VerifyReport:
        """Re-hashes every row and checks the anchor and the snapshots; ``deep`` also decodes
        every payload and checks it against its row's columns."""
        return msgspec.convert(self._core.verify(deep), VerifyReport)

    def info(self) -> LogInfo:
        return msgspec.convert(self._core.info(), LogInfo)

    def close(self) -> None:
        """Commits what is pending and releases the log. Safe to call twice."""
        self._core.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
