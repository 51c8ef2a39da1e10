"""``nautui demo``: the console on a paced synthetic market, or a short backtest's summary.

On a terminal, the console opens on a live demo: a seeded synthetic market (L2 book, quotes and
trades from ``nautui.data.synthetic``) is fed to an engine on a live clock at a steady pace, the
example market maker (``strategies/market_maker.py``) trades it on the simulated venue with
1 ms latency, and everything is recorded to an event log. When standard output is not a
terminal, the demo backtest runs instead and its summary is printed (for scripts and CI): the
example EMA cross on 100,000 synthetic quotes.
"""

from __future__ import annotations

import heapq
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import msgspec
import pyarrow as pa
from rich.console import Console

from nautui import Engine, EngineConfig, __version__, events
from nautui.backtest import BacktestConfig, run_backtest
from nautui.backtest.cli import print_summary
from nautui.config import FixedLatency, RiskConfig, VenueConfig
from nautui.data import schema
from nautui.data.catalog import Catalog
from nautui.data.synthetic import SyntheticMarket, generate
from nautui.events import Money

__all__ = ["DEMO_MARKET", "LIVE_MARKET", "DemoSession", "main"]

#: 100,000 quotes 1 ms apart: 100 s of market (the backtest summary).
DEMO_MARKET = SyntheticMarket(instrument_id="DEMO-USD.SIM", seed=7, steps=100_000)
#: The console's market: replayed at ``DemoSession.steps_per_s``, then again from the start.
LIVE_MARKET = SyntheticMarket(instrument_id="DEMO-USD.SIM", seed=7, steps=100_000, depth=20)
_KINDS = ("quotes", "snapshots", "deltas", "trades")
_SIDES = {schema.SIDE_BUY: events.OrderSide.BUY, schema.SIDE_SELL: events.OrderSide.SELL}
_ACTIONS = {
    schema.ACTION_ADD: events.BookAction.ADD,
    schema.ACTION_UPDATE: events.BookAction.UPDATE,
    schema.ACTION_DELETE: events.BookAction.DELETE,
    schema.ACTION_CLEAR: events.BookAction.CLEAR,
}
_AGGRESSORS = {
    schema.AGGRESSOR_BUYER: events.AggressorSide.BUYER,
    schema.AGGRESSOR_SELLER: events.AggressorSide.SELLER,
}


class _Units:
    """Raw fixed-point values (10^-9 units) as decimals at the instrument's precisions, as the
    engine reads them."""

    def __init__(self, price_precision: int, size_precision: int) -> None:
        self.price_step = Decimal(1).scaleb(-price_precision)
        self.size_step = Decimal(1).scaleb(-size_precision)

    def price(self, raw: int) -> Decimal:
        return Decimal(raw).scaleb(-9).quantize(self.price_step)

    def size(self, raw: int) -> Decimal:
        return Decimal(raw).scaleb(-9).quantize(self.size_step)


def _market_events(catalog: Catalog, instrument_id: str) -> Iterator[tuple[int, events.Event]]:
    """The catalog's market as events in time order (quotes, snapshots, deltas, trades at equal
    times, as backtests order them), with the step they belong to (their ``ts_init``)."""
    instrument = catalog.instruments()[instrument_id]
    units = _Units(instrument.price_precision, instrument.size_precision)

    def kind_events(rank: int, kind: str) -> Iterator[tuple[int, int, int, events.Event]]:
        open_rows: list[dict[str, int]] = []
        n = 0
        for batch in catalog.stream(kind, instrument_id):
            for row in pa.Table.from_batches([batch]).to_pylist():
                n += 1
                event = _event(kind, row, open_rows, instrument_id, units)
                if event is not None:
                    yield row["ts_init"], rank, n, event

    merged = heapq.merge(*(kind_events(rank, kind) for rank, kind in enumerate(_KINDS)))
    for ts, _, _, event in merged:
        yield ts, event


def _event(
    kind: str,
    row: dict[str, int],
    open_rows: list[dict[str, int]],
    instrument_id: str,
    units: _Units,
) -> events.Event | None:
    ts = {"ts_event": row["ts_event"], "ts_init": row["ts_init"]}
    if kind == "quotes":
        return events.QuoteTick(
            instrument_id=instrument_id,
            bid_price=units.price(row["bid_price"]),
            ask_price=units.price(row["ask_price"]),
            bid_size=units.size(row["bid_size"]),
            ask_size=units.size(row["ask_size"]),
            **ts,
        )
    if kind == "trades":
        return events.TradeTick(
            instrument_id=instrument_id,
            price=units.price(row["price"]),
            size=units.size(row["size"]),
            aggressor_side=_AGGRESSORS.get(
                row["aggressor_side"], events.AggressorSide.NO_AGGRESSOR
            ),
            trade_id=str(row["trade_id"]),
            **ts,
        )
    open_rows.append(row)
    if not row["batch_end"]:
        return None
    rows, open_rows[:] = list(open_rows), []
    if kind == "snapshots":
        level = [
            (r["side"], events.BookLevel(price=units.price(r["price"]), size=units.size(r["size"])))
            for r in rows
        ]
        return events.BookSnapshot(
            instrument_id=instrument_id,
            sequence=row["sequence"],
            bids=[lv for side, lv in level if side == schema.SIDE_BUY],
            asks=[lv for side, lv in level if side == schema.SIDE_SELL],
            **ts,
        )
    return events.BookDeltas(
        instrument_id=instrument_id,
        first_sequence=row["first_sequence"],
        sequence=row["sequence"],
        prev_sequence=row["prev_sequence"],
        deltas=[
            events.BookLevelDelta(
                action=_ACTIONS[r["action"]],
                side=_SIDES[r["side"]],
                price=units.price(r["price"]),
                size=units.size(r["size"]),
            )
            for r in rows
        ],
        **ts,
    )


