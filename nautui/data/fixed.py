"""Exact decimal text to raw fixed-point integers (1e-9 scale), never through a float."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from functools import lru_cache

__all__ = [
    "FIXED_SCALE",
    "MAX_PRECISION",
    "FixedPointError",
    "format_raw",
    "parse_raw",
]

#: Raw integers count units of 1e-9: a price of 1.5 is stored as 1_500_000_000.
FIXED_SCALE = 1_000_000_000
MAX_PRECISION = 9
_I64_MAX = 2**63 - 1
_U64_MAX = 2**64 - 1
_PLAIN = re.compile(r"([+-]?)(\d*)(?:\.(\d*))?")


class FixedPointError(ValueError):
    """A text that is not an exact decimal the catalog can store; the message says why."""


def parse_raw(text: str, *, unsigned: bool = False, precision: int | None = None) -> int:
    """``"61837.63"`` -> ``61_837_630_000_000``: the value in units of 1e-9, exactly.

    Accepts plain decimals and exponent forms (``1e-5``). Refuses anything with a non-zero digit
    below 1e-9, negative values when ``unsigned``, and values that overflow the column
    (int64 for prices, uint64 for sizes). With ``precision``, a value with more decimals is
    rounded to it (half to even, in decimal arithmetic): for files whose numbers were printed
    from floats (``218102.59507500002``).
    """
    if precision is None:
        fast = _plain_unsigned(text)
        if fast is not None:
            return fast
    s = text.strip()
    match = _PLAIN.fullmatch(s)
    limit = MAX_PRECISION if precision is None else precision
    if match is not None and (match.group(2) or match.group(3)):
        sign, whole, frac = match.group(1), match.group(2), match.group(3) or ""
        if len(frac) > limit and frac[limit:].strip("0"):
            if precision is not None:
                return _check_range(text, _rounded(s, precision), unsigned=unsigned)
            raise FixedPointError(
                f"{text!r} has more than {MAX_PRECISION} decimals (give a precision to round)"
            )
        if len(frac) > MAX_PRECISION:
            frac = frac[:MAX_PRECISION]
        raw = int(whole or "0") * FIXED_SCALE + int(frac.ljust(MAX_PRECISION, "0"))
        if sign == "-":
            raw = -raw
    elif precision is not None:
        raw = _rounded(s, precision)
    else:
        raw = _parse_exponent(text, s)
    return _check_range(text, raw, unsigned=unsigned)


@lru_cache(maxsize=1 << 16)
def _plain_unsigned(text: str) -> int | None:
    """The common case, cached (market data repeats its prices): ``digits[.digits]`` with at
    most 9 decimals and in range; None for anything else."""
    whole, _, frac = text.partition(".")
    if not (text.isascii() and whole.isdigit() and (not frac or frac.isdigit())):
        return None
    if len(frac) > MAX_PRECISION:
        return None
    raw = int(whole) * FIXED_SCALE + (int(frac.ljust(MAX_PRECISION, "0")) if frac else 0)
    return raw if raw <= _I64_MAX else None


def _decimal(text: str, s: str) -> Decimal:
    try:
        value = Decimal(s)
    except InvalidOperation:
        raise FixedPointError(f"{text!r} is not a decimal number") from None
    if not value.is_finite():
        raise FixedPointError(f"{text!r} is not a decimal number")
    return value


def _rounded(s: str, precision: int) -> int:
    value = _decimal(s, s).quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_EVEN)
    return int(value.scaleb(MAX_PRECISION))


def _parse_exponent(text: str, s: str) -> int:
    value = _decimal(text, s)
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


def format_raw(raw: int, precision: int) -> str:
    """``format_raw(61_837_630_000_000, 2) == "61837.63"``."""
    sign = "-" if raw < 0 else ""
    whole, frac = divmod(abs(raw), FIXED_SCALE)
    if precision == 0:
        return f"{sign}{whole}"
    digits = f"{frac:09d}"[:precision]
    return f"{sign}{whole}.{digits}"
