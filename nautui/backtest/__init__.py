"""Backtests: ``run_backtest(BacktestConfig) -> BacktestResult``.

The runner builds an engine with the simulated venue, loads the strategy, streams the data's
record batches into the engine as columns (``ColumnFeed``: every kind, merged by time in Rust)
in bounded memory, and returns the orders, fills and positions as pyarrow Tables, the equity
curve, the statistics, counters and a hash of the event stream (``ResultCollector``, the
engine's, keeps those from the engine's output).
"""

from nautui._core import ResultCollector
from nautui.backtest.config import BacktestConfig, load_backtest_config
from nautui.backtest.feed import ColumnFeed
from nautui.backtest.results import BacktestResult
from nautui.backtest.runner import run_backtest

__all__ = [
    "BacktestConfig",
    "BacktestResult",
    "ColumnFeed",
    "ResultCollector",
    "load_backtest_config",
    "run_backtest",
]
