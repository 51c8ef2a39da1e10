"""Event log throughput: batched appends, durable order events under group commit, verify.

Prints one JSON line:
- ``append_events_per_s``: quote ticks appended from Python in batches of 10,000 (already
  encoded; the engine decodes, re-encodes canonically, hashes and inserts them) with the
  ``batched`` policy (synchronous=NORMAL), up to a flush that makes them durable.
- ``append_cpu_us_per_event``: the CPU time of the whole process during that append, per
  event (every thread: the caller's, the one that decodes half of each batch beside it, the
  writer's and the checkpointer's), and ``append_writer_cpu_us_per_event`` the writer
  thread's share (Linux only, else null): two cores allow 2 µs per event in all at
  1,000,000 events/s, and the writer, which alone runs SQLite's inserts, 1 µs.
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

- ``recover_10m_s``: a run recorded by an engine (quotes through the simulated venue with
  1% order commands: market orders, and resting limits replaced every 10,000 quotes; a
  snapshot every 100,000 events, ``batched`` policy) of
  ``events_for_recovery`` events, then ``Engine.recover`` from the file to a trading-ready
  engine (latest snapshot plus the re-folded tail); ``recover_s`` is the time measured, scaled
  to 10,000,000 events in ``recover_10m_s`` only when the count is smaller (recovery reads the
  tail after the latest snapshot, so it hardly grows with the log: the scaled figure is a
  ceiling).
- ``seek_ms_p99``: the 99th percentile of 200 random seeks (seeded) on ``Replay.open`` of that
  log (a checkpoint every 10,000 events); ``replay_open_s`` is the one-off re-fold that
  indexes it.
- ``snapshot_bytes``: the size of the latest snapshot.

``NAUTUI_BENCH_EVENTS`` changes the event count (default 1,000,000);
``NAUTUI_BENCH_RECOVERY_EVENTS`` the recorded run's (default 10,000,000: the whole bench
takes under a minute on this machine).
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
from decimal import Decimal
from pathlib import Path

import numpy as np

from nautui import Engine, EngineConfig, Instrument, Replay, events
from nautui.config import FixedLatency, VenueConfig
from nautui.events import Money
from nautui.store import EventLog

EVENTS = int(os.environ.get("NAUTUI_BENCH_EVENTS", "1000000"))
BATCH = 10_000
APPENDERS = 4
WINDOW = 64
DURABLE_SECONDS = 3.0
RECOVERY_EVENTS = int(os.environ.get("NAUTUI_BENCH_RECOVERY_EVENTS", "10000000"))
SNAPSHOT_EVERY = 100_000
CHUNK = 10_000
SEEKS = 200
REPLAY_CHECKPOINT_EVERY = 10_000


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


def _thread_cpu_s(name: str) -> float | None:
    """CPU seconds of this process's threads called ``name`` (Linux), else None."""
    tasks = Path("/proc/self/task")
    if not tasks.is_dir():
        return None
    total = 0.0
    for task in tasks.iterdir():
        try:
            stat = (task / "stat").read_text()
        except OSError:
            continue
        comm, fields = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        if comm == name:
            utime, stime = fields.split()[11:13]
            total += (int(utime) + int(stime)) / os.sysconf("SC_CLK_TCK")
    return total


def append_rate(directory: Path, payloads: list[bytes]) -> dict[str, object]:
    path = directory / "append.db"
    with EventLog.create(path, durability="batched") as log:
        cpu, writer = os.times(), _thread_cpu_s("nautui-eventlog")
        start = time.perf_counter()
        for i in range(0, len(payloads), BATCH):
            log.append_payloads(payloads[i : i + BATCH])
        log.flush()
        elapsed = time.perf_counter() - start
        cpu_end, writer_end = os.times(), _thread_cpu_s("nautui-eventlog")
    per_event = 1e6 / len(payloads)
    process_s = (cpu_end.user - cpu.user) + (cpu_end.system - cpu.system)
    return {
        "append_events_per_s": round(len(payloads) / elapsed),
        "append_cpu_us_per_event": round(process_s * per_event, 2),
        "append_writer_cpu_us_per_event": None
        if writer is None or writer_end is None
        else round((writer_end - writer) * per_event, 2),
    }


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


