"""Backtests end to end on the real Binance spot recordings (../shared/data): the runner, its
results, determinism, the CLI and the example strategies."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from nautui import Engine, EngineConfig, FixedLatency, Strategy, VenueConfig, cli, events
from nautui.backtest import (
    BacktestConfig,
    BacktestResult,
    ColumnFeed,
    ResultCollector,
    load_backtest_config,
    run_backtest,
)
from nautui.backtest.results import fills_table
from nautui.data.binance import import_binance
from nautui.data.catalog import Catalog
from nautui.data.errors import DataError
from nautui.errors import ConfigError
from nautui.events import Money
from nautui.strategy import QuoteBatch
from strategies.market_maker import MarketMaker, MarketMakerConfig

replace = msgspec.structs.replace

IID = "BTCUSDT.BINANCE"


SPOT = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "binance" / "spot"
FILES = [SPOT / "btcusdt_20240808.gz", SPOT / "btcusdt_20240809.gz"]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Quotes and trades of BTCUSDT.BINANCE (about 11 minutes) in a temporary catalog."""
    if not all(f.exists() for f in FILES):
        reason = f"{SPOT} is absent: the real market data lives beside the checkout"
        if os.environ.get("CI"):
            pytest.fail(f"CI must have the market data: {reason}")
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("binance-catalog")
    import_binance(FILES, kinds=["quotes", "trades"]).write(Catalog(root))
    return root


def _config(catalog: Path, strategy: str, **kwargs: object) -> BacktestConfig:
    return msgspec.convert({"strategy": strategy, "data": str(catalog), **kwargs}, BacktestConfig)


def _signed_fills(result: BacktestResult) -> np.ndarray:
    qty = result.fills.column("last_qty").to_numpy()
    sign = np.where(np.array(result.fills.column("side").to_pylist()) == "BUY", 1.0, -1.0)
    return np.asarray(qty * sign, dtype=np.float64)


def _final_position(result: BacktestResult) -> float:
    quantities = result.positions.column("quantity").to_pylist()
    return float(sum(q for q in quantities if q is not None))


def _check_pnl_against_fills(result: BacktestResult, catalog: Path) -> None:
    """Final equity minus the start = cash flows of the fills, minus fees, plus the open
    position at the last quote's mid."""
    signed = _signed_fills(result)
    px = result.fills.column("last_px").to_numpy()
    fees = result.fills.column("commission").to_numpy().sum()
    quotes = Catalog(catalog).read("quotes", IID)
    last = quotes.num_rows - 1
    mid = (quotes["bid_price"][last].as_py() + quotes["ask_price"][last].as_py()) / 2e9
    expected = float(-(signed * px).sum() - fees + signed.sum() * mid)
    assert result.statistics["pnl"] == pytest.approx(expected, abs=1e-6)
    assert _final_position(result) == pytest.approx(signed.sum(), abs=1e-9)


def _comparable(result: BacktestResult) -> dict[str, object]:
    summary = result.summary()
    del summary["wall_s"], summary["events_per_s"]
    return {
        "summary": summary,
        "orders": result.orders.to_pylist(),
        "fills": result.fills.to_pylist(),
        "positions": result.positions.to_pylist(),
        "equity": result.equity.to_pylist(),
        "trades": result.trades.to_pylist(),
    }


# ---- determinism -----------------------------------------------------------------------------


def test_same_config_twice_gives_identical_results_and_stream_hash(catalog: Path) -> None:
    config = _config(catalog, "ema_cross", params={"trade_size": "0.01"}, latency_ms=5.0, seed=3)
    first, second = run_backtest(config), run_backtest(config)
    assert first.counters["orders"] > 50
    assert first.stream_hash == second.stream_hash
    assert _comparable(first) == _comparable(second)


def test_seed_and_latency_change_the_stream_hash(catalog: Path) -> None:
    base = _config(catalog, "ema_cross", params={"trade_size": "0.01"}, latency_ms=5.0, seed=3)
    hashes = {
        run_backtest(c).stream_hash
        for c in (base, replace(base, seed=4), replace(base, latency_ms=20.0))
    }
    assert len(hashes) == 3


