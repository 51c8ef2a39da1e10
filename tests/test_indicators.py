"""Rust indicators from Python, the built-in Rust ema_cross selected by name, and quotes
handed over as numpy columns."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from nautui import (
    ConfigError,
    Engine,
    EngineConfig,
    Instrument,
    InvalidValueError,
    QuoteTick,
    Strategy,
    StrategyConfig,
    StrategyError,
)
from nautui.events import Money
from nautui.indicators import ATR, EMA, SMA, BollingerBands
from nautui.strategy import QuoteBatch

INSTRUMENT = "EURUSD.SIM"


def test_indicators_match_hand_computed_values() -> None:
    ema = EMA(3)
    for x in (1.0, 2.0, 3.0, 4.0):
        ema.update(x)
    assert (ema.value, ema.is_ready, ema.count) == (3.125, True, 4)
    sma = SMA(3)
    for x in (1.0, 2.0, 3.0, 4.0, 10.0):
        sma.update(x)
    assert math.isclose(sma.value, 17 / 3)
    atr = ATR(2)
    atr.update_bar(12.0, 10.0, 11.0)
    atr.update_bar(15.0, 14.0, 14.5)
    assert math.isclose(atr.value, 3.0)
    bb = BollingerBands(8, k=2.0)
    for x in (2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0):
        bb.update(x)
    assert (bb.lower, bb.middle, bb.upper) == pytest.approx((1.0, 5.0, 9.0))
    bb.reset()
    assert bb.count == 0


def test_bad_indicator_parameters() -> None:
    with pytest.raises(InvalidValueError, match="period"):
        EMA(0)
    with pytest.raises(InvalidValueError, match="k must be"):
        BollingerBands(5, k=-1.0)
    with pytest.raises(OverflowError):
        SMA(-1)


def engine() -> Engine:
    e = Engine(EngineConfig(starting_balances=[Money(Decimal("1000000000"), "USD")]))
    e.add_instrument(
        Instrument(id=INSTRUMENT, tick_size="0.00001", lot_size="1", quote_currency="USD")
    )
    return e


def columns(n: int, seed: int = 7) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    bid = (110_000 + np.cumsum(rng.integers(-1, 2, size=n))) * 10_000
    ask = bid + rng.integers(1, 4, size=n) * 10_000
    size = np.full(n, 10**15, dtype=np.uint64)
    ts = (np.arange(n, dtype=np.uint64) + 1) * np.uint64(1_000_000)
    return {
        "instrument": np.zeros(n, dtype=np.uint32),
        "bid_price": bid.astype(np.int64),
        "ask_price": ask.astype(np.int64),
        "bid_size": size,
        "ask_size": size,
        "ts_event": ts,
        "ts_init": ts,
    }


class PyEmaCross(Strategy):
    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self.fast, self.slow, self.side, self.target = EMA(10), EMA(20), 0, 0

    def on_quote_tick(self, tick: QuoteTick) -> None:
        self.fast.update(tick.mid2_raw)
        self.slow.update(tick.mid2_raw)
        if not self.slow.is_ready:
            return
        diff = self.fast.value - self.slow.value
        side = 1 if diff > 0 else -1 if diff < 0 else 0
        if side in {0, self.side}:
            return
        self.side, target = side, 100_000 * side
        delta = target - self.target
        self.submit_order(INSTRUMENT, "BUY" if delta > 0 else "SELL", abs(delta))
        self.target = target


def test_rust_ema_cross_by_name_trades_like_the_python_one() -> None:
    cols = columns(20_000)
    rust = engine()
    rust.add_builtin_strategy(
        "ema_cross", strategy_id="s", instrument_id=INSTRUMENT, trade_size="100000"
    )
    rust.run_quotes(**cols)
    python = engine()
    python.add_strategy(PyEmaCross(StrategyConfig(strategy_id="s")))
    python.run_quotes(**cols)
    assert rust.counters()["orders"] > 100
    assert rust.counters() == python.counters()
    assert rust.drain_events() == python.drain_events()
    (position,) = rust.positions()
    assert abs(position.signed_qty_raw) == 100_000 * 10**9


def test_builtin_errors() -> None:
    e = engine()
    with pytest.raises(InvalidValueError, match=r"^name: unknown built-in strategy"):
        e.add_builtin_strategy("ema_crosss")
    with pytest.raises(ConfigError, match=r"ema_cross config: .*surprise"):
        e.add_builtin_strategy(
            "ema_cross", strategy_id="s", instrument_id=INSTRUMENT, trade_size="1", surprise=1
        )
    with pytest.raises(ConfigError, match="fast_period must be below slow_period"):
        e.add_builtin_strategy(
            "ema_cross",
            strategy_id="s",
            instrument_id=INSTRUMENT,
            trade_size="1",
            fast_period=30,
        )


def test_quote_columns_are_checked() -> None:
    e = engine()
    cols = columns(10)
    with pytest.raises(TypeError):
        e.run_quotes(**{**cols, "instrument": cols["instrument"].astype(np.int64)})
    with pytest.raises(InvalidValueError, match=r"^bid_price: column is not contiguous"):
        e.run_quotes(**{**cols, "bid_price": np.repeat(cols["bid_price"], 2)[::2]})
    with pytest.raises(InvalidValueError, match="different lengths"):
        e.run_quotes(**{**cols, "ts_init": cols["ts_init"][:5]})
    with pytest.raises(InvalidValueError, match="instrument index 3"):
        e.run_quotes(**{**cols, "instrument": np.full(10, 3, dtype=np.uint32)})
    assert e.counters()["quotes"] == 0
    e.run_quotes(**cols)
    assert e.counters()["quotes"] == 10


class Batcher(Strategy):
    """Vectorised: at the end of each block, buys 1 if the block's mean mid rose."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self.rows: list[int] = []
        self.ids: list[str] = []
        self.last_mean = 0.0

    def on_quote_batch(self, batch: QuoteBatch) -> None:
        self.rows.append(len(batch.ts_init))
        mean = float(np.mean((batch.bid_price + batch.ask_price) / 2))
        if mean > self.last_mean:
            self.ids.append(self.submit_order(INSTRUMENT, "BUY", "1"))
        self.last_mean = mean


def test_batch_callback_gets_numpy_blocks_and_can_trade() -> None:
    e = engine()
    s = Batcher(StrategyConfig(strategy_id="b"))
    e.add_strategy(s)
    cols = columns(2_500)
    e.run_quotes(**cols, batch_size=1_000)
    assert s.rows == [1_000, 1_000, 500]
    assert s.ids == [f"O-b-{i + 1}" for i in range(len(s.ids))]
    assert s.ids
    e.stop()
    assert e.counters()["fills"] == len(s.ids)


def test_batch_callback_errors_stop_the_run() -> None:
    class Broken(Strategy):
        def on_quote_batch(self, batch: QuoteBatch) -> None:
            raise RuntimeError("bad block")

    e = engine()
    e.add_strategy(Broken(StrategyConfig(strategy_id="x")))
    with pytest.raises(StrategyError, match="strategy x failed in on_quote_batch") as caught:
        e.run_quotes(**columns(10), batch_size=4)
    assert isinstance(caught.value.__cause__, RuntimeError)
    assert e.counters()["quotes"] == 4
