"""Tardis.dev CSV files: ``quotes``, ``trades``, ``incremental_book_L2`` and
``book_snapshot_N``, recognised by their header. Tardis timestamps are microseconds:
``timestamp`` (the exchange's) becomes ``ts_event``, ``local_timestamp`` becomes ``ts_init``.

Tardis has no venue sequence numbers: book updates (the rows sharing a ``local_timestamp``)
and snapshots are numbered 1, 2, 3, ... in file order, with ``first_sequence == sequence``.
A run of ``is_snapshot=true`` rows starts with a ``CLEAR`` delta, as Tardis documents (the book
is reset there)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from nautui.data import schema
from nautui.data.csvfile import csv_rows
from nautui.data.errors import DataFileError
from nautui.data.rows import (
    Imported,
    Rows,
    cell_int,
    cell_raw,
    cell_trade_id,
    guess_quote_currency,
    spec_from_tables,
)

__all__ = ["import_tardis", "tardis_kind"]

_US = 1_000
_BASE = ["exchange", "symbol", "timestamp", "local_timestamp"]
_LEVEL = re.compile(r"(asks|bids)\[(\d+)\]\.(price|amount)")
_AGGRESSOR = {
    "buy": schema.AGGRESSOR_BUYER,
    "sell": schema.AGGRESSOR_SELLER,
    "unknown": schema.AGGRESSOR_NONE,
    "": schema.AGGRESSOR_NONE,
}


def tardis_kind(names: list[str]) -> schema.Kind | None:
    """The catalog kind a Tardis header holds, or None."""
    if names[:4] != _BASE:
        return None
    rest = set(names[4:])
    if rest == {"ask_amount", "ask_price", "bid_price", "bid_amount"}:
        return "quotes"
    if rest == {"id", "side", "price", "amount"}:
        return "trades"
    if rest == {"is_snapshot", "side", "price", "amount"}:
        return "deltas"
    if rest and all(_LEVEL.fullmatch(n) for n in rest):
        return "snapshots"
    return None


class _Reader:
    """Turns the rows of one Tardis file into catalog rows."""

    def __init__(self, kind: schema.Kind, path: Path, names: list[str]) -> None:
        self.kind = kind
        self.path = path
        self.index = {n: i for i, n in enumerate(names)}
        self.out = Rows(kind)
        self.sequence = 0
        self.group: tuple[str, str] | None = None
        self.levels = sorted(
            (m.group(1), int(m.group(2)), n)
            for n in names
            if (m := _LEVEL.fullmatch(n)) and m.group(3) == "price"
        )

    def cell(self, cells: list[str], name: str) -> str:
        return cells[self.index[name]]

    def raw(self, line: int, cells: list[str], name: str, *, unsigned: bool = False) -> int:
        return cell_raw(self.path, line, name, self.cell(cells, name), unsigned=unsigned)

    def row(self, line: int, cells: list[str]) -> None:
        ts_event = cell_int(self.path, line, "timestamp", self.cell(cells, "timestamp")) * _US
        ts_init = cell_int(self.path, line, "local_timestamp", self.cell(cells, "local_timestamp"))
        ts = {"ts_event": ts_event, "ts_init": ts_init * _US}
        if self.kind == "quotes":
            self.out.add(
                **ts,
                bid_price=self.raw(line, cells, "bid_price"),
                ask_price=self.raw(line, cells, "ask_price"),
                bid_size=self.raw(line, cells, "bid_amount", unsigned=True),
                ask_size=self.raw(line, cells, "ask_amount", unsigned=True),
            )
        elif self.kind == "trades":
            side = self.cell(cells, "side").strip().lower()
            if side not in _AGGRESSOR:
                raise DataFileError(
                    self.path, f"{side!r} is not buy, sell or unknown", row=line, column="side"
                )
            self.out.add(
                **ts,
                price=self.raw(line, cells, "price"),
                size=self.raw(line, cells, "amount", unsigned=True),
                aggressor_side=_AGGRESSOR[side],
                trade_id=cell_trade_id(self.path, line, "id", self.cell(cells, "id")),
            )
        elif self.kind == "deltas":
            self.delta(line, cells, ts)
        else:
            self.snapshot(line, cells, ts)

    def delta(self, line: int, cells: list[str], ts: dict[str, int]) -> None:
        flag = self.cell(cells, "is_snapshot").strip().lower()
        if flag not in {"true", "false"}:
            raise DataFileError(
                self.path, f"{flag!r} is not true or false", row=line, column="is_snapshot"
            )
        side_text = self.cell(cells, "side").strip().lower()
        sides = {"bid": schema.SIDE_BUY, "ask": schema.SIDE_SELL}
        if side_text not in sides:
            raise DataFileError(
                self.path, f"{side_text!r} is not bid or ask", row=line, column="side"
            )
        group = (self.cell(cells, "local_timestamp"), flag)
        if group != self.group:
            if len(self.out):
                self.out.columns["batch_end"][-1] = True
            starts_snapshot = flag == "true" and (self.group is None or self.group[1] != "true")
            self.group = group
            self.sequence += 1
            if starts_snapshot:
                self.add_delta(ts, schema.ACTION_CLEAR, schema.SIDE_BUY, 0, 0)
        price = self.raw(line, cells, "price")
        size = self.raw(line, cells, "amount", unsigned=True)
        if flag == "true":
            action = schema.ACTION_ADD
        else:
            action = schema.ACTION_DELETE if size == 0 else schema.ACTION_UPDATE
        self.add_delta(ts, action, sides[side_text], price, size)

    def add_delta(self, ts: dict[str, int], action: int, side: int, price: int, size: int) -> None:
        self.out.add(
            **ts,
            sequence=self.sequence,
            first_sequence=self.sequence,
            prev_sequence=None,
            action=action,
            side=side,
            price=price,
            size=size,
            batch_end=False,
        )

    def snapshot(self, line: int, cells: list[str], ts: dict[str, int]) -> None:
        self.sequence += 1
        start = len(self.out)
        for side_name, side in (("bids", schema.SIDE_BUY), ("asks", schema.SIDE_SELL)):
            for name_side, level, price_name in self.levels:
                if name_side != side_name or not self.cell(cells, price_name).strip():
                    continue  # Tardis leaves the cells of missing levels empty
                amount_name = f"{side_name}[{level}].amount"
                self.out.add(
                    **ts,
                    sequence=self.sequence,
                    side=side,
                    level=level,
                    price=self.raw(line, cells, price_name),
                    size=self.raw(line, cells, amount_name, unsigned=True),
                    batch_end=False,
                )
        if len(self.out) > start:
            self.out.columns["batch_end"][-1] = True

    def finish(self) -> None:
        if self.kind == "deltas" and len(self.out):
            self.out.columns["batch_end"][-1] = True


def import_tardis(paths: Sequence[str | Path], *, instrument_id: str | None = None) -> Imported:
    """Reads Tardis CSV files (one symbol; different kinds may be given together). The default
    instrument id is ``<symbol>.<EXCHANGE>``."""
    tables: dict[str, pa.Table] = {}
    symbol: str | None = None
    exchange = ""
    for raw_path in paths:
        path = Path(raw_path)
        with csv_rows(path) as (names, rows):
            kind = tardis_kind(names)
            if kind is None:
                raise DataFileError(
                    path,
                    "not a Tardis quotes, trades, incremental_book_L2 or book_snapshot CSV",
                    row=1,
                )
            if kind in tables:
                raise DataFileError(path, f"a second Tardis {kind} file in one import")
            reader = _Reader(kind, path, names)
            for line, cells in rows:
                row_symbol = reader.cell(cells, "symbol")
                if symbol is None:
                    symbol, exchange = row_symbol, reader.cell(cells, "exchange")
                elif row_symbol != symbol:
                    raise DataFileError(
                        path,
                        f"{row_symbol!r}: one symbol per import ({symbol!r} came first)",
                        row=line,
                        column="symbol",
                    )
                reader.row(line, cells)
            reader.finish()
            tables[kind] = reader.out.table()
    if symbol is None:
        raise DataFileError(Path(paths[-1]) if paths else Path(), "no rows")
    key = instrument_id or f"{symbol}.{exchange.upper()}"
    tables = {k: t for k, t in tables.items() if t.num_rows}
    return Imported(key, tables, spec_from_tables(key, tables, guess_quote_currency(symbol)))
