"""Spread taker: buys ``trade_size`` at market whenever the spread is below ``max_spread`` (at
most once per ``cooldown_ns``, never past ``max_position``); when the
position reaches ``max_position`` it sells it all at market and starts again.

    nautui backtest --strategy spread_taker --data catalog --param max_spread=0.02
"""

from __future__ import annotations

from decimal import Decimal

from nautui import QuoteTick, Strategy, StrategyConfig
from nautui.events import OrderCanceled, OrderDenied, OrderFilled, OrderRejected

__all__ = ["SpreadTaker", "SpreadTakerConfig"]


class SpreadTakerConfig(StrategyConfig, frozen=True):
    instrument_id: str
    #: Buy only when ``ask - bid < max_spread`` (price units).
    max_spread: Decimal = Decimal("0.02")
    trade_size: Decimal = Decimal("0.001")
    max_position: Decimal = Decimal("0.005")
    cooldown_ns: int = 1_000_000_000


class SpreadTaker(Strategy):
    def __init__(self, config: SpreadTakerConfig) -> None:
        super().__init__(config)
        self.params = config
        self.max_spread_raw = int(config.max_spread.scaleb(9))
        self.max_position_raw = int(config.max_position.scaleb(9))
        self.last_buy = -config.cooldown_ns
        self.working: str | None = None
        self.buys = 0
        self.exits = 0

    def on_quote_tick(self, tick: QuoteTick) -> None:
        if self.working is not None:
            return
        position = self.position(self.params.instrument_id)
        held = 0 if position is None else position.signed_qty_raw
        if held >= self.max_position_raw:
            self.working = self.submit_order(
                self.params.instrument_id, "SELL", Decimal(held).scaleb(-9), reduce_only=True
            )
            self.exits += 1
            return
        spread = tick.ask_raw - tick.bid_raw
        if spread < self.max_spread_raw and tick.ts_init - self.last_buy >= self.params.cooldown_ns:
            room = Decimal(self.max_position_raw - held).scaleb(-9)
            quantity = min(self.params.trade_size, room)
            self.working = self.submit_order(self.params.instrument_id, "BUY", quantity)
            self.last_buy = tick.ts_init
            self.buys += 1

    def _done(self, client_order_id: str) -> None:
        order = self.order(client_order_id)
        if client_order_id == self.working and (order is None or order.is_terminal):
            self.working = None

    def on_order_filled(self, event: OrderFilled) -> None:
        self._done(event.client_order_id)

    def on_order_canceled(self, event: OrderCanceled) -> None:
        self._done(event.client_order_id)

    def on_order_rejected(self, event: OrderRejected) -> None:
        self._done(event.client_order_id)

    def on_order_denied(self, event: OrderDenied) -> None:
        self._done(event.client_order_id)
