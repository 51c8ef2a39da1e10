"""Arbitrary input at the engine's boundary raises typed errors, never a panic."""

from __future__ import annotations

import contextlib
from decimal import Decimal
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from nautui import DecodeError, NautuiError, Price, Quantity, events

# What a caller may see: one of ours, or TypeError for a wrong Python type. A pyo3
# PanicException derives from BaseException, so it is not caught here and fails the test.
ALLOWED = (NautuiError, TypeError)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**63), max_value=2**64 - 1)
    | st.floats(allow_nan=True)
    | st.text(max_size=20)
    | st.binary(max_size=20)
    | st.sampled_from(["0.5", "-1", "1e-9", "BUY", "LIMIT", "GTC", "", "1E+400"])
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
kinds = st.sampled_from(events.event_kinds())
FIELD_NAMES = sorted({f for cls in events.EVENT_TYPES for f in cls.__struct_fields__})


def _engine_accepts(payload: bytes) -> None:
    with contextlib.suppress(*ALLOWED):
        events.check_event(payload)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=256))
def test_arbitrary_bytes(payload: bytes) -> None:
    _engine_accepts(payload)


@settings(max_examples=400)
@given(kinds, st.dictionaries(st.sampled_from(FIELD_NAMES) | st.text(max_size=8), values))
def test_arbitrary_maps_tagged_as_events(kind: str, fields: dict[str, Any]) -> None:
    payload = msgspec.msgpack.encode({"type": kind, **fields})
    _engine_accepts(payload)
    with contextlib.suppress(*ALLOWED):
        events.decode(payload)


@settings(max_examples=200)
@given(values)
def test_arbitrary_values(value: Any) -> None:
    _engine_accepts(msgspec.msgpack.encode(value))


@settings(max_examples=200)
@given(st.lists(st.integers(0, 255), max_size=64), st.integers(0, 40))
def test_mutated_fixtures(flips: list[int], seed: int) -> None:
    fixture = bytearray(events.event_fixtures())
    for i, byte in enumerate(flips):
        fixture[(seed * 7919 + i * 104729) % len(fixture)] = byte
    _engine_accepts(bytes(fixture))


@settings(max_examples=500)
@example("1e-2147483648")  # exponents at the ends of i32
@example("0.5e-2147483648")
@example("1e2147483647")
@example("9" * 40)
@example("0." + "0" * 40 + "1")
@given(st.text(max_size=40) | st.from_regex(r"[+-]?\d{0,25}(\.\d{0,15})?([eE][+-]?\d{1,4})?"))
def test_arbitrary_text_as_price_and_quantity(text: str) -> None:
    for cls in (Price, Quantity):
        try:
            value = cls(text)
        except ALLOWED:
            continue
        # What the engine accepts is exact: its decimal equals the text's.
        assert value.as_decimal() == Decimal(text.strip())


@settings(max_examples=200)
@given(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.none() | st.integers(-(2**70), 2**70),
)
def test_arbitrary_decimals_and_precisions(value: Decimal, precision: int | None) -> None:
    for cls in (Price, Quantity):
        try:
            cls(value, precision)
        except (*ALLOWED, OverflowError):
            # pyo3 refuses an int beyond 64 bits for `precision` with OverflowError.
            pass


def test_deeply_nested_payload_is_a_decode_error() -> None:
    # A map entry nested 100,000 arrays deep, before and after the `type` tag.
    nested = b"\x91" * 100_000 + b"\x01"
    for payload in (
        b"\x82\xa4type\xa9QuoteTick\xa1x" + nested,
        b"\x82\xa1x" + nested + b"\xa4type\xa9QuoteTick",
    ):
        with pytest.raises(DecodeError):
            events.check_event(payload)


def test_still_healthy_after_the_fuzzing() -> None:
    assert events.check_event(events.encode(events.decode_many(events.event_fixtures())[0]))
    assert Price("1.5") == Price(Decimal("1.5"))