def record_run(directory: Path, n: int) -> Path:
    """An engine's run recorded into a log: ``n`` events or a few more."""
    engine = Engine(
        EngineConfig(
            starting_balances=[Money(Decimal("1000000000"), "USDT")],
            venue=VenueConfig(),
            latency=FixedLatency(submit_ns=500_000, cancel_ns=500_000, response_ns=100_000),
            record_market_data=True,
        )
    )
    engine.add_instrument(
        Instrument(
            id="BTCUSDT.SIM",
            tick_size="0.01",
            lot_size="0.001",
            quote_currency="USDT",
            base_currency="BTC",
        )
    )
    path = directory / "recorded.db"
    log = engine.record_to(path, snapshot_every=SNAPSHOT_EVERY, durability="batched")
    rng = np.random.default_rng(7)
    scale = 1_000_000_000
    ts0, mid = 1_000_000_000, 10_000
    orders = 0
    while (engine.recorded_seq or 0) < n:
        steps = rng.integers(-3, 4, CHUNK).cumsum() + mid
        mid = int(steps[-1])
        ts = ts0 + np.arange(1, CHUNK + 1, dtype=np.uint64) * np.uint64(1_000_000)
        ts0 = int(ts[-1])
        engine.run_quotes(
            instrument=np.zeros(CHUNK, dtype=np.uint32),
            bid_price=((steps - 1) * scale // 100).astype(np.int64),
            ask_price=((steps + 1) * scale // 100).astype(np.int64),
            bid_size=np.full(CHUNK, 5 * scale, dtype=np.uint64),
            ask_size=np.full(CHUNK, 5 * scale, dtype=np.uint64),
            ts_event=ts,
            ts_init=ts,
        )
        # About 1% of inputs are commands: market orders both ways and resting limits, the
        # limits replaced every chunk (10 s of quotes) as a quoting strategy does. Resting
        # orders stay bounded, as on a real venue (Binance caps 200 per symbol).
        engine.cancel_all("bench")
        for k in range(CHUNK // 200):
            orders += 1
            side = "BUY" if orders % 2 else "SELL"
            if k % 2:
                engine.submit("bench", "BTCUSDT.SIM", side, "0.01")
            else:
                price = Decimal(mid - 500 if side == "BUY" else mid + 500) / 100
                engine.submit("bench", "BTCUSDT.SIM", side, "0.01", "LIMIT", price=price)
        engine.drain_events()
    engine.finish_log()
    log.close()
    return path


def recovery_figures(directory: Path) -> dict[str, object]:
    path = record_run(directory, RECOVERY_EVENTS)
    with EventLog.open_readonly(path) as log:
        recorded = log.head()[0]
        snapshot = log.latest_snapshot()
        start = time.perf_counter()
        engine, recovery = Engine.recover(log, attach=False)
        recover_s = time.perf_counter() - start
        if recovery.last_seq != recorded or engine.trading_state != "ACTIVE":
            raise SystemExit(f"recovery stopped at seq {recovery.last_seq} of {recorded}")
    start = time.perf_counter()
    replay = Replay.open(path, verify=False, snapshot_every=REPLAY_CHECKPOINT_EVERY)
    open_s = time.perf_counter() - start
    rng = np.random.default_rng(11)
    times = []
    for target in rng.integers(0, recorded + 1, SEEKS):
        start = time.perf_counter()
        replay.seek(int(target))
        times.append(time.perf_counter() - start)
    return {
        "events_for_recovery": recorded,
        "recover_s": round(recover_s, 3),
        "recover_10m_s": round(recover_s * max(1.0, 10_000_000 / recorded), 3),
        "seek_ms_p99": round(float(np.percentile(times, 99)) * 1e3, 2),
        "seek_ms_p50": round(float(np.percentile(times, 50)) * 1e3, 2),
        "replay_open_s": round(open_s, 2),
        "snapshot_bytes": 0 if snapshot is None else len(snapshot[1]),
        "snapshot_every": SNAPSHOT_EVERY,
        "replay_checkpoint_every": REPLAY_CHECKPOINT_EVERY,
    }


def main() -> None:
    payloads = _quotes(EVENTS)
    with tempfile.TemporaryDirectory(dir=os.environ.get("NAUTUI_BENCH_DIR")) as tmp:
        directory = Path(tmp)
        result = {
            "events": EVENTS,
            **append_rate(directory, payloads),
            "durable_order_events_per_s": round(durable_rate(directory, "durable.db", WINDOW)),
            "durable_blocking_events_per_s": round(durable_rate(directory, "blocking.db", 1)),
            "appenders": APPENDERS,
            "window": WINDOW,
            "fsync_ms": round(fsync_ms(directory), 3),
            "verify_1m_s": round(verify_seconds(directory) * 1_000_000 / EVENTS, 3),
            "sqlite_executemany_rows_per_s": round(sqlite_reference(directory)),
            **recovery_figures(directory),
            "load_average_1m": os.getloadavg()[0],
        }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
