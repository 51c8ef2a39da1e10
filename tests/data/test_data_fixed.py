"""Exact decimal and timestamp parsing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nautui.data.fixed import FixedPointError, format_raw, parse_raw
from nautui.data.timestamps import parse_timestamp


@pytest.mark.parametrize(
    ("text", "raw"),
    [
        ("61837.63000000", 61_837_630_000_000),
        ("0.00000001", 10),
        ("1", 1_000_000_000),
        ("-2.5", -2_500_000_000),
        (".5", 500_000_000),
        ("1e-5", 10_000),
        ("1.5E3", 1_500_000_000_000),
        ("0.1234567890000", 123_456_789),
        (" 7.25 ", 7_250_000_000),
    ],
)
def test_decimal_text_becomes_the_exact_raw_integer(text: str, raw: int) -> None:
    assert parse_raw(text) == raw


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("1.2.3", "is not a decimal number"),
        ("abc", "is not a decimal number"),
        ("", "is not a decimal number"),
        ("nan", "is not a decimal number"),
        ("inf", "is not a decimal number"),
        ("0.0000000001", "more than 9 decimals"),
        ("99999999999", "too large"),
    ],
)
def test_refused_text_says_why(text: str, problem: str) -> None:
    with pytest.raises(FixedPointError, match=problem):
        parse_raw(text)


def test_sizes_are_never_negative() -> None:
    with pytest.raises(FixedPointError, match="negative"):
        parse_raw("-1", unsigned=True)


def test_a_given_precision_rounds_float_printed_numbers_half_to_even() -> None:
    assert parse_raw("218102.59507500002", precision=4) == 218_102_595_100_000
    assert parse_raw("0.125", precision=2) == 120_000_000
    assert parse_raw("0.135", precision=2) == 140_000_000
    with pytest.raises(FixedPointError, match="give a precision"):
        parse_raw("218102.59507500002")


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=9, allow_nan=False))
def test_parse_is_exact_for_every_nine_decimal_value(value: Decimal) -> None:
    raw = parse_raw(str(value))
    assert Decimal(raw) / Decimal(10**9) == value
    assert Decimal(format_raw(raw, 9)) == value


def test_timestamps_are_exact_in_every_form() -> None:
    ns = 1_723_161_254_087_891_268
    assert parse_timestamp(str(ns)) == ns
    assert parse_timestamp("1723161254087891") == ns // 1_000 * 1_000
    assert parse_timestamp("1723161254087") == ns // 1_000_000 * 1_000_000
    assert parse_timestamp("1723161254") == 1_723_161_254_000_000_000
    assert parse_timestamp("2024-08-08T23:54:14.087891268Z") == ns
    assert parse_timestamp("2024-08-09 01:54:14.087891268+02:00") == ns
    assert parse_timestamp("2021-12-31 23:01:00.000000") == 1_640_991_660_000_000_000
    assert parse_timestamp("20200101 170000065", fmt="%Y%m%d %H%M%S%f") == (
        1_577_898_000_065_000_000
    )
    assert parse_timestamp("5", unit="ms") == 5_000_000
    with pytest.raises(ValueError, match="not a timestamp"):
        parse_timestamp("yesterday")
