"""Event log throughput: batched appends, durable order events under group commit, verify.

Prints one JSON line:
- ``append_events_per_s``: quote ticks appended from Python in batches of 10,000 (already
  encoded; the engine decodes, re-encodes canonically, hashes and inserts them) with the
  ``batched`` policy (synchronous=NORMAL), up to a flush that makes them durable.
- ``durable_order_events_per_s``: order events (submit, submitted, accepted, filled) from
  several appender threads, each counted only after its commit under synchronous=FULL
  returned; each appender keeps a window of commands in flight (as an engine does while it
  waits to release them to the venue), so they share fsyncs (group commit).
- ``durable_blocking_events_per_s``: the same with each appender blocking on every command
  (one in flight per appender): the fsync-bound rate.
- ``fsync_ms``: the median of 4 KiB write + fsync in the log's directory, this run.
- ``verify_1m_s``: ``verify`` (the hash chain, anchor and snapshots) over the 1,000,000-event
  log, scaled to 1,000,000 events.
- ``sqlite_executemany_rows_per_s``: Python's sqlite3 ``executemany`` of 200,000 rows of the
  same shape into an unindexed table, this run: the machine's SQLite speed, for scale (the
  issue measured about 370,000 here on a quiet machine).

``NAUTUI_BENCH_EVENTS`` changes the event count (default 1,000,000).
"""

from __future__ import annotations

import json
import os
import sqlite3
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from nautui import events
from nautui.store import EventLog

EVENTS = int(os.environ.get("NAUTUI_BENCH_EVENTS", "1000000"))
BATCH = 10_000
APPENDERS = 4
WINDOW = 64
DURABLE_SECONDS = 3.0


def _fixture(kind: str) -> events.Event:
    return next(e for e in events.decode_many(events.event_fixtures()) if events.kind(e) == kind)


def _quotes(n: int) -> list[bytes]:
    quote = _fixture("QuoteTick")
    if not isinstance(quote, events.QuoteTick):
        raise SystemExit("the fixture set has no QuoteTick")
    t0 = quote.ts_event
    return [
        events.encode(events.QuoteTick(**{**_fields(quote), "ts_event": t0 + i, "ts_init": t0 + i}))
        for i in range(n)
    ]


def _fields(event: events.Event) -> dict[str, object]:
    return {f: getattr(event, f) for f in event.__struct_fields__}


def _order_events() -> list[bytes]:
    return [
        events.encode(_fixture(k))
        for k in ("SubmitOrder", "OrderSubmitted", "OrderAccepted", "OrderFilled")
    ]


def fsync_ms(directory: Path, samples: int = 30) -> float:
    path = directory / "fsync.probe"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    times = []
    try:
        for _ in range(samples):
            os.write(fd, b"x" * 4096)
            start = time.perf_counter()
            os.fsync(fd)
            times.append(time.perf_counter() - start)
    finally:
        os.close(fd)
        path.unlink()
    return statistics.median(times) * 1e3


def append_rate(directory: Path, payloads: list[bytes]) -> float:
    path = directory / "append.db"
    with EventLog.create(path, durability="batched") as log:
        start = time.perf_counter()
        for i in range(0, len(payloads), BATCH):
            log.append_payloads(payloads[i : i + BATCH])
        log.flush()
        elapsed = time.perf_counter() - start
    return len(payloads) / elapsed


def durable_rate(directory: Path, name: str, window: int) -> float:
    orders = _order_events()
    with EventLog.create(directory / name) as log:
        stop = time.perf_counter() + DURABLE_SECONDS
        counts = [0] * APPENDERS

        def appender(k: int) -> None:
            in_flight = []
            i = 0
            while time.perf_counter() < stop:
                in_flight.append(log.append_durable_nowait([orders[i % len(orders)]]))
                i += 1
                if len(in_flight) >= window:
                    in_flight.pop(0).wait()
                    counts[k] += 1
            for ticket in in_flight:
                ticket.wait()
                counts[k] += 1

        start = time.perf_counter()
        threads = [threading.Thread(target=appender, args=(k,)) for k in range(APPENDERS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
    report = EventLog.open_readonly(directory / name).verify()
    if not report.ok or report.events != sum(counts):
        raise SystemExit(f"durable bench lost events: {report.summary}")
    return sum(counts) / elapsed


def verify_seconds(directory: Path) -> float:
    log = EventLog.open_readonly(directory / "append.db")
    start = time.perf_counter()
    report = log.verify()
    elapsed = time.perf_counter() - start
    if not report.ok or report.events != EVENTS:
        raise SystemExit(f"verify failed: {report.summary}")
    return elapsed


def sqlite_reference(directory: Path, n: int = 200_000) -> float:
    con = sqlite3.connect(directory / "reference.db")
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = NORMAL")
    con.execute(
        "CREATE TABLE events (seq INTEGER PRIMARY KEY, ts_event INTEGER, ts_init INTEGER,"
        " kind TEXT, instrument_id TEXT, strategy_id TEXT, client_order_id TEXT,"
        " payload BLOB, hash BLOB)"
    )
    payload, digest = bytes(180), bytes(32)
    rows = [
        (i, i, i, "QuoteTick", "BTCUSDT.BINANCE", None, None, payload, digest) for i in range(n)
    ]
    start = time.perf_counter()
    with con:
        con.executemany("INSERT INTO events VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
    elapsed = time.perf_counter() - start
    con.close()
    return n / elapsed


def main() -> None:
    payloads = _quotes(EVENTS)
    with tempfile.TemporaryDirectory(dir=os.environ.get("NAUTUI_BENCH_DIR")) as tmp:
        directory = Path(tmp)
        result = {
            "events": EVENTS,
            "append_events_per_s": round(append_rate(directory, payloads)),
            "durable_order_events_per_s": round(durable_rate(directory, "durable.db", WINDOW)),
            "durable_blocking_events_per_s": round(durable_rate(directory, "blocking.db", 1)),
            "appenders": APPENDERS,
            "window": WINDOW,
            "fsync_ms": round(fsync_ms(directory), 3),
            "verify_1m_s": round(verify_seconds(directory) * 1_000_000 / EVENTS, 3),
            "sqlite_executemany_rows_per_s": round(sqlite_reference(directory)),
            "load_average_1m": os.getloadavg()[0],
        }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
