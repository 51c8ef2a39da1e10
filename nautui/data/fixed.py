"""Exact decimal text to raw fixed-point integers (1e-9 scale), never through a float."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

__all__ = [
    "FIXED_SCALE",
    "MAX_PRECISION",
    "FixedPointError",
    "format_raw",
    "parse_raw",
    "precision_of",
    "raw_step",
]

#: Raw integers count units of 1e-9: a price of 1.5 is stored as 1_500_000_000.
FIXED_SCALE = 1_000_000_000
MAX_PRECISION = 9
_I64_MAX = 2**63 - 1
_U64_MAX = 2**64 - 1
_PLAIN = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?")


class FixedPointError(ValueError):
    """A text that is not an exact decimal the catalog can store; the message says why."""


def parse_raw(text: str, *, unsigned: bool = False) -> int:
    """``"61837.63"`` -> ``61_837_630_000_000``: the value in units of 1e-9, exactly.

    Accepts plain decimals and exponent forms (``1e-5``). Refuses anything with a non-zero digit
    below 1e-9, negative values when ``unsigned``, and values that overflow the column
    (int64 for prices, uint64 for sizes).
    """
    s = text.strip()
    match = _PLAIN.fullmatch(s)
    if match is not None and (match.group(2) or match.group(3)):
        sign, whole, frac = match.group(1), match.group(2), match.group(3) or ""
        if len(frac) > MAX_PRECISION:
            if frac[MAX_PRECISION:].strip("0"):
                raise FixedPointError(f"{text!r} has more than {MAX_PRECISION} decimals")
            frac = frac[:MAX_PRECISION]
        raw = int(whole or "0") * FIXED_SCALE + int(frac.ljust(MAX_PRECISION, "0"))
        if sign == "-":
            raw = -raw
    else:
        raw = _parse_exponent(text, s)
    return _check_range(text, raw, unsigned=unsigned)


def _parse_exponent(text: str, s: str) -> int:
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise FixedPointError(f"{text!r} is not a decimal number") from None
    if not value.is_finite():
        raise FixedPointError(f"{text!r} is not a decimal number")
    scaled = value.scaleb(MAX_PRECISION)
    if scaled != scaled.to_integral_value():
        raise FixedPointError(f"{text!r} has more than {MAX_PRECISION} decimals")
    return int(scaled)


def _check_range(text: str, raw: int, *, unsigned: bool) -> int:
    if unsigned:
        if raw < 0:
            raise FixedPointError(f"{text!r} is negative")
        if raw > _U64_MAX:
            raise FixedPointError(f"{text!r} is too large")
    elif not -_I64_MAX <= raw <= _I64_MAX:
        raise FixedPointError(f"{text!r} is too large")
    return raw


def raw_step(raws: Iterable[int]) -> int:
    """The largest power of ten (in raw units) that divides every value: 10**9 for whole numbers,
    10**7 for values with at most two decimals; 10**9 when there are no values."""
    step = FIXED_SCALE
    for raw in raws:
        while step > 1 and raw % step:
            step //= 10
    return step


def precision_of(step: int) -> int:
    """The number of decimals a raw step stands for: 10**7 -> 2."""
    precision = MAX_PRECISION
    while step >= 10:  # noqa: PLR2004  (a power of ten)
        step //= 10
        precision -= 1
    return precision


def format_raw(raw: int, precision: int) -> str:
    """``format_raw(61_837_630_000_000, 2) == "61837.63"``."""
    sign = "-" if raw < 0 else ""
    whole, frac = divmod(abs(raw), FIXED_SCALE)
    if precision == 0:
        return f"{sign}{whole}"
    digits = f"{frac:09d}"[:precision]
    return f"{sign}{whole}.{digits}"
