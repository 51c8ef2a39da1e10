"""The replay timeline from Python: seek, step and jump over a log of MessagePack payloads."""

from __future__ import annotations

from decimal import Decimal

import msgspec
import pytest

import nautui
from nautui import events

INSTRUMENT_ID = "BTCUSDT.SIM"

# An engine configured for a live venue (no simulation): the log below is inputs only.
CONFIG = msgspec.msgpack.encode(
    {
        "account_id": "SIM-001",
        "account_type": "MARGIN",
        "starting_balances": [{"amount": "1000", "currency": "USDT"}],
        "venue": None,
        "latency": {
            "kind": "fixed",
            "submit_ns": 0,
            "cancel_ns": 0,
            "modify_ns": 0,
            "response_ns": 0,
        },
        "risk": {
            "max_order_quantity": None,
            "max_notional_per_order": None,
            "price_band": None,
            "max_open_orders": None,
            "submit_rate": None,
            "modify_rate": None,
            "max_position": None,
        },
        "record_market_data": True,
    }
)


def instrument() -> nautui.Instrument:
    return nautui.Instrument(
        id=INSTRUMENT_ID,
        tick_size="0.01",
        lot_size="0.001",
        quote_currency="USDT",
        base_currency="BTC",
    )


def quote(ts: int, bid: str) -> events.Event:
    return events.QuoteTick(
        instrument_id=INSTRUMENT_ID,
        bid_price=Decimal(bid),
        ask_price=Decimal(bid) + Decimal("0.02"),
        bid_size=Decimal("1.000"),
        ask_size=Decimal("2.000"),
        ts_event=ts,
        ts_init=ts,
    )


def log() -> list[bytes]:
    history: list[events.Event] = [quote(1_000 * i, f"{100 + i}.00") for i in range(1, 40)]
    history.insert(
        20, events.VenueDisconnected(venue="SIM", reason="eof", ts_event=20_500, ts_init=20_500)
    )
    history.insert(21, events.VenueConnected(venue="SIM", ts_event=20_600, ts_init=20_600))
    return [events.encode(e) for e in history]


def replay() -> nautui.Replay:
    return nautui.Replay(CONFIG, [instrument()], log(), snapshot_every=8, window=3)


def test_seek_shows_the_book_there_and_the_recent_events() -> None:
    timeline = replay()
    assert timeline.last_seq == 41
    state = timeline.seek(5)
    assert state.seq == 5
    assert timeline.seq == 5
    (book,) = state.frame.ladders
    assert book.instrument_id == INSTRUMENT_ID
    assert [(level.price, level.size) for level in book.bids] == [
        (Decimal("105.00"), Decimal("1.000"))
    ]
    assert [seq for seq, _ in state.recent] == [3, 4, 5]
    last = state.recent[-1][1]
    assert isinstance(last, events.QuoteTick)
    assert last.bid_price == Decimal("105.00")
    balances = [(b.currency, b.total.amount) for b in state.frame.balances]
    assert balances == [("USDT", Decimal("1000.00"))]
    assert state.frame.open_orders == []
    assert state.closed_orders == []
    assert state.frame.positions.rows == []
    assert state.frame.status.trading_state == "ACTIVE"


def test_step_and_jump() -> None:
    timeline = replay()
    timeline.seek(30)
    assert timeline.step_back().seq == 29
    assert timeline.step_forward().seq == 30
    timeline.seek(0)
    found = timeline.next_of_kind("disconnect")
    assert found is not None
    assert found.seq == 21
    assert isinstance(found.recent[-1][1], events.VenueDisconnected)
    assert timeline.next_of_kind("disconnect") is None
    assert timeline.next_of_kind("fill") is None
    assert timeline.seek_ts(10_500).seq == 10
    assert timeline.next_for_order("O-1") is None


def test_bad_input_is_a_one_line_error() -> None:
    timeline = replay()
    with pytest.raises(nautui.InvalidValueError, match="kind"):
        timeline.next_of_kind("explosion")
    with pytest.raises(nautui.InvalidValueError, match="seq 99 is outside the log"):
        timeline.seek(99)
    derived = events.TradingStateChanged(
        state=events.TradingState("HALTED"), reason="x", ts_event=1, ts_init=1
    )
    with pytest.raises(nautui.InvalidValueError, match="seq 1: TradingStateChanged is derived"):
        nautui.Replay(CONFIG, [instrument()], [events.encode(derived)], snapshot_every=1)
    with pytest.raises(nautui.InvalidValueError, match="config"):
        nautui.Replay(b"\x01", [instrument()], [])
