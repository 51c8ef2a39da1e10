"""Engine benchmark: quote replay rate, order round trip, order scaling, bytes per quote and
`rss_growth_mb` (how much a run of 50,000,000 quotes and 5,000,000 trades with a strategy placing
and canceling an order every 100 quotes grows after its first 5,000,000 quotes; goal <= 50),
from the Rust example `core/examples/engine_bench.rs` built and run in release mode, and from
Python:

- gil_lag_ms_p99: while the engine replays 1,000,000 quotes with the Rust `ema_cross` (on the
  main thread, as a backtest would), another Python thread sleeps 1 ms at a time and records by
  how much each sleep overran; the p99 of that lag (goal <= 5). An engine that held the
  interpreter lock through the replay would stall that thread for the whole replay.
  gil_lag_ms_p99_cpu is the same thread's lag over as long while another process keeps one core
  busy instead (the replay takes a core too): what the machine's scheduler adds without any
  interpreter lock in play. Read the first against the second.

Prints one JSON line with every figure. Run from anywhere: `python bench/engine.py` (or
`make bench`).
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import numpy as np

from nautui import Engine, EngineConfig, Instrument
from nautui.events import Money

ROOT = Path(__file__).resolve().parent.parent
KEYS = (
    "replay_quotes_per_s",
    "order_roundtrip_ns_median",
    "order_roundtrip_ns_p99",
    "orders_scaling_ratio",
    "bytes_per_quote",
    "rss_growth_mb",
)
GIL_QUOTES = 1_000_000


def fail(message: str) -> int:
    sys.stderr.write(f"engine bench: {message}\n")
    return 1


def watch_lag(run: Callable[[], None]) -> float:
    """p99 (ms) of how much a Python thread's 1 ms sleeps overrun while ``run`` runs."""
    lags: list[float] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            start = time.perf_counter()
            time.sleep(0.001)
            lags.append((time.perf_counter() - start - 0.001) * 1_000)

    watcher = threading.Thread(target=watch)
    watcher.start()
    time.sleep(0.05)
    run()
    done.set()
    watcher.join()
    return round(float(np.percentile(lags, 99)), 3)


def gil_lag_ms_p99() -> tuple[float, float]:
    """See the module documentation: (with the engine replaying, with a busy process)."""
    rng = np.random.default_rng(42)
    bid = 110_000 + np.cumsum(rng.integers(-1, 2, size=GIL_QUOTES, dtype=np.int64))
    ts = (np.arange(GIL_QUOTES, dtype=np.uint64) + 1) * np.uint64(1_000_000)
    size = np.full(GIL_QUOTES, 10**15, dtype=np.uint64)
    cols = {
        "instrument": np.zeros(GIL_QUOTES, dtype=np.uint32),
        "bid_price": bid * 10_000,
        "ask_price": (bid + rng.integers(1, 4, size=GIL_QUOTES, dtype=np.int64)) * 10_000,
        "bid_size": size,
        "ask_size": size.copy(),
        "ts_event": ts,
        "ts_init": ts.copy(),
    }
    engine = Engine(
        EngineConfig(starting_balances=[Money(Decimal("1000000000"), "USD")]), keep_events=False
    )
    engine.add_instrument(
        Instrument(id="EURUSD.SIM", tick_size="0.00001", lot_size="1", quote_currency="USD")
    )
    engine.add_builtin_strategy(
        "ema_cross", strategy_id="ema", instrument_id="EURUSD.SIM", trade_size="100000"
    )
    engine.start()
    started = time.perf_counter()
    busy = watch_lag(lambda: engine.run_quotes(**cols))
    took = time.perf_counter() - started
    spin = f"import time\nend = time.perf_counter() + {took}\nwhile time.perf_counter() < end: pass"
    cpu = watch_lag(lambda: subprocess.run([sys.executable, "-c", spin], check=True))  # noqa: S603
    return busy, cpu


def main() -> int:
    cargo = shutil.which("cargo")
    if cargo is None:
        return fail("cargo is not on PATH")
    result = subprocess.run(  # noqa: S603 -- fixed arguments, no shell
        [cargo, "run", "--release", "--example", "engine_bench", "-q"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return fail(f"cargo exited with {result.returncode}")
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if not lines:
        return fail("the example printed nothing")
    line = lines[-1]
    figures = json.loads(line)
    missing = [key for key in KEYS if key not in figures]
    if missing:
        return fail(f"missing keys {', '.join(missing)}")
    figures["gil_lag_ms_p99"], figures["gil_lag_ms_p99_cpu"] = gil_lag_ms_p99()
    sys.stdout.write(json.dumps(figures) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
