"""Python strategies on the engine: only overridden callbacks run, actions reach the engine with
engine-made ids, reads reflect fills, and errors surface where they are made."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

from nautui import (
    Engine,
    EngineConfig,
    Instrument,
    InvalidValueError,
    NautuiError,
    QuoteTick,
    Strategy,
    StrategyConfig,
    StrategyError,
    events,
)
from nautui.events import Money

INSTRUMENT = "BTCUSDT.SIM"


def make_engine() -> Engine:
    e = Engine(EngineConfig(starting_balances=[Money(Decimal("1000000"), "USDT")]))
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


class Recorder(Strategy):
    def __init__(self, config: StrategyConfig) -> None:
        super().__init__(config)
        self.seen: list[str] = []
        self.ids: list[str] = []

    def on_start(self) -> None:
        self.seen.append("start")
        self.set_timer("tick", at=5_000)

    def on_quote_tick(self, tick: QuoteTick) -> None:
        self.seen.append(f"quote {tick.bid_price} {tick.ask_raw}")
        if not self.ids:
            self.ids.append(self.submit_order(INSTRUMENT, "BUY", "1.5"))
            self.ids.append(
                self.submit_order(INSTRUMENT, "SELL", "1", "LIMIT", price="200.00", post_only=True)
            )

    def on_order_accepted(self, event: events.OrderAccepted) -> None:
        self.seen.append(f"accepted {event.client_order_id}")

    def on_order_filled(self, event: events.OrderFilled) -> None:
        self.seen.append(f"filled {event.client_order_id} {event.last_qty}")

    def on_order_canceled(self, event: events.OrderCanceled) -> None:
        self.seen.append(f"canceled {event.client_order_id}")

    def on_position_changed(
        self, event: events.PositionOpened | events.PositionChanged | events.PositionClosed
    ) -> None:
        self.seen.append(f"{events.kind(event)} {event.quantity}")

    def on_timer(self, event: events.TimerFired) -> None:
        self.seen.append(f"timer {event.name}")
        position = self.position(INSTRUMENT)
        assert position is not None
        self.seen.append(f"position {position.side} {position.quantity}")
        self.seen.append(f"open {[o.client_order_id for o in self.open_orders()]}")
        self.cancel_order(self.ids[1])

    def on_stop(self) -> None:
        self.seen.append("stop")


def test_callbacks_actions_and_reads() -> None:
    e = make_engine()
    s = Recorder(StrategyConfig(strategy_id="rec"))
    e.add_strategy(s)
    e.start()
    e.process(quote(1_000))
    e.process(quote(9_000))
    e.stop()
    assert s.ids == ["O-rec-1", "O-rec-2"]
    assert s.seen == [
        "start",
        "quote 100.00 100020000000",
        "accepted O-rec-1",
        "filled O-rec-1 1.500",
        "PositionOpened 1.500",
        "accepted O-rec-2",
        "timer tick",
        "position LONG 1.500",
        "open ['O-rec-2']",
        "canceled O-rec-2",
        "quote 100.00 100020000000",
        "stop",
    ]
    order = e.order("O-rec-2")
    assert order is not None
    assert order.status == "CANCELED"


def test_only_overridden_callbacks_are_called() -> None:
    class Quiet(Strategy):
        def on_order_filled(self, event: events.OrderFilled) -> None:
            raise AssertionError("never called: no orders")

    assert Quiet.overridden_callbacks() == ["on_order_filled"]
    assert Recorder.overridden_callbacks() == [
        "on_start",
        "on_stop",
        "on_quote_tick",
        "on_order_accepted",
        "on_order_filled",
        "on_order_canceled",
        "on_position_changed",
        "on_timer",
    ]
    e = make_engine()
    e.add_strategy(Quiet(StrategyConfig(strategy_id="q")))
    e.process(quote(1))


def test_bad_action_raises_at_the_call_and_stops_the_run() -> None:
    class Bad(Strategy):
        def on_quote_tick(self, tick: QuoteTick) -> None:
            self.submit_order(INSTRUMENT, "BUY", "1", "LIMIT", price="100.001")

    e = make_engine()
    e.add_strategy(Bad(StrategyConfig(strategy_id="bad")))
    with pytest.raises(StrategyError, match="strategy bad failed in on_quote_tick") as caught:
        e.process(quote(1))
    assert isinstance(caught.value.__cause__, InvalidValueError)
    assert str(caught.value.__cause__).startswith("price: ")
    assert e.open_orders() == []


def test_a_timer_name_used_twice_stops_the_run_but_not_the_strategy() -> None:
    class Twice(Strategy):
        def __init__(self, config: StrategyConfig) -> None:
            super().__init__(config)
            self.quotes = 0

        def on_quote_tick(self, tick: QuoteTick) -> None:
            self.quotes += 1
            self.set_timer("t", at=1_000_000)

    e = make_engine()
    s = Twice(StrategyConfig(strategy_id="twice"))
    e.add_strategy(s)
    e.process(quote(1))
    expected = 'strategy twice failed in set_timer: timer "t" already exists'
    with pytest.raises(StrategyError, match=expected):
        e.process(quote(2))
    with pytest.raises(StrategyError, match=expected):
        e.process(quote(3))
    assert s.quotes == 3, "the strategy still gets its callbacks"


def test_actions_outside_a_callback_are_refused() -> None:
    s = Recorder(StrategyConfig(strategy_id="rec"))
    with pytest.raises(NautuiError, match="not added"):
        s.submit_order(INSTRUMENT, "BUY", "1")
    e = make_engine()
    e.add_strategy(s)
    with pytest.raises(NautuiError, match="only possible inside a callback"):
        s.submit_order(INSTRUMENT, "BUY", "1")
    with pytest.raises(NautuiError, match="already added"):
        make_engine().add_strategy(s)


def test_strategy_config_is_strict() -> None:
    class EmaConfig(StrategyConfig, frozen=True, kw_only=True):
        fast: int = 10

    assert msgspec.json.decode(b'{"strategy_id": "e", "fast": 5}', type=EmaConfig).fast == 5
    with pytest.raises(msgspec.ValidationError, match="unknown field"):
        msgspec.json.decode(b'{"strategy_id": "e", "slow": 5}', type=EmaConfig)


def test_a_kept_tick_is_never_changed_afterwards() -> None:
    class Keeper(Strategy):
        def __init__(self, config: StrategyConfig) -> None:
            super().__init__(config)
            self.kept: list[QuoteTick] = []
            self.bids: list[str] = []

        def on_quote_tick(self, tick: QuoteTick) -> None:
            self.bids.append(str(tick.bid_price))
            if len(self.bids) % 2:
                self.kept.append(tick)

    e = make_engine()
    s = Keeper(StrategyConfig(strategy_id="k"))
    e.add_strategy(s)
    for i in range(6):
        e.process(quote(i + 1, bid=f"{100 + i}.00", ask=f"{100 + i}.02"))
    assert s.bids == [f"{100 + i}.00" for i in range(6)]
    assert [str(t.bid_price) for t in s.kept] == ["100.00", "102.00", "104.00"]
    assert [t.ts_init for t in s.kept] == [1, 3, 5]
