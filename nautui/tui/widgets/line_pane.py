"""The base of the console's fast panes: a Line API view over rows of text, with a row cache.

A pane hands over its rows whenever its data changes; only the rows whose text changed are
rendered again (their strips are cached by row), and only they are refreshed, so a ladder that
moves one level repaints one line. Nothing is laid out per row as DataTable would. A pane can
keep a cursor (a selected row) and shows the age of its data in its border's subtitle: data
older than its staleness limit says STALE in words, not only in colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

__all__ = ["LinePane", "age_text"]

# Ages show tenths of a second below 10 s, seconds below 2 min, then minutes.
_TENTHS_BELOW_S = 10
_SECONDS_BELOW_S = 120


def age_text(age_ns: int | None) -> str:
    """A data age for a pane's border: ``0.2s``, ``14s``, ``3m``, ``no data``."""
    if age_ns is None:
        return "no data"
    seconds = max(age_ns, 0) / 1e9
    if seconds < _TENTHS_BELOW_S:
        return f"{seconds:.1f}s"
    if seconds < _SECONDS_BELOW_S:
        return f"{seconds:.0f}s"
    return f"{seconds / 60:.0f}m"


class LinePane(ScrollView, can_focus=True):
    """See the module documentation."""

    COMPONENT_CLASSES = {"pane--header", "pane--cursor", "pane--up", "pane--down"}

    #: Data older than this (ns) is stale.
    STALE_AFTER_NS = 5_000_000_000

    cursor: reactive[int | None] = reactive(None, repaint=False)

    def __init__(self, title: str, *, id: str | None = None, selectable: bool = False) -> None:  # noqa: A002  (Textual's name)
        super().__init__(id=id, classes="pane")
        self.border_title = title
        self.border_subtitle = "no data"
        self.selectable = selectable
        self._rows: list[Text] = []
        self._cache: dict[int, Strip] = {}
        self._header: Text | None = None
        self._width = 0
        self.stale = False

    # -- data ------------------------------------------------------------------------------------

    def set_header(self, header: Text | None) -> None:
        """A line drawn above the rows, not scrolled (column names)."""
        self._header = header

    def set_rows(self, rows: Sequence[Text]) -> None:
        """Replaces the rows; repaints only those that changed."""
        old = self._rows
        self._rows = list(rows)
        width = max((r.cell_len for r in self._rows), default=0)
        self.virtual_size = Size(width, len(self._rows) + self._header_height)
        if self.cursor is not None and self._rows:
            self.cursor = min(self.cursor, len(self._rows) - 1)
        elif not self._rows:
            self.cursor = None
        changed = [i for i in range(max(len(old), len(self._rows))) if _differs(old, self._rows, i)]
        for i in changed:
            self._cache.pop(i, None)
        if changed:
            top = self.scroll_offset.y
            visible = range(top, top + self.size.height)
            lines = [i + self._header_height - top for i in changed if i in visible]
            if len(lines) > self.size.height // 2:
                self.refresh()
            else:
                for line in lines:
                    self.refresh_line(line)

    def set_age(self, age_ns: int | None) -> None:
        """The age of the data shown, in the border (STALE past the limit)."""
        stale = age_ns is None or age_ns > self.STALE_AFTER_NS
        text = age_text(age_ns)
        self.border_subtitle = f"STALE {text}" if stale and age_ns is not None else text
        if stale != self.stale:
            self.stale = stale
            self.set_class(stale, "-stale")

    @property
    def rows(self) -> list[Text]:
        return self._rows

    @property
    def _header_height(self) -> int:
        return 0 if self._header is None else 1

    # -- cursor ----------------------------------------------------------------------------------

    def watch_cursor(self, old: int | None, new: int | None) -> None:
        for row in (old, new):
            if row is not None:
                self._cache.pop(row, None)
        self.refresh()
        if new is not None:
            self.scroll_to_region_row(new)

    def scroll_to_region_row(self, row: int) -> None:
        y = row + self._header_height
        top = self.scroll_offset.y
        height = self.size.height
        if y < top + self._header_height:
            self.scroll_to(y=y - self._header_height, animate=False)
        elif y >= top + height:
            self.scroll_to(y=y - height + 1, animate=False)

    def action_cursor_down(self) -> None:
        if self.selectable and self._rows:
            self.cursor = 0 if self.cursor is None else min(self.cursor + 1, len(self._rows) - 1)

    def action_cursor_up(self) -> None:
        if self.selectable and self._rows:
            self.cursor = 0 if self.cursor is None else max(self.cursor - 1, 0)

    # -- rendering -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._width:
            self._width = width
            self._cache.clear()
        style = self.rich_style
        if self._header is not None and y == 0:
            header = self._header.copy()
            header.stylize(self.get_component_rich_style("pane--header"))
            return self._strip(header, style).crop_extend(0, width, style)
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y - self._header_height
        if index < 0 or index >= len(self._rows):
            return Strip.blank(width, style)
        strip = self._cache.get(index)
        if strip is None:
            text = self._rows[index]
            if self.selectable and index == self.cursor:
                text = text.copy()
                text.stylize(self.get_component_rich_style("pane--cursor"))
            strip = self._strip(text, style)
            self._cache[index] = strip
        return strip.crop_extend(scroll_x, scroll_x + width, style)

    def _strip(self, text: Text, style: Style) -> Strip:
        segments = [
            Segment(s.text, style + s.style if s.style else style, s.control)
            for s in text.render(self.app.console)
            if s.text != "\n"
        ]
        return Strip(segments)


def _differs(old: list[Text], new: list[Text], i: int) -> bool:
    if i >= len(old) or i >= len(new):
        return True
    a, b = old[i], new[i]
    return a.plain != b.plain or a.spans != b.spans
