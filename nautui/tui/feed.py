"""Where the console's data comes from. A feed is polled by the console's frame timer (at most 30
times a second) and returns what changed since the last poll: views, whose versions tell an
unchanged one from a changed one, and the new events for the event log, through a bounded reader
that says how many it missed. The engine never calls the console: it runs on its own thread and
the console only reads what the engine published.

``EngineFeed`` reads a running engine (demo, paper, live); the operator's commands go to it
through ``Operator``, which names their source in the logged command.
"""

from __future__ import annotations

import getpass
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from nautui import events
from nautui.engine import Engine
from nautui.tui.actions import Mode
from nautui.views import View

__all__ = ["EngineFeed", "Feed", "Operator", "Update"]

#: Events kept for the console between two polls; past this the oldest are dropped and counted.
EVENT_BUFFER = 20_000


@dataclass
class Update:
    """What changed since the last poll."""

    #: Views whose version moved, by key (``status``, ``orders``, ``ladder:<instrument>``, ...).
    views: dict[str, View] = field(default_factory=dict)
    #: New events, oldest first, with the stream position of the first.
    events: list[events.Event] = field(default_factory=list)
    first: int = 0
    #: Events dropped before these because the console fell behind.
    missed: int = 0


class Operator:
    """The operator's commands from the console. Each names its source, ``console:<user>``, in
    the command event the engine logs. Calls block until the engine takes them (at most one of
    its steps): the console makes them from a worker thread, never from the screen's."""

    def __init__(self, engine: Engine, user: str | None = None) -> None:
        self.engine = engine
        self.source = f"console:{user or _user()}"

    def cancel_all(self, strategy_id: str | None = None, instrument_id: str | None = None) -> None:
        self.engine.cancel_all(strategy_id, instrument_id, source=self.source)

    def flatten(self, strategy_id: str | None = None, instrument_id: str | None = None) -> None:
        self.engine.flatten(strategy_id, instrument_id, source=self.source)

    def halt(self, reason: str = "operator") -> None:
        self.engine.halt(reason, source=self.source)

    def resume(self, reason: str = "operator") -> None:
        self.engine.resume(reason, source=self.source)

    def cancel(self, client_order_id: str) -> None:
        self.engine.cancel(client_order_id)

    def submit(
        self,
        instrument_id: str,
        side: str,
        quantity: Decimal | str,
        order_type: str = "MARKET",
        *,
        price: Decimal | str | None = None,
        trigger_price: Decimal | str | None = None,
        time_in_force: str | None = None,
    ) -> str:
        """An order from the ticket, under the strategy id ``console``: the same risk checks as
        any strategy's order."""
        return self.engine.submit(
            "console",
            instrument_id,
            side,
            quantity,
            order_type,
            price=price,
            trigger_price=trigger_price,
            time_in_force=time_in_force,
        )


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Feed(Protocol):
    """What the console reads."""

    @property
    def mode(self) -> Mode: ...

    @property
    def operator(self) -> Operator | None:
        """Where trading actions go; None in modes that cannot trade."""

    def poll(self) -> Update: ...

    def now_ns(self) -> int:
        """The time data ages are measured against: wall time live, the cursor in a replay."""


class EngineFeed:
    """A running engine's views and events (see the module documentation)."""

    def __init__(self, engine: Engine, mode: Mode, *, user: str | None = None) -> None:
        self.engine = engine
        self._mode = mode
        self._operator = Operator(engine, user) if mode.trades else None
        self._stream = engine.events_stream(max_events=EVENT_BUFFER)
        self._seen: dict[str, int] = {}
        engine.request_views()

    @property
    def mode(self) -> Mode:
        return self._mode

    @property
    def operator(self) -> Operator | None:
        return self._operator

    def poll(self) -> Update:
        """The views published since the last poll and the events produced since; asks for the
        next views (the engine publishes them after its next step)."""
        changed = self.engine.views(self._seen)
        self.engine.request_views()
        for key, (version, _) in changed.items():
            self._seen[key] = version
        received = self._stream.read(max_events=EVENT_BUFFER, timeout=0.0)
        return Update(
            views={key: view for key, (_, view) in changed.items()},
            events=received.events,
            first=received.first,
            missed=received.missed,
        )

    def now_ns(self) -> int:
        return time.time_ns()