# ---- results -------------------------------------------------------------------------------


def test_rust_ema_cross_results_are_consistent(catalog: Path) -> None:
    result = run_backtest(_config(catalog, "ema_cross", params={"trade_size": "0.01"}))
    assert result.orders.num_rows == result.counters["orders"] > 0
    assert result.fills.num_rows == result.counters["fills"] > 0
    assert set(result.orders.column("order_type").to_pylist()) == {"MARKET"}
    filled = pc.sum(result.orders.column("filled_qty")).as_py()
    assert filled == pytest.approx(float(np.abs(_signed_fills(result)).sum()))
    _check_pnl_against_fills(result, catalog)
    equity = result.equity.column("equity").to_numpy()
    assert equity[0] == 1_000_000.0
    assert np.all(np.diff(result.equity.column("ts").to_numpy().astype(np.int64)) >= 0)
    assert result.statistics["trades"] == result.trades.num_rows > 0
    assert result.counters["events_per_s"] > 0
    assert 0.0 <= result.statistics["max_drawdown"] < 1.0


def test_single_parquet_file_and_toml_config(catalog: Path, tmp_path: Path) -> None:
    day = Catalog(catalog).files("quotes", IID)[0]
    toml = tmp_path / "bt.toml"
    toml.write_text(
        f'strategy = "ema_cross"\ndata = "{day}"\nlatency_ms = 1.0\n'
        '[params]\ntrade_size = "0.01"\nfast_period = 5\n'
    )
    config = load_backtest_config(toml, params={"slow_period": 30})
    assert config.params == {"trade_size": "0.01", "fast_period": 5, "slow_period": 30}
    result = run_backtest(config)
    assert result.counters["quotes"] == pq.ParquetFile(day).metadata.num_rows
    assert result.counters["fills"] > 0


def test_config_mistakes_name_the_key(catalog: Path, tmp_path: Path) -> None:
    toml = tmp_path / "bad.toml"
    toml.write_text(f'strategy = "ema_cross"\ndata = "{catalog}"\nlatency = 1\n')
    with pytest.raises(ConfigError, match=r"bad\.toml.*latency"):
        load_backtest_config(toml)
    with pytest.raises(ConfigError, match="fast_period"):
        run_backtest(_config(catalog, "ema_cross", params={"trade_size": "1", "fast_period": "x"}))
    with pytest.raises(ConfigError, match="nope"):
        run_backtest(_config(catalog, "strategies.ema_cross:nope"))
    with pytest.raises(ConfigError, match="instrument"):
        run_backtest(_config(catalog, "ema_cross", instrument="ETHUSDT.BINANCE"))


# ---- CLI -----------------------------------------------------------------------------------


