"""The event log: every event the engine produced, one line each, newest at the bottom.

It follows the tail while the view is at the bottom; scrolled up, it stays put and its border
counts the lines that arrived meanwhile ("N new"), as Toolong does. A filter (kind, instrument,
strategy or order id, any word of the line) narrows it; Enter opens the selected event whole.
It keeps the last ``KEEP`` events (older ones are in the event log file), renders only the lines
on screen, and caches them.
"""

from __future__ import annotations

from collections import deque
from datetime import UTC, datetime
from decimal import Decimal

from rich.segment import Segment
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from nautui import events
from nautui.tui.widgets.line_pane import age_text

__all__ = ["EventLogPane", "describe", "event_line"]

KEEP = 50_000
STALE_AFTER_NS = 5_000_000_000


def _num(value: Decimal | None) -> str:
    return "" if value is None else f"{value:,f}"


def describe(event: events.Event) -> str:  # noqa: PLR0911  (one answer per kind of event)
    """What an event says, in a few words (side, quantity and price of orders and fills, bid
    and ask of quotes, reasons of refusals)."""
    match event:
        case events.QuoteTick():
            return (
                f"bid {_num(event.bid_price)} x {_num(event.bid_size)}  "
                f"ask {_num(event.ask_price)} x {_num(event.ask_size)}"
            )
        case events.TradeTick():
            return f"{_num(event.price)} x {_num(event.size)} {event.aggressor_side}"
        case events.SubmitOrder():
            price = f" @ {_num(event.price)}" if event.price is not None else ""
            flags = " post-only" * event.post_only + " reduce-only" * event.reduce_only
            return (
                f"{event.side} {event.order_type} {_num(event.quantity)}{price} "
                f"{event.time_in_force}{flags}"
            )
        case events.OrderFilled():
            return (
                f"{event.side} {_num(event.last_qty)} @ {_num(event.last_px)} "
                f"fee {_num(event.commission.amount)} {event.liquidity_side}"
            )
        case events.OrderDenied() | events.OrderRejected():
            return event.reason
        case events.OrderExpired() | events.OrderCanceled():
            return getattr(event, "reason", "") or ""
        case events.TradingStateChanged():
            return f"{event.state} {event.reason}"
        case events.Halt() | events.Resume():
            return f"{event.reason} ({event.source})"
        case events.CancelAllOrders() | events.Flatten():
            scope = " ".join(x for x in (event.strategy_id, event.instrument_id) if x) or "all"
            return f"{scope} ({event.source})"
        case events.VenueDisconnected():
            return event.reason
        case _:
            return ""


def event_line(position: int, event: events.Event) -> str:
    """The log line of one event: stream position, time, kind, instrument, strategy, order."""
    ts = datetime.fromtimestamp(event.ts_init / 1e9, tz=UTC).strftime("%H:%M:%S.%f")[:-3]
    instrument = getattr(event, "instrument_id", None) or ""
    strategy = getattr(event, "strategy_id", None) or ""
    order = getattr(event, "client_order_id", None) or ""
    return (
        f"{position:>9} {ts} {events.kind(event):<20} {instrument:<14} {strategy:<10} "
        f"{order:<18} {describe(event)}"
    )


