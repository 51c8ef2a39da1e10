"""Open orders, oldest first: select one with the arrow keys to cancel it (``c``)."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text

from nautui.tui.widgets.line_pane import LinePane
from nautui.views import OrderRow

__all__ = ["OrdersPane"]


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,f}"


class OrdersPane(LinePane):
    BINDINGS = [("down", "cursor_down", "Down"), ("up", "cursor_up", "Up")]

    def __init__(self, *, id: str | None = "orders") -> None:  # noqa: A002  (Textual's name)
        super().__init__("Orders", id=id, selectable=True)
        self.orders: list[OrderRow] = []
        self.set_header(
            Text(
                f"{'ORDER':<20} {'SIDE':<4} {'TYPE':<11} {'QTY':>10} {'FILLED':>10} "
                f"{'PRICE':>12} {'STATUS':<16} {'TIF':<3} {'STRATEGY':<10}"
            )
        )

    def show(self, orders: list[OrderRow]) -> None:
        self.orders = orders
        self.border_title = f"Orders ({len(orders)} open)"
        self.set_rows([self._row(o) for o in orders])

    def _row(self, order: OrderRow) -> Text:
        status = f"{order.status}{' ...' if order.in_flight else ''}"
        price = order.price if order.price is not None else order.trigger_price
        style = self.get_component_rich_style("pane--up" if order.side == "BUY" else "pane--down")
        row = Text(no_wrap=True)
        row.append(f"{order.client_order_id:<20} ")
        row.append(f"{order.side:<4}", style)
        row.append(
            f" {order.order_type:<11} {_num(order.quantity):>10} {_num(order.filled_qty):>10} "
            f"{_num(price):>12} {status:<16} {order.time_in_force:<3} {order.strategy_id:<10}"
        )
        return row

    @property
    def selected(self) -> OrderRow | None:
        """The order under the cursor."""
        if self.cursor is None or self.cursor >= len(self.orders):
            return None
        return self.orders[self.cursor]
