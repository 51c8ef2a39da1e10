"""``nautui backtest``: run a strategy over a catalog and print the results.

``--json`` prints one JSON object (counters, statistics, stream hash); otherwise a Rich table.
A progress bar goes to stderr when it is a terminal. A user mistake (missing file, bad param,
unknown strategy, bad TOML key) is one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import msgspec

from nautui.backtest.config import BacktestConfig, load_backtest_config
from nautui.backtest.results import BacktestResult
from nautui.backtest.runner import Progress, run_backtest, total_rows
from nautui.data.errors import DataError
from nautui.errors import NautuiError

__all__ = ["add_parser", "print_summary", "run"]


def _param(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, got {text!r}")
    return key.strip(), value.strip()


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser("backtest", help="run a strategy over market data", description=__doc__)
    p.add_argument("--strategy", help="PATH.py:Class, package.module:Class or a built-in NAME")
    p.add_argument("--data", help="a catalog folder or one of its Parquet files")
    p.add_argument(
        "--param", action="append", type=_param, default=[], metavar="KEY=VALUE",
        help="a strategy parameter (repeatable)",
    )  # fmt: skip
    p.add_argument("--config", help="a TOML file with the backtest config (flags override it)")
    p.add_argument("--instrument", help="the instrument id (when the data holds several)")
    p.add_argument("--book", choices=["l1", "l2"], help="simulated venue book (default l1)")
    p.add_argument("--latency-ms", type=float, help="mean venue latency, ms (default 0)")
    p.add_argument("--seed", type=int, help="seed of the latency draws (default 0)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _config(args: argparse.Namespace) -> BacktestConfig:
    overrides: dict[str, Any] = {
        key: value
        for key, value in (
            ("strategy", args.strategy),
            ("data", args.data),
            ("instrument", args.instrument),
            ("book", args.book),
            ("latency_ms", args.latency_ms),
            ("seed", args.seed),
        )
        if value is not None
    }
    params = dict(args.param)
    if args.config:
        return load_backtest_config(args.config, params=params, **overrides)
    for key in ("strategy", "data"):
        if key not in overrides:
            raise NautuiError(f"--{key} is required (or give --config FILE.toml)")
    try:
        return msgspec.convert({**overrides, "params": params}, type=BacktestConfig)
    except msgspec.ValidationError as error:
        raise NautuiError(f"bad option: {error}") from None


def run(args: argparse.Namespace) -> int:
    """Runs ``nautui backtest``; returns the exit status."""
    try:
        config = _config(args)
        if sys.stderr.isatty() and not args.json:
            result = _run_with_progress(config)
        else:
            result = run_backtest(config)
    except (NautuiError, DataError, OSError) as error:
        print(f"nautui backtest: {error}", file=sys.stderr)  # noqa: T201
        return 2
    if args.json:
        print(json.dumps(result.summary(), sort_keys=True))  # noqa: T201
    else:
        print_summary(result)
    return 0


def _run_with_progress(config: BacktestConfig) -> BacktestResult:
    from rich.progress import Progress as Bar  # noqa: PLC0415  (only on a terminal)

    total = total_rows(config)
    with Bar(transient=True) as bar:
        task = bar.add_task("backtest", total=total or None)
        update: Progress = lambda done: bar.update(task, completed=done)  # noqa: E731
        return run_backtest(config, progress=update)


def print_summary(result: BacktestResult, title: str = "Backtest") -> None:
    """A Rich table of the run's counters and statistics."""
    from rich.console import Console  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    s, c = result.statistics, result.counters
    table = Table(title=title, title_justify="left", show_header=False)
    table.add_column("metric")
    table.add_column("value", justify="right")
    rows = [
        ("orders", f"{int(c['orders']):,}"),
        ("fills", f"{int(c['fills']):,}"),
        ("round trips", f"{int(s['trades']):,}"),
        (f"pnl ({result.currency})", f"{s['pnl']:,.4f}"),
        ("return", f"{s['return']:.6%}"),
        ("sharpe", f"{s['sharpe']:.3f}"),
        ("sortino", f"{s['sortino']:.3f}"),
        ("max drawdown", f"{s['max_drawdown']:.4%}"),
        ("profit factor", f"{s['profit_factor']:.3f}"),
        ("win rate", f"{s['win_rate']:.2%}"),
        ("expectancy", f"{s['expectancy']:,.4f}"),
        ("events", f"{int(c['events']):,}"),
        ("wall time", f"{c['wall_s']:.3f} s"),
        ("events/s", f"{c['events_per_s']:,.0f}"),
        ("stream hash", result.stream_hash[:16]),
    ]
    for name, value in rows:
        table.add_row(name, value)
    Console().print(table)
