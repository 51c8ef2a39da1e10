"""The engine's four latency histograms (data to callback, callback duration, submit to ack,
ack to fill): percentiles written out and the bucket counts drawn as bars."""

from __future__ import annotations

from rich.text import Text

from nautui.tui.widgets.line_pane import LinePane
from nautui.views import HistogramView, LatencyView

__all__ = ["LatencyPane", "duration"]

_BAR = 30


_US, _MS, _S = 1_000, 1_000_000, 1_000_000_000


def duration(ns: int) -> str:
    """A duration, short: ``850ns``, ``12.3us``, ``4.1ms``, ``2.0s``."""
    if ns < _US:
        return f"{ns}ns"
    if ns < _MS:
        return f"{ns / _US:.1f}us"
    if ns < _S:
        return f"{ns / _MS:.1f}ms"
    return f"{ns / _S:.1f}s"


class LatencyPane(LinePane):
    def __init__(self, *, id: str | None = "latency") -> None:  # noqa: A002  (Textual's name)
        super().__init__("Latency", id=id)

    def show(self, view: LatencyView) -> None:
        rows: list[Text] = []
        for h in view.histograms:
            rows += self._histogram(h)
        self.set_rows(rows)

    def _histogram(self, h: HistogramView) -> list[Text]:
        title = h.name.replace("_", " ")
        if not h.count:
            return [Text(f"{title}: no samples", self.get_component_rich_style("pane--header"))]
        rows = [
            Text(
                f"{title}: n={h.count:,} p50 {duration(h.p50)} p90 {duration(h.p90)} "
                f"p99 {duration(h.p99)} max {duration(h.max)}",
                self.get_component_rich_style("pane--header"),
                no_wrap=True,
            )
        ]
        top = max((n for _, n in h.buckets), default=0) or 1
        for bound, n in h.buckets:
            if n:
                bar = "█" * max(1, round(_BAR * n / top))
                rows.append(Text(f"  <={duration(bound):>8} {bar} {n:,}", no_wrap=True))
        return rows
