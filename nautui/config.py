"""Engine configuration as msgspec Structs, loadable from TOML.

These mirror the Rust ``engine::EngineConfig`` (core/src/engine/config.rs) and the configs it
holds, field for field. They cross to the engine as MessagePack with named fields and serde
reads them there, so the Rust types stay the one source of truth: a round-trip test in both
directions (tests/test_engine_config.py) fails on any drift.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal, TypeAlias

import msgspec

from nautui.errors import ConfigError
from nautui.events import AccountType, Money

__all__ = [
    "EngineConfig",
    "FixedLatency",
    "LatencyConfig",
    "LatencyRange",
    "RandomLatency",
    "RateLimit",
    "RiskConfig",
    "VenueConfig",
    "encode_config",
    "load_engine_config",
]

U64: TypeAlias = Annotated[int, msgspec.Meta(ge=0)]


class _Config(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A config section: unknown keys are errors."""


class LatencyRange(_Config, frozen=True):
    """An inclusive range of nanoseconds."""

    min_ns: U64
    max_ns: U64


class FixedLatency(_Config, frozen=True, tag="fixed", tag_field="kind"):
    """The same delay every time, per kind of message (ns)."""

    submit_ns: U64 = 0
    cancel_ns: U64 = 0
    modify_ns: U64 = 0
    response_ns: U64 = 0


class RandomLatency(_Config, frozen=True, tag="random", tag_field="kind"):
    """Delays uniform in a range per kind of message, from a seeded generator."""

    seed: U64
    submit: LatencyRange
    cancel: LatencyRange
    modify: LatencyRange
    response: LatencyRange


LatencyConfig: TypeAlias = FixedLatency | RandomLatency


class RateLimit(_Config, frozen=True):
    """At most ``count`` commands in any sliding window of ``interval_ns``."""

    count: U64
    interval_ns: U64


QuantityLimit: TypeAlias = Decimal | dict[str, Decimal]
"""One limit for every instrument, or a limit per instrument id."""


class RiskConfig(_Config, frozen=True):
    """Pre-trade checks; an absent field disables its check."""

    max_order_quantity: QuantityLimit | None = None
    max_notional_per_order: Money | None = None
    price_band: Decimal | None = None
    max_open_orders: U64 | None = None
    submit_rate: RateLimit | None = None
    modify_rate: RateLimit | None = None
    max_position: QuantityLimit | None = None


class VenueConfig(_Config, frozen=True):
    """The simulated venue."""

    venue: str = "SIM"
    account_id: str = "SIM-001"
    book_mode: Literal["L1", "L2"] = "L1"
    outages: list[tuple[U64, U64]] = []
    queue_position: bool = False
    trade_fills: bool = True


class EngineConfig(_Config, frozen=True):
    """How to build an engine: account, simulated venue (or none: live), latency, risk."""

    starting_balances: list[Money]
    account_id: str = "SIM-001"
    account_type: AccountType = AccountType.MARGIN
    venue: VenueConfig | None = VenueConfig()
    latency: LatencyConfig = FixedLatency()
    risk: RiskConfig = RiskConfig()
    record_market_data: bool = False


_encoder = msgspec.msgpack.Encoder()


def encode_config(config: EngineConfig) -> bytes:
    """The config as the engine reads it: MessagePack with named fields."""
    return _encoder.encode(config)


def load_engine_config(path: str | Path) -> EngineConfig:
    """Reads an ``EngineConfig`` from a TOML file. ``ConfigError`` names the file and the key."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    try:
        return msgspec.toml.decode(data, type=EngineConfig)
    except msgspec.ValidationError as error:
        raise ConfigError(f"{path}: {_key_first(str(error))}") from None
    except msgspec.DecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None


def _key_first(message: str) -> str:
    """msgspec says ``Expected int, got str - at `$.risk.max_open_orders```; lead with the key."""
    what, sep, where = message.rpartition(" - at ")
    if not sep:
        return message
    key = where.strip("`").removeprefix("$").removeprefix(".") or "(top level)"
    return f"key {key}: {what}"
