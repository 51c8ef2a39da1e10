"""The trading engine from Python: ``Engine(EngineConfig)``.

``Engine`` is the Rust engine (``nautui._core.Engine``) itself, subclassed only where Python adds
something: configs and events cross as MessagePack and come back as ``nautui.events`` Structs,
views as ``nautui.views`` Structs, strategies are attached, logs opened. Everything else
(``submit``, ``cancel``, ``halt``, the reads, ``run_quotes``, ``serve``, ...) is the engine's own
method, documented in ``nautui/_core.pyi``.

Every call releases the interpreter lock while the engine works, and the engine may run on a
thread of its own (``serve``), fed by ``post`` and read through ``subscribe`` and ``views``
without ever waiting for it.
"""

from __future__ import annotations

import atexit
import os
import threading
import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal, Self

import msgspec
import numpy as np
import numpy.typing as npt

from nautui import _core, events
from nautui._core import Instrument
from nautui.config import EngineConfig, encode_config
from nautui.errors import InvalidValueError, StrategyError
from nautui.store import Durability, EventLog
from nautui.strategy import QuoteBatch
from nautui.views import Frame, View, decode_frame, decode_view

if TYPE_CHECKING:
    from nautui.strategy import Strategy

__all__ = ["Engine", "EventStream", "Recovery"]

Clock = Literal["test", "live"]


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


class Received(msgspec.Struct, frozen=True):
    """One read of an ``EventStream``: the events, the stream position of the first, how many
    this reader missed before them (a bounded reader that fell behind), and whether the engine
    is gone and nothing more will come."""

    events: list[events.Event]
    first: int
    missed: int
    closed: bool


class EventStream:
    """A reader of everything the engine produces (``Engine.subscribe``)."""

    __slots__ = ("_core",)

    def __init__(self, core: _core.Subscription) -> None:
        self._core = core

    def read(self, max_events: int = 10_000, timeout: float | None = 0.0) -> Received:
        """Up to ``max_events`` events, waiting up to ``timeout`` seconds for the first (None:
        as long as it takes), with the interpreter lock released while it waits."""
        payload, first, missed, closed = self._core.read(max_events, timeout)
        return Received(events.decode_many(payload), first, missed, closed)

    @property
    def pending(self) -> int:
        """Events waiting to be read."""
        return self._core.pending()


_SERVED: weakref.WeakSet[Engine] = weakref.WeakSet()
"""Engines served by a thread of ``serve_in_thread``: stopped and joined at exit."""


@atexit.register
def _stop_served_engines() -> None:
    for engine in list(_SERVED):
        engine.stop_serving()


