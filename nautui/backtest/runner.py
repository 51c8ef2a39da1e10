"""``run_backtest(config)``: builds the engine, loads the strategy, streams the data through it
in bounded memory and collects the results.

Quotes go to the engine as numpy columns (``Engine.run_quotes``); trades, book snapshots and
book deltas are turned into events a record batch at a time and merged in by ``ts_init`` (at
equal times the quotes go first). At most one record batch per data kind is in memory.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import sys
import time
import typing
from collections import deque
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from nautui import events
from nautui._core import Instrument
from nautui.backtest.config import BacktestConfig
from nautui.backtest.results import BacktestResult, EventRecorder, curve_tables, positions_table
from nautui.config import EngineConfig, FixedLatency, LatencyRange, RandomLatency, VenueConfig
from nautui.data import schema
from nautui.data.catalog import INSTRUMENTS_FILE, Catalog
from nautui.data.errors import DataError
from nautui.engine import Engine
from nautui.errors import ConfigError, NautuiError
from nautui.events import Money
from nautui.strategy import Strategy, StrategyConfig

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
_QUOTES = ("bid_price", "ask_price", "bid_size", "ask_size", "ts_event", "ts_init")

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
            self.file_instrument = meta.get(schema.META_INSTRUMENT_ID, b"").decode()
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

    def has(self, kind: str, instrument_id: str) -> bool:
        if self.file is not None:
            return bool(kind == self.file_kind and instrument_id == self.file_instrument)
        return bool(self.catalog.files(kind, instrument_id, self.start, self.end))

    def rows(self, kind: str, instrument_id: str) -> int:
        if self.file is not None:
            return (
                pq.ParquetFile(self.file).metadata.num_rows if self.has(kind, instrument_id) else 0
            )
        return self.catalog.count(kind, instrument_id)

    def stream(self, kind: str, instrument_id: str) -> Iterator[pa.RecordBatch]:
        if not self.has(kind, instrument_id):
            return iter(())
        if self.file is None:
            return self.catalog.stream(kind, instrument_id, self.start, self.end)
        parquet = pq.ParquetFile(self.file, pre_buffer=False)
        batches: Iterator[pa.RecordBatch] = parquet.iter_batches(
            batch_size=65_536, use_threads=False
        )
        return batches


def _decimal(raw: int, exponent: Decimal) -> Decimal:
    return Decimal(raw).scaleb(-9).quantize(exponent)


_AGGRESSOR = {
    schema.AGGRESSOR_BUYER: events.AggressorSide.BUYER,
    schema.AGGRESSOR_SELLER: events.AggressorSide.SELLER,
    schema.AGGRESSOR_NONE: events.AggressorSide.NO_AGGRESSOR,
}
_NO_AGGRESSOR = events.AggressorSide.NO_AGGRESSOR
_SIDE = {schema.SIDE_BUY: events.OrderSide.BUY, schema.SIDE_SELL: events.OrderSide.SELL}
_ACTION = {
    schema.ACTION_ADD: events.BookAction.ADD,
    schema.ACTION_UPDATE: events.BookAction.UPDATE,
    schema.ACTION_DELETE: events.BookAction.DELETE,
    schema.ACTION_CLEAR: events.BookAction.CLEAR,
}


class _EventFeed:
    """Turns one kind's record batches into encoded events, lazily, in time order."""

    def __init__(
        self,
        kind: str,
        batches: Iterator[pa.RecordBatch],
        instrument: Instrument,
    ) -> None:
        self.kind = kind
        self._batches = batches
        self._id = instrument.id
        self._px = Decimal(1).scaleb(-instrument.price_precision)
        self._sz = Decimal(1).scaleb(-instrument.size_precision)
        self.pending: deque[tuple[int, bytes]] = deque()
        self.rows = 0
        self._open: list[events.BookLevelDelta | tuple[int, events.BookLevel]] = []
        self.done = False

    def fill_until(self, ts: int) -> None:
        """Reads batches until an event later than ``ts`` is pending or the data ends."""
        while not self.done and (not self.pending or self.pending[-1][0] <= ts):
            batch = next(self._batches, None)
            if batch is None:
                self.done = True
                return
            self.rows += batch.num_rows
            self._convert(batch)

    def _convert(self, batch: pa.RecordBatch) -> None:
        c = {name: batch.column(name).to_pylist() for name in batch.schema.names}
        encode, push, n = events.encode, self.pending.append, batch.num_rows
        if self.kind == "trades":
            for i in range(n):
                event = events.TradeTick(
                    instrument_id=self._id,
                    price=_decimal(c["price"][i], self._px),
                    size=_decimal(c["size"][i], self._sz),
                    aggressor_side=_AGGRESSOR.get(c["aggressor_side"][i], _NO_AGGRESSOR),
                    trade_id=c["trade_id"][i],
                    ts_event=c["ts_event"][i],
                    ts_init=c["ts_init"][i],
                )
                push((event.ts_init, encode(event)))
        elif self.kind == "deltas":
            for i in range(n):
                self._open.append(
                    events.BookLevelDelta(
                        action=_ACTION[c["action"][i]],
                        side=_SIDE.get(c["side"][i], events.OrderSide.BUY),
                        price=_decimal(c["price"][i], self._px),
                        size=_decimal(c["size"][i], self._sz),
                    )
                )
                if c["batch_end"][i]:
                    deltas = events.BookDeltas(
                        instrument_id=self._id,
                        first_sequence=c["first_sequence"][i],
                        sequence=c["sequence"][i],
                        prev_sequence=c["prev_sequence"][i],
                        deltas=list(self._open),  # type: ignore[arg-type]  # deltas only here
                        ts_event=c["ts_event"][i],
                        ts_init=c["ts_init"][i],
                    )
                    self._open.clear()
                    push((deltas.ts_init, encode(deltas)))
        else:  # snapshots
            for i in range(n):
                level = events.BookLevel(
                    price=_decimal(c["price"][i], self._px), size=_decimal(c["size"][i], self._sz)
                )
                self._open.append((c["side"][i], level))
                if c["batch_end"][i]:
                    levels = typing.cast(list[tuple[int, events.BookLevel]], self._open)
                    snapshot = events.BookSnapshot(
                        instrument_id=self._id,
                        sequence=c["sequence"][i],
                        bids=[lv for side, lv in levels if side == schema.SIDE_BUY],
                        asks=[lv for side, lv in levels if side == schema.SIDE_SELL],
                        ts_event=c["ts_event"][i],
                        ts_init=c["ts_init"][i],
                    )
                    self._open.clear()
                    push((snapshot.ts_init, encode(snapshot)))


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
    naming the key; bad data raises the data layer's error naming the file."""
    data = _Data(Path(config.data), config.start, config.end)
    instrument = data.instrument(config.instrument)
    iid = instrument.id
    engine = Engine(_engine_config(config, instrument))
    index = engine.add_instrument(instrument)
    interval_ns = round(config.equity_interval_s * 1e9)
    engine.record_performance(instrument.quote_currency, interval_ns)
    _add_strategy(engine, config, iid)

    feeds: list[_EventFeed] = []
    if config.book == "l2":
        if not data.has("deltas", iid) and not data.has("snapshots", iid):
            raise ConfigError(f"book: l2 needs book snapshots and deltas in the data for {iid}")
        feeds += [_EventFeed(k, data.stream(k, iid), instrument) for k in ("snapshots", "deltas")]
    if config.trades:
        feeds.append(_EventFeed("trades", data.stream("trades", iid), instrument))

    recorder = EventRecorder()
    wall = time.perf_counter()
    quote_rows = _Run(engine, recorder, feeds).run(data.stream("quotes", iid), index, progress)
    wall_s = time.perf_counter() - wall

    counters = engine.counters()
    equity, trades = curve_tables(engine)
    event_rows = sum(f.rows for f in feeds)
    result_counters: dict[str, float] = {
        "orders": counters["orders"],
        "fills": counters["fills"],
        "denials": counters["denials"],
        "rejections": counters["rejections"],
        "events": counters["events_in"] + recorder.events,
        "events_in": counters["events_in"],
        "events_out": recorder.events,
        "quotes": quote_rows,
        "data_rows": quote_rows + event_rows,
        "wall_s": wall_s,
        "events_per_s": (counters["events_in"] + recorder.events) / wall_s if wall_s else 0.0,
    }
    return BacktestResult(
        orders=recorder.orders_table(engine),
        fills=recorder.fills_table(),
        positions=positions_table(engine),
        equity=equity,
        trades=trades,
        statistics=engine.statistics(_NS_PER_YEAR / interval_ns),
        counters=result_counters,
        stream_hash=recorder.stream_hash,
        currency=instrument.quote_currency,
        config=config,
    )


