"""nautui: a terminal trading console with an event-sourced Rust trading engine inside it.

Import the public names from here; ``nautui._core`` is the engine's private extension module.
"""

from nautui import errors, events, store
from nautui._core import (
    Instrument,
    Money,
    Price,
    Quantity,
    Replay,
    ReplayBalance,
    ReplayBook,
    ReplayOrder,
    ReplayPosition,
    ReplayState,
    __version__,
)
from nautui.errors import (
    DecodeError,
    EventLogError,
    InvalidValueError,
    NautuiError,
    OrderStateError,
    UnknownInstrumentError,
)
from nautui.store import EventLog

__all__ = [
    "DecodeError",
    "EventLog",
    "EventLogError",
    "Instrument",
    "InvalidValueError",
    "Money",
    "NautuiError",
    "OrderStateError",
    "Price",
    "Quantity",
    "Replay",
    "ReplayBalance",
    "ReplayBook",
    "ReplayOrder",
    "ReplayPosition",
    "ReplayState",
    "UnknownInstrumentError",
    "__version__",
    "errors",
    "events",
    "store",
]
