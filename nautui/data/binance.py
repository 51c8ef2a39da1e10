"""Binance raw stream recordings: ``<local receive ns> <json>`` per line, gzip or plain.

The JSON is the combined-stream envelope (``depth@100ms`` spot, ``depth@0ms`` USD-M with
``pu``, ``bookTicker``, ``trade``), plus one line with the REST depth snapshot. Depth updates
become L2 deltas following Binance's book-sync rules (``adapters/binance/sync.py``, shared with
the live adapter): updates before the snapshot are buffered, then the stale ones are dropped and
the rest must continue the snapshot, each by its venue's rule. A break is an error naming the
line, never papered over. Without ``deltas`` or ``snapshots`` in the kinds no book is built, so
depth lines and the snapshot are skipped and no sync check runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec
import pyarrow as pa

from adapters.binance.sync import BookSync, Market, SequenceGap
from nautui.data import schema
from nautui.data.csvfile import open_text
from nautui.data.errors import DataFileError
from nautui.data.rows import Imported, Rows, cell_raw, guess_quote_currency, spec_from_tables

__all__ = ["BINANCE_KINDS", "import_binance"]

BINANCE_KINDS: tuple[schema.Kind, ...] = ("quotes", "trades", "deltas", "snapshots")
_MS = 1_000_000


@dataclass
class _Depth:
    path: Path
    line: int
    local_ns: int
    data: dict[str, Any]


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    try:
        with open_text(path) as lines:
            yield from enumerate(lines, start=1)
    except (OSError, EOFError, UnicodeDecodeError) as error:
        raise DataFileError(path, f"cannot be read: {error}") from None


class _Importer:
    def __init__(self, kinds: Sequence[schema.Kind]) -> None:
        self.kinds = set(kinds)
        self.symbol: str | None = None
        self.futures = False
        self.quotes = Rows("quotes")
        self.trades = Rows("trades")
        self.deltas = Rows("deltas")
        self.snapshots = Rows("snapshots")
        self.book = bool({"deltas", "snapshots"} & self.kinds)
        self.buffered: list[_Depth] = []
        self.snapshot_id: int | None = None  # lastUpdateId of the latest snapshot
        self.sync: BookSync | None = None  # from the first update after that snapshot on
        self.stale = 0

    def feed(self, path: Path) -> None:
        for line_no, line in _lines(path):
            if not line.strip():
                continue
            stamp, _, payload = line.partition(" ")
            if not stamp.isdigit() or not payload:
                raise DataFileError(path, "expected '<local ns> <json>'", row=line_no)
            try:
                message = msgspec.json.decode(payload)
            except msgspec.DecodeError as error:
                raise DataFileError(path, f"not valid JSON: {error}", row=line_no) from None
            if not isinstance(message, dict):
                raise DataFileError(path, "expected a JSON object", row=line_no)
            self._message(path, line_no, int(stamp), message)

    def _message(self, path: Path, line: int, local_ns: int, message: dict[str, Any]) -> None:
        if "lastUpdateId" in message:
            if self.book:
                self._snapshot(path, line, local_ns, message)
            return
        stream, data = message.get("stream"), message.get("data")
        if not isinstance(stream, str) or not isinstance(data, dict):
            raise DataFileError(path, "expected a combined-stream {stream, data}", row=line)
        self._symbol(path, line, data)
        if "@depth" in stream:
            self.futures = self.futures or "pu" in data
            if self.book:
                self._depth(_Depth(path, line, local_ns, data))
        elif stream.endswith("@bookTicker"):
            self._quote(path, line, local_ns, data)
        elif stream.endswith("@trade"):
            self._trade(path, line, local_ns, data)

    def _symbol(self, path: Path, line: int, data: dict[str, Any]) -> None:
        symbol = data.get("s")
        if not isinstance(symbol, str):
            raise DataFileError(path, "missing symbol", row=line, column="s")
        if self.symbol is None:
            self.symbol = symbol
        elif symbol != self.symbol:
            raise DataFileError(
                path, f"{symbol!r}: one symbol per import ({self.symbol!r} came first)", row=line
            )

    @staticmethod
    def _field(path: Path, line: int, data: dict[str, Any], key: str) -> object:
        try:
            return data[key]
        except KeyError:
            raise DataFileError(path, "missing", row=line, column=key) from None

    def _int(self, path: Path, line: int, data: dict[str, Any], key: str) -> int:
        value = self._field(path, line, data, key)
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise DataFileError(path, f"{value!r} is not a whole number", row=line, column=key)
        return value

    def _text(self, path: Path, line: int, data: dict[str, Any], key: str) -> str:
        value = self._field(path, line, data, key)
        if not isinstance(value, str):
            raise DataFileError(path, f"{value!r} is not a decimal string", row=line, column=key)
        return value

    def _ts_event(self, path: Path, line: int, local_ns: int, data: dict[str, Any]) -> int:
        for key in ("T", "E"):
            if key in data:
                return self._int(path, line, data, key) * _MS
        return local_ns

    def _quote(self, path: Path, line: int, local_ns: int, data: dict[str, Any]) -> None:
        if "quotes" not in self.kinds:
            return
        self.quotes.add(
            ts_event=self._ts_event(path, line, local_ns, data),
            ts_init=local_ns,
            bid_price=cell_raw(path, line, "b", self._text(path, line, data, "b")),
            ask_price=cell_raw(path, line, "a", self._text(path, line, data, "a")),
            bid_size=cell_raw(path, line, "B", self._text(path, line, data, "B"), unsigned=True),
            ask_size=cell_raw(path, line, "A", self._text(path, line, data, "A"), unsigned=True),
        )

    def _trade(self, path: Path, line: int, local_ns: int, data: dict[str, Any]) -> None:
        if "trades" not in self.kinds:
            return
        maker = self._field(path, line, data, "m")
        if not isinstance(maker, bool):
            raise DataFileError(path, f"{maker!r} is not true or false", row=line, column="m")
        self.trades.add(
            ts_event=self._ts_event(path, line, local_ns, data),
            ts_init=local_ns,
            price=cell_raw(path, line, "p", self._text(path, line, data, "p")),
            size=cell_raw(path, line, "q", self._text(path, line, data, "q"), unsigned=True),
            # The buyer is the maker: the seller took liquidity.
            aggressor_side=schema.AGGRESSOR_SELLER if maker else schema.AGGRESSOR_BUYER,
            trade_id=str(self._int(path, line, data, "t")),
        )

    def _levels(
        self, path: Path, line: int, data: dict[str, Any], key: str
    ) -> list[tuple[int, int]]:
        levels = self._field(path, line, data, key)
        if not isinstance(levels, list):
            raise DataFileError(path, "expected a list of [price, size]", row=line, column=key)
        parsed = []
        for i, level in enumerate(levels):
            where = f"{key}[{i}]"
            if not (isinstance(level, list) and len(level) == 2):  # noqa: PLR2004
                raise DataFileError(path, "expected [price, size]", row=line, column=where)
            price, size = level
            if not isinstance(price, str) or not isinstance(size, str):
                raise DataFileError(path, "expected decimal strings", row=line, column=where)
            parsed.append(
                (
                    cell_raw(path, line, f"{where}.price", price),
                    cell_raw(path, line, f"{where}.size", size, unsigned=True),
                )
            )
        return parsed

    def _snapshot(self, path: Path, line: int, local_ns: int, data: dict[str, Any]) -> None:
        last_id = self._int(path, line, data, "lastUpdateId")
        bids = self._levels(path, line, data, "bids")
        asks = self._levels(path, line, data, "asks")
        if "snapshots" in self.kinds:
            ts_event = self._ts_event(path, line, local_ns, data)
            rows = [(schema.SIDE_BUY, i, p, s) for i, (p, s) in enumerate(bids)]
            rows += [(schema.SIDE_SELL, i, p, s) for i, (p, s) in enumerate(asks)]
            for n, (side, level, price, size) in enumerate(rows, start=1):
                self.snapshots.add(
                    ts_event=ts_event,
                    ts_init=local_ns,
                    sequence=last_id,
                    side=side,
                    level=level,
                    price=price,
                    size=size,
                    batch_end=n == len(rows),
                )
        self.snapshot_id = last_id
        self.sync = None
        for depth in self.buffered:
            # A buffered update becomes usable when the snapshot arrives: it is initialised then,
            # so a replay ordered by ts_init never meets it before the snapshot.
            depth.local_ns = max(depth.local_ns, local_ns)
            self._apply(depth)
        self.buffered.clear()

    def _depth(self, depth: _Depth) -> None:
        if self.snapshot_id is None:
            self.buffered.append(depth)
        else:
            self._apply(depth)

    def _apply(self, depth: _Depth) -> None:
        path, line, data = depth.path, depth.line, depth.data
        first = self._int(path, line, data, "U")
        last = self._int(path, line, data, "u")
        if self.sync is None:
            assert self.snapshot_id is not None  # noqa: S101  (only called after a snapshot)
            market = Market.USDM if "pu" in data else Market.SPOT
            self.sync = BookSync(market, self.snapshot_id)
        prev = self._int(path, line, data, "pu") if self.sync.market is Market.USDM else None
        try:
            apply = self.sync.accept(first, last, prev)
        except SequenceGap as gap:
            raise DataFileError(path, str(gap), row=line) from None
        if not apply:
            self.stale += 1
            return
        if "deltas" not in self.kinds:
            return
        ts_event = self._ts_event(path, line, depth.local_ns, data)
        bids = self._levels(path, line, data, "b")
        asks = self._levels(path, line, data, "a")
        count = len(bids) + len(asks)
        if count == 0:
            return
        sizes = [size for _, size in bids] + [size for _, size in asks]
        self.deltas.extend(
            count,
            {
                "ts_event": ts_event,
                "ts_init": depth.local_ns,
                "sequence": last,
                "first_sequence": first,
                "prev_sequence": prev,
            },
            {
                "price": [price for price, _ in bids] + [price for price, _ in asks],
                "size": sizes,
                # Binance sends absolute sizes; zero removes the level.
                "action": [
                    schema.ACTION_DELETE if size == 0 else schema.ACTION_UPDATE for size in sizes
                ],
                "side": [schema.SIDE_BUY] * len(bids) + [schema.SIDE_SELL] * len(asks),
                "batch_end": [False] * (count - 1) + [True],
            },
        )


def import_binance(
    paths: Sequence[str | Path],
    *,
    instrument_id: str | None = None,
    kinds: Sequence[schema.Kind] = BINANCE_KINDS,
    quote_currency: str | None = None,
) -> Imported:
    """Reads Binance recordings (in the order given: a file without a snapshot continues the
    previous one) into catalog tables. The default instrument id is ``<SYMBOL>.BINANCE`` for
    spot and ``<SYMBOL>-PERP.BINANCE`` for USD-M futures."""
    importer = _Importer(kinds)
    for path in paths:
        importer.feed(Path(path))
    last = Path(paths[-1]) if paths else Path()
    if importer.symbol is None:
        raise DataFileError(last, "no Binance stream messages found")
    if importer.snapshot_id is None and importer.buffered:
        raise DataFileError(
            importer.buffered[0].path,
            "depth updates but no depth snapshot to sync them to: import the file with the "
            "snapshot first, or leave the book out (--kinds quotes,trades)",
        )
    symbol = importer.symbol
    key = instrument_id or (f"{symbol}-PERP.BINANCE" if importer.futures else f"{symbol}.BINANCE")
    tables: dict[str, pa.Table] = {
        rows.kind: rows.table()
        for rows in (importer.quotes, importer.trades, importer.deltas, importer.snapshots)
        if rows.kind in importer.kinds and len(rows)
    }
    quote = quote_currency or guess_quote_currency(symbol)
    base = symbol[: -len(quote)] if quote and symbol.endswith(quote) else None
    imported = Imported(key, tables, spec_from_tables(key, tables, quote, base))
    if importer.stale:
        imported.notes.append(f"{importer.stale} depth updates before the snapshot were stale")
    return imported