class EventLogPane(ScrollView, can_focus=True):
    """See the module documentation."""

    COMPONENT_CLASSES = {"pane--cursor"}
    BINDINGS = [
        ("down", "cursor_down", "Down"),
        ("up", "cursor_up", "Up"),
        ("end", "follow", "Follow"),
        ("enter", "open", "Show event"),
    ]

    class Opened(Message):
        """The operator asked to see one event whole."""

        def __init__(self, position: int, event: events.Event) -> None:
            self.position = position
            self.event = event
            super().__init__()

    filter_text: reactive[str] = reactive("")
    cursor: reactive[int | None] = reactive(None)

    def __init__(self, *, id: str | None = "events") -> None:  # noqa: A002  (Textual's name)
        super().__init__(id=id, classes="pane")
        self.border_title = "Events"
        self._all: deque[tuple[int, events.Event, str]] = deque(maxlen=KEEP)
        self._shown: list[int] = []  # indexes into _all that pass the filter
        self._cache: dict[int, Strip] = {}
        self._unseen = 0
        self.missed = 0
        #: At the tail: new lines scroll into view. Scrolling up stops it; End resumes it.
        self.following = True

    def add(self, first: int, new: list[events.Event], missed: int = 0) -> None:
        """Appends events (the first at stream position ``first``); ``missed`` were dropped
        before them because the console fell behind."""
        if not new and not missed:
            return
        following = self.following
        self.missed += missed
        dropped = max(len(self._all) + len(new) - KEEP, 0)
        for offset, event in enumerate(new):
            self._all.append((first + offset, event, event_line(first + offset, event)))
        if dropped:
            self._reindex()
        else:
            start = len(self._all) - len(new)
            self._shown += [i for i in range(start, len(self._all)) if self._passes(i)]
        added = len(new)
        self.virtual_size = Size(self.size.width, len(self._shown))
        if following:
            self._unseen = 0
            self.call_after_refresh(self.scroll_end, animate=False)
        else:
            self._unseen += added
        self._update_subtitle()
        self.refresh()

    def set_age(self, age_ns: int | None) -> None:
        """The age of the engine's data, in the title (STALE past five seconds, in words)."""
        if age_ns is None:
            title = "Events · no data"
        elif age_ns > STALE_AFTER_NS:
            title = f"Events · STALE {age_text(age_ns)}"
        else:
            title = f"Events · {age_text(age_ns)}"
        if title != self.border_title:
            self.border_title = title
            self.set_class(age_ns is None or age_ns > STALE_AFTER_NS, "-stale")

    def _update_subtitle(self) -> None:
        parts = [f"{len(self._shown):,} shown"]
        if self.filter_text:
            parts.append(f"filter {self.filter_text!r}")
        if self._unseen:
            parts.append(f"{self._unseen:,} new")
        if self.missed:
            parts.append(f"{self.missed:,} not shown (too fast)")
        self.border_subtitle = " · ".join(parts)

    def _at_bottom(self) -> bool:
        return self.scroll_offset.y >= self.max_scroll_y

    def _passes(self, index: int) -> bool:
        words = self.filter_text.lower().split()
        if not words:
            return True
        line = self._all[index][2].lower()
        return all(word in line for word in words)

    def _reindex(self) -> None:
        self._shown = [i for i in range(len(self._all)) if self._passes(i)]
        self._cache.clear()

    def watch_filter_text(self) -> None:
        self._reindex()
        self.virtual_size = Size(self.size.width, len(self._shown))
        self.cursor = None
        self.scroll_end(animate=False, immediate=True)
        self._update_subtitle()
        self.refresh()

    def watch_cursor(self) -> None:
        self._cache.clear()
        if self.cursor is not None:
            top, height = self.scroll_offset.y, self.size.height
            if self.cursor < top:
                self.scroll_to(y=self.cursor, animate=False)
            elif self.cursor >= top + height:
                self.scroll_to(y=self.cursor - height + 1, animate=False)
        self.refresh()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        if new < old and not self._at_bottom():
            self.following = False
        elif self._at_bottom() and not self.following:
            self.following = True
            self._unseen = 0
            self._update_subtitle()

    def action_cursor_down(self) -> None:
        if self._shown:
            last = len(self._shown) - 1
            self.cursor = last if self.cursor is None else min(self.cursor + 1, last)

    def action_cursor_up(self) -> None:
        self.following = False
        if self._shown:
            last = len(self._shown) - 1
            self.cursor = last if self.cursor is None else max(self.cursor - 1, 0)

    def action_follow(self) -> None:
        self.cursor = None
        self.following = True
        self._unseen = 0
        self.scroll_end(animate=False)
        self._update_subtitle()

    def action_open(self) -> None:
        if self.cursor is not None and self.cursor < len(self._shown):
            position, event, _ = self._all[self._shown[self.cursor]]
            self.post_message(self.Opened(position, event))

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.size.width
        style = self.rich_style
        if row >= len(self._shown):
            return Strip.blank(width, style)
        strip = self._cache.get(row)
        if strip is None:
            text = Text(self._all[self._shown[row]][2], no_wrap=True)
            if row == self.cursor:
                text.stylize(self.get_component_rich_style("pane--cursor"))
            segments = [
                Segment(s.text, style + s.style if s.style else style)
                for s in text.render(self.app.console)
                if s.text != "\n"
            ]
            strip = Strip(segments)
            if len(self._cache) > 4 * max(self.size.height, 1):
                self._cache.clear()
            self._cache[row] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, style)