class DemoSession:
    """The live demo (see the module documentation): an engine on a live clock, the market
    maker, an event log in ``folder``, and a feeder thread posting the synthetic market at
    ``steps_per_s`` market steps a second (each a quote, a book update and sometimes a trade)."""

    def __init__(
        self, folder: Path, *, steps_per_s: float = 200.0, market: SyntheticMarket = LIVE_MARKET
    ) -> None:
        self.folder = folder
        self.market = market
        self.steps_per_s = steps_per_s
        self.log_path = folder / "demo.db"
        self.catalog = Catalog(folder / "market")
        self.engine = Engine(
            EngineConfig(
                starting_balances=[Money(Decimal("100000"), "USD")],
                venue=VenueConfig(book_mode="L2", queue_position=True),
                latency=FixedLatency(
                    submit_ns=1_000_000,
                    cancel_ns=1_000_000,
                    modify_ns=1_000_000,
                    response_ns=1_000_000,
                ),
                risk=RiskConfig(max_open_orders=50),
                record_market_data=True,
            ),
            clock="live",
            keep_events=False,
        )
        self._stop = threading.Event()
        self._feeder: threading.Thread | None = None
        self.posted = 0
        self.error: BaseException | None = None

    def start(self) -> None:
        """Builds the market, starts the engine on its thread and the feeder on its own."""
        generate(self.catalog, self.market, kinds=list(_KINDS))
        instrument = self.catalog.instruments()[self.market.instrument_id]
        self.engine.add_instrument(instrument)
        self.engine.record_to(self.log_path, snapshot_every=10_000)
        from strategies.market_maker import MarketMaker, MarketMakerConfig  # noqa: PLC0415  (the example)

        config = MarketMakerConfig(
            strategy_id="mm",
            instrument_id=instrument.id,
            trade_size=Decimal("0.01"),
            max_inventory=Decimal("0.05"),
            edge=Decimal("0.01"),
            requote_distance=Decimal("0.03"),
        )
        self.engine.add_strategy(MarketMaker(config))
        self.engine.start()
        self.engine.serve_in_thread()
        self._feeder = threading.Thread(target=self._feed, name="nautui-demo-feed", daemon=True)
        self._feeder.start()

    def _feed(self) -> None:
        """Posts the market, paced, stamped with wall time; from the start again at its end."""
        try:
            while not self._stop.is_set():
                self._feed_once()
        except BaseException as error:  # noqa: BLE001  (kept for the console to show)
            self.error = error

    def _feed_once(self) -> None:
        tick_s = 0.02
        batch: list[events.Event] = []
        last_step, steps, started = None, 0, time.monotonic()
        for step, event in _market_events(self.catalog, self.market.instrument_id):
            if self._stop.is_set():
                return
            if step != last_step:
                last_step, steps = step, steps + 1
                due = started + steps / self.steps_per_s
                if due - time.monotonic() > tick_s and batch:
                    self._post(batch)
                    batch = []
                    time.sleep(max(due - time.monotonic(), 0))
            batch.append(event)
        if batch:
            self._post(batch)

    def _post(self, batch: list[events.Event]) -> None:
        now = time.time_ns()
        self.engine.post([msgspec.structs.replace(e, ts_event=now, ts_init=now) for e in batch])
        self.posted += len(batch)

    def stop(self) -> None:
        """Stops the feeder and the engine; records what is left."""
        self._stop.set()
        if self._feeder is not None:
            self._feeder.join()
        self.engine.stop_serving()
        self.engine.finish_log()


def console(steps_per_s: float = 200.0) -> int:
    """The console on the live demo."""
    from nautui.tui import EngineFeed, Mode, NautuiApp  # noqa: PLC0415  (the console is imported on use)
    from nautui.tui.actions import load_keymap  # noqa: PLC0415

    with tempfile.TemporaryDirectory(prefix="nautui-demo-") as tmp:
        session = DemoSession(Path(tmp), steps_per_s=steps_per_s)
        session.start()
        try:
            NautuiApp(EngineFeed(session.engine, Mode.DEMO), keymap=load_keymap()).run()
        finally:
            session.stop()
        Console().print(f"demo event log was {session.log_path} (deleted with the demo's folder)")
    return 0


def summary() -> int:
    """Runs the demo backtest and prints its summary; returns the exit status."""
    out = Console()
    out.print(f"nautui engine {__version__}: demo backtest on a synthetic market")
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
    out.print(
        f"{DEMO_MARKET.steps:,} quotes of {DEMO_MARKET.instrument_id} (seed {DEMO_MARKET.seed}), "
        "EMA(50)/EMA(200) cross flipping +/-0.01, simulated venue with 1 ms latency"
    )
    print_summary(result, title="Demo backtest")
    return 0


def main() -> int:
    """The console on a terminal, the backtest summary otherwise."""
    if sys.stdout.isatty() and sys.stdin.isatty():
        return console()
    return summary()
