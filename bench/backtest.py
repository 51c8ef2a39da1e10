"""Backtest hand-off benchmark (issue 3's reference workload); prints one JSON line.

1,000,000 L1 quotes of one instrument with 5 decimals: bid random walk of -1/0/+1 ticks, a
1-3 tick spread, size 1,000,000 each side, 1 ms apart, seed 42 (generated with numpy). EMA(10)
and EMA(20) on the mid; on every cross a market order flips the position to +/-100,000.

- python_ema_quotes_per_s: that strategy in Python (nautui.indicators EMAs, one callback a
  quote); python_ema_plain_quotes_per_s: the same with the two EMAs as plain Python floats;
- python_count_quotes_per_s: a Python strategy whose callback only counts;
- rust_ema_quotes_per_s: the built-in Rust ema_cross;
- python_call_floor_per_s: a bare Python method call loop, measured in the same run.

Columns (issue 8), on the market `nautui data gen --steps 1000000` writes (seed 42: 1,000,000
quotes, 100,385 trades, 4,830,866 delta rows in 1,000,000 book updates, a 20-row snapshot),
generated once into a temporary catalog:

- l2_deltas_per_s: delta rows the engine applies per second from columns (the snapshot and the
  deltas through `ColumnFeed` into an engine with an L2 venue and no strategy; the record
  batches are read first, so Parquet decoding is not timed);
- l1_s, l2_s, l2_over_l1: wall time of `run_backtest` with the Rust ema_cross (trade_size
  0.01) over that catalog with `book="l1"` and `book="l2"`, and their ratio.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np

from nautui import Engine, EngineConfig, Instrument, QuoteTick, Strategy, StrategyConfig
from nautui.backtest import BacktestConfig, ColumnFeed, run_backtest
from nautui.config import VenueConfig
from nautui.data import Catalog
from nautui.data.synthetic import SyntheticMarket, generate
from nautui.events import Money
from nautui.indicators import EMA

N = 1_000_000
SEED = 42
INSTRUMENT = "EURUSD.SIM"
TICK_RAW = 10_000  # 0.00001 in 10^-9 units
TRADE_SIZE = 100_000
REPEATS = 3


def quotes(n: int = N, seed: int = SEED) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    steps = rng.integers(-1, 2, size=n, dtype=np.int64)
    bid_ticks = 110_000 + np.cumsum(steps)  # around 1.10000
    spread = rng.integers(1, 4, size=n, dtype=np.int64)
    size = np.full(n, 1_000_000 * 10**9, dtype=np.uint64)
    ts = (np.arange(n, dtype=np.uint64) + 1) * np.uint64(1_000_000)
    return {
        "instrument": np.zeros(n, dtype=np.uint32),
        "bid_price": bid_ticks * TICK_RAW,
        "ask_price": (bid_ticks + spread) * TICK_RAW,
        "bid_size": size,
        "ask_size": size.copy(),
        "ts_event": ts,
        "ts_init": ts.copy(),
    }


def engine() -> Engine:
    e = Engine(EngineConfig(starting_balances=[Money(Decimal("1000000000"), "USD")]))
    e.add_instrument(
        Instrument(id=INSTRUMENT, tick_size="0.00001", lot_size="1", quote_currency="USD")
    )
    return e


class EmaCross(Strategy):
    """The reference strategy in Python."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self.fast = EMA(10)
        self.slow = EMA(20)
        self.side = 0
        self.target = 0

    def on_quote_tick(self, tick: QuoteTick) -> None:
        mid = tick.mid
        diff = self.fast.update(mid) - self.slow.update(mid)
        if not self.slow.is_ready:
            return
        side = 1 if diff > 0 else -1 if diff < 0 else 0
        if side in {0, self.side}:
            return
        self.side = side
        target = TRADE_SIZE * side
        delta = target - self.target
        self.submit_order(INSTRUMENT, "BUY" if delta > 0 else "SELL", abs(delta))
        self.target = target


ALPHA_FAST, ALPHA_SLOW = 2 / 11, 2 / 21


