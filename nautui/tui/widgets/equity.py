"""Equity and drawdown over time, drawn in the terminal: the account's equity (balances plus
unrealized PnL, in the quote currency) sampled by the console, its curve, and the drawdown
from its running peak, both with their figures written out."""

from __future__ import annotations

from collections import deque

from rich.text import Text

from nautui.tui.widgets.line_pane import LinePane
from nautui.tui.widgets.plot import braille_plot

__all__ = ["EquityPane"]

#: Samples kept: one a second is four hours.
KEEP = 14_400


class EquityPane(LinePane):
    def __init__(self, *, id: str | None = "equity") -> None:  # noqa: A002  (Textual's name)
        super().__init__("Equity", id=id)
        self.samples: deque[tuple[int, float]] = deque(maxlen=KEEP)
        self.currency = ""

    def add(self, ts_ns: int, equity: float, currency: str) -> None:
        """One sample (engine time, equity)."""
        self.currency = currency
        if self.samples and self.samples[-1][0] == ts_ns:
            self.samples[-1] = (ts_ns, equity)
        else:
            self.samples.append((ts_ns, equity))
        self.redraw()

    def set_series(self, points: list[tuple[int, float]], currency: str) -> None:
        """A whole curve (a backtest's)."""
        self.currency = currency
        self.samples = deque(points, maxlen=max(KEEP, len(points)))
        self.redraw()

    def on_resize(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        values = [v for _, v in self.samples]
        width = max(self.size.width - 1, 10)
        height = max(self.size.height - 3, 2)
        curve_rows = max(height * 2 // 3, 1)
        peak = float("-inf")
        drawdown = []
        for v in values:
            peak = max(peak, v)
            drawdown.append(v - peak)
        rows: list[Text] = []
        if values:
            last, low_dd = values[-1], min(drawdown)
            rows.append(
                Text(
                    f"equity {last:,.2f} {self.currency}  high {max(values):,.2f}  "
                    f"low {min(values):,.2f}  max drawdown {low_dd:,.2f}",
                    no_wrap=True,
                )
            )
        else:
            rows.append(Text("no equity samples yet", no_wrap=True))
        rows += [Text(line) for line in braille_plot(values, width, curve_rows)]
        rows.append(Text("drawdown", self.get_component_rich_style("pane--header")))
        down = self.get_component_rich_style("pane--down")
        rows += [
            Text(line, down) for line in braille_plot(drawdown, width, max(height - curve_rows, 1))
        ]
        self.set_rows(rows)
