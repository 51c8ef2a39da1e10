"""The order book ladder: asks above (best at the bottom), the spread, bids below (best at the
top), each level with its size and a size bar, own working orders marked at their price with
their quantity and, where the simulated venue knows it, the volume queued ahead of them. Sides
are named in words (ASK/BID) as well as coloured, and own orders carry a ``*``."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text

from nautui.tui.widgets.line_pane import LinePane
from nautui.views import LadderLevel, LadderView

__all__ = ["LadderPane"]

_BAR = 12


def _num(value: Decimal) -> str:
    return f"{value:,f}"


class LadderPane(LinePane):
    COMPONENT_CLASSES = LinePane.COMPONENT_CLASSES | {
        "ladder--bid",
        "ladder--ask",
        "ladder--own",
        "ladder--spread",
    }

    def __init__(self, *, id: str | None = "ladder") -> None:  # noqa: A002  (Textual's name)
        super().__init__("Ladder", id=id)
        self.view: LadderView | None = None
        self.set_header(Text(f"{'SIDE':<4} {'PRICE':>14} {'SIZE':>12} {'':<{_BAR}} OWN"))

    def show(self, view: LadderView) -> None:
        """Draws a new ladder."""
        self.view = view
        self.border_title = f"Ladder {view.instrument_id}"
        sizes = [level.size for level in (*view.asks, *view.bids)]
        biggest = max(sizes, default=Decimal(0)) or Decimal(1)
        rows = [self._level("ASK", level, biggest, "ladder--ask") for level in reversed(view.asks)]
        rows.append(self._spread(view))
        rows.extend(self._level("BID", level, biggest, "ladder--bid") for level in view.bids)
        self.set_rows(rows)
        # The spread stays in the middle, as on a trading ladder.
        spread_row = len(view.asks)
        top = max(spread_row - (self.size.height - 1) // 2, 0)
        if top != self.scroll_offset.y:
            self.scroll_to(y=top, animate=False, immediate=True)

    def _level(self, side: str, level: LadderLevel, biggest: Decimal, component: str) -> Text:
        style = self.get_component_rich_style(component)
        filled = round(_BAR * float(level.size / biggest)) if level.size else 0
        row = Text(no_wrap=True)
        row.append(f"{side:<4} {_num(level.price):>14} {_num(level.size):>12} ", style)
        row.append(("█" * filled).ljust(_BAR), style)
        if level.own_orders:
            own = f" *{level.own_orders} {_num(level.own_qty)}"
            if level.queue_ahead is not None:
                own += f" q{_num(level.queue_ahead)}"
            row.append(own, self.get_component_rich_style("ladder--own"))
        return row

    def _spread(self, view: LadderView) -> Text:
        parts = []
        if view.spread is not None:
            parts.append(f"spread {_num(view.spread)}")
        if view.last_trade is not None:
            trade = view.last_trade
            side = {"BUYER": "buy", "SELLER": "sell"}.get(trade.aggressor_side, "")
            parts.append(f"last {_num(trade.price)} x {_num(trade.size)} {side}".rstrip())
        text = "  ".join(parts) if parts else "no market data"
        return Text(f"---- {text} ----", self.get_component_rich_style("ladder--spread"))
