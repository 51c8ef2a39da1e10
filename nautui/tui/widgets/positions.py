"""Positions with their PnL (per instrument and strategy, then totals per currency) and the
account's balances. Signs are written out (+/-) as well as coloured."""

from __future__ import annotations

from decimal import Decimal

from rich.text import Text

from nautui.events import AccountBalance
from nautui.tui.widgets.line_pane import LinePane
from nautui.views import PositionsView

__all__ = ["PositionsPane"]


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,f}"


class PositionsPane(LinePane):
    def __init__(self, *, id: str | None = "positions") -> None:  # noqa: A002  (Textual's name)
        super().__init__("Positions", id=id)
        self.positions: PositionsView | None = None
        self.balances: list[AccountBalance] = []
        self.set_header(
            Text(
                f"{'INSTRUMENT':<16} {'STRATEGY':<10} {'SIDE':<5} {'QTY':>10} {'AVG PX':>12} "
                f"{'REALIZED':>12} {'UNREALIZED':>12} {'FEES':>10}"
            )
        )

    def show(self, positions: PositionsView | None, balances: list[AccountBalance] | None) -> None:
        if positions is not None:
            self.positions = positions
        if balances is not None:
            self.balances = balances
        rows: list[Text] = []
        if self.positions is not None:
            rows += [
                self._row(
                    f"{p.instrument_id:<16} {p.strategy_id:<10} {p.side:<5} {_num(p.quantity):>10} "
                    f"{_num(p.avg_px_open):>12}",
                    p.realized_pnl.amount,
                    p.unrealized_pnl.amount,
                    p.fees.amount,
                )
                for p in self.positions.rows
            ]
            rows += [
                self._row(
                    f"{'TOTAL ' + t.currency:<16} {'':<10} {'':<5} {'':>10} {'':>12}",
                    t.realized_pnl.amount,
                    t.unrealized_pnl.amount,
                    t.fees.amount,
                )
                for t in self.positions.totals
            ]
        rows += [
            Text(
                f"{'BALANCE ' + b.currency:<16} total {_num(b.total.amount)}  "
                f"locked {_num(b.locked.amount)}  free {_num(b.free.amount)}",
                no_wrap=True,
            )
            for b in self.balances
        ]
        open_count = sum(1 for p in (self.positions.rows if self.positions else []) if p.quantity)
        self.border_title = f"Positions ({open_count} open)"
        self.set_rows(rows)

    def _row(self, head: str, realized: Decimal, unrealized: Decimal, fees: Decimal) -> Text:
        row = Text(head, no_wrap=True)
        for value, width in ((realized, 13), (unrealized, 13)):
            style = "pane--up" if value > 0 else "pane--down" if value < 0 else "pane--header"
            row.append(f"{value:+,f}".rjust(width), self.get_component_rich_style(style))
        row.append(f"{_num(fees):>11}")
        return row
