"""Strategies in Python on the Rust engine.

Subclass ``Strategy`` and override the callbacks you need; the engine calls only those (found
when the strategy is added), so data you do not handle never enters Python. Callback arguments
are light engine objects (``QuoteTick``, ``TradeTick``, ``BookView``) or ``nautui.events``
Structs, never dicts.

The actions (``submit_order``, ``modify_order``, ``cancel_order``, ``cancel_all_orders``,
``close_all_positions``, ``set_timer``, ``cancel_timer``) and reads (``order``, ``orders``,
``open_orders``, ``position``, ``positions``, ``balances``, ``quote``, ``now``) are the engine's
own methods, inherited from ``nautui._core.StrategyBase`` (documented in ``nautui/_core.pyi``).
Actions are checked when you call them (a bad price raises ``InvalidValueError`` at once) and
reach the engine when the callback returns. An exception in a callback stops the run with
``StrategyError`` naming the strategy and the callback, the original exception chained as its
cause. A strategy added to a recovered engine sees, from ``on_start`` on, the orders and
positions the engine holds for its id; its timers are its own to set again.
"""

from __future__ import annotations

from typing import ClassVar

import msgspec
import numpy as np
import numpy.typing as npt

from nautui._core import BookView, QuoteTick, StrategyBase, TradeTick
from nautui.events import (
    Bar,
    OrderAccepted,
    OrderCanceled,
    OrderDenied,
    OrderExpired,
    OrderFilled,
    OrderRejected,
    PositionChanged,
    PositionClosed,
    PositionOpened,
    TimerFired,
)

__all__ = ["QuoteBatch", "Strategy", "StrategyConfig"]


class StrategyConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True, kw_only=True):
    """Every strategy's config; subclass it to add parameters (loadable from TOML)."""

    strategy_id: str


class QuoteBatch(msgspec.Struct, frozen=True):
    """A block of L1 quotes the engine has just processed, as numpy views (no copy): engine
    instrument indexes, raw prices and sizes (10^-9 units) and times (ns)."""

    instrument: npt.NDArray[np.uint32]
    bid_price: npt.NDArray[np.int64]
    ask_price: npt.NDArray[np.int64]
    bid_size: npt.NDArray[np.uint64]
    ask_size: npt.NDArray[np.uint64]
    ts_event: npt.NDArray[np.uint64]
    ts_init: npt.NDArray[np.uint64]


class Strategy(StrategyBase):
    """Base class of Python strategies. See the module documentation."""

    CALLBACKS: ClassVar[tuple[str, ...]] = (
        "on_start",
        "on_stop",
        "on_quote_tick",
        "on_trade_tick",
        "on_bar",
        "on_book",
        "on_order_accepted",
        "on_order_rejected",
        "on_order_denied",
        "on_order_filled",
        "on_order_canceled",
        "on_order_expired",
        "on_position_changed",
        "on_timer",
    )

    def __init__(self, config: StrategyConfig) -> None:
        self.config = config
        self.id = config.strategy_id

    @classmethod
    def overridden_callbacks(cls) -> list[str]:
        """The callbacks this class overrides: the only ones the engine will call."""
        return [name for name in cls.CALLBACKS if getattr(cls, name) is not getattr(Strategy, name)]

    @classmethod
    def wants_batches(cls) -> bool:
        """True when the class overrides ``on_quote_batch``."""
        return cls.on_quote_batch is not Strategy.on_quote_batch

    # -- callbacks (override the ones you need) ------------------------------------------------

    def on_start(self) -> None:
        """The run starts."""

    def on_stop(self) -> None:
        """The run ends (venue traffic in flight has been processed)."""

    def on_quote_tick(self, tick: QuoteTick) -> None:
        """A best bid/ask update."""

    def on_quote_batch(self, batch: QuoteBatch) -> None:
        """A block of quotes from ``Engine.run_quotes``, after the engine processed it, for
        vectorised logic. Actions apply at the engine time of the block's last quote (timers
        cannot be set here)."""

    def on_trade_tick(self, tick: TradeTick) -> None:
        """A trade printed by the venue."""

    def on_bar(self, bar: Bar) -> None:
        """A bar closed."""

    def on_book(self, book: BookView) -> None:
        """The order book changed (its top levels)."""

    def on_order_accepted(self, event: OrderAccepted) -> None:
        """The venue accepted one of this strategy's orders."""

    def on_order_rejected(self, event: OrderRejected) -> None:
        """The venue rejected one of this strategy's orders."""

    def on_order_denied(self, event: OrderDenied) -> None:
        """Pre-trade risk denied one of this strategy's orders."""

    def on_order_filled(self, event: OrderFilled) -> None:
        """One of this strategy's orders filled (partly or fully)."""

    def on_order_canceled(self, event: OrderCanceled) -> None:
        """One of this strategy's orders was canceled."""

    def on_order_expired(self, event: OrderExpired) -> None:
        """One of this strategy's orders expired."""

    def on_position_changed(self, event: PositionOpened | PositionChanged | PositionClosed) -> None:
        """A position of this strategy opened, changed or closed."""

    def on_timer(self, event: TimerFired) -> None:
        """A timer set with ``set_timer`` fired."""
