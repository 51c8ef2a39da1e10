"""The Python event structs and the Rust enum agree, byte for byte.

``fixtures/events.msgpack`` holds one event of every kind, encoded by the engine (a Rust test
keeps it equal to the engine's current encoding). Decoding it with the msgspec structs and
encoding again must give the same bytes: a field renamed, added, dropped, reordered or retyped
on either side fails here.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from nautui import DecodeError, events

FIXTURES = Path(__file__).parent / "fixtures" / "events.msgpack"


@pytest.fixture(scope="module")
def committed() -> bytes:
    return FIXTURES.read_bytes()


def test_fixtures_round_trip_byte_for_byte(committed: bytes) -> None:
    decoded = msgspec.msgpack.decode(committed, type=list[events.Event])
    assert msgspec.msgpack.encode(decoded) == committed


def test_each_event_round_trips_alone(committed: bytes) -> None:
    raw_items = msgspec.msgpack.decode(committed, type=list[msgspec.Raw])
    for raw in raw_items:
        event = events.decode(bytes(raw))
        assert events.encode(event) == bytes(raw), events.kind(event)
        assert events.check_event(events.encode(event)) == events.kind(event)


def test_committed_file_is_what_the_engine_encodes(committed: bytes) -> None:
    assert events.event_fixtures() == committed


def test_every_kind_is_covered_in_engine_order(committed: bytes) -> None:
    decoded = events.decode_many(committed)
    kinds = events.event_kinds()
    assert [events.kind(e) for e in decoded] == kinds
    assert [cls.__name__ for cls in events.EVENT_TYPES] == kinds


def test_python_field_order_matches_the_wire(committed: bytes) -> None:
    # Re-encoding proves the order for these samples; this names the field when it drifts.
    for item in msgspec.msgpack.decode(committed, type=list[dict[str, object]]):
        cls = next(c for c in events.EVENT_TYPES if c.__name__ == item["type"])
        assert ["type", *cls.__struct_fields__] == list(item), cls.__name__


def test_absent_optionals_are_nil_not_omitted(committed: bytes) -> None:
    submit = next(e for e in events.decode_many(committed) if isinstance(e, events.SubmitOrder))
    assert submit.trigger_price is None
    wire = msgspec.msgpack.decode(events.encode(submit))
    assert "trigger_price" in wire
    assert wire["trigger_price"] is None


def test_decimals_keep_their_text(committed: bytes) -> None:
    quote = events.decode_many(committed)[0]
    assert isinstance(quote, events.QuoteTick)
    assert quote.bid_size == Decimal("1.25")
    assert str(quote.bid_size) == "1.25000"


def test_tiny_decimals_reach_the_engine_unchanged() -> None:
    # str(Decimal) writes exponent form below 1e-6; the engine reads it as the same value.
    tick = events.TradeTick(
        instrument_id="BTCUSDT.BINANCE",
        price=Decimal("61234.50"),
        size=Decimal("0.00000001"),
        aggressor_side=events.AggressorSide.SELLER,
        trade_id="1",
        ts_event=1,
        ts_init=2,
    )
    payload = events.encode(tick)
    assert events.check_event(payload) == "TradeTick"
    assert events.decode(payload) == tick


def test_unknown_fields_are_refused(committed: bytes) -> None:
    item = msgspec.msgpack.decode(committed, type=list[dict[str, object]])[0]
    item["surprise"] = 1
    payload = msgspec.msgpack.encode(item)
    with pytest.raises(DecodeError, match="surprise"):
        events.decode(payload)
    with pytest.raises(DecodeError):
        events.check_event(payload)
