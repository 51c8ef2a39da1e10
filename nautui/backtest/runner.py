"""``run_backtest(config)``: builds the engine, loads the strategy, streams the data through it
in bounded memory and collects the results.

Every kind of data goes to the engine as columns: one stream per kind (quotes, book snapshots
and deltas, trades, and bars of each bar type), its record batches handed to the core's
``ColumnFeed`` one at a time as numpy views of their Arrow buffers. The feed merges the streams
by ``ts_init`` in Rust (at equal times quotes, snapshots, deltas, trades, then bars) and asks
for a stream's next batch when it has used one up, so at most one record batch per stream is
in memory. The engine's output goes to the core's ``ResultCollector``; no event crosses into
Python unless a strategy's callback asks for it.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import time
import typing
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import pyarrow as pa
import pyarrow.parquet as pq

from nautui._core import Instrument, ResultCollector
from nautui.backtest.config import BacktestConfig
from nautui.backtest.feed import ColumnFeed
from nautui.backtest.results import (
    BacktestResult,
    curve_tables,
    fills_table,
    orders_table,
    positions_table,
)
from nautui.config import EngineConfig, FixedLatency, LatencyRange, RandomLatency, VenueConfig
from nautui.data import schema
from nautui.data.catalog import INSTRUMENTS_FILE, Catalog, Located
from nautui.data.errors import DataError
from nautui.engine import Engine
from nautui.errors import ConfigError, NautuiError
from nautui.events import Money
from nautui.strategy import QuoteBatch, Strategy, StrategyConfig

__all__ = ["BUILTINS", "EXAMPLES", "run_backtest"]

#: Strategies written in Rust, selectable by name.
BUILTINS = ("ema_cross",)
#: The example Python strategies in ``strategies/``, by name.
EXAMPLES = {
    "ema_cross_py": "strategies.ema_cross:EmaCross",
    "spread_taker": "strategies.spread_taker:SpreadTaker",
    "market_maker": "strategies.market_maker:MarketMaker",
}
_NS_PER_YEAR = 365.25 * 86_400 * 1e9

_T = TypeVar("_T", bound=msgspec.Struct)

Progress = Callable[[int], None]
"""Called with the number of data rows processed so far."""


class _EmaCrossParams(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The parameters of the built-in Rust ``ema_cross`` (checked here, so a mistake names
    the key)."""

    fast_period: int = 10
    slow_period: int = 20
    trade_size: Decimal = Decimal("0.01")


# ---- data ------------------------------------------------------------------------------------


