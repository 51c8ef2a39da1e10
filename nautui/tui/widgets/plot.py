"""Curves drawn in the terminal with braille dots (2x4 dots a cell), for the equity curve and
its drawdown. Pure functions of the data and the size, so a pane caches the result."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["braille_plot"]

# Dot bit of (column 0..1, row 0..3) inside one braille cell.
_DOTS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))


def braille_plot(values: Sequence[float], width: int, height: int) -> list[str]:
    """``values`` drawn as a line, scaled to fill ``width`` x ``height`` cells, top row first.
    Fewer values than dots are spread out; more are sampled at the last value of each column."""
    if width <= 0 or height <= 0:
        return []
    if not values:
        return [" " * width for _ in range(height)]
    columns = width * 2
    rows = height * 4
    sampled = [
        values[min(len(values) - 1, (i + 1) * len(values) // columns - 1)] for i in range(columns)
    ]
    if len(values) < columns:
        sampled = [values[i * len(values) // columns] for i in range(columns)]
    low, high = min(sampled), max(sampled)
    span = (high - low) or 1.0
    cells = [[0] * width for _ in range(height)]
    previous: int | None = None
    for x, value in enumerate(sampled):
        y = rows - 1 - round((value - low) / span * (rows - 1))
        top, bottom = (y, y) if previous is None else (min(y, previous), max(y, previous))
        for yy in range(top, bottom + 1):
            cells[yy // 4][x // 2] |= _DOTS[yy % 4][x % 2]
        previous = y
    return ["".join(chr(0x2800 + c) if c else " " for c in row) for row in cells]
