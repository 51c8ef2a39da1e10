"""Strategies in Python on the Rust engine.

Subclass ``Strategy`` and override the callbacks you need; the engine calls only those (found
when the strategy is added), so data you do not handle never enters Python. Callback arguments
are light engine objects (``QuoteTick``, ``TradeTick``, ``BookView``) or ``nautui.events``
Structs, never dicts. Actions are checked when you call them (a bad price raises
``InvalidValueError`` at once) and reach the engine when the callback returns. An exception
in a callback stops the run with ``StrategyError`` naming the strategy and the callback, the
original exception chained as its cause.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar, TypeAlias

import msgspec
import numpy as np
import numpy.typing as npt

from nautui._core import (
    Balance,
    BookView,
    Order,
    Position,
    Price,
    Quantity,
    QuoteTick,
    StrategyLink,
    TradeTick,
)
from nautui.errors import NautuiError
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

PriceLike: TypeAlias = Price | Decimal | str | int
QuantityLike: TypeAlias = Quantity | Decimal | str | int


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


class Strategy:
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
        self._link_or_none: StrategyLink | None = None

    @classmethod
    def overridden_callbacks(cls) -> list[str]:
        """The callbacks this class overrides: the only ones the engine will call."""
        return [name for name in cls.CALLBACKS if getattr(cls, name) is not getattr(Strategy, name)]

    @classmethod
    def wants_batches(cls) -> bool:
        """True when the class overrides ``on_quote_batch``."""
        return cls.on_quote_batch is not Strategy.on_quote_batch

    def _check_unattached(self) -> None:
        if self._link_or_none is not None:
            raise NautuiError(f"strategy {self.id} is already added to an engine")

    def _attach(self, link: StrategyLink) -> None:
        self._check_unattached()
        self._link_or_none = link

    @property
    def _link(self) -> StrategyLink:
        if self._link_or_none is None:
            raise NautuiError(f"strategy {self.id} is not added to an engine")
        return self._link_or_none

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

    # -- actions (inside callbacks) ------------------------------------------------------------

    @property
    def now(self) -> int:
        """Engine time of the current callback (ns)."""
        return self._link.now

    def submit_order(
        self,
        instrument_id: str,
        side: str,
        quantity: QuantityLike,
        order_type: str = "MARKET",
        *,
        price: PriceLike | None = None,
        trigger_price: PriceLike | None = None,
        time_in_force: str | None = None,
        expire_time: int | None = None,
        post_only: bool = False,
        reduce_only: bool = False,
    ) -> str:
        """Submits an order (MARKET, LIMIT, STOP_MARKET or STOP_LIMIT; TIF defaults to IOC for
        market orders, GTC otherwise); returns its client order id ``O-<strategy>-<n>``."""
        return self._link.submit(
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

    def modify_order(
        self,
        client_order_id: str,
        quantity: QuantityLike | None = None,
        price: PriceLike | None = None,
        trigger_price: PriceLike | None = None,
    ) -> None:
        self._link.modify(client_order_id, quantity, price, trigger_price)

    def cancel_order(self, client_order_id: str) -> None:
        self._link.cancel(client_order_id)

    def cancel_all_orders(self, instrument_id: str | None = None) -> None:
        self._link.cancel_all(instrument_id)

    def close_all_positions(self, instrument_id: str | None = None) -> None:
        """Cancels this strategy's open orders and closes its positions at market."""
        self._link.close_all(instrument_id)

    def set_timer(
        self, name: str, at: int, interval_ns: int | None = None, stop: int | None = None
    ) -> None:
        """A timer firing at ``at`` (ns), then every ``interval_ns`` until ``stop``."""
        self._link.set_timer(name, at, interval_ns, stop)

    def cancel_timer(self, name: str) -> None:
        self._link.cancel_timer(name)

    # -- reading -------------------------------------------------------------------------------

    def order(self, client_order_id: str) -> Order | None:
        return self._link.order(client_order_id)

    def orders(self) -> list[Order]:
        return self._link.orders()

    def open_orders(self) -> list[Order]:
        return self._link.open_orders()

    def position(self, instrument_id: str) -> Position | None:
        return self._link.position(instrument_id)

    def positions(self) -> list[Position]:
        return self._link.positions()

    def balances(self) -> list[Balance]:
        """The account's balances (as of this strategy's last fill, or its start)."""
        return self._link.balances()

    def quote(self, instrument_id: str) -> QuoteTick | None:
        """The last quote this strategy received for the instrument."""
        return self._link.quote(instrument_id)
