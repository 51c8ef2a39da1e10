"""The Parquet catalog: ``<root>/<kind>/<instrument_id>/<YYYY-MM-DD>.parquet``.

Files are partitioned by the UTC day of ``ts_init`` and sorted by ``ts_init`` (stably, so the
rows of one book update stay together and in order). Reading is a stream of record batches, one
row group at a time, so a dataset larger than memory is replayed in bounded memory. Every write
goes to a temporary file in the target folder and is renamed into place: a failed write leaves
the previous file, never half of a new one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from nautui import Instrument
from nautui.data import schema
from nautui.data.errors import DataError
from nautui.data.instruments import InstrumentSpec, instrument_from_spec

__all__ = [
    "DAY_NS",
    "INSTRUMENTS_FILE",
    "Catalog",
    "Located",
    "TimeBound",
    "atomic_write_bytes",
    "to_ns",
]

DAY_NS = 86_400 * 1_000_000_000
INSTRUMENTS_FILE = "instruments.json"
#: Rows per Parquet row group: the unit the stream reads at a time.
ROW_GROUP_ROWS = 65_536

TimeBound = int | str | datetime | date | None


class Located(NamedTuple):
    """A record batch of a catalog file and the file row it starts at (0-based)."""

    path: Path
    first_row: int
    batch: pa.RecordBatch


def to_ns(bound: int | str | datetime | date) -> int:
    """Nanoseconds since the epoch for an int (already ns), an ISO string or a datetime (naive
    means UTC)."""
    if isinstance(bound, int):
        return bound
    if isinstance(bound, str):
        try:
            bound = datetime.fromisoformat(bound)
        except ValueError:
            raise DataError(f"{bound!r} is not an ISO date or time") from None
    if not isinstance(bound, datetime):
        bound = datetime(bound.year, bound.month, bound.day, tzinfo=UTC)
    if bound.tzinfo is None:
        bound = bound.replace(tzinfo=UTC)
    delta = bound - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000_000 + delta.microseconds * 1_000


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Writes ``data`` to a temporary file beside ``path``, then renames it over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_write_table(path: Path, table: pa.Table) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        pq.write_table(table, tmp, row_group_size=ROW_GROUP_ROWS, compression="zstd")
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _check_key(key: str) -> str:
    if not key or key.startswith(".") or any(c in key for c in "/\\\0"):
        raise DataError(f"{key!r} cannot name a catalog folder (no '/', '\\' or leading '.')")
    return key


class Catalog:
    """A folder of Parquet files in the documented schema (see :mod:`nautui.data.schema`)."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def __repr__(self) -> str:
        return f"Catalog({str(self.root)!r})"

    # ---- layout -------------------------------------------------------------------------
    def folder(self, kind: str, instrument_id: str) -> Path:
        """Where the day files of ``kind`` for ``instrument_id`` live (for bars the key is the
        bar type, e.g. ``BTC-PERP.SIM-1-MINUTE-LAST-EXTERNAL``)."""
        return self.root / schema.check_kind(kind) / _check_key(instrument_id)

    def path(self, kind: str, instrument_id: str, day: date) -> Path:
        return self.folder(kind, instrument_id) / f"{day.isoformat()}.parquet"

    def kinds(self) -> list[str]:
        """The kinds with at least one instrument, in :data:`schema.KINDS` order."""
        return [k for k in schema.KINDS if self.instrument_ids(k)]

    def instrument_ids(self, kind: str) -> list[str]:
        folder = self.root / schema.check_kind(kind)
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and any(p.glob("*.parquet")))

    def files(
        self, kind: str, instrument_id: str, start: TimeBound = None, end: TimeBound = None
    ) -> list[Path]:
        """The day files that may hold rows with ``start <= ts_init < end``, in time order."""
        folder = self.folder(kind, instrument_id)
        paths = sorted(folder.glob("*.parquet")) if folder.is_dir() else []
        lo = None if start is None else to_ns(start) // DAY_NS
        hi = None if end is None else (to_ns(end) - 1) // DAY_NS
        chosen = []
        for path in paths:
            day_index = (date.fromisoformat(path.stem) - date(1970, 1, 1)).days
            if (lo is None or day_index >= lo) and (hi is None or day_index <= hi):
                chosen.append(path)
        return chosen

    # ---- writing ------------------------------------------------------------------------
    def write(
        self,
        kind: str,
        instrument_id: str,
        table: pa.Table,
        *,
        price_precision: int | None = None,
        size_precision: int | None = None,
        bar_type: str | None = None,
        replace: bool = False,
    ) -> list[Path]:
        """Writes ``table`` (columns of ``schema.schema_for(kind)``) into day files.

        Rows are added to what a day file already holds (``replace=True`` overwrites the day
        files this table touches). Precisions not given are detected: the fewest decimals that
        show every value exactly. Bars with a ``bar_type`` go in that bar type's folder; the
        metadata names both. Returns the files written.
        """
        kind = schema.check_kind(kind)
        key = bar_type if kind == "bars" and bar_type else instrument_id
        target = schema.schema_for(kind)
        try:
            table = table.select(target.names).cast(target)
        except (KeyError, pa.ArrowInvalid) as error:
            raise DataError(f"{kind}: table does not match the catalog schema: {error}") from None
        if table.num_rows == 0:
            return []
        day = pc.divide(table["ts_init"], pa.scalar(DAY_NS, pa.uint64()))
        days = np.unique(day.to_numpy())
        written: list[Path] = []
        for day_index in days.tolist():
            part = table.filter(pc.equal(day, pa.scalar(day_index, pa.uint64())))
            path = self.path(kind, key, date(1970, 1, 1) + timedelta(days=day_index))
            if path.exists() and not replace:
                part = pa.concat_tables([pq.read_table(path).cast(target), part])
            part = part.take(pc.sort_indices(part, sort_keys=[("ts_init", "ascending")]))
            prices, sizes = self._precisions(kind, part, price_precision, size_precision)
            meta = schema.metadata(kind, instrument_id, prices, sizes, bar_type)
            _atomic_write_table(path, part.replace_schema_metadata(meta))
            written.append(path)
        return written

    @staticmethod
    def _precisions(
        kind: str, table: pa.Table, price_precision: int | None, size_precision: int | None
    ) -> tuple[int, int]:
        found = []
        for names, given, what in (
            (schema.price_columns(kind), price_precision, "price"),
            (schema.size_columns(kind), size_precision, "size"),
        ):
            detected = schema.detect_precision(*(table[n].to_numpy() for n in names))
            if given is not None and detected > given:
                raise DataError(
                    f"{kind}: a {what} has {detected} decimals, more than the given "
                    f"{what} precision {given}"
                )
            found.append(detected if given is None else given)
        return found[0], found[1]

    # ---- reading ------------------------------------------------------------------------
    def stream(
        self,
        kind: str,
        instrument_id: str,
        start: TimeBound = None,
        end: TimeBound = None,
        *,
        columns: Sequence[str] | None = None,
        batch_size: int = ROW_GROUP_ROWS,
    ) -> Iterator[pa.RecordBatch]:
        """Record batches of ``kind`` with ``start <= ts_init < end``, in ``ts_init`` order.

        At most one row group is in memory at a time. Each batch's schema metadata carries the
        file's precisions and instrument id. A book update's rows are never split by the time
        bounds (they share ``ts_init``)."""
        for located in self.located(
            kind, instrument_id, start, end, columns=columns, batch_size=batch_size
        ):
            yield located.batch

    def located(
        self,
        kind: str,
        instrument_id: str,
        start: TimeBound = None,
        end: TimeBound = None,
        *,
        columns: Sequence[str] | None = None,
        batch_size: int = ROW_GROUP_ROWS,
    ) -> Iterator[Located]:
        """What :meth:`stream` yields, each batch with its file and the row of that file it
        starts at (0-based, for messages that name a row)."""
        lo = None if start is None else to_ns(start)
        hi = None if end is None else to_ns(end)
        wanted = list(columns) if columns is not None else None
        read_columns = wanted
        if wanted is not None and (lo is not None or hi is not None) and "ts_init" not in wanted:
            read_columns = [*wanted, "ts_init"]
        for path in self.files(kind, instrument_id, start, end):
            # pre_buffer would read the whole file's column chunks up front.
            parquet = pq.ParquetFile(path, pre_buffer=False)
            meta = {
                k: v
                for k, v in (parquet.schema_arrow.metadata or {}).items()
                if k.startswith(b"nautui.")
            }
            # One row group at a time: threads would read row groups ahead, all in memory.
            batches = parquet.iter_batches(
                batch_size=batch_size, columns=read_columns, use_threads=False
            )
            row = 0
            for read in batches:
                batch, first = read, row
                row += read.num_rows
                if lo is not None or hi is not None:
                    batch, skipped = self._clip(batch, lo, hi)
                    first += skipped
                    if batch.num_rows == 0:
                        continue
                if wanted is not None and read_columns != wanted:
                    batch = batch.select(wanted)
                yield Located(path, first, batch.replace_schema_metadata(meta))

    @staticmethod
    def _clip(batch: pa.RecordBatch, lo: int | None, hi: int | None) -> tuple[pa.RecordBatch, int]:
        """The rows within the bounds, and how many rows before the first of them were not."""
        ts = batch.column("ts_init")
        mask = pa.array(np.ones(len(ts), dtype=bool))
        if lo is not None:
            mask = pc.and_(mask, pc.greater_equal(ts, pa.scalar(lo, pa.uint64())))
        if hi is not None:
            mask = pc.and_(mask, pc.less(ts, pa.scalar(hi, pa.uint64())))
        kept = mask.to_numpy(zero_copy_only=False)
        skipped = int(kept.argmax()) if kept.any() else len(kept)
        return batch.filter(mask), skipped

    def read(
        self, kind: str, instrument_id: str, start: TimeBound = None, end: TimeBound = None
    ) -> pa.Table:
        """Everything :meth:`stream` yields, as one table (for data that fits in memory)."""
        batches = list(self.stream(kind, instrument_id, start, end))
        if not batches:
            return schema.schema_for(kind).empty_table()
        return pa.Table.from_batches(batches)

    def columns(
        self, kind: str, instrument_id: str, start: TimeBound = None, end: TimeBound = None
    ) -> dict[str, np.ndarray]:
        """Contiguous numpy columns (the engine's columnar input) for the numeric fields."""
        numeric = [
            f.name
            for f in schema.schema_for(kind)
            if pa.types.is_integer(f.type) or pa.types.is_boolean(f.type)
        ]
        chunks: dict[str, list[np.ndarray]] = {name: [] for name in numeric}
        for batch in self.stream(kind, instrument_id, start, end, columns=numeric):
            for name in numeric:
                column = batch.column(name)
                chunks[name].append(column.to_numpy(zero_copy_only=False))
        target = schema.schema_for(kind)
        return {
            name: np.ascontiguousarray(np.concatenate(parts))
            if parts
            else np.empty(0, dtype=target.field(name).type.to_pandas_dtype())
            for name, parts in chunks.items()
        }

    def precisions(self, kind: str, instrument_id: str) -> tuple[int, int]:
        """(price precision, size precision): the largest over the day files."""
        prices = sizes = 0
        for path in self.files(kind, instrument_id):
            meta = pq.read_schema(path).metadata or {}
            prices = max(prices, int(meta.get(schema.META_PRICE_PRECISION, b"0")))
            sizes = max(sizes, int(meta.get(schema.META_SIZE_PRECISION, b"0")))
        return prices, sizes

    def count(self, kind: str, instrument_id: str) -> int:
        return sum(pq.ParquetFile(p).metadata.num_rows for p in self.files(kind, instrument_id))

    # ---- instruments --------------------------------------------------------------------
    def instrument_specs(self) -> dict[str, InstrumentSpec]:
        path = self.root / INSTRUMENTS_FILE
        if not path.exists():
            return {}
        try:
            specs = msgspec.json.decode(path.read_bytes(), type=list[InstrumentSpec])
        except msgspec.ValidationError as error:
            raise DataError(f"{path}: {error}") from None
        except msgspec.DecodeError as error:
            raise DataError(f"{path}: not valid JSON: {error}") from None
        return {spec.id: spec for spec in specs}

    def instruments(self) -> dict[str, Instrument]:
        """The catalog's instruments as engine :class:`nautui.Instrument` objects."""
        return {key: instrument_from_spec(spec) for key, spec in self.instrument_specs().items()}

    def add_instruments(
        self, specs: Mapping[str, InstrumentSpec], *, replace: bool = False
    ) -> None:
        """Adds instrument specs (validated by the engine); existing ids are kept unless
        ``replace``."""
        for spec in specs.values():
            instrument_from_spec(spec)
        current = self.instrument_specs()
        for key, spec in specs.items():
            if replace or key not in current:
                current[key] = spec
        ordered = [current[key] for key in sorted(current)]
        data = msgspec.json.format(msgspec.json.encode(ordered), indent=2) + b"\n"
        atomic_write_bytes(self.root / INSTRUMENTS_FILE, data)
