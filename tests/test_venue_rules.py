"""The simulated venue checks reduce-only and post-only when an order becomes active or fills,
not only when it arrives, and says why in ``OrderExpired.reason``."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nautui import Engine, EngineConfig, Instrument, events
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


def quote(ts: int, bid: str, ask: str) -> events.QuoteTick:
    return events.QuoteTick(
        instrument_id=INSTRUMENT,
        bid_price=Decimal(bid),
        ask_price=Decimal(ask),
        bid_size=Decimal("10"),
        ask_size=Decimal("10"),
        ts_event=ts,
        ts_init=ts,
    )


def expired(e: Engine) -> list[events.OrderExpired]:
    return [ev for ev in e.drain_events() if isinstance(ev, events.OrderExpired)]


def test_a_resting_reduce_only_order_never_flips_a_position_that_changed() -> None:
    e = make_engine()
    e.process(quote(1, "100.00", "100.02"))
    e.submit("manual", INSTRUMENT, "BUY", "1")
    stop_loss = e.submit(
        "manual", INSTRUMENT, "SELL", "1", "LIMIT", price="100.50", reduce_only=True
    )
    e.submit("manual", INSTRUMENT, "SELL", "1")  # flat before the limit is reached
    e.drain_events()
    e.process(quote(2, "100.60", "100.62"))
    (expiry,) = expired(e)
    assert expiry.client_order_id == stop_loss
    assert expiry.reason == "REDUCE_ONLY_WOULD_INCREASE: SELL 1.000 against a net position of 0.000"
    assert [p.signed_qty_raw for p in e.positions()] == [0], "flat, never short"
    order = e.order(stop_loss)
    assert order is not None
    assert order.status == "EXPIRED"


@pytest.mark.parametrize(
    ("limit", "reasons"),
    [("100.05", ["POST_ONLY_WOULD_CROSS: BUY at 100.05 would take liquidity"]), ("99.99", [])],
)
def test_a_post_only_stop_limit_expires_if_it_triggers_into_a_taking_price(
    limit: str, reasons: list[str]
) -> None:
    e = make_engine()
    e.process(quote(1, "100.00", "100.02"))
    e.submit(
        "manual",
        INSTRUMENT,
        "BUY",
        "1",
        "STOP_LIMIT",
        price=limit,
        trigger_price="100.03",
        post_only=True,
    )
    e.drain_events()
    e.process(quote(2, "100.01", "100.03"))
    assert [x.reason for x in expired(e)] == reasons
    assert len(e.open_orders()) == (0 if reasons else 1), "a passive one rests after its trigger"