class _Data:
    """Where the record batches come from: a whole catalog, or one Parquet file of one."""

    def __init__(self, path: Path, start: int | str | None, end: int | str | None) -> None:
        self.file: Path | None = None
        if path.is_file():
            if path.suffix != ".parquet":
                raise ConfigError(f"data: {path}: not a Parquet file of a catalog")
            self.file = path
            meta = pq.read_schema(path).metadata or {}
            kind = meta.get(schema.META_KIND, b"").decode()
            self.file_kind = kind
            self.file_key = path.parent.name
            self.file_instrument = _instrument_of(meta, self.file_key)
            if not kind or not self.file_instrument:
                raise ConfigError(f"data: {path}: no nautui catalog metadata in the file")
            root = path.parent.parent.parent
        elif path.is_dir():
            root = path
        else:
            raise ConfigError(f"data: {path}: no such file or folder")
        self.catalog = Catalog(root)
        self.start, self.end = start, end
        if not (root / INSTRUMENTS_FILE).exists():
            raise ConfigError(f"data: {root}: not a catalog (no {INSTRUMENTS_FILE})")

    def instrument(self, wanted: str | None) -> Instrument:
        instruments = self.catalog.instruments()
        if self.file is not None and wanted is None:
            wanted = self.file_instrument
        if wanted is None:
            if len(instruments) != 1:
                known = ", ".join(sorted(instruments)) or "none"
                raise ConfigError(f"instrument: the data holds several ({known}); name one")
            return next(iter(instruments.values()))
        if wanted not in instruments:
            known = ", ".join(sorted(instruments)) or "none"
            raise ConfigError(f"instrument: {wanted!r} is not in the data (known: {known})")
        return instruments[wanted]

    def bar_types(self, instrument_id: str) -> list[str]:
        """The bar types of ``instrument_id`` (catalog folders of bars), sorted."""
        if self.file is not None:
            return [self.file_key] if self.file_kind == "bars" else []
        found = []
        for bar_type in self.catalog.instrument_ids("bars"):
            files = self.catalog.files("bars", bar_type)
            meta = (pq.read_schema(files[0]).metadata or {}) if files else {}
            if _instrument_of(meta, bar_type) == instrument_id:
                found.append(bar_type)
        return found

    def has(self, kind: str, key: str) -> bool:
        """``key``: the instrument id, or the bar type for bars."""
        if self.file is not None:
            return bool(kind == self.file_kind and key == self.file_key)
        return bool(self.catalog.files(kind, key, self.start, self.end))

    def rows(self, kind: str, key: str) -> int:
        if self.file is not None:
            return pq.ParquetFile(self.file).metadata.num_rows if self.has(kind, key) else 0
        return self.catalog.count(kind, key)

    def stream(self, kind: str, key: str) -> Iterator[Located]:
        if not self.has(kind, key):
            return iter(())
        if self.file is None:
            return self.catalog.located(kind, key, self.start, self.end)
        return self._file_batches(self.file)

    @staticmethod
    def _file_batches(path: Path) -> Iterator[Located]:
        parquet = pq.ParquetFile(path, pre_buffer=False)
        row = 0
        for batch in parquet.iter_batches(batch_size=65_536, use_threads=False):
            yield Located(path, row, batch)
            row += batch.num_rows


def _instrument_of(meta: dict[bytes, bytes], folder: str) -> str:
    """The instrument a catalog file's metadata names. Bars written before the metadata named
    their instrument name their bar type there (``BTC-PERP.SIM-1-MINUTE-LAST-EXTERNAL``): the
    instrument is what precedes its four specification parts."""
    named = meta.get(schema.META_INSTRUMENT_ID, b"").decode()
    if meta.get(schema.META_KIND) == b"bars" and named == folder and named.count("-") >= 4:  # noqa: PLR2004
        return named.rsplit("-", 4)[0]
    return named


def _streams(data: _Data, config: BacktestConfig, instrument_id: str) -> list[tuple[str, str]]:
    """The (kind, key) of every stream the run reads; key is the bar type for bars."""
    streams = [("quotes", instrument_id)]
    if config.book == "l2":
        if not data.has("deltas", instrument_id) and not data.has("snapshots", instrument_id):
            raise ConfigError(
                f"book: l2 needs book snapshots and deltas in the data for {instrument_id}"
            )
        streams += [("snapshots", instrument_id), ("deltas", instrument_id)]
    if config.trades:
        streams.append(("trades", instrument_id))
    if config.bars:
        streams += [("bars", bar_type) for bar_type in data.bar_types(instrument_id)]
    return streams


# ---- strategies ------------------------------------------------------------------------------


def _load_class(spec: str) -> type[Strategy]:
    """``PATH.py:Class`` or ``package.module:Class``."""
    target, _, name = spec.rpartition(":")
    if not target or not name:
        known = ", ".join([*BUILTINS, *EXAMPLES])
        raise ConfigError(f"strategy: {spec!r} is not PATH:Class or a built-in name ({known})")
    path = Path(target)
    if target.endswith(".py") or path.is_file():
        if not path.is_file():
            raise ConfigError(f"strategy: {path}: no such file")
        module_name = f"_nautui_strategy_{path.stem}"
        module_spec = importlib.util.spec_from_file_location(module_name, path)
        if module_spec is None or module_spec.loader is None:
            raise ConfigError(f"strategy: {path}: cannot be imported")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_name] = module
        module_spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(target)
        except ImportError as error:
            raise ConfigError(f"strategy: cannot import {target!r}: {error}") from None
    cls = getattr(module, name, None)
    if not (inspect.isclass(cls) and issubclass(cls, Strategy)):
        raise ConfigError(f"strategy: {target} has no Strategy subclass named {name!r}")
    return cls


