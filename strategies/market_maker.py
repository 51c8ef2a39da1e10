"""Market maker: quotes a post-only bid and ask at the touch (``edge`` inside-out from the best
bid and ask), re-quotes when the touch moves away from its orders (cancel, then place once the
cancel is confirmed), handles partial fills (the rest keeps working) and keeps the inventory
within ``max_inventory`` by quoting only the side that reduces it at the limit.

    nautui backtest --strategy market_maker --data catalog --param trade_size=0.001
"""

from __future__ import annotations

from decimal import Decimal

from nautui import QuoteTick, Strategy, StrategyConfig
from nautui.events import OrderCanceled, OrderDenied, OrderExpired, OrderFilled, OrderRejected

__all__ = ["MarketMaker", "MarketMakerConfig"]


class MarketMakerConfig(StrategyConfig, frozen=True):
    instrument_id: str
    trade_size: Decimal = Decimal("0.001")
    max_inventory: Decimal = Decimal("0.003")
    #: Distance of each quote behind the best price on its side (price units, on the tick).
    edge: Decimal = Decimal("0")
    #: Re-quote when the touch is this far from a working order (price units).
    requote_distance: Decimal = Decimal("0.5")


class _Side:
    """One side's working order."""

    __slots__ = ("canceling", "order_id", "price_raw")

    def __init__(self) -> None:
        self.order_id: str | None = None
        self.price_raw = 0
        self.canceling = False


class MarketMaker(Strategy):
    def __init__(self, config: MarketMakerConfig) -> None:
        super().__init__(config)
        self.params = config
        self.sides = {"BUY": _Side(), "SELL": _Side()}
        self.max_raw = int(config.max_inventory.scaleb(9))
        self.edge_raw = int(config.edge.scaleb(9))
        self.requote_raw = int(config.requote_distance.scaleb(9))
        self.partial_fills = 0
        self.cancels = 0

    def on_quote_tick(self, tick: QuoteTick) -> None:
        position = self.position(self.params.instrument_id)
        held = 0 if position is None else position.signed_qty_raw
        touch = {"BUY": tick.bid_raw - self.edge_raw, "SELL": tick.ask_raw + self.edge_raw}
        for side_name, side in self.sides.items():
            allowed = held < self.max_raw if side_name == "BUY" else held > -self.max_raw
            price = touch[side_name]
            if side.order_id is not None:
                stale = abs(side.price_raw - price) >= self.requote_raw
                if (stale or not allowed) and not side.canceling:
                    self.cancel_order(side.order_id)
                    side.canceling = True
                continue
            if allowed:
                side.order_id = self.submit_order(
                    self.params.instrument_id,
                    side_name,
                    self.params.trade_size,
                    "LIMIT",
                    price=Decimal(price).scaleb(-9),
                    post_only=True,
                )
                side.price_raw = price
                side.canceling = False

    def _finished(self, client_order_id: str) -> None:
        for side in self.sides.values():
            if side.order_id == client_order_id:
                order = self.order(client_order_id)
                if order is None or order.is_terminal:
                    side.order_id = None
                    side.canceling = False

    def on_order_filled(self, event: OrderFilled) -> None:
        order = self.order(event.client_order_id)
        if order is not None and not order.is_terminal:
            self.partial_fills += 1  # the rest keeps working at the same price
        self._finished(event.client_order_id)

    def on_order_canceled(self, event: OrderCanceled) -> None:
        self.cancels += 1
        self._finished(event.client_order_id)

    def on_order_rejected(self, event: OrderRejected) -> None:
        self._finished(event.client_order_id)

    def on_order_denied(self, event: OrderDenied) -> None:
        self._finished(event.client_order_id)

    def on_order_expired(self, event: OrderExpired) -> None:
        self._finished(event.client_order_id)
