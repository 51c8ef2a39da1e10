"""Timestamps in text to integer nanoseconds (UTC), exactly."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Literal

__all__ = ["TimeUnit", "parse_timestamp"]

TimeUnit = Literal["auto", "s", "ms", "us", "ns"]
_UNIT_NS = {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1}
_ISO = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?"
)
_EPOCH = date(1970, 1, 1).toordinal()


def _auto_unit(digits: str) -> int:
    # 2001-09-09 and later have 10 digits in seconds, 13 in ms, 16 in us, 19 in ns.
    n = len(digits.lstrip("0"))
    if n <= 11:  # noqa: PLR2004
        return _UNIT_NS["s"]
    if n <= 14:  # noqa: PLR2004
        return _UNIT_NS["ms"]
    if n <= 17:  # noqa: PLR2004
        return _UNIT_NS["us"]
    return 1


def parse_timestamp(text: str, *, unit: TimeUnit = "auto", fmt: str | None = None) -> int:
    """Nanoseconds since the Unix epoch. ``text`` is an integer count of ``unit`` (``auto``
    guesses s/ms/us/ns from the number of digits), an ISO 8601 date-time (naive means UTC; up
    to 9 fractional digits), or matches the ``strptime`` format ``fmt``. Raises ValueError."""
    s = text.strip()
    if fmt is not None:
        parsed = datetime.strptime(s, fmt)  # noqa: DTZ007  (naive means UTC, made aware below)
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        delta = parsed - datetime(1970, 1, 1, tzinfo=UTC)
        return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000
    if s.isdigit():
        return int(s) * (_auto_unit(s) if unit == "auto" else _UNIT_NS[unit])
    match = _ISO.fullmatch(s)
    if match is None:
        raise ValueError(f"{text!r} is not a timestamp (integer or ISO 8601)")
    year, month, day, hour, minute, second, frac, zone = match.groups()
    days = date(int(year), int(month), int(day)).toordinal() - _EPOCH
    seconds = days * 86_400 + int(hour or 0) * 3600 + int(minute or 0) * 60 + int(second or 0)
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        zone_digits = zone[1:].replace(":", "")
        seconds -= sign * (int(zone_digits[:2]) * 3600 + int(zone_digits[2:]) * 60)
    return seconds * 1_000_000_000 + int((frac or "").ljust(9, "0"))
