"""``ColumnFeed``: record batches in the catalog's layout (``nautui.data.schema``) into an engine
as columns, merged by time in Rust (core/src/backtest/feed.rs).

Each stream is one kind of data of one instrument (or one bar type). ``push`` hands a stream
its next record batch as numpy views of the batch's Arrow buffers (no copy, no object per row);
the engine checks the whole batch before it applies any row (a refused batch changes nothing,
and the error names its row, counted from ``first_row``, and field). ``run`` applies rows of
every stream in ``ts_init`` order (at equal times quotes, snapshots, deltas, trades, then bars)
until a stream's batch is used up and returns that stream: push its next batch, or ``finish``
it. ``run`` returns None once every stream is finished. Each row is applied as
``Engine.process`` would the same data as an event.

    feed = ColumnFeed(engine)
    streams = [feed.add(kind, "BTCUSDT.BINANCE") for kind in ("quotes", "trades")]
    batches = [catalog.stream(kind, "BTCUSDT.BINANCE") for kind in ("quotes", "trades")]
    while (stream := feed.run()) is not None:
        batch = next(batches[stream], None)
        if batch is None:
            feed.finish(stream)
        else:
            feed.push(stream, batch)
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from nautui import _core
from nautui.data import schema
from nautui.data.errors import DataError
from nautui.engine import Engine
from nautui.errors import UnknownInstrumentError

__all__ = ["ColumnFeed"]


class ColumnFeed:
    """Streams of record batches merged into ``engine`` (see the module documentation)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._core = _core.ColumnFeed()
        self._kinds: list[str] = []
        self._indexes: list[int] = []
        self._instrument_column = np.zeros(0, np.uint32)

    def add(self, kind: str, instrument_id: str, bar_type: str | None = None) -> int:
        """Adds a stream of ``kind`` (quotes, trades, snapshots, deltas or bars; bars need
        their ``bar_type``) for a loaded instrument; returns its number."""
        try:
            index = self._engine.instrument_index(instrument_id)
        except KeyError:
            raise UnknownInstrumentError(f"unknown instrument {instrument_id}") from None
        stream = self._core.add_stream(self._engine, schema.check_kind(kind), index, bar_type)
        self._kinds.append(kind)
        self._indexes.append(index)
        return stream

    def kind(self, stream: int) -> str:
        return self._kinds[stream]

    def push(self, stream: int, batch: pa.RecordBatch, first_row: int = 0) -> None:
        """Hands ``stream`` its next batch, whose first row is row ``first_row`` of its file.
        The arrays are read in place until the feed asks for the stream's next batch."""
        kind = self._kinds[stream]
        views = columns(kind, batch)
        if kind == "quotes":
            views["instrument"] = self.instrument_column(stream, batch.num_rows)
        self._core.push(self._engine, stream, first_row, views)

    def finish(self, stream: int) -> None:
        """``stream`` has no more batches (refused when its data ends inside a book update)."""
        self._core.finish(stream)

    def run(self) -> int | None:
        """Applies rows until a stream needs its next batch (returned) or all are done."""
        return self._core.run(self._engine)

    def rows(self, kind: str | None = None) -> int:
        """Rows pushed so far, of one kind or of all."""
        return sum(self._core.rows(i) for i, k in enumerate(self._kinds) if kind in {None, k})

    def instrument_column(self, stream: int, n: int) -> npt.NDArray[np.uint32]:
        """``n`` rows of ``stream``'s instrument index (the column quotes carry)."""
        index = self._indexes[stream]
        column = self._instrument_column
        if len(column) < n or (n and column[0] != index):
            column = self._instrument_column = np.full(n, index, np.uint32)
        return column[:n]


def columns(kind: str, batch: pa.RecordBatch) -> dict[str, Any]:
    """The batch's columns of ``kind`` as the engine reads them: numpy views of the Arrow
    buffers (no copy for the catalog's own types; other integer types are cast); bitmaps as
    ``(bytes, bit offset)``, strings as ``(offsets, bytes)``, a nullable column's validity
    under ``<name>_valid``. ``DataError`` names a missing column or a null where none may be."""
    views: dict[str, Any] = {}
    for field in schema.schema_for(kind):
        if field.name == "level":  # snapshots: the depth is implied by the order of the rows
            continue
        try:
            column = batch.column(field.name)
        except KeyError:
            raise DataError(f"{kind}: no column {field.name!r}") from None
        if column.type != field.type:
            column = column.cast(field.type)
        if column.null_count and not field.nullable:
            raise DataError(f"{field.name}: {column.null_count} null values")
        if pa.types.is_boolean(field.type):
            views[field.name] = (_bytes(column, 1), column.offset)
        elif pa.types.is_string(field.type):
            offsets = (
                np.frombuffer(column.buffers()[1], np.int32, len(column) + 1, column.offset * 4)
                if len(column)
                else np.zeros(1, np.int32)
            )
            views[field.name] = (offsets, _bytes(column, 2))
        elif column.null_count:
            dtype = np.dtype(field.type.to_pandas_dtype())
            values = column.buffers()[1]
            start = column.offset * dtype.itemsize
            views[field.name] = (
                np.zeros(len(column), dtype)
                if values is None
                else np.frombuffer(values, dtype, len(column), start)
            )
            views[f"{field.name}_valid"] = (_bytes(column, 0), column.offset)
        else:
            views[field.name] = column.to_numpy()
    return views


def _buffer(column: pa.Array, i: int) -> pa.Buffer:
    buffer = column.buffers()[i]
    return pa.py_buffer(b"") if buffer is None else buffer


def _bytes(column: pa.Array, i: int) -> npt.NDArray[np.uint8]:
    return np.frombuffer(_buffer(column, i), np.uint8)