def _config_type(cls: type[Strategy]) -> type[StrategyConfig]:
    """The config class a strategy's ``__init__`` takes (``StrategyConfig`` if unannotated)."""
    try:
        hints = typing.get_type_hints(cls.__init__)
    except (NameError, TypeError):
        return StrategyConfig
    hint = hints.get("config")
    if inspect.isclass(hint) and issubclass(hint, StrategyConfig):
        return hint
    return StrategyConfig


def _build_config(config_type: type[_T], params: dict[str, Any], defaults: dict[str, Any]) -> _T:
    fields = {f.name for f in msgspec.structs.fields(config_type)}
    data = {k: v for k, v in defaults.items() if k in fields and k not in params}
    data.update(params)
    try:
        return msgspec.convert(data, type=config_type, strict=False)
    except msgspec.ValidationError as error:
        message = str(error)
        what, sep, where = message.rpartition(" - at ")
        if sep:
            key = where.strip("`").removeprefix("$").removeprefix(".")
            message = f"{what} (param {key})"
        raise ConfigError(f"params: {message}") from None


def _add_strategy(engine: Engine, config: BacktestConfig, instrument_id: str) -> None:
    defaults = {"strategy_id": config.strategy_id, "instrument_id": instrument_id}
    name = config.strategy
    if name in BUILTINS:
        params = _build_config(_EmaCrossParams, config.params, {})
        engine.add_builtin_strategy(
            name, **defaults, **msgspec.to_builtins(params, builtin_types=(Decimal,))
        )
        return
    cls = _load_class(EXAMPLES.get(name, name))
    strategy_config = _build_config(_config_type(cls), config.params, defaults)
    engine.add_strategy(cls(strategy_config))


# ---- the run ---------------------------------------------------------------------------------


