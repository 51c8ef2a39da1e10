"""EMA cross in Python: long ``trade_size`` while the fast EMA of the mid is above the slow one,
short ``trade_size`` while below. One market order at a time trades the difference between that
target and the position; when it ends (filled, or its IOC remainder canceled), the next quote
trades what is still missing, so the position never goes past the target. The built-in Rust
``ema_cross`` (core/src/strategies/ema_cross.rs) is the same strategy, with the same defaults.

    nautui backtest --strategy ema_cross_py --data catalog --param trade_size=0.01
"""

from __future__ import annotations

from decimal import Decimal

from nautui import QuoteTick, Strategy, StrategyConfig
from nautui.events import OrderCanceled, OrderDenied, OrderExpired, OrderFilled, OrderRejected
from nautui.indicators import EMA

__all__ = ["EmaCross", "EmaCrossConfig"]


class EmaCrossConfig(StrategyConfig, frozen=True):
    instrument_id: str
    fast_period: int = 10
    slow_period: int = 20
    #: The size held on either side.
    trade_size: Decimal = Decimal("0.01")


class EmaCross(Strategy):
    def __init__(self, config: EmaCrossConfig) -> None:
        super().__init__(config)
        self.params = config
        self.fast = EMA(config.fast_period)
        self.slow = EMA(config.slow_period)
        self.target_raw = 0
        self.size_raw = int(config.trade_size.scaleb(9))
        self.working: str | None = None
        #: The position may differ from the target (a cross, or an order that ended).
        self.dirty = False
        self.crosses = 0

    def on_quote_tick(self, tick: QuoteTick) -> None:
        mid2 = float(tick.mid2_raw)
        fast, slow = self.fast.update(mid2), self.slow.update(mid2)
        if not self.slow.is_ready or fast == slow:
            return
        target = self.size_raw if fast > slow else -self.size_raw
        if target != self.target_raw:
            self.target_raw = target
            self.crosses += 1
            self.dirty = True
        if self.dirty and self.working is None:
            self._trade_to_target()

    def _trade_to_target(self) -> None:
        position = self.position(self.params.instrument_id)
        held = 0 if position is None else position.signed_qty_raw
        delta = self.target_raw - held
        self.dirty = False
        if delta == 0:
            return
        side = "BUY" if delta > 0 else "SELL"
        quantity = Decimal(abs(delta)).scaleb(-9)
        self.working = self.submit_order(self.params.instrument_id, side, quantity)

    def _done(self, client_order_id: str) -> None:
        order = self.order(client_order_id)
        if client_order_id == self.working and (order is None or order.is_terminal):
            self.working = None
            self.dirty = True

    def on_order_filled(self, event: OrderFilled) -> None:
        self._done(event.client_order_id)

    def on_order_canceled(self, event: OrderCanceled) -> None:
        # An IOC market order the book could not fill completely: the rest is canceled and
        # the next quote trades what is missing.
        self._done(event.client_order_id)

    def on_order_rejected(self, event: OrderRejected) -> None:
        self._done(event.client_order_id)

    def on_order_denied(self, event: OrderDenied) -> None:
        self._done(event.client_order_id)

    def on_order_expired(self, event: OrderExpired) -> None:
        self._done(event.client_order_id)
