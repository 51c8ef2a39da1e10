"""Values crossing into the engine: exact decimals only, and errors that name the field."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from nautui import (
    DecodeError,
    Instrument,
    InvalidValueError,
    Money,
    NautuiError,
    Price,
    Quantity,
    events,
)


def btcusdt(**overrides: Any) -> Instrument:
    spec: dict[str, Any] = {
        "id": "BTCUSDT.BINANCE",
        "tick_size": "0.01",
        "lot_size": "0.00001",
        "base_currency": "BTC",
        "quote_currency": "USDT",
        "min_notional": "5",
        "taker_fee": "0.001",
    }
    spec.update(overrides)
    return Instrument(**spec)


@pytest.mark.parametrize("value", ["61234.50", Decimal("61234.50"), Decimal("6.123450E+4")])
def test_price_from_text_and_decimal(value: str | Decimal) -> None:
    price = Price(value)
    assert price.raw == 61_234_500_000_000
    assert price.as_decimal() == Decimal("61234.5")


def test_price_keeps_the_precision_it_was_written_with() -> None:
    assert str(Price("61234.50")) == "61234.50"
    assert Price("61234.50").precision == 2
    assert Price("1", precision=2).precision == 2
    assert repr(Price("-0.5")) == "Price('-0.5')"


def test_price_and_quantity_from_int() -> None:
    assert Price(-3) == Price("-3")
    assert Quantity(7).as_decimal() == Decimal(7)


def test_from_raw_is_the_inverse_of_raw() -> None:
    price = Price("101.25")
    assert Price.from_raw(price.raw, price.precision) == price
    assert Quantity.from_raw(1_500_000_000, 1) == Quantity("1.5")


def test_ordering_and_hashing() -> None:
    assert Price("1.01") > Price("1.00")
    assert sorted([Quantity("2"), Quantity("0.5")]) == [Quantity("0.5"), Quantity("2")]
    assert len({Price("1.00"), Price("1.00")}) == 1


@pytest.mark.parametrize("cls", [Price, Quantity])
def test_float_is_refused_with_a_hint(cls: type[Price | Quantity]) -> None:
    with pytest.raises(TypeError, match=r"str or decimal\.Decimal"):
        cls(0.1)  # type: ignore[arg-type]


def test_bool_is_not_a_number() -> None:
    with pytest.raises(TypeError):
        Price(True)  # noqa: FBT003  (the point of the test)


def test_negative_quantity_names_the_field() -> None:
    with pytest.raises(InvalidValueError, match="quantity") as caught:
        Quantity("-1")
    assert isinstance(caught.value, ValueError)
    assert isinstance(caught.value, NautuiError)


def test_garbage_text_names_the_field() -> None:
    with pytest.raises(InvalidValueError, match=r"^price: .*'abc'|^price: .*\"abc\""):
        Price("abc")


def test_too_many_decimals_for_the_precision() -> None:
    with pytest.raises(InvalidValueError, match="decimals"):
        Price("1.234", precision=2)


def test_money() -> None:
    fee = Money("0.0306", "USDT")
    assert fee.amount == Decimal("0.0306")
    assert fee.currency == "USDT"
    assert str(fee) == "0.0306 USDT"
    assert fee == Money(Decimal("0.03060"), "USDT")
    with pytest.raises(InvalidValueError, match="currency"):
        Money("1", "")


def test_instrument_exposes_its_spec() -> None:
    inst = btcusdt()
    assert inst.tick_size == Price("0.01")
    assert inst.lot_size == Quantity("0.00001")
    assert inst.taker_fee == Decimal("0.001")
    assert inst.maker_fee == 0
    assert inst.min_notional == Money("5", "USDT")
    assert inst.notional(Price("100"), Quantity("0.5")) == Money("50", "USDT")


def test_off_tick_price_is_named() -> None:
    inst = btcusdt()
    inst.check_price(Price("100.01"))
    with pytest.raises(InvalidValueError, match=r"price 100\.015 .*tick size 0\.01"):
        inst.check_price(Price("100.015"))


def test_off_lot_and_small_notional_are_named() -> None:
    inst = btcusdt(max_quantity="10")
    with pytest.raises(InvalidValueError, match="lot size"):
        inst.check_quantity(Quantity("0.000015"))
    with pytest.raises(InvalidValueError, match="maximum"):
        inst.check_quantity(Quantity("11"))
    with pytest.raises(InvalidValueError, match="notional"):
        inst.check_notional(Price("100"), Quantity("0.01"))


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"tick_size": "0"}, "tick_size"),
        ({"tick_size": "-0.01"}, "tick_size"),
        ({"lot_size": "0"}, "lot_size"),
        ({"lot_size": "-1"}, "lot_size"),
        ({"multiplier": "0"}, "multiplier"),
        ({"min_quantity": "2", "max_quantity": "1"}, "min_quantity"),
        ({"taker_fee": "a lot"}, "taker_fee"),
        ({"id": ""}, "id"),
        ({"quote_currency": "US D"}, "quote_currency"),
    ],
)
def test_bad_instrument_field_is_named(overrides: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValueError, match=f"^{field}"):
        btcusdt(**overrides)


def test_instrument_float_is_refused() -> None:
    with pytest.raises(TypeError, match="tick_size"):
        btcusdt(tick_size=0.01)


@pytest.mark.parametrize(
    "payload", [b"", b"\xc1", b"\x81\xa4type\xa5Bogus", b"\x93\x01\x02\x03", b"\x81"]
)
def test_check_event_on_malformed_bytes(payload: bytes) -> None:
    with pytest.raises(DecodeError, match="cannot decode event"):
        events.check_event(payload)
    with pytest.raises(DecodeError):
        events.decode(payload)
