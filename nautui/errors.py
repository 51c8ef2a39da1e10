"""The exceptions nautui raises. The engine raises these too: its errors are mapped to them in
one place (core/src/python/errors.rs). Each also subclasses the familiar builtin, so
``except ValueError`` keeps working."""

from __future__ import annotations

__all__ = [
    "BookError",
    "ConfigError",
    "DecodeError",
    "EventLogError",
    "InvalidValueError",
    "NautuiError",
    "OrderStateError",
    "StrategyError",
    "UnknownInstrumentError",
    "UnknownOrderError",
]


class NautuiError(Exception):
    """Base of every error nautui raises on purpose."""


class InvalidValueError(NautuiError, ValueError):
    """A value the engine refuses; the message starts with the field it came from."""


class DecodeError(NautuiError, ValueError):
    """A payload that is not a valid event."""


class UnknownInstrumentError(NautuiError, KeyError):
    """An instrument id the engine does not know."""

    def __str__(self) -> str:
        # KeyError quotes its argument; this message is a sentence, not a key.
        return str(self.args[0]) if self.args else ""


class UnknownOrderError(NautuiError, KeyError):
    """A client order id the engine does not know."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class OrderStateError(NautuiError, RuntimeError):
    """An order transition the order state machine does not allow."""


class EventLogError(NautuiError, OSError):
    """An event log that is missing, not a log, corrupt or refuses a write; the message is one
    line naming the file and, where one row is at fault, its seq."""

    def __str__(self) -> str:
        # OSError formats (errno, strerror) pairs; this message is one sentence.
        return str(self.args[0]) if self.args else ""


class BookError(NautuiError, ValueError):
    """Book data the engine cannot apply: a sequence gap, or deltas before a snapshot."""


class ConfigError(NautuiError, ValueError):
    """A configuration the engine cannot run with; the message names the file and the key."""


class StrategyError(NautuiError, RuntimeError):
    """A strategy callback raised; the run stopped. ``__cause__`` is the original exception."""
