"""The trading engine from Python: ``Engine(EngineConfig)``.

A thin wrapper over the Rust engine (``nautui._core.Engine``): configs and events cross as
MessagePack, events come back as ``nautui.events`` Structs, and backtests hand quotes over as
numpy columns that the engine reads in place.
"""

from __future__ import annotations

import os
from decimal import Decimal
from typing import TYPE_CHECKING, Self, TypeAlias

import msgspec
import numpy as np
import numpy.typing as npt

from nautui import _core, events
from nautui._core import Balance, Instrument, Order, Position, Price, Quantity
from nautui.config import EngineConfig, encode_config
from nautui.errors import InvalidValueError, StrategyError
from nautui.store import Durability, EventLog
from nautui.strategy import QuoteBatch

if TYPE_CHECKING:
    from nautui.strategy import Strategy

__all__ = ["Engine", "Recovery"]

PriceLike: TypeAlias = Price | Decimal | str | int
QuantityLike: TypeAlias = Quantity | Decimal | str | int


def _decode_config(raw: bytes) -> EngineConfig:
    return msgspec.msgpack.decode(raw, type=EngineConfig)


class Recovery(msgspec.Struct, frozen=True):
    """What ``Engine.recover`` found: the last seq of the log it rebuilt the state from, the
    orders submitted without an acknowledgement (in flight: reconcile them with the venue,
    never resend them blindly) and how many events the re-fold derived that the log lacked
    (a run cut inside one instant; appended to the log when the engine is attached to it)."""

    last_seq: int
    in_flight: list[str]
    unlogged: int


