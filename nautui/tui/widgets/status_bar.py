"""The status bar, always on top: the mode (DEMO, PAPER, LIVE, REPLAY, BACKTEST), the venue's
connection, the engine's trading state with its reason (what the engine says, not what key was
pressed), the event clock, events per second, events the console dropped, and the age of the
data. Everything that matters is in words, so it reads the same without colour."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.widget import Widget

from nautui.tui.actions import Mode
from nautui.tui.widgets.line_pane import age_text
from nautui.views import StatusView

__all__ = ["StatusBar"]


class StatusBar(Widget):
    COMPONENT_CLASSES = {
        "status--mode",
        "status--halted",
        "status--reducing",
        "status--stale",
    }

    def __init__(self, mode: Mode) -> None:
        super().__init__()
        self.mode = mode
        self.status: StatusView | None = None
        self.venue = "venue: simulated" if mode in {Mode.DEMO, Mode.PAPER} else "venue: -"
        self.events_per_s = 0.0
        self.dropped = 0
        self.age_ns: int | None = None
        self.stale_after_ns = 5_000_000_000
        self.extra = ""
        self._last: Text | None = None

    def update_status(
        self,
        *,
        status: StatusView | None = None,
        events_per_s: float | None = None,
        dropped: int | None = None,
        age_ns: int | None = None,
        venue: str | None = None,
        extra: str | None = None,
    ) -> None:
        """New facts; the bar is redrawn only when its text changes."""
        if status is not None:
            self.status = status
        if events_per_s is not None:
            self.events_per_s = events_per_s
        if dropped is not None:
            self.dropped = dropped
        self.age_ns = age_ns if age_ns is not None else self.age_ns
        if venue is not None:
            self.venue = venue
        if extra is not None:
            self.extra = extra
        text = self._text()
        if self._last is None or text.plain != self._last.plain or text.spans != self._last.spans:
            self._last = text
            self.refresh()

    def render(self) -> Text:
        return self._last if self._last is not None else self._text()

    def _text(self) -> Text:
        bar = Text(no_wrap=True, overflow="ellipsis")
        bar.append(f" {self.mode} ", self.get_component_rich_style("status--mode"))
        bar.append(f" {self.venue} ")
        if self.status is not None:
            state = str(self.status.trading_state)
            style = {
                "HALTED": self.get_component_rich_style("status--halted"),
                "REDUCING": self.get_component_rich_style("status--reducing"),
            }.get(state)
            label = f" {state}"
            if self.status.reason and state != "ACTIVE":
                label += f": {self.status.reason}"
            bar.append(label + " ", style or "")
            clock = datetime.fromtimestamp(self.status.now / 1e9, tz=UTC)
            bar.append(f" {clock:%H:%M:%S}.{clock.microsecond // 1000:03d} ")
        bar.append(f" {self.events_per_s:,.0f} ev/s ")
        if self.dropped:
            bar.append(f" dropped {self.dropped:,} ")
        stale = self.age_ns is None or self.age_ns > self.stale_after_ns
        age = f" data {age_text(self.age_ns)} "
        if stale and self.age_ns is not None:
            bar.append(
                f" STALE data {age_text(self.age_ns)} ",
                self.get_component_rich_style("status--stale"),
            )
        else:
            bar.append(age)
        if self.extra:
            bar.append(f" {self.extra}")
        return bar