class Engine(_core.Engine):
    """One event loop over books, orders, portfolio, risk, the simulated venue and strategies.

    Deterministic on the test clock: the same config, instruments and inputs give the same
    events. ``clock="live"`` stamps commands with wall time; serve the engine (``serve`` on a
    thread of its own) and its timers fire on time. ``keep_events=False`` keeps no stream for
    ``drain_events`` (a long-running node reads through ``subscribe`` instead).
    """

    config: EngineConfig
    serve_error: BaseException | None
    _stream: EventStream | None
    _strategies: list[Strategy]
    _server: threading.Thread | None

    def __new__(
        cls, config: EngineConfig, *, clock: Clock = "test", keep_events: bool = True
    ) -> Self:
        return super().__new__(cls, encode_config(config), clock)

    def __init__(
        self, config: EngineConfig, *, clock: Clock = "test", keep_events: bool = True
    ) -> None:
        self.config = config
        self._stream = self.events_stream() if keep_events else None
        self._strategies = []

    # -- set-up --------------------------------------------------------------------------------

    def add_strategy(self, strategy: Strategy) -> None:
        """Registers a Python strategy. Only the callbacks its class overrides are called."""
        self._add_strategy(strategy, strategy.id, strategy.overridden_callbacks())
        self._strategies.append(strategy)

    def add_builtin_strategy(self, name: str, **params: object) -> None:
        """Registers a strategy written in Rust, by name (``ema_cross``: strategy_id,
        instrument_id, fast_period=10, slow_period=20, trade_size="0.01"). Params are checked by
        the engine; unknown ones are a ``ConfigError``."""
        self._add_builtin_strategy(name, msgspec.msgpack.encode(params))

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
            path, run_id=run_id, config=self.recording_header(), durability=durability
        )
        self.attach_log(log, snapshot_every=snapshot_every)
        return log

    def attach_log(self, log: EventLog, *, snapshot_every: int = 10_000) -> None:
        """Records every event this engine produces into ``log``, as it is produced, after the
        log's head; a snapshot of the engine every ``snapshot_every`` events (0: none).

        Under the log's default policy (``safe``) a batch holding a command is committed under
        synchronous=FULL; the engine does not wait for the disk meanwhile, so many commands
        share one sync. ``drain_outbound`` releases commands for a live venue only once they are
        durable, whatever the policy (write-ahead). Subscribers still see every event."""
        if snapshot_every < 0:
            raise InvalidValueError(f"snapshot_every: must be 0 or more, got {snapshot_every}")
        self._attach_log(log._core, snapshot_every)

    def finish_log(self) -> str | None:
        """Records what is left and commits it durably; returns the line a run prints at its
        end (the log, its head seq and hash), or None when no log is attached."""
        head = self._finish_log()
        if head is None:
            return None
        seq, digest = head
        return f"event log: head seq {seq} hash {digest.hex()}"

    @property
    def recorded_seq(self) -> int | None:
        """The seq of the last event recorded into the attached log (None: no log)."""
        seqs = self.log_seqs()
        return None if seqs is None else seqs[0]

    @property
    def durable_seq(self) -> int | None:
        """The last recorded seq known committed under synchronous=FULL (None: no log); it
        lags ``recorded_seq`` while a commit is on its way to the disk."""
        seqs = self.log_seqs()
        return None if seqs is None else seqs[1]

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
        clock: Clock = "test",
        keep_events: bool = True,
    ) -> tuple[Self, Recovery]:
        """The engine in the state ``log`` describes: its latest valid snapshot restored, then
        the events after it re-folded (``EventLogError`` names the seq that does not fit).
        Configuration and instruments come from the log (``record_to`` keeps them) unless
        given. Strategies are not restored: add them again, then ``start`` (each sees the
        orders and positions the engine holds for its id). With ``attach`` (the log must be
        open for writing) the events the re-fold derived that the log lacks are appended first,
        then the engine records into the log. ``from_start`` re-folds the whole log instead of
        starting from the latest snapshot (what recovery must equal)."""
        given = None if config is None else encode_config(config)
        recovered = _core.recover_engine(
            log._core, given, instruments, from_start, snapshot_every if attach else None
        )
        engine = _core.Engine.__new__(cls, None, clock, recovered)
        engine.config = config if config is not None else _decode_config(recovered.config)
        engine._stream = engine.events_stream() if keep_events else None
        engine._strategies = []
        recovery = Recovery(
            last_seq=recovered.last_seq,
            in_flight=list(recovered.in_flight),
            unlogged=recovered.unlogged,
        )
        return engine, recovery

    # -- running -------------------------------------------------------------------------------

    def process(self, event: events.Event | bytes) -> None:
        """Processes one input event (a ``nautui.events`` Struct, or its MessagePack)."""
        self._process(event if isinstance(event, bytes) else events.encode(event))

    def post(self, inputs: Sequence[events.Event | bytes]) -> None:
        """Queues input events for the thread serving the engine (``serve``), in order; returns
        at once. A payload that is not an event is refused before any is queued."""
        self._post([e if isinstance(e, bytes) else events.encode(e) for e in inputs])

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
            self._run_quotes(
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
            self._run_quotes(
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
        self.begin_batch(strategy)
        try:
            strategy.on_quote_batch(batch)
        except Exception as error:
            self.end_batch(strategy, succeeded=False)
            message = f"strategy {strategy.id} failed in on_quote_batch: {error!r}"
            raise StrategyError(message) from error
        self.end_batch(strategy, succeeded=True)

    def serve_in_thread(self) -> threading.Thread:
        """Serves the engine (``serve``) on a daemon thread of its own until ``stop_serving``,
        which stops and joins it; at interpreter exit it is stopped and joined too (a thread
        left inside the engine when Python finalizes would take the process down). What
        stopped it, if not ``stop_serving``, is kept in ``serve_error``."""
        self.serve_error = None

        def run() -> None:
            # Whatever stops serving (a strategy's StrategyError, a refused input) ends the
            # thread; it is kept in serve_error for the console or node that started it.
            try:
                self.serve()
            except BaseException as error:  # noqa: BLE001  (kept for the owner, not lost)
                self.serve_error = error

        thread = threading.Thread(target=run, name="nautui-engine", daemon=True)
        self._server = thread
        _SERVED.add(self)
        thread.start()
        return thread

    def stop_serving(self) -> None:
        """Asks the serving thread to return after its current step (inputs still queued stay
        for the next ``serve``); joins it when ``serve_in_thread`` started it."""
        super().stop_serving()
        thread, self._server = getattr(self, "_server", None), None
        if thread is not None and thread is not threading.current_thread():
            thread.join()
        _SERVED.discard(self)

    # -- output --------------------------------------------------------------------------------

    def events_stream(self, max_events: int | None = None) -> EventStream:
        """A reader of everything the engine produces from now on. ``max_events`` bounds what
        waits for it (a screen: the oldest are dropped and counted as missed); None keeps
        everything until read."""
        return EventStream(self.subscribe(max_events))

    def drain_events(self) -> list[events.Event]:
        """Everything that happened since the last drain, in order."""
        if self._stream is None:
            raise InvalidValueError("drain_events: this engine keeps no events (keep_events)")
        return self._stream.read(max_events=2**62).events

    def drain_outbound(self, *, wait: bool = True) -> list[events.Event]:
        """Commands for a live venue adapter (an engine without a simulated venue), in order.
        With a log attached, only once they are durable in it (write-ahead): ``wait`` blocks
        until they are, other threads running meanwhile; without it only those durable now
        are returned, the others on a later call (``outbound_waiting`` counts them)."""
        return [events.decode(p) for p in self._drain_outbound(wait)]

    def views(self, seen: dict[str, int] | None = None) -> dict[str, tuple[int, View]]:
        """The published views newer than the versions in ``seen`` (all when None), decoded:
        ``{key: (version, view)}``. Ask for fresh ones with ``request_views``."""
        return {
            key: (version, decode_view(key, payload))
            for key, version, payload in self.read_views(seen)
        }

    def current_frame(self, depth: int = 25) -> Frame:
        """Every view now, ladders ``depth`` levels deep."""
        return decode_frame(self.frame(depth))

    def __repr__(self) -> str:
        names = [i.id for i in self.instruments()]
        return f"Engine(now={self.now}, clock={self.clock}, instruments={names})"
