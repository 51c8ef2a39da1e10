"""The engine's Python boundary: each bad input raises the right class naming the field, every
event kind round-trips through process/drain, and fuzzed events and orders against a live
engine raise typed errors only and leave its state as it was."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nautui import (
    BookError,
    DecodeError,
    Engine,
    EngineConfig,
    Instrument,
    InvalidValueError,
    NautuiError,
    StrategyError,
    UnknownInstrumentError,
    UnknownOrderError,
    events,
)
from nautui.config import VenueConfig
from nautui.events import Money
from nautui.strategy import Strategy, StrategyConfig

ALLOWED = (NautuiError, TypeError)
FIXTURES = events.decode_many(events.event_fixtures())
INSTRUMENT = "BTCUSDT.BINANCE"
# The book keeps the instrument's size precision (3 decimals here); the fixtures' book events
# use 2, so those two are restated at 3.
BY_KIND = {
    **{events.kind(e): e for e in FIXTURES},
    "BookSnapshot": events.BookSnapshot(
        instrument_id=INSTRUMENT,
        sequence=51000000,
        bids=[events.BookLevel(price=Decimal("61234.50"), size=Decimal("1.250"))],
        asks=[events.BookLevel(price=Decimal("61234.51"), size=Decimal("0.003"))],
        ts_event=1723161253000000000,
        ts_init=1723161253000100000,
    ),
    "BookDeltas": events.BookDeltas(
        instrument_id=INSTRUMENT,
        first_sequence=51000001,
        sequence=51000003,
        prev_sequence=None,
        deltas=[
            events.BookLevelDelta(
                action=events.BookAction.UPDATE,
                side=events.OrderSide.BUY,
                price=Decimal("61234.50"),
                size=Decimal("1.300"),
            )
        ],
        ts_event=1723161253000000000,
        ts_init=1723161253000100000,
    ),
}
ENGINE_MADE = {
    "OrderInitialized",
    "OrderDenied",
    "OrderSubmitted",
    "OrderPendingCancel",
    "OrderPendingUpdate",
    "PositionOpened",
    "PositionChanged",
    "PositionClosed",
    "TradingStateChanged",
    "TimerFired",
}


def instrument() -> Instrument:
    return Instrument(
        id=INSTRUMENT,
        tick_size="0.01",
        lot_size="0.001",
        quote_currency="USDT",
        base_currency="BTC",
    )


def engine(*, simulated: bool = True) -> Engine:
    venue = VenueConfig(venue="BINANCE", account_id="BINANCE-001") if simulated else None
    config = EngineConfig(
        account_id="BINANCE-001",
        starting_balances=[Money(Decimal("10000000"), "USDT")],
        venue=venue,
        record_market_data=True,
    )
    e = Engine(config)
    e.add_instrument(instrument())
    return e


def quote(ts: int, bid: str = "61234.50", ask: str = "61234.51") -> events.QuoteTick:
    return events.QuoteTick(
        instrument_id=INSTRUMENT,
        bid_price=Decimal(bid),
        ask_price=Decimal(ask),
        bid_size=Decimal("5"),
        ask_size=Decimal("5"),
        ts_event=ts,
        ts_init=ts,
    )


def state(e: Engine) -> dict[str, Any]:
    return {
        "counters": e.counters(),
        "open_orders": [repr(o) for o in e.open_orders()],
        "positions": [repr(p) for p in e.positions()],
        "balances": [repr(b) for b in e.balances()],
        "trading_state": e.trading_state,
    }


# -- each error class, naming the field --------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"quantity": "-1"}, InvalidValueError, r"^quantity: "),
        ({"quantity": "0.0001"}, InvalidValueError, r"^quantity: "),
        ({"quantity": "0.0015"}, InvalidValueError, r"^quantity: "),
        ({"order_type": "LIMIT", "price": "61234.005"}, InvalidValueError, r"^price: "),
        ({"order_type": "LIMIT"}, InvalidValueError, r"^price: LIMIT order needs field price"),
        ({"price": "61234.50"}, InvalidValueError, r"^price: MARKET order must not"),
        ({"order_type": "STOP_MARKET"}, InvalidValueError, r"^trigger_price: "),
        ({"side": "UP"}, InvalidValueError, r"^side: "),
        ({"order_type": "ICEBERG"}, InvalidValueError, r"^order_type: "),
        (
            {"time_in_force": "GTD", "order_type": "LIMIT", "price": "1"},
            InvalidValueError,
            r"^expire_time: ",
        ),
        ({"instrument_id": "ETHUSDT.BINANCE"}, UnknownInstrumentError, "ETHUSDT.BINANCE"),
        ({"quantity": 0.5}, TypeError, "float"),
    ],
)
def test_bad_orders_raise_their_class(kwargs: dict[str, Any], error: type, message: str) -> None:
    e = engine()
    e.process(quote(1))
    before = state(e)
    args: dict[str, Any] = {
        "strategy_id": "S",
        "instrument_id": INSTRUMENT,
        "side": "BUY",
        "order_type": "MARKET",
        "quantity": "0.5",
    }
    with pytest.raises(error, match=message):
        e.submit(**{**args, **kwargs})
    assert state(e) == before
    assert e.submit(**args) == "O-S-1"  # ids are not used up by refused orders


def test_unknown_order_is_a_key_error() -> None:
    e = engine()
    with pytest.raises(UnknownOrderError, match="unknown order O-X-9") as caught:
        e.cancel("O-X-9")
    assert isinstance(caught.value, KeyError)
    with pytest.raises(UnknownOrderError):
        e.modify("O-X-9", quantity="1")
    cancel = events.CancelOrder(
        strategy_id="S", instrument_id=INSTRUMENT, client_order_id="O-X-9", ts_event=1, ts_init=1
    )
    with pytest.raises(UnknownOrderError):
        e.process(cancel)


def test_modify_checks_the_grid() -> None:
    e = engine()
    e.process(quote(1))
    oid = e.submit("S", INSTRUMENT, "BUY", "1", "LIMIT", price="61000.00")
    with pytest.raises(InvalidValueError, match=r"^price: "):
        e.modify(oid, price="61000.001")
    with pytest.raises(InvalidValueError, match=r"^quantity: "):
        e.modify(oid, quantity="-2")


def test_decode_and_engine_made_events() -> None:
    e = engine()
    with pytest.raises(DecodeError):
        e.process(b"\xc1")
    with pytest.raises(InvalidValueError, match=r"^event: OrderFilled|^event: .*produced"):
        e.process(BY_KIND["OrderSubmitted"])


def test_book_gap_is_a_book_error() -> None:
    e = engine()
    with pytest.raises(BookError, match="not synced"):
        e.process(BY_KIND["BookDeltas"])


def test_duplicate_client_order_id_names_the_field() -> None:
    e = engine(simulated=False)
    e.process(BY_KIND["SubmitOrder"])
    before = state(e)
    with pytest.raises(InvalidValueError, match=r"^client_order_id: "):
        e.process(BY_KIND["SubmitOrder"])
    assert state(e) == before


def test_strategy_exception_is_chained() -> None:
    class Boom(Strategy):
        def on_quote_tick(self, tick: Any) -> None:
            raise ZeroDivisionError("kaboom")

    e = engine()
    e.add_strategy(Boom(StrategyConfig(strategy_id="boom")))
    with pytest.raises(StrategyError, match="strategy boom failed in on_quote_tick") as caught:
        e.process(quote(1))
    assert isinstance(caught.value.__cause__, ZeroDivisionError)
    assert caught.value.__cause__.__traceback__ is not None


# -- every event kind through process and drain ------------------------------------------------


def _prefix(kind: str) -> list[events.Event]:
    """What must happen before an event of `kind` is legal (one open order, or a book)."""
    submit = BY_KIND["SubmitOrder"]
    accepted = BY_KIND["OrderAccepted"]
    if kind == "BookDeltas":
        return [BY_KIND["BookSnapshot"]]
    if kind in {"OrderAccepted", "OrderRejected"}:
        return [submit]
    if kind in {
        "CancelOrder",
        "ModifyOrder",
        "OrderCanceled",
        "OrderExpired",
        "OrderUpdated",
        "OrderModifyRejected",
        "OrderCancelRejected",
        "OrderFilled",
        "OrderTriggered",
    }:
        return [submit, accepted]
    return []


@pytest.mark.parametrize("kind", events.event_kinds())
def test_every_event_kind_round_trips(kind: str) -> None:
    event = BY_KIND[kind]
    e = engine(simulated=False)
    if kind in ENGINE_MADE:
        with pytest.raises(InvalidValueError, match=r"^event: "):
            e.process(event)
        return
    for earlier in _prefix(kind):
        e.process(earlier)
    e.drain_events()
    e.process(event)
    out = e.drain_events()
    assert event in out, f"{kind} not in {[events.kind(o) for o in out]}"


# -- fuzz: malformed events and orders against a live engine -----------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.sampled_from(
        [
            "0",
            "-1",
            "0.5",
            "1e-9",
            "61234.505",
            "1E+40",
            "ETH.X",
            INSTRUMENT,
            "O-S-1",
            "O-S-99",
            "BUY",
            "SELL",
            "LIMIT",
            "MARKET",
            "STOP_LIMIT",
            "GTD",
            "IOC",
            "FOK",
            "UPDATE",
            "DELETE",
        ]
    )
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3), max_leaves=8)


def live_engine() -> tuple[Engine, str]:
    e = engine()
    e.process(quote(1_000))
    e.process(BY_KIND["BookSnapshot"])
    resting = e.submit("S", INSTRUMENT, "BUY", "0.5", "LIMIT", price="61000.00")
    e.advance_to(2_000)
    e.drain_events()
    return e, resting


def _follow_up_works(e: Engine) -> None:
    oid = e.submit("S", INSTRUMENT, "SELL", "0.001", "LIMIT", price="70000.00")
    assert e.order(oid) is not None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(sorted(BY_KIND)),
    st.dictionaries(
        st.sampled_from(sorted({f for c in events.EVENT_TYPES for f in c.__struct_fields__})),
        values,
        max_size=3,
    ),
)
def test_malformed_events_leave_the_engine_intact(kind: str, changes: dict[str, Any]) -> None:
    e, resting = live_engine()
    base = msgspec.to_builtins(BY_KIND[kind])
    for key in ("client_order_id",):
        if key in base and key not in changes:
            base[key] = resting
    payload = msgspec.msgpack.encode({**base, **changes, "type": kind})
    before = state(e)
    try:
        e.process(payload)
    except ALLOWED:
        assert state(e) == before
    _follow_up_works(e)


order_args = st.fixed_dictionaries(
    {
        "strategy_id": st.sampled_from(["S", "T", "", "a b"]),
        "instrument_id": st.sampled_from([INSTRUMENT, "ETH.X", ""]),
        "side": st.sampled_from(["BUY", "SELL", "buy", "", "HOLD"]) | st.integers(),
        "order_type": st.sampled_from(["MARKET", "LIMIT", "STOP_MARKET", "STOP_LIMIT", "X"]),
        "quantity": values,
    },
    optional={
        "price": values,
        "trigger_price": values,
        "time_in_force": st.sampled_from(["GTC", "IOC", "FOK", "GTD", "DAY", "NOW"]),
        "expire_time": st.integers(min_value=0, max_value=2**64 - 1),
        "post_only": st.booleans(),
        "reduce_only": st.booleans(),
    },
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order_args)
def test_malformed_orders_leave_the_engine_intact(args: dict[str, Any]) -> None:
    e, _ = live_engine()
    before = state(e)
    try:
        e.submit(**args)
    except ALLOWED:
        assert state(e) == before
    _follow_up_works(e)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(["O-S-1", "O-S-2", "", "x y"]), values, values)
def test_malformed_cancels_and_modifies(order_id: str, quantity: Any, price: Any) -> None:
    e, _ = live_engine()
    before = state(e)
    try:
        e.cancel(order_id)
    except ALLOWED:
        assert state(e) == before
    before = state(e)
    try:
        e.modify(order_id, quantity, price)
    except ALLOWED:
        assert state(e) == before
    _follow_up_works(e)
