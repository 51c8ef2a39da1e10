"""The Python EngineConfig mirrors the Rust one: a round trip in both directions fails on any
drift; TOML errors name the file and the key."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import msgspec
import pytest

from nautui import ConfigError, Engine, EngineConfig, load_engine_config
from nautui._core import engine_config_example, engine_config_roundtrip
from nautui.config import (
    FixedLatency,
    LatencyRange,
    RandomLatency,
    RateLimit,
    RiskConfig,
    VenueConfig,
    encode_config,
)
from nautui.events import AccountType, Money


def full_config() -> EngineConfig:
    """Every optional field set, so a field either side lacks shows up."""
    return EngineConfig(
        account_id="ACC-1",
        account_type=AccountType.CASH,
        starting_balances=[Money(Decimal("1000.5"), "USDT"), Money(Decimal("2"), "BTC")],
        venue=VenueConfig(
            venue="SIM",
            account_id="ACC-1",
            book_mode="L2",
            outages=[(5, 10)],
            queue_position=True,
            trade_fills=False,
        ),
        latency=RandomLatency(
            seed=3,
            submit=LatencyRange(min_ns=1, max_ns=2),
            cancel=LatencyRange(min_ns=3, max_ns=4),
            modify=LatencyRange(min_ns=5, max_ns=6),
            response=LatencyRange(min_ns=7, max_ns=8),
        ),
        risk=RiskConfig(
            max_order_quantity={"BTCUSDT.SIM": Decimal("2.5")},
            max_notional_per_order=Money(Decimal("100000"), "USDT"),
            price_band=Decimal("0.1"),
            max_open_orders=10,
            submit_rate=RateLimit(count=5, interval_ns=1_000),
            modify_rate=RateLimit(count=6, interval_ns=2_000),
            max_position=Decimal("7"),
        ),
        record_market_data=True,
    )


def test_python_config_survives_the_rust_round_trip() -> None:
    config = full_config()
    back = msgspec.msgpack.decode(engine_config_roundtrip(encode_config(config)), type=EngineConfig)
    assert back == config


def test_defaults_survive_the_rust_round_trip() -> None:
    config = EngineConfig(starting_balances=[Money(Decimal("1"), "USD")])
    back = msgspec.msgpack.decode(engine_config_roundtrip(encode_config(config)), type=EngineConfig)
    assert back == config
    assert back.latency == FixedLatency()


def test_rust_example_decodes_strictly_in_python() -> None:
    # forbid_unknown_fields: a field Rust has and Python lacks fails here.
    config = msgspec.msgpack.decode(engine_config_example(), type=EngineConfig)
    assert config.record_market_data is True
    assert config.venue is not None
    assert config.venue.outages == [(10, 20)]
    assert isinstance(config.latency, RandomLatency)
    assert config.risk.max_position == {"BTCUSDT.SIM": Decimal("3.5")}
    assert (
        msgspec.msgpack.decode(engine_config_roundtrip(encode_config(config)), type=EngineConfig)
        == config
    )


def test_a_field_rust_does_not_know_is_refused() -> None:
    payload = msgspec.msgpack.encode({**msgspec.to_builtins(full_config()), "surprise": 1})
    with pytest.raises(ConfigError, match="surprise"):
        engine_config_roundtrip(payload)


def test_toml_config_loads(tmp_path: Path) -> None:
    path = tmp_path / "engine.toml"
    path.write_text(
        """
starting_balances = [{ amount = "100000", currency = "USDT" }]
account_type = "CASH"

[latency]
kind = "fixed"
submit_ns = 1000000

[risk]
max_open_orders = 5
submit_rate = { count = 10, interval_ns = 1000000000 }
"""
    )
    config = load_engine_config(path)
    assert config.latency == FixedLatency(submit_ns=1_000_000)
    assert config.risk.max_open_orders == 5
    Engine(config)  # the engine takes it


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ('starting_balances = []\n[risk]\nmax_open_orders = "many"\n', "risk.max_open_orders"),
        ("starting_balances = []\n[risk]\nsurprise = 1\n", "risk"),
        ('starting_balances = []\n[latency]\nkind = "slow"\n', "latency"),
        ('starting_balances = [{ amount = "1" }]\n', "starting_balances[0]"),
    ],
)
def test_toml_errors_name_file_and_key(tmp_path: Path, text: str, key: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_engine_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: key {key}"), message
    assert "\n" not in message


def test_invalid_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.toml"
    path.write_text("starting_balances = [\n")
    with pytest.raises(ConfigError, match=f"^{path}: not valid TOML"):
        load_engine_config(path)


def test_a_config_the_engine_refuses_is_a_config_error() -> None:
    inverted = LatencyRange(min_ns=9, max_ns=1)
    config = EngineConfig(
        starting_balances=[],
        latency=RandomLatency(
            seed=1, submit=inverted, cancel=inverted, modify=inverted, response=inverted
        ),
    )
    with pytest.raises(ConfigError, match="min_ns 9 is above max_ns 1"):
        Engine(config)
