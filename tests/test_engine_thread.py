"""The engine's seams for a console and a live node: it releases the interpreter lock while it
works, runs served on a thread of its own (inputs posted, timers on time on a live clock), fans
its output out to several readers (a bounded one told what it missed), publishes versioned views,
and refuses to be re-entered from its own callbacks."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from decimal import Decimal
from typing import Any

import msgspec
import numpy as np
import pytest

from nautui import (
    Engine,
    EngineConfig,
    Instrument,
    NautuiError,
    QuoteTick,
    Strategy,
    StrategyConfig,
    StrategyError,
    events,
    views,
)
from nautui.config import FixedLatency, VenueConfig
from nautui.events import Money, TimerFired

INSTRUMENT = "BTCUSDT.SIM"


def make_engine(*, clock: str = "test", keep_events: bool = True) -> Engine:
    config = EngineConfig(
        starting_balances=[Money(Decimal("1000000"), "USDT")],
        venue=VenueConfig(queue_position=True),
        latency=FixedLatency(),
        record_market_data=True,
    )
    e = Engine(config, clock=clock, keep_events=keep_events)  # type: ignore[arg-type]  # tested
    e.add_instrument(
        Instrument(
            id=INSTRUMENT,
            tick_size="0.01",
            lot_size="0.001",
            quote_currency="USDT",
            base_currency="BTC",
        )
    )
    return e


def quote(ts: int, bid: str = "100.00", ask: str = "100.02") -> events.QuoteTick:
    return events.QuoteTick(
        instrument_id=INSTRUMENT,
        bid_price=Decimal(bid),
        ask_price=Decimal(ask),
        bid_size=Decimal("10"),
        ask_size=Decimal("10"),
        ts_event=ts,
        ts_init=ts,
    )


def columns(n: int) -> dict[str, Any]:
    rng = np.random.default_rng(3)
    bid = (100_000 + np.cumsum(rng.integers(-1, 2, size=n))) * 10_000_000  # 0.01 ticks
    ts = (np.arange(n, dtype=np.uint64) + 1) * np.uint64(1_000_000)
    size = np.full(n, 10 * 10**9, dtype=np.uint64)
    return {
        "instrument": np.zeros(n, dtype=np.uint32),
        "bid_price": bid.astype(np.int64),
        "ask_price": (bid + 10_000_000).astype(np.int64),
        "bid_size": size,
        "ask_size": size.copy(),
        "ts_event": ts,
        "ts_init": ts.copy(),
    }


def test_other_python_threads_run_while_the_engine_works() -> None:
    e = make_engine(keep_events=False)
    e.add_builtin_strategy(
        "ema_cross", strategy_id="ema", instrument_id=INSTRUMENT, trade_size="0.01"
    )
    e.start()
    cols = columns(400_000)
    ticks = 0
    stop = threading.Event()

    def count() -> None:
        nonlocal ticks
        while not stop.is_set():
            ticks += 1
            time.sleep(0)

    counter = threading.Thread(target=count)
    counter.start()
    time.sleep(0.01)
    before = ticks
    e.run_quotes(**cols)
    during = ticks - before
    stop.set()
    counter.join()
    assert e.counters()["quotes"] == 400_000
    # Holding the interpreter lock through the call would leave the counter where it was.
    assert during > 20, during


class Ticker(Strategy):
    """Sets a timer 30 ms ahead at start and one more each time it fires, three in all."""

    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self.fired: list[int] = []

    def on_start(self) -> None:
        self.set_timer("tick", self.now + 30_000_000)

    def on_timer(self, event: TimerFired) -> None:
        self.fired.append(event.ts_event)
        if len(self.fired) < 3:
            self.set_timer(f"tick-{len(self.fired)}", self.now + 30_000_000)


def test_on_a_live_clock_timers_fire_on_time_without_input() -> None:
    e = make_engine(clock="live")
    assert e.clock == "live"
    ticker = Ticker(StrategyConfig(strategy_id="ticker"))
    e.add_strategy(ticker)
    e.start()
    start = time.time_ns()
    assert e.now >= start - 5_000_000_000, "a live engine starts at wall time"
    stream = e.events_stream()
    server = threading.Thread(target=e.serve)
    server.start()
    fired: list[events.Event] = []
    deadline = time.monotonic() + 30
    while len(fired) < 3 and time.monotonic() < deadline:
        fired.extend(stream.read(timeout=1.0).events)
    e.stop_serving()
    server.join()
    assert [events.kind(f) for f in fired] == ["TimerFired"] * 3
    assert ticker.fired == [f.ts_event for f in fired]
    assert all(f.ts_init == f.ts_event for f in fired), "stamped at their due times"
    assert time.time_ns() >= fired[-1].ts_event, "none fired before it was due"


def test_a_served_engine_takes_posted_inputs_and_commands_from_other_threads() -> None:
    e = make_engine()
    e.start()
    screen = e.events_stream(max_events=3)
    recorder = e.events_stream()
    server = threading.Thread(target=e.serve)
    server.start()
    e.post([quote(ts) for ts in range(1, 11)])
    got: list[events.Event] = []
    deadline = time.monotonic() + 30
    while len(got) < 10 and time.monotonic() < deadline:
        got.extend(recorder.read(timeout=1.0).events)
    assert [g.ts_init for g in got] == list(range(1, 11))
    e.halt("operator", source="console")
    assert e.trading_state == "HALTED"
    e.stop_serving()
    server.join()
    latest = screen.read()
    assert latest.missed == 9, "12 events, 3 kept: a bounded reader is told it missed 9"
    assert [events.kind(x) for x in latest.events] == ["QuoteTick", "Halt", "TradingStateChanged"]
    assert latest.first == 9


def test_views_are_published_when_asked_and_versions_move_only_on_change() -> None:
    e = make_engine()
    e.process(quote(1))
    assert e.views() == {}
    e.request_views()
    e.process(quote(2))
    first = e.views()
    assert sorted(first) == [
        "balances",
        f"ladder:{INSTRUMENT}",
        "latency",
        "orders",
        "positions",
        "status",
    ]
    ladder = first[f"ladder:{INSTRUMENT}"][1]
    assert isinstance(ladder, views.LadderView)
    assert ladder.bids[0].price == Decimal("100.00")
    seen = {key: version for key, (version, _) in first.items()}
    e.request_views()
    e.process(quote(3, bid="100.01", ask="100.03"))
    assert sorted(e.views(seen)) == [f"ladder:{INSTRUMENT}", "status"]


def test_views_mirror_the_engine_byte_for_byte() -> None:
    e = make_engine()
    e.start()
    e.process(quote(1))
    e.submit("desk", INSTRUMENT, "BUY", "1", "LIMIT", price="99.50")
    e.submit("desk", INSTRUMENT, "BUY", "2")
    e.process(quote(2, bid="100.10", ask="100.12"))
    e.halt("check", source="test")
    raw = e.frame(depth=5)
    frame = views.decode_frame(raw)
    assert msgspec.msgpack.encode(frame) == raw
    assert frame.status.trading_state == "HALTED"
    assert frame.status.reason == "check (test)"
    assert [o.status for o in frame.open_orders] == ["ACCEPTED"]
    (level,) = [lv for lv in frame.ladders[0].bids if lv.own_orders]
    assert (level.price, level.own_qty) == (Decimal("99.50"), Decimal("1.000"))
    (position,) = frame.positions.rows
    assert position.quantity == Decimal("2.000")
    assert position.mark == Decimal("100.11"), "marked at the mid"
    assert position.unrealized_pnl.amount == Decimal("0.18")


class Reenters(Strategy):
    def __init__(self, config: StrategyConfig, engine: Engine) -> None:
        super().__init__(config)
        self.engine = engine

    def on_quote_tick(self, tick: QuoteTick) -> None:
        self.engine.halt("from a callback")


def test_an_engine_called_from_its_own_callback_refuses_instead_of_deadlocking() -> None:
    e = make_engine()
    e.add_strategy(Reenters(StrategyConfig(strategy_id="r"), e))
    e.start()
    with pytest.raises(StrategyError, match="on_quote_tick") as caught:
        e.process(quote(1))
    assert isinstance(caught.value.__cause__, NautuiError)
    assert "inside one of its own strategy callbacks" in str(caught.value.__cause__)
    assert e.trading_state == "ACTIVE"


class Raises(Strategy):
    def on_quote_tick(self, tick: QuoteTick) -> None:
        raise ValueError("boom")


def test_a_failing_strategy_stops_the_serving_thread_and_its_error_is_kept() -> None:
    e = make_engine()
    e.add_strategy(Raises(StrategyConfig(strategy_id="bad")))
    e.start()
    thread = e.serve_in_thread()
    e.post([quote(1)])
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert isinstance(e.serve_error, StrategyError)
    assert isinstance(e.serve_error.__cause__, ValueError)
    e.stop_serving()


SERVED_AT_EXIT = """
from decimal import Decimal
from nautui import Engine, EngineConfig
from nautui.events import Money
engine = Engine(EngineConfig(starting_balances=[Money(Decimal("1"), "USD")]), clock="live")
engine.serve_in_thread()
print("serving")
"""


def test_a_process_that_exits_while_an_engine_is_served_exits_cleanly() -> None:
    done = subprocess.run(  # noqa: S603  (our own interpreter)
        [sys.executable, "-c", SERVED_AT_EXIT],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "serving\n", "")
