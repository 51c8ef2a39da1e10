"""What to backtest: ``BacktestConfig``, a strict msgspec Struct loadable from TOML.

```toml
strategy = "strategies/ema_cross.py:EmaCross"   # or "package.module:Class", or a built-in NAME
data = "catalog"                                  # a catalog folder, or one of its Parquet files
instrument = "BTCUSDT.BINANCE"                    # optional when the data holds one instrument
book = "l1"                                       # l1 | l2 (the simulated venue's book)
latency_ms = 5.0
seed = 7
starting_balance = "1000000"

[params]
fast_period = 10
slow_period = 20
trade_size = "0.01"
```
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from nautui.config import _key_first
from nautui.errors import ConfigError

__all__ = ["BacktestConfig", "load_backtest_config"]

_NonNegative = Annotated[float, msgspec.Meta(ge=0)]


class BacktestConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """One backtest: a strategy, its parameters, the data and the simulated venue."""

    #: ``PATH.py:Class`` or ``package.module:Class`` (a ``nautui.Strategy`` subclass), or the
    #: name of a built-in: ``ema_cross`` (Rust) or an example in ``strategies/``
    #: (``ema_cross_py``, ``spread_taker``, ``market_maker``).
    strategy: str
    #: A catalog folder, or one Parquet file of a catalog.
    data: str
    #: Strategy parameters (its config's fields); ``strategy_id`` and ``instrument_id`` are
    #: filled in when the config has them and they are not given.
    params: dict[str, Any] = {}
    #: The instrument to trade; may be left out when the data holds one.
    instrument: str | None = None
    book: Literal["l1", "l2"] = "l1"
    #: Mean latency of every command to the venue and every response from it (ms).
    latency_ms: _NonNegative = 0.0
    #: Seeds the latency draws: each delay is uniform in [latency/2, 3*latency/2].
    seed: Annotated[int, msgspec.Meta(ge=0)] = 0
    #: Starting balance in the instrument's quote currency.
    starting_balance: str = "1000000"
    strategy_id: str = "S-001"
    #: Feed the catalog's trades (stops, and limit fills when the market trades through).
    trades: bool = True
    #: Feed the catalog's bars of the instrument (every bar type) to ``on_bar``.
    bars: bool = True
    #: Equity curve sampling period (s of market time); Sharpe/Sortino annualise with it.
    equity_interval_s: Annotated[float, msgspec.Meta(gt=0)] = 60.0
    #: Optional time bounds: ns, or ISO dates/times.
    start: int | str | None = None
    end: int | str | None = None


def load_backtest_config(path: str | Path, **overrides: object) -> BacktestConfig:
    """Reads a ``BacktestConfig`` from TOML; ``overrides`` replace keys of the file (and
    ``params`` are merged). ``ConfigError`` names the file and the key."""
    path = Path(path)
    try:
        data = msgspec.toml.decode(path.read_bytes())
    except OSError as error:
        raise ConfigError(f"{path}: cannot read: {error.strerror}") from None
    except msgspec.DecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a TOML table")
    extra = overrides.pop("params", None)
    params = {**data.get("params", {}), **(extra if isinstance(extra, dict) else {})}
    data.update(overrides)
    if params:
        data["params"] = params
    try:
        return msgspec.convert(data, type=BacktestConfig)
    except msgspec.ValidationError as error:
        raise ConfigError(f"{path}: {_key_first(str(error))}") from None
