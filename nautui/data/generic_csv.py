"""CSV files in any layout, for quotes, trades and bars, through a column mapping.

A mapping names, for each catalog field, the CSV column that holds it (a header name, or a
0-based index for files without a header), and may give constants for fields the file lacks.
It comes from command-line flags or a TOML file::

    kind = "quotes"            # quotes | trades | bars
    instrument = "EURUSD.SIM"
    header = false             # the file has no header row: columns are "0", "1", ...
    ts_format = "%Y%m%d %H%M%S%f"   # or ts_unit = "auto" | "s" | "ms" | "us" | "ns"
    [columns]
    ts_event = "0"
    bid_price = "1"
    ask_price = "2"
    [defaults]
    bid_size = "1000000"
    ask_size = "1000000"
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Final, Literal

import msgspec
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from nautui.data import schema
from nautui.data.csvfile import csv_rows
from nautui.data.errors import DataError, DataFileError
from nautui.data.rows import (
    Imported,
    Rows,
    cell_raw,
    cell_trade_id,
    guess_quote_currency,
    spec_from_tables,
)
from nautui.data.timestamps import TimeUnit, parse_timestamp

__all__ = ["FIELDS", "CsvMapping", "import_csv", "load_mapping"]

CsvKind = Literal["quotes", "trades", "bars"]

#: Per kind: (required fields, optional fields). Optional fields without a column or a default
#: take: ts_init = ts_event, sizes and volume = 0, aggressor = none, trade_id = the line number.
FIELDS: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...]]]] = {
    "quotes": (("ts_event", "bid_price", "ask_price"), ("ts_init", "bid_size", "ask_size")),
    "trades": (("ts_event", "price", "size"), ("ts_init", "aggressor_side", "trade_id")),
    "bars": (("ts_event", "open", "high", "low", "close"), ("ts_init", "volume")),
}
_UNSIGNED = {"bid_size", "ask_size", "size", "volume"}
_PRICES = {"bid_price", "ask_price", "price", "open", "high", "low", "close"}
_SIDES = {
    "buy": schema.AGGRESSOR_BUYER,
    "b": schema.AGGRESSOR_BUYER,
    "buyer": schema.AGGRESSOR_BUYER,
    "sell": schema.AGGRESSOR_SELLER,
    "s": schema.AGGRESSOR_SELLER,
    "seller": schema.AGGRESSOR_SELLER,
    "": schema.AGGRESSOR_NONE,
    "none": schema.AGGRESSOR_NONE,
    "unknown": schema.AGGRESSOR_NONE,
}
_UNITS = {"d": 86_400, "h": 3_600, "m": 60, "s": 1}
_BAR_AGGREGATION = {86_400: "DAY", 3_600: "HOUR", 60: "MINUTE", 1: "SECOND"}


class CsvMapping(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """How to read one CSV layout (see the module docs)."""

    kind: CsvKind
    columns: dict[str, str]
    instrument: str | None = None
    defaults: dict[str, str] = msgspec.field(default_factory=dict)
    header: bool = True
    delimiter: str = ","
    ts_unit: TimeUnit = "auto"
    ts_format: str | None = None
    #: bars: the interval (``1m``, ``5m``, ``1h``, ``1d``, ``30s``); inferred when absent.
    bar_interval: str | None = None
    #: bars: whether the CSV's timestamp is the bar's open or close time. ``ts_event`` in the
    #: catalog is always the close time.
    bar_timestamp: Literal["open", "close"] = "close"
    quote_currency: str | None = None
    #: Decimals to keep; a value with more is rounded (half to even). None: detect, and refuse
    #: values with more than 9 decimals.
    price_precision: int | None = None
    size_precision: int | None = None


def load_mapping(path: str | Path) -> CsvMapping:
    """Reads a TOML mapping file; errors name the file and the key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DataFileError(path, f"cannot be read: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(path, f"not valid TOML: {error}") from None
    try:
        return msgspec.convert(data, CsvMapping)
    except msgspec.ValidationError as error:
        raise DataFileError(path, str(error)) from None


def _interval_seconds(text: str) -> int:
    unit = text[-1:].lower()
    count = text[:-1]
    if unit not in _UNITS or not count.isdigit() or int(count) == 0:
        raise DataError(f"bar interval {text!r}: expected a count and s, m, h or d (e.g. 1m)")
    return int(count) * _UNITS[unit]


def _bar_spec(seconds: int) -> str:
    for size, name in _BAR_AGGREGATION.items():
        if seconds % size == 0:
            return f"{seconds // size}-{name}"
    raise DataError(f"bar interval of {seconds} s")  # unreachable: 1 s divides everything


def _check_mapping(mapping: CsvMapping) -> None:
    required, optional = FIELDS[mapping.kind]
    known = set(required) | set(optional)
    for name in [*mapping.columns, *mapping.defaults]:
        if name not in known:
            raise DataError(
                f"{mapping.kind}: unknown field {name!r}; fields are {', '.join(sorted(known))}"
            )
    for name in required:
        if name not in mapping.columns and name not in mapping.defaults:
            raise DataError(f"{mapping.kind}: no column for {name!r} (map it, e.g. {name}=COL)")


def import_csv(
    path: str | Path, mapping: CsvMapping, *, instrument_id: str | None = None
) -> Imported:
    """Reads one CSV file with ``mapping`` into a catalog table."""
    path = Path(path)
    _check_mapping(mapping)
    key = instrument_id or mapping.instrument
    if not key:
        raise DataError("an instrument id is needed (--instrument or `instrument` in the mapping)")
    with csv_rows(path, header=mapping.header, delimiter=mapping.delimiter) as (names, rows):
        index: dict[str, int] = {}
        for field_name, column in mapping.columns.items():
            if column in names:
                index[field_name] = names.index(column)
            else:
                raise DataFileError(
                    path,
                    f"no column {column!r} for {field_name!r}; the file has {', '.join(names)}",
                    row=1,
                )
        out = Rows(mapping.kind)
        required, optional = FIELDS[mapping.kind]
        fields = [*required, *optional]
        for line, cells in rows:
            values: dict[str, object] = {}
            for name in fields:
                if name in index:
                    text, column = cells[index[name]], mapping.columns[name]
                elif name in mapping.defaults:
                    text, column = mapping.defaults[name], f"default {name}"
                else:
                    continue
                values[name] = _value(
                    path, line, column=column, name=name, text=text, mapping=mapping
                )
            values.setdefault("ts_init", values["ts_event"])
            for name in ("bid_size", "ask_size", "volume"):
                values.setdefault(name, 0)
            values.setdefault("aggressor_side", schema.AGGRESSOR_NONE)
            values.setdefault("trade_id", str(line))
            out.add(**values)
    table = out.table()
    bar_type = None
    if mapping.kind == "bars":
        table, bar_type = _bars(path, table, mapping, key)
    quote = mapping.quote_currency or guess_quote_currency(key.split(".")[0])
    tables: dict[str, pa.Table] = {mapping.kind: table} if table.num_rows else {}
    return Imported(
        key,
        tables,
        spec_from_tables(key, tables, quote),
        bar_type=bar_type,
        price_precision=mapping.price_precision,
        size_precision=mapping.size_precision,
    )


def _value(
    path: Path, line: int, *, column: str, name: str, text: str, mapping: CsvMapping
) -> object:
    if name in ("ts_event", "ts_init"):
        try:
            return parse_timestamp(text, unit=mapping.ts_unit, fmt=mapping.ts_format)
        except ValueError as error:
            raise DataFileError(path, str(error), row=line, column=column) from None
    if name == "aggressor_side":
        side = text.strip().lower()
        if side not in _SIDES:
            raise DataFileError(
                path, f"{text!r} is not buy, sell or unknown", row=line, column=column
            )
        return _SIDES[side]
    if name == "trade_id":
        return cell_trade_id(path, line, column, text)
    unsigned = name in _UNSIGNED
    precision = mapping.size_precision if unsigned else mapping.price_precision
    return cell_raw(path, line, column, text, unsigned=unsigned, precision=precision)


def _bars(path: Path, table: pa.Table, mapping: CsvMapping, key: str) -> tuple[pa.Table, str]:
    ts = table["ts_event"].to_numpy()
    if mapping.bar_interval is not None:
        seconds = _interval_seconds(mapping.bar_interval)
    else:
        steps = np.diff(np.unique(ts))
        if steps.size == 0:
            raise DataFileError(path, "one bar is not enough to infer the interval: give it")
        smallest = int(steps.min())
        if smallest % 1_000_000_000:
            raise DataFileError(path, f"bars {smallest} ns apart: give the interval")
        seconds = smallest // 1_000_000_000
    bar_type = f"{key}-{_bar_spec(seconds)}-LAST-EXTERNAL"
    if mapping.bar_timestamp == "open":
        shift = pa.scalar(seconds * 1_000_000_000, pa.uint64())
        table = table.set_column(0, "ts_event", pc.add(table["ts_event"], shift))
        if "ts_init" not in mapping.columns:
            table = table.set_column(1, "ts_init", table["ts_event"])
    return table, bar_type
