"""nautui: a terminal trading console with an event-sourced Rust trading engine inside it.

Import the public names from here; ``nautui._core`` is the engine's private extension module.
"""

from nautui import errors, events, store, views
from nautui._core import (
    Balance,
    BookView,
    Instrument,
    Money,
    Order,
    Position,
    Price,
    Quantity,
    QuoteTick,
    Replay,
    TradeTick,
    __version__,
)
from nautui.config import (
    EngineConfig,
    FixedLatency,
    RandomLatency,
    RiskConfig,
    VenueConfig,
    load_engine_config,
)
from nautui.engine import Engine, EventStream
from nautui.errors import (
    BookError,
    ConfigError,
    DecodeError,
    EventLogError,
    InvalidValueError,
    NautuiError,
    OrderStateError,
    StrategyError,
    UnknownInstrumentError,
    UnknownOrderError,
)
from nautui.store import EventLog
from nautui.strategy import Strategy, StrategyConfig

__all__ = [
    "Balance",
    "BookError",
    "BookView",
    "ConfigError",
    "DecodeError",
    "Engine",
    "EngineConfig",
    "EventLog",
    "EventLogError",
    "EventStream",
    "FixedLatency",
    "Instrument",
    "InvalidValueError",
    "Money",
    "NautuiError",
    "Order",
    "OrderStateError",
    "Position",
    "Price",
    "Quantity",
    "QuoteTick",
    "RandomLatency",
    "Replay",
    "RiskConfig",
    "Strategy",
    "StrategyConfig",
    "StrategyError",
    "TradeTick",
    "UnknownInstrumentError",
    "UnknownOrderError",
    "VenueConfig",
    "__version__",
    "errors",
    "events",
    "load_engine_config",
    "store",
    "views",
]