def _engine_config(config: BacktestConfig, instrument: Instrument) -> EngineConfig:
    try:
        balance = Money(Decimal(config.starting_balance), instrument.quote_currency)
    except ArithmeticError:
        raise ConfigError(
            f"starting_balance: {config.starting_balance!r} is not a number"
        ) from None
    latency_ns = round(config.latency_ms * 1_000_000)
    latency: FixedLatency | RandomLatency = FixedLatency()
    if latency_ns:
        span = LatencyRange(min_ns=latency_ns // 2, max_ns=latency_ns * 3 // 2)
        latency = RandomLatency(
            seed=config.seed, submit=span, cancel=span, modify=span, response=span
        )
    venue = VenueConfig(book_mode="L2" if config.book == "l2" else "L1")
    return EngineConfig(starting_balances=[balance], venue=venue, latency=latency)


def run_backtest(config: BacktestConfig, progress: Progress | None = None) -> BacktestResult:
    """Runs one backtest (see the module documentation). User mistakes raise ``ConfigError``
    naming the key; bad data raises the data layer's error naming the file and row."""
    data = _Data(Path(config.data), config.start, config.end)
    instrument = data.instrument(config.instrument)
    iid = instrument.id
    engine = Engine(_engine_config(config, instrument), keep_events=False)
    engine.add_instrument(instrument)
    interval_ns = round(config.equity_interval_s * 1e9)
    engine.record_performance(instrument.quote_currency, interval_ns)
    _add_strategy(engine, config, iid)

    run = _Run(engine, progress)
    for kind, key in _streams(data, config, iid):
        run.add(kind, key, data.stream(kind, key), iid)
    wall = time.perf_counter()
    run.run()
    wall_s = time.perf_counter() - wall

    counters = engine.counters()
    equity, trades = curve_tables(engine)
    events_out = run.collector.events
    result_counters: dict[str, float] = {
        "orders": counters["orders"],
        "fills": counters["fills"],
        "denials": counters["denials"],
        "rejections": counters["rejections"],
        "events": counters["events_in"] + events_out,
        "events_in": counters["events_in"],
        "events_out": events_out,
        "quotes": run.feed.rows("quotes"),
        "data_rows": run.feed.rows(),
        "wall_s": wall_s,
        "events_per_s": (counters["events_in"] + events_out) / wall_s if wall_s else 0.0,
    }
    return BacktestResult(
        orders=orders_table(run.collector),
        fills=fills_table(run.collector),
        positions=positions_table(engine),
        equity=equity,
        trades=trades,
        statistics=engine.statistics(_NS_PER_YEAR / interval_ns),
        counters=result_counters,
        stream_hash=run.collector.stream_hash,
        currency=instrument.quote_currency,
        config=config,
    )


class _Run:
    """Hands the feed each stream's record batches as it asks for them, and the engine's output
    to the collector."""

    def __init__(self, engine: Engine, progress: Progress | None) -> None:
        self.engine = engine
        self.progress = progress
        self.feed = ColumnFeed(engine)
        self.collector = ResultCollector(engine)
        self.batches: list[Iterator[Located]] = []
        # Strategies with on_quote_batch get each quote batch once the engine has applied it.
        self.batchers = [s for s in engine._strategies if s.wants_batches()]
        self.quotes: tuple[int, pa.RecordBatch] | None = None

    def add(self, kind: str, key: str, batches: Iterator[Located], instrument_id: str) -> None:
        self.feed.add(kind, instrument_id, key if kind == "bars" else None)
        self.batches.append(batches)

    def run(self) -> None:
        self.engine.start()
        need = self.feed.run()
        while need is not None:
            self.collector.drain()
            if self.feed.kind(need) == "quotes":
                self._quote_batch_done()
            located = next(self.batches[need], None)
            if located is None:
                self.feed.finish(need)
            else:
                self._push(need, located)
            need = self.feed.run()
        self.collector.drain()
        self.engine.stop()
        self.collector.drain()

    def _push(self, stream: int, located: Located) -> None:
        path, first_row, batch = located
        try:
            self.feed.push(stream, batch, first_row)
        except (NautuiError, DataError) as error:
            raise DataError(f"{path}: {error}") from None
        if self.feed.kind(stream) == "quotes":
            self.quotes = (stream, batch)
        if self.progress is not None:
            self.progress(self.feed.rows())

    def _quote_batch_done(self) -> None:
        """The engine has applied the last quote batch: strategies see it in one call, at the
        time of its last quote."""
        quotes, self.quotes = self.quotes, None
        if quotes is None or not self.batchers:
            return
        stream, batch = quotes
        column = {name: batch.column(name).to_numpy() for name in batch.schema.names}
        block = QuoteBatch(
            instrument=self.feed.instrument_column(stream, batch.num_rows),
            bid_price=column["bid_price"],
            ask_price=column["ask_price"],
            bid_size=column["bid_size"],
            ask_size=column["ask_size"],
            ts_event=column["ts_event"],
            ts_init=column["ts_init"],
        )
        for strategy in self.batchers:
            self.engine._run_batch(strategy, block)


def total_rows(config: BacktestConfig) -> int:
    """Rows the run will read (for a progress bar)."""
    data = _Data(Path(config.data), config.start, config.end)
    iid = data.instrument(config.instrument).id
    try:
        return sum(data.rows(kind, key) for kind, key in _streams(data, config, iid))
    except (OSError, DataError, NautuiError):
        return 0