def test_cli_json_prints_one_object(catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["backtest", "--strategy", "ema_cross", "--data", str(catalog), "--json"]
    assert cli.main([*argv, "--param", "trade_size=0.01", "--latency-ms", "2", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    summary = json.loads(out)
    for key in (
        "orders", "fills", "pnl", "return", "sharpe", "sortino", "max_drawdown", "win_rate",
        "events", "wall_s", "events_per_s", "stream_hash",
    ):  # fmt: skip
        assert key in summary
    assert summary["orders"] > 0


def test_cli_summary_table(catalog: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["backtest", "--strategy", "ema_cross", "--data", str(catalog)]
    assert cli.main([*argv, "--param", "trade_size=0.01", "--book", "l1"]) == 0
    out = capsys.readouterr().out
    for label in ("orders", "fills", "sharpe", "max drawdown", "events/s"):
        assert label in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--strategy", "ema_cross", "--data", "missing-catalog"], "missing-catalog"),
        (["--strategy", "ema_cross", "--param", "fast_period=x"], "fast_period"),
        (["--strategy", "no_such_strategy"], "no_such_strategy"),
        (["--strategy", "missing.py:Thing"], "missing.py"),
        (["--strategy", "strategies.spread_taker:SpreadTaker", "--param", "bogus=1"], "bogus"),
    ],
)
def test_cli_user_mistakes_are_one_line_and_exit_2(
    catalog: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    if "--data" not in args:
        args = [*args, "--data", str(catalog)]
    assert cli.main(["backtest", *args]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1
    assert message in captured.err
    assert "Traceback" not in captured.err


def test_cli_bad_toml_key_is_one_line(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toml = tmp_path / "run.toml"
    toml.write_text(f'strategy = "ema_cross"\ndata = "{catalog}"\nlatnecy_ms = 1\n')
    assert cli.main(["backtest", "--config", str(toml)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "run.toml" in err
    assert "latnecy_ms" in err


# ---- example strategies --------------------------------------------------------------------


def test_python_ema_cross_flips_between_long_and_short(catalog: Path) -> None:
    size = 0.01
    result = run_backtest(
        _config(catalog, "ema_cross_py", params={"trade_size": str(size)}, latency_ms=2.0)
    )
    assert result.counters["orders"] > 20
    assert result.counters["fills"] > 20
    held = np.cumsum(_signed_fills(result))
    assert held.max() == pytest.approx(size)
    assert held.min() == pytest.approx(-size)
    assert np.all(np.abs(held) <= size + 1e-12)
    # Flips: an order after the first trades up to twice the size (short -> long or back).
    quantities = result.orders.column("quantity").to_numpy()
    assert quantities.max() == pytest.approx(2 * size)
    _check_pnl_against_fills(result, catalog)


def test_rust_and_python_ema_cross_hold_the_target_and_book_the_same_round_trips(
    catalog: Path,
) -> None:
    """Both hold +/- trade_size (0.01 by default in both): a partly filled IOC order is topped
    up on a later quote, never past the target."""
    results = [
        run_backtest(_config(catalog, name, latency_ms=5.0, seed=1))
        for name in ("ema_cross", "ema_cross_py")
    ]
    size = 0.01
    for result in results:
        held = np.cumsum(_signed_fills(result))
        assert np.all(np.abs(held) <= size + 1e-9)
        assert min(abs(held[-1]), abs(abs(held[-1]) - size)) < 1e-9, held[-1]
        assert result.statistics["trades"] > 20
        _check_pnl_against_fills(result, catalog)
    rust, python = results
    assert rust.trades.to_pylist() == python.trades.to_pylist()
    columns = ["ts_event", "side", "last_qty", "last_px", "commission"]
    assert rust.fills.select(columns).to_pylist() == python.fills.select(columns).to_pylist()
    partial = [
        row["client_order_id"]
        for row in rust.orders.to_pylist()
        if row["status"] == "CANCELED" and row["filled_qty"]
    ]
    assert partial, "the data has IOC orders the touch could not fill whole"


def test_python_ema_cross_from_a_file_path_matches_the_named_example(catalog: Path) -> None:
    path = Path(__file__).resolve().parents[1] / "strategies" / "ema_cross.py"
    params = {"trade_size": "0.01", "fast_period": 5}
    window = {"params": params, "end": "2024-08-08T23:57:00"}  # the first three minutes
    by_name = run_backtest(_config(catalog, "ema_cross_py", **window))
    by_path = run_backtest(_config(catalog, f"{path}:EmaCross", **window))
    assert 0 < by_name.counters["quotes"] < 40_000
    assert by_name.stream_hash == by_path.stream_hash


def test_spread_taker_buys_only_below_max_spread(catalog: Path) -> None:
    # BTCUSDT's spread is never below one tick (0.01): nothing to do.
    quiet = run_backtest(_config(catalog, "spread_taker", params={"max_spread": "0.01"}))
    assert quiet.counters["orders"] == 0
    busy = run_backtest(
        _config(catalog, "spread_taker", params={"max_spread": "0.011"}, latency_ms=2.0)
    )
    sides = busy.orders.column("side").to_pylist()
    assert sides.count("BUY") > 10
    assert sides.count("SELL") > 0, "the position is sold when it reaches max_position"
    held = np.cumsum(_signed_fills(busy))
    assert held.min() >= -1e-12, "it never goes short"
    assert held.max() <= 0.005 + 1e-12
    assert busy.statistics["trades"] > 0
    _check_pnl_against_fills(busy, catalog)


def test_market_maker_quotes_both_sides_cancels_and_bounds_inventory(catalog: Path) -> None:
    result = run_backtest(
        _config(
            catalog,
            "market_maker",
            params={"trade_size": "0.001", "max_inventory": "0.003"},
            latency_ms=5.0,
        )
    )
    orders, fills = result.orders, result.fills
    assert set(orders.column("order_type").to_pylist()) == {"LIMIT"}
    assert set(fills.column("side").to_pylist()) == {"BUY", "SELL"}
    statuses = orders.column("status").to_pylist()
    assert statuses.count("CANCELED") > 5
    assert all(s in {"FILLED", "CANCELED", "REJECTED", "ACCEPTED"} for s in statuses)
    # Partial fills: some orders filled in several pieces.
    ids = fills.column("client_order_id").to_pylist()
    assert len(ids) > len(set(ids))
    assert statuses.count("ACCEPTED") + statuses.count("PARTIALLY_FILLED") <= 2, "two quotes"
    held = np.cumsum(_signed_fills(result))
    assert np.abs(held).max() <= 0.003 + 0.001 + 1e-12
    assert set(fills.column("liquidity_side").to_pylist()) == {"MAKER"}
    _check_pnl_against_fills(result, catalog)


# ---- every kind as columns -----------------------------------------------------------------


@pytest.fixture(scope="module")
def l2_catalog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Quotes, trades, the book snapshot and the depth deltas of BTCUSDT.BINANCE."""
    if not all(f.exists() for f in FILES):
        pytest.skip(f"{SPOT} is absent: the real market data lives beside the checkout")
    root = tmp_path_factory.mktemp("binance-l2")
    import_binance(FILES).write(Catalog(root))
    return root


def _sliced(batches: Iterator[pa.RecordBatch], size: int) -> Iterator[pa.RecordBatch]:
    """The same rows in slices of ``size``: columns with offsets, bitmaps cut mid-byte and book
    updates cut between batches."""
    for batch in batches:
        for start in range(0, batch.num_rows, size):
            yield batch.slice(start, size)


def _feed_run(catalog: Path, slice_rows: int | None) -> tuple[str, pa.Table, dict[str, int]]:
    """The market maker over the L2 catalog, through a ColumnFeed driven here."""
    data = Catalog(catalog)
    engine = Engine(
        EngineConfig(
            starting_balances=[Money(Decimal(1_000_000), "USDT")],
            venue=VenueConfig(book_mode="L2"),
            latency=FixedLatency(submit_ns=2_000_000, response_ns=2_000_000),
        )
    )
    engine.add_instrument(data.instruments()[IID])
    engine.add_strategy(
        MarketMaker(
            MarketMakerConfig(strategy_id="mm", instrument_id=IID, trade_size=Decimal("0.001"))
        )
    )
    feed = ColumnFeed(engine)
    kinds = ("quotes", "snapshots", "deltas", "trades")
    batches = []
    for kind in kinds:
        feed.add(kind, IID)
        stream = data.stream(kind, IID)
        batches.append(stream if slice_rows is None else _sliced(stream, slice_rows))
    collector = ResultCollector(engine)
    engine.start()
    while (need := feed.run()) is not None:
        collector.drain()
        batch = next(batches[need], None)
        if batch is None:
            feed.finish(need)
        else:
            feed.push(need, batch)
    engine.stop()
    collector.drain()
    rows = {kind: feed.rows(kind) for kind in kinds}
    return collector.stream_hash, fills_table(collector), rows


def test_every_kind_as_columns_in_any_slicing_gives_the_same_run(l2_catalog: Path) -> None:
    whole_hash, whole_fills, rows = _feed_run(l2_catalog, None)
    sliced_hash, sliced_fills, sliced_rows = _feed_run(l2_catalog, 997)
    assert rows == sliced_rows
    assert rows["deltas"] > 250_000
    assert rows["trades"] == 19_904
    assert whole_fills.num_rows > 10
    assert sliced_fills.equals(whole_fills)
    assert sliced_hash == whole_hash


def test_l2_backtest_from_the_catalog(l2_catalog: Path) -> None:
    config = _config(
        l2_catalog, "market_maker", params={"trade_size": "0.001"}, latency_ms=2.0, book="l2"
    )
    first, second = run_backtest(config), run_backtest(config)
    counters = first.counters
    delta_rows = Catalog(l2_catalog).count("deltas", IID)
    snapshot_rows = Catalog(l2_catalog).count("snapshots", IID)
    assert counters["data_rows"] == counters["quotes"] + 19_904 + delta_rows + snapshot_rows
    assert first.counters["fills"] == first.fills.num_rows > 10
    assert first.stream_hash == second.stream_hash
    assert _comparable(first) == _comparable(second)
    _check_pnl_against_fills(first, l2_catalog)
    without_trades = run_backtest(replace(config, trades=False))
    assert without_trades.counters["data_rows"] == counters["data_rows"] - 19_904


class BarCounter(Strategy):
    """Counts bars and checks they arrive in time order."""

    count = 0
    last_ts = 0

    def on_bar(self, bar: events.Bar) -> None:
        assert bar.ts_init >= BarCounter.last_ts
        BarCounter.last_ts = bar.ts_init
        BarCounter.count += 1


def test_one_minute_bars_reach_on_bar(tmp_path: Path) -> None:
    bars = SPOT.parent.parent / "nautilus-samples" / "btc-perp-20211231-20220201_1m.csv"
    if not bars.exists():
        pytest.skip(f"{bars} is absent: the real market data lives beside the checkout")
    catalog = tmp_path / "bars"
    argv = ["data", "import", "bars", str(bars), "--instrument", "BTC-PERP.SIM"]
    argv += ["--size-precision", "4", "--quote-currency", "USD", "--catalog", str(catalog)]
    assert cli.main(argv) == 0
    BarCounter.count = BarCounter.last_ts = 0
    result = run_backtest(_config(catalog, f"{__name__}:BarCounter"))
    assert BarCounter.count == 45_031
    assert result.counters["data_rows"] == result.counters["events_in"] == 45_031
    BarCounter.count = 0
    assert (
        run_backtest(_config(catalog, f"{__name__}:BarCounter", bars=False)).counters["data_rows"]
        == 0
    )
    assert BarCounter.count == 0


def test_bad_data_is_one_line_naming_the_file_row_and_field(
    catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(catalog, bad)
    day = Catalog(bad).files("trades", IID)[0]
    table = pq.read_table(day)
    prices = table["price"].to_numpy().copy()
    prices[1234] += 1  # one unit of 10^-9: off the instrument's grid of cents
    pq.write_table(table.set_column(2, "price", pa.array(prices)), day)
    with pytest.raises(DataError, match=rf"{day.name}: row 1234: price: .* more than 2 decimals"):
        run_backtest(_config(bad, "ema_cross", params={"trade_size": "0.01"}))
    argv = ["backtest", "--strategy", "ema_cross", "--data", str(bad), "--param", "trade_size=1"]
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "row 1234: price" in err
    assert "Traceback" not in err


class BlockBuyer(Strategy):
    """Vectorised: sees each quote block once the engine has applied it; buys once."""

    rows: ClassVar[list[int]] = []
    bought = False

    def on_quote_batch(self, batch: QuoteBatch) -> None:
        BlockBuyer.rows.append(len(batch.ts_init))
        assert self.now == int(batch.ts_init[-1])
        if not BlockBuyer.bought:
            BlockBuyer.bought = True
            self.submit_order(IID, "BUY", "0.01")


def test_quote_batches_reach_on_quote_batch_after_the_engine(catalog: Path) -> None:
    BlockBuyer.rows, BlockBuyer.bought = [], False
    result = run_backtest(_config(catalog, f"{__name__}:BlockBuyer"))
    assert sum(BlockBuyer.rows) == result.counters["quotes"]
    assert len(BlockBuyer.rows) >= 2
    assert result.counters["fills"] == 1
