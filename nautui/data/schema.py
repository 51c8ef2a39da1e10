"""The catalog's Parquet schema, one per data kind.

Every price is an ``int64`` and every size a ``uint64`` counting units of 1e-9 (the engine's
fixed-point raw values); timestamps are ``uint64`` nanoseconds since the Unix epoch (UTC). The
display precisions and the instrument id live in the Parquet schema metadata (keys below), so a
file is self-describing. Enumerations are small integers (codes below) so the engine reads plain
numeric columns.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
import pyarrow as pa

from nautui.data.errors import DataError
from nautui.data.fixed import FIXED_SCALE, MAX_PRECISION

__all__ = [
    "ACTION_ADD",
    "ACTION_CLEAR",
    "ACTION_DELETE",
    "ACTION_UPDATE",
    "AGGRESSOR_BUYER",
    "AGGRESSOR_NONE",
    "AGGRESSOR_SELLER",
    "KINDS",
    "META_BAR_TYPE",
    "META_INSTRUMENT_ID",
    "META_KIND",
    "META_PRICE_PRECISION",
    "META_SIZE_PRECISION",
    "META_VERSION",
    "SCHEMA_VERSION",
    "SIDE_BUY",
    "SIDE_SELL",
    "Kind",
    "check_kind",
    "detect_precision",
    "metadata",
    "schema_for",
]

Kind = Literal["quotes", "trades", "deltas", "snapshots", "bars"]
KINDS: Final[tuple[Kind, ...]] = ("quotes", "trades", "deltas", "snapshots", "bars")
SCHEMA_VERSION: Final = "1"

META_KIND: Final = b"nautui.kind"
META_VERSION: Final = b"nautui.schema_version"
META_INSTRUMENT_ID: Final = b"nautui.instrument_id"
META_PRICE_PRECISION: Final = b"nautui.price_precision"
META_SIZE_PRECISION: Final = b"nautui.size_precision"
META_BAR_TYPE: Final = b"nautui.bar_type"

# trades.aggressor_side
AGGRESSOR_NONE: Final = 0
AGGRESSOR_BUYER: Final = 1
AGGRESSOR_SELLER: Final = 2
# deltas.side, snapshots.side
SIDE_BUY: Final = 1
SIDE_SELL: Final = 2
# deltas.action
ACTION_ADD: Final = 0
ACTION_UPDATE: Final = 1
ACTION_DELETE: Final = 2
ACTION_CLEAR: Final = 3

_TS = [
    pa.field("ts_event", pa.uint64(), nullable=False),
    pa.field("ts_init", pa.uint64(), nullable=False),
]

_SCHEMAS: Final[dict[str, pa.Schema]] = {
    "quotes": pa.schema(
        [
            *_TS,
            pa.field("bid_price", pa.int64(), nullable=False),
            pa.field("ask_price", pa.int64(), nullable=False),
            pa.field("bid_size", pa.uint64(), nullable=False),
            pa.field("ask_size", pa.uint64(), nullable=False),
        ]
    ),
    "trades": pa.schema(
        [
            *_TS,
            pa.field("price", pa.int64(), nullable=False),
            pa.field("size", pa.uint64(), nullable=False),
            pa.field("aggressor_side", pa.uint8(), nullable=False),
            pa.field("trade_id", pa.string(), nullable=False),
        ]
    ),
    # One row per level change. The rows of one venue update (a `BookDeltas` batch) are
    # consecutive, share ts_event/ts_init/sequence fields, and the last one has batch_end=true.
    "deltas": pa.schema(
        [
            *_TS,
            pa.field("sequence", pa.uint64(), nullable=False),
            pa.field("first_sequence", pa.uint64(), nullable=False),
            pa.field("prev_sequence", pa.uint64(), nullable=True),
            pa.field("action", pa.uint8(), nullable=False),
            pa.field("side", pa.uint8(), nullable=False),
            pa.field("price", pa.int64(), nullable=False),
            pa.field("size", pa.uint64(), nullable=False),
            pa.field("batch_end", pa.bool_(), nullable=False),
        ]
    ),
    # One row per level of a whole-book snapshot; bids best first then asks best first;
    # `level` is the 0-based depth on its side; the last row of a snapshot has batch_end=true.
    "snapshots": pa.schema(
        [
            *_TS,
            pa.field("sequence", pa.uint64(), nullable=False),
            pa.field("side", pa.uint8(), nullable=False),
            pa.field("level", pa.uint16(), nullable=False),
            pa.field("price", pa.int64(), nullable=False),
            pa.field("size", pa.uint64(), nullable=False),
            pa.field("batch_end", pa.bool_(), nullable=False),
        ]
    ),
    # ts_event is the bar's close time.
    "bars": pa.schema(
        [
            *_TS,
            pa.field("open", pa.int64(), nullable=False),
            pa.field("high", pa.int64(), nullable=False),
            pa.field("low", pa.int64(), nullable=False),
            pa.field("close", pa.int64(), nullable=False),
            pa.field("volume", pa.uint64(), nullable=False),
        ]
    ),
}

_PRICE_COLUMNS: Final = {
    "quotes": ("bid_price", "ask_price"),
    "trades": ("price",),
    "deltas": ("price",),
    "snapshots": ("price",),
    "bars": ("open", "high", "low", "close"),
}
_SIZE_COLUMNS: Final = {
    "quotes": ("bid_size", "ask_size"),
    "trades": ("size",),
    "deltas": ("size",),
    "snapshots": ("size",),
    "bars": ("volume",),
}


def check_kind(kind: str) -> Kind:
    """``kind`` as a :data:`Kind`, or a :class:`DataError` listing the kinds."""
    for known in KINDS:
        if kind == known:
            return known
    raise DataError(f"unknown data kind {kind!r}; expected one of {', '.join(KINDS)}")


def schema_for(kind: str) -> pa.Schema:
    """The Arrow schema of ``kind`` (without metadata)."""
    return _SCHEMAS[check_kind(kind)]


def price_columns(kind: str) -> tuple[str, ...]:
    return _PRICE_COLUMNS[check_kind(kind)]


def size_columns(kind: str) -> tuple[str, ...]:
    return _SIZE_COLUMNS[check_kind(kind)]


def detect_precision(*columns: np.ndarray) -> int:
    """The fewest decimals that show every raw value in ``columns`` exactly (0 to 9)."""
    step = FIXED_SCALE
    precision = 0
    for column in columns:
        values = np.asarray(column)
        while precision < MAX_PRECISION and values.size and np.any(values % step):
            step //= 10
            precision += 1
    return precision


def metadata(
    kind: str,
    instrument_id: str,
    price_precision: int,
    size_precision: int,
    bar_type: str | None = None,
) -> dict[bytes, bytes]:
    """The schema metadata every catalog file carries."""
    meta = {
        META_KIND: check_kind(kind).encode(),
        META_VERSION: SCHEMA_VERSION.encode(),
        META_INSTRUMENT_ID: instrument_id.encode(),
        META_PRICE_PRECISION: str(price_precision).encode(),
        META_SIZE_PRECISION: str(size_precision).encode(),
    }
    if bar_type is not None:
        meta[META_BAR_TYPE] = bar_type.encode()
    return meta