class PlainEmaCross(Strategy):
    """The reference strategy with the EMAs as plain Python arithmetic."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self.n = 0
        self.fast = self.slow = 0.0
        self.side = 0
        self.target = 0

    def on_quote_tick(self, tick: QuoteTick) -> None:
        mid = tick.mid
        n = self.n = self.n + 1
        if n == 1:
            self.fast = self.slow = mid
            return
        fast = self.fast = self.fast + ALPHA_FAST * (mid - self.fast)
        slow = self.slow = self.slow + ALPHA_SLOW * (mid - self.slow)
        if n < 20:  # noqa: PLR2004 - the slow period
            return
        side = 1 if fast > slow else -1 if fast < slow else 0
        if side in {0, self.side}:
            return
        self.side = side
        target = TRADE_SIZE * side
        delta = target - self.target
        self.submit_order(INSTRUMENT, "BUY" if delta > 0 else "SELL", abs(delta))
        self.target = target


class Count(Strategy):
    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self.count = 0

    def on_quote_tick(self, tick: QuoteTick) -> None:
        self.count += 1


def run(cols: dict[str, Any], setup: Callable[[Engine], None]) -> tuple[float, Engine]:
    e = engine()
    setup(e)
    e.start()
    started = time.perf_counter()
    e.run_quotes(**cols)
    elapsed = time.perf_counter() - started
    e.stop()
    return N / elapsed, e


def best(cols: dict[str, Any], setup: Callable[[Engine], None]) -> tuple[float, Engine]:
    return max((run(cols, setup) for _ in range(REPEATS)), key=lambda r: r[0])


def call_floor(n: int = N) -> float:
    class Target:
        def on_quote_tick(self, tick: object) -> None:
            pass

    method = Target().on_quote_tick
    tick = object()
    started = time.perf_counter()
    for _ in range(n):
        method(tick)
    return n / (time.perf_counter() - started)


def add_rust(e: Engine) -> None:
    e.add_builtin_strategy(
        "ema_cross",
        strategy_id="rs",
        instrument_id=INSTRUMENT,
        fast_period=10,
        slow_period=20,
        trade_size=str(TRADE_SIZE),
    )


def l2_deltas_per_s(catalog: Catalog, instrument_id: str) -> tuple[float, int]:
    """Best of REPEATS: delta rows per second through a feed (batches read beforehand)."""
    batches = {k: list(catalog.stream(k, instrument_id)) for k in ("snapshots", "deltas")}
    rows = sum(b.num_rows for b in batches["deltas"])
    best = 0.0
    for _ in range(REPEATS):
        e = Engine(
            EngineConfig(
                starting_balances=[Money(Decimal(1_000_000), "USD")],
                venue=VenueConfig(book_mode="L2"),
            )
        )
        e.add_instrument(catalog.instruments()[instrument_id])
        feed = ColumnFeed(e)
        pending = [iter(batches[feed.kind(feed.add(k, instrument_id))]) for k in batches]
        started = time.perf_counter()
        while (stream := feed.run()) is not None:
            batch = next(pending[stream], None)
            if batch is None:
                feed.finish(stream)
            else:
                feed.push(stream, batch)
        best = max(best, rows / (time.perf_counter() - started))
        if e.counters()["events_in"] != 1 + 1_000_000:
            raise SystemExit(f"the engine applied {e.counters()['events_in']} book updates")
    return best, rows


def l1_l2_seconds(root: Path) -> tuple[float, float]:
    """Best of REPEATS wall times of run_backtest with book l1 and l2 on the same catalog."""
    seconds = []
    for book in ("l1", "l2"):
        config = BacktestConfig(
            strategy="ema_cross", data=str(root), params={"trade_size": "0.01"}, book=book
        )
        best = float("inf")
        for _ in range(REPEATS):
            started = time.perf_counter()
            run_backtest(config)
            best = min(best, time.perf_counter() - started)
        seconds.append(best)
    return seconds[0], seconds[1]


def columns() -> dict[str, Any]:
    """The issue 8 figures on `nautui data gen --steps 1000000`'s market."""
    market = SyntheticMarket(steps=1_000_000)  # the defaults of `nautui data gen`
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        catalog = Catalog(root)
        generate(catalog, market)
        deltas_per_s, delta_rows = l2_deltas_per_s(catalog, market.instrument_id)
        l1_s, l2_s = l1_l2_seconds(root)
    return {
        "l2_deltas_per_s": round(deltas_per_s),
        "delta_rows": delta_rows,
        "l1_s": round(l1_s, 3),
        "l2_s": round(l2_s, 3),
        "l2_over_l1": round(l2_s / l1_s, 3),
    }


def main() -> None:
    cols = quotes()
    python_ema, e_py = best(
        cols, lambda e: e.add_strategy(EmaCross(StrategyConfig(strategy_id="py")))
    )
    plain, e_plain = best(
        cols, lambda e: e.add_strategy(PlainEmaCross(StrategyConfig(strategy_id="pl")))
    )
    python_count, _ = best(cols, lambda e: e.add_strategy(Count(StrategyConfig(strategy_id="c"))))
    rust_ema, e_rs = best(cols, add_rust)
    floor = max(call_floor() for _ in range(REPEATS))
    orders = {e_py.counters()["orders"], e_plain.counters()["orders"], e_rs.counters()["orders"]}
    if len(orders) != 1:
        sys.stderr.write(f"warning: the strategies placed different order counts: {orders}\n")
    rs = e_rs.counters()
    result = {
        "python_ema_quotes_per_s": round(python_ema),
        "python_ema_plain_quotes_per_s": round(plain),
        "python_count_quotes_per_s": round(python_count),
        "rust_ema_quotes_per_s": round(rust_ema),
        "python_call_floor_per_s": round(floor),
        "quotes": N,
        "orders": rs["orders"],
        "fills": rs["fills"],
        **columns(),
    }
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main()