class Engine:
    """One event loop over books, orders, portfolio, risk, the simulated venue and strategies.

    Deterministic: the same config, instruments and inputs give the same events.
    """

    __slots__ = ("_core", "_instruments", "_strategies", "config")

    def __init__(self, config: EngineConfig) -> None:
        self.config = config
        self._core = _core.Engine(encode_config(config))
        self._instruments: dict[str, int] = {}
        self._strategies: list[Strategy] = []

    # -- set-up --------------------------------------------------------------------------------

    def add_instrument(self, instrument: Instrument) -> int:
        """Loads an instrument; returns its index (the ``instrument`` column of run_quotes)."""
        index = self._core.add_instrument(instrument)
        self._instruments[instrument.id] = index
        return index

    def instrument_index(self, instrument_id: str) -> int:
        return self._instruments[instrument_id]

    def add_strategy(self, strategy: Strategy) -> None:
        """Registers a Python strategy. Only the callbacks its class overrides are called."""
        strategy._check_unattached()
        link = self._core.add_strategy(strategy, strategy.id, strategy.overridden_callbacks())
        strategy._attach(link)
        self._strategies.append(strategy)

    def add_builtin_strategy(self, name: str, **params: object) -> None:
        """Registers a strategy written in Rust, by name (``ema_cross``: strategy_id,
        instrument_id, fast_period=10, slow_period=20, trade_size="0.01"). Params are checked by
        the engine; unknown ones are a ``ConfigError``."""
        self._core.add_builtin_strategy(name, msgspec.msgpack.encode(params))

    # -- recording -----------------------------------------------------------------------------

    def record_to(
        self,
        path: str | os.PathLike[str],
        *,
        snapshot_every: int = 10_000,
        durability: Durability = "safe",
        run_id: str | None = None,
    ) -> EventLog:
        """Creates a new event log at ``path`` holding this engine's configuration and
        instruments (so ``Engine.recover`` and ``nautui log recover`` need nothing else) and
        records into it (see ``attach_log``). Add every instrument first."""
        log = EventLog.create(
            path, run_id=run_id, config=self._core.recording_header(), durability=durability
        )
        self.attach_log(log, snapshot_every=snapshot_every)
        return log

    def attach_log(self, log: EventLog, *, snapshot_every: int = 10_000) -> None:
        """Records every event this engine produces into ``log``, as it is produced, after the
        log's head; a snapshot of the engine every ``snapshot_every`` events (0: none).

        Under the log's default policy (``safe``) a batch holding a command is committed under
        synchronous=FULL; the engine does not wait for the disk meanwhile, so many commands
        share one sync. ``drain_outbound`` releases commands for a live venue only once they are
        durable, whatever the policy (write-ahead). ``drain_events`` still returns every
        event."""
        if snapshot_every < 0:
            raise InvalidValueError(f"snapshot_every: must be 0 or more, got {snapshot_every}")
        self._core.attach_log(log._core, snapshot_every)

    def finish_log(self) -> str | None:
        """Records what is left and commits it durably; returns the line a run prints at its
        end (the log, its head seq and hash), or None when no log is attached."""
        head = self._core.finish_log()
        if head is None:
            return None
        seq, digest = head
        return f"event log: head seq {seq} hash {digest.hex()}"

    @property
    def recorded_seq(self) -> int | None:
        """The seq of the last event recorded into the attached log (None: no log)."""
        seqs = self._core.log_seqs()
        return None if seqs is None else seqs[0]

    @property
    def durable_seq(self) -> int | None:
        """The last recorded seq known committed under synchronous=FULL (None: no log); it
        lags ``recorded_seq`` while a commit is on its way to the disk."""
        seqs = self._core.log_seqs()
        return None if seqs is None else seqs[1]

    def snapshot(self) -> bytes:
        """The engine's full state as bytes (what the log's snapshots hold): equal bytes, equal
        states."""
        return self._core.snapshot()

    @classmethod
    def recover(
        cls,
        log: EventLog,
        *,
        config: EngineConfig | None = None,
        instruments: list[Instrument] | None = None,
        attach: bool = True,
        snapshot_every: int = 10_000,
        from_start: bool = False,
    ) -> tuple[Self, Recovery]:
        """The engine in the state ``log`` describes: its latest valid snapshot restored, then
        the events after it re-folded (``EventLogError`` names the seq that does not fit).
        Configuration and instruments come from the log (``record_to`` keeps them) unless
        given. Strategies are not restored: add them again, then ``start``. With ``attach``
        (the log must be open for writing) the events the re-fold derived that the log lacks
        are appended first, then the engine records into the log. ``from_start`` re-folds the
        whole log instead of starting from the latest snapshot (what recovery must equal)."""
        given = None if config is None else encode_config(config)
        core, raw_config, last_seq, in_flight, unlogged = _core.Engine.recover(
            log._core, given, instruments, from_start
        )
        engine = cls.__new__(cls)
        engine.config = config if config is not None else _decode_config(raw_config)
        engine._core = core
        engine._strategies = []
        engine._instruments = {i.id: n for n, i in enumerate(core.instruments())}
        if attach:
            engine.attach_log(log, snapshot_every=snapshot_every)
            if unlogged:
                engine._core.append_to_log(unlogged)
        recovery = Recovery(last_seq=last_seq, in_flight=in_flight, unlogged=len(unlogged))
        return engine, recovery

    # -- running -------------------------------------------------------------------------------

    def start(self) -> None:
        """Calls every strategy's ``on_start``."""
        self._core.start()

    def stop(self) -> None:
        """Runs the venue traffic still in flight, then every strategy's ``on_stop``."""
        self._core.stop()

    def process(self, event: events.Event | bytes) -> None:
        """Processes one input event (a ``nautui.events`` Struct, or its MessagePack)."""
        payload = event if isinstance(event, bytes) else events.encode(event)
        self._core.process(payload)

    def advance_to(self, ts: int) -> None:
        """Moves engine time to ``ts`` (ns), running venue traffic and timers due by then."""
        self._core.advance_to(ts)

    def run_quotes(
        self,
        *,
        instrument: npt.NDArray[np.uint32],
        bid_price: npt.NDArray[np.int64],
        ask_price: npt.NDArray[np.int64],
        bid_size: npt.NDArray[np.uint64],
        ask_size: npt.NDArray[np.uint64],
        ts_event: npt.NDArray[np.uint64],
        ts_init: npt.NDArray[np.uint64],
        batch_size: int = 65_536,
    ) -> None:
        """Runs L1 quotes from contiguous numpy columns, read in place (no copy, no per-row
        Python object): instrument indexes, raw prices and sizes (10^-9 units), times (ns).

        Strategies that override ``on_quote_batch`` get the columns in blocks of
        ``batch_size`` rows after the engine has processed each block.
        """
        batchers = [s for s in self._strategies if s.wants_batches()]
        if not batchers:
            self._core.run_quotes(
                instrument, bid_price, ask_price, bid_size, ask_size, ts_event, ts_init
            )
            return
        if batch_size <= 0:
            raise InvalidValueError(f"batch_size: must be positive, got {batch_size}")
        for start in range(0, len(ts_init), batch_size):
            rows = slice(start, start + batch_size)
            batch = QuoteBatch(
                instrument=instrument[rows],
                bid_price=bid_price[rows],
                ask_price=ask_price[rows],
                bid_size=bid_size[rows],
                ask_size=ask_size[rows],
                ts_event=ts_event[rows],
                ts_init=ts_init[rows],
            )
            self._core.run_quotes(
                batch.instrument,
                batch.bid_price,
                batch.ask_price,
                batch.bid_size,
                batch.ask_size,
                batch.ts_event,
                batch.ts_init,
            )
            for strategy in batchers:
                self._run_batch(strategy, batch)

    def _run_batch(self, strategy: Strategy, batch: QuoteBatch) -> None:
        link = strategy._link
        self._core.begin_batch(link)
        try:
            strategy.on_quote_batch(batch)
        except Exception as error:
            self._core.end_batch(link, succeeded=False)
            message = f"strategy {strategy.id} failed in on_quote_batch: {error!r}"
            raise StrategyError(message) from error
        self._core.end_batch(link, succeeded=True)

    @property
    def now(self) -> int:
        """Engine time (ns)."""
        return self._core.now

    def drain_events(self) -> list[events.Event]:
        """Everything that happened since the last drain, in order."""
        return events.decode_many(self._core.drain_events())

    def drain_outbound(self, *, wait: bool = True) -> list[events.Event]:
        """Commands for a live venue adapter (an engine without a simulated venue), in order.
        With a log attached, only once they are durable in it (write-ahead): ``wait`` blocks
        until they are, with the interpreter lock released; without it only those durable now
        are returned, the others on a later call (``outbound_waiting`` counts them)."""
        return [events.decode(p) for p in self._core.drain_outbound(wait)]

    @property
    def outbound_waiting(self) -> int:
        """Commands held until the events that hold them are durable in the log."""
        return self._core.outbound_waiting()

    # -- commands ------------------------------------------------------------------------------

    def submit(
        self,
        strategy_id: str,
        instrument_id: str,
        side: str,
        order_type: str,
        quantity: QuantityLike,
        *,
        price: PriceLike | None = None,
        trigger_price: PriceLike | None = None,
        time_in_force: str | None = None,
        expire_time: int | None = None,
        post_only: bool = False,
        reduce_only: bool = False,
    ) -> str:
        """Submits an order for ``strategy_id``; returns its client order id (``O-<s>-<n>``).

        Prices and quantities are read at the instrument's precision and checked against its
        tick and lot grid: ``InvalidValueError`` names the field. Risk denials and venue
        rejections arrive as events.
        """
        return self._core.submit(
            strategy_id,
            instrument_id,
            side,
            order_type,
            quantity,
            price,
            trigger_price,
            time_in_force,
            expire_time,
            post_only,
            reduce_only,
        )

    def cancel(self, client_order_id: str) -> None:
        self._core.cancel(client_order_id)

    def modify(
        self,
        client_order_id: str,
        quantity: QuantityLike | None = None,
        price: PriceLike | None = None,
        trigger_price: PriceLike | None = None,
    ) -> None:
        self._core.modify(client_order_id, quantity, price, trigger_price)

    def cancel_all(
        self, strategy_id: str | None = None, instrument_id: str | None = None, source: str = "api"
    ) -> None:
        self._core.cancel_all(strategy_id, instrument_id, source)

    def flatten(
        self, strategy_id: str | None = None, instrument_id: str | None = None, source: str = "api"
    ) -> None:
        """Cancels open orders and closes positions at market, in scope (all by default)."""
        self._core.flatten(strategy_id, instrument_id, source)

    def halt(self, reason: str, source: str = "api") -> None:
        self._core.halt(reason, source)

    def resume(self, reason: str, source: str = "api") -> None:
        self._core.resume(reason, source)

    # -- reading -------------------------------------------------------------------------------

    def counters(self) -> dict[str, int]:
        return self._core.counters()

    def latency(self, name: str) -> dict[str, int]:
        """Percentiles (ns) of ``data_to_callback``, ``callback_duration``, ``submit_to_ack``
        or ``ack_to_fill``: count, min, p50, p90, p99, p999, max."""
        return self._core.latency(name)

    def record_performance(self, currency: str, interval_ns: int) -> None:
        """Starts recording the equity curve in ``currency`` (balances plus open positions at
        the last quote's mid, sampled every ``interval_ns`` of engine time) and the PnL of every
        round trip net of fees (booked when a position closes or flips)."""
        self._core.record_performance(currency, interval_ns)

    def performance(
        self,
    ) -> tuple[
        npt.NDArray[np.uint64],
        npt.NDArray[np.float64],
        npt.NDArray[np.uint64],
        npt.NDArray[np.float64],
    ]:
        """The record as numpy columns: equity times (ns), equity (units), round-trip close
        times (ns), round-trip PnL net of fees (units)."""
        return self._core.performance()

    def statistics(self, periods_per_year: float) -> dict[str, float]:
        """pnl, return, sharpe, sortino, max_drawdown, profit_factor, win_rate, expectancy and
        trades of the record; ratios annualised with ``periods_per_year`` equity samples."""
        return self._core.statistics(periods_per_year)

    def order(self, client_order_id: str) -> Order | None:
        return self._core.order(client_order_id)

    def open_orders(self) -> list[Order]:
        return self._core.open_orders()

    def positions(self) -> list[Position]:
        return self._core.positions()

    def balances(self) -> list[Balance]:
        return self._core.balances()

    @property
    def trading_state(self) -> str:
        return self._core.trading_state

    def __repr__(self) -> str:
        return f"Engine(now={self.now}, instruments={list(self._instruments)})"
