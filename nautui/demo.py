"""``nautui demo``: a short real backtest on the built-in demo market.

A seeded synthetic market (quotes and trades from ``nautui.data.synthetic``) is written to a
temporary catalog; the example EMA cross strategy (``strategies/ema_cross.py``) trades it on
the simulated venue with 1 ms latency, and a summary is printed.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from rich.console import Console

from nautui import __version__
from nautui.backtest import BacktestConfig, run_backtest
from nautui.backtest.cli import print_summary
from nautui.data.catalog import Catalog
from nautui.data.synthetic import SyntheticMarket, generate

#: 100,000 quotes 1 ms apart: 100 s of market.
DEMO_MARKET = SyntheticMarket(instrument_id="DEMO-USD.SIM", seed=7, steps=100_000)


def main() -> int:
    """Runs the demo backtest and prints its summary; returns the exit status."""
    console = Console()
    console.print(f"nautui engine {__version__}: demo backtest on a synthetic market")
    with tempfile.TemporaryDirectory(prefix="nautui-demo-") as tmp:
        root = Path(tmp)
        generate(Catalog(root), DEMO_MARKET, kinds=["quotes", "trades"])
        config = BacktestConfig(
            strategy="ema_cross_py",
            data=str(root),
            params={"trade_size": "0.01", "fast_period": 50, "slow_period": 200},
            latency_ms=1.0,
            seed=DEMO_MARKET.seed,
            equity_interval_s=1.0,
            starting_balance="1000",
        )
        result = run_backtest(config)
    console.print(
        f"{DEMO_MARKET.steps:,} quotes of {DEMO_MARKET.instrument_id} (seed {DEMO_MARKET.seed}), "
        "EMA(50)/EMA(200) cross flipping +/-0.01, simulated venue with 1 ms latency"
    )
    print_summary(result, title="Demo backtest")
    return 0
