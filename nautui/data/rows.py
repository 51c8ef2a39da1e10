"""Building catalog tables row by row, with errors that point at the input cell."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from nautui.data import schema
from nautui.data.catalog import Catalog
from nautui.data.errors import DataError, DataFileError
from nautui.data.fixed import FIXED_SCALE, FixedPointError, format_raw, parse_raw
from nautui.data.instruments import InstrumentSpec

__all__ = ["Imported", "Rows", "cell_int", "cell_raw", "guess_quote_currency", "spec_from_tables"]

_NOT_CURRENCIES = frozenset({"PERP", "PERPETUAL", "SWAP", "FUTURES"})
_QUOTES = ("USDT", "USDC", "FDUSD", "BUSD", "USD", "EUR", "GBP", "JPY", "BTC", "ETH")


def cell_raw(
    path: str | Path,
    row: int,
    column: str,
    text: str,
    *,
    unsigned: bool = False,
    precision: int | None = None,
) -> int:
    """``text`` as a raw fixed-point integer, or a :class:`DataFileError` naming the cell."""
    try:
        return parse_raw(text, unsigned=unsigned, precision=precision)
    except FixedPointError as error:
        raise DataFileError(path, str(error), row=row, column=column) from None


#: Bytes the engine's trade ids hold (venues use numbers or 36-character UUIDs).
TRADE_ID_MAX = 36


def cell_trade_id(path: str | Path, row: int, column: str, text: str) -> str:
    """``text`` as a trade id, or a :class:`DataFileError` naming the cell when it is empty or
    longer than the engine holds."""
    trade_id = text.strip()
    size = len(trade_id.encode())
    if not trade_id or size > TRADE_ID_MAX or any(c.isspace() for c in trade_id):
        raise DataFileError(
            path,
            f"{text!r} is not a trade id (1 to {TRADE_ID_MAX} bytes, no spaces)",
            row=row,
            column=column,
        )
    return trade_id


def cell_int(path: str | Path, row: int, column: str, text: str) -> int:
    """``text`` as a non-negative integer (timestamps, sequence numbers)."""
    stripped = text.strip()
    if not stripped.isdigit():
        raise DataFileError(path, f"{text!r} is not a whole number", row=row, column=column)
    return int(stripped)


class Rows:
    """Column lists for one kind, appended row by row, turned into a table at the end."""

    def __init__(self, kind: schema.Kind) -> None:
        self.kind = kind
        self.schema = schema.schema_for(kind)
        self.columns: dict[str, list[object]] = {name: [] for name in self.schema.names}

    def add(self, **values: object) -> None:
        for name, column in self.columns.items():
            column.append(values[name])

    def extend(
        self, count: int, same: Mapping[str, object], varying: Mapping[str, Sequence[object]]
    ) -> None:
        """Adds ``count`` rows: ``same`` holds the values every row shares, ``varying`` a list
        per column."""
        for name, column in self.columns.items():
            if name in same:
                column.extend([same[name]] * count)
            else:
                column.extend(varying[name])

    def __len__(self) -> int:
        return len(self.columns["ts_init"])

    def table(self) -> pa.Table:
        arrays = [pa.array(self.columns[f.name], f.type) for f in self.schema]
        return pa.Table.from_arrays(arrays, schema=self.schema)


@dataclass
class Imported:
    """What one import produced, before anything is written."""

    instrument_id: str
    tables: dict[str, pa.Table] = field(default_factory=dict)
    spec: InstrumentSpec | None = None
    bar_type: str | None = None
    notes: list[str] = field(default_factory=list)
    #: Display precisions the import was given (None: detected from the data when written).
    price_precision: int | None = None
    size_precision: int | None = None

    def write(
        self,
        catalog: Catalog,
        *,
        price_precision: int | None = None,
        size_precision: int | None = None,
        replace: bool = False,
    ) -> dict[str, int]:
        """Writes every table; returns the row count per kind."""
        counts: dict[str, int] = {}
        for kind, table in self.tables.items():
            catalog.write(
                kind,
                self.instrument_id,
                table,
                price_precision=self.price_precision
                if price_precision is None
                else price_precision,
                size_precision=self.size_precision if size_precision is None else size_precision,
                bar_type=self.bar_type if kind == "bars" else None,
                replace=replace,
            )
            counts[kind] = table.num_rows
        if self.spec is not None:
            catalog.add_instruments({self.spec.id: self.spec})
        return counts


def guess_quote_currency(symbol: str) -> str | None:
    """``BTCUSDT`` -> ``USDT``; ``BTC-USD`` -> ``USD``; None when it cannot tell."""
    upper = symbol.upper()
    for sep in ("-", "/", "_"):
        if sep in upper:
            parts = [p for p in upper.split(sep) if p and p not in _NOT_CURRENCIES]
            return parts[1] if len(parts) > 1 and parts[1].isalpha() else None
    for quote in _QUOTES:
        if upper.endswith(quote) and len(upper) > len(quote):
            return quote
    return None


def spec_from_tables(
    instrument_id: str,
    tables: dict[str, pa.Table],
    quote_currency: str | None,
    base_currency: str | None = None,
) -> InstrumentSpec | None:
    """An instrument whose tick and lot sizes are one unit of the detected price and size
    precisions (the finest step the data shows; edit ``instruments.json`` when the venue's is
    coarser); None without a quote currency."""
    if quote_currency is None:
        return None
    prices: list[np.ndarray] = []
    sizes: list[np.ndarray] = []
    for kind, table in tables.items():
        prices += [table[n].to_numpy() for n in schema.price_columns(kind)]
        # A bar's volume says nothing about the lot size.
        if kind != "bars":
            sizes += [table[n].to_numpy() for n in schema.size_columns(kind)]
    if not prices:
        raise DataError(f"{instrument_id}: no prices to derive the tick size from")
    tick = 10 ** (9 - schema.detect_precision(*prices))
    lot = 10 ** (9 - schema.detect_precision(*sizes)) if sizes else FIXED_SCALE
    return InstrumentSpec(
        id=instrument_id,
        tick_size=_trim(format_raw(tick, 9)),
        lot_size=_trim(format_raw(lot, 9)),
        quote_currency=quote_currency,
        base_currency=base_currency,
    )


def _trim(text: str) -> str:
    return text.rstrip("0").rstrip(".") if "." in text else text