class _Run:
    """The merge loop: quote batches as columns, other data as events, by ``ts_init``."""

    def __init__(self, engine: Engine, recorder: EventRecorder, feeds: list[_EventFeed]) -> None:
        self.engine = engine
        self.recorder = recorder
        self.feeds = feeds
        # Raw bytes: the stream hash reads them as the engine wrote them.
        self.drain = engine._core.drain_events

    def run(self, quotes: Iterator[pa.RecordBatch], index: int, progress: Progress | None) -> int:
        """Runs everything; returns the number of quotes."""
        engine, feeds = self.engine, self.feeds
        engine.start()
        self.recorder.feed(self.drain())
        quote_rows = 0
        for batch in quotes:
            cols = {name: np.ascontiguousarray(batch.column(name).to_numpy()) for name in _QUOTES}
            ts_init = cols["ts_init"]
            n = len(ts_init)
            instrument_col = np.full(n, index, dtype=np.uint32)
            pos = 0
            while pos < n:
                # Events strictly before the next quote go first; at equal times quotes go first.
                self.events_until(int(ts_init[pos]), inclusive=False)
                nxt = min((f.pending[0][0] for f in feeds if f.pending), default=None)
                stop = n if nxt is None else pos + int(ts_init[pos:].searchsorted(nxt, "right"))
                rows = slice(pos, max(stop, pos + 1))
                engine.run_quotes(
                    instrument=instrument_col[rows],
                    bid_price=cols["bid_price"][rows],
                    ask_price=cols["ask_price"][rows],
                    bid_size=cols["bid_size"][rows],
                    ask_size=cols["ask_size"][rows],
                    ts_event=cols["ts_event"][rows],
                    ts_init=ts_init[rows],
                )
                self.recorder.feed(self.drain())
                pos = rows.stop
            quote_rows += n
            if progress is not None:
                progress(quote_rows + sum(f.rows for f in feeds))
        self.events_until(2**64 - 1, inclusive=True)
        engine.stop()
        self.recorder.feed(self.drain())
        return quote_rows

    def events_until(self, ts: int, *, inclusive: bool) -> None:
        """Processes the pending events before ``ts`` (and at it, when ``inclusive``)."""
        while True:
            best: _EventFeed | None = None
            for feed in self.feeds:
                feed.fill_until(ts)
                if feed.pending and (best is None or feed.pending[0][0] < best.pending[0][0]):
                    best = feed
            if best is None:
                return
            head = best.pending[0][0]
            if head > ts or (head == ts and not inclusive):
                return
            self.engine.process(best.pending.popleft()[1])
            self.recorder.feed(self.drain())


def total_rows(config: BacktestConfig) -> int:
    """Rows the run will read (for a progress bar)."""
    data = _Data(Path(config.data), config.start, config.end)
    iid = data.instrument(config.instrument).id
    kinds = ["quotes", *(["trades"] if config.trades else [])]
    if config.book == "l2":
        kinds += ["snapshots", "deltas"]
    try:
        return sum(data.rows(k, iid) for k in kinds)
    except (OSError, DataError, NautuiError):
        return 0
