"""What the screens show, as msgspec Structs: the engine computes these views (``core/src/views/``)
and hands them over as MessagePack; these mirror the Rust structs field for field, and a test
decodes the engine's own example of each with unknown fields forbidden, so any drift fails.

A live engine publishes its views under keys (``status``, ``orders``, ``positions``,
``balances``, ``latency``, ``ladder:<instrument>``), each with a version that moves only when it
changes (``Engine.views``); ``Engine.frame()`` and the replay hand out whole frames.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Any, TypeAlias, TypeVar

import msgspec

from nautui.errors import DecodeError
from nautui.events import (
    AccountBalance,
    AggressorSide,
    Event,
    Money,
    OrderSide,
    OrderType,
    PositionSide,
    TimeInForce,
    TradingState,
)

__all__ = [
    "Counters",
    "Frame",
    "HistogramView",
    "LadderLevel",
    "LadderSource",
    "LadderView",
    "LastTrade",
    "LatencyView",
    "OrderRow",
    "OrderStatus",
    "PnlTotal",
    "PositionRow",
    "PositionsView",
    "ReplayFrame",
    "StatusView",
    "View",
    "decode_frame",
    "decode_replay_frame",
    "decode_view",
]


class _View(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A view (untagged)."""


class OrderStatus(enum.StrEnum):
    INITIALIZED = "INITIALIZED"
    DENIED = "DENIED"
    SUBMITTED = "SUBMITTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    CANCELED = "CANCELED"
    EXPIRED = "EXPIRED"
    TRIGGERED = "TRIGGERED"
    PENDING_UPDATE = "PENDING_UPDATE"
    PENDING_CANCEL = "PENDING_CANCEL"
    PARTIALLY_FILLED = "PARTIALLY_FILLED"
    FILLED = "FILLED"


class LadderSource(enum.StrEnum):
    BOOK = "BOOK"
    QUOTE = "QUOTE"
    NONE = "NONE"


class LadderLevel(_View, frozen=True):
    price: Decimal
    #: Size the market shows (zero for a level holding only own orders).
    size: Decimal
    own_orders: int
    own_qty: Decimal
    #: Volume ahead of the earliest own order here, when the simulated venue tracks queues.
    queue_ahead: Decimal | None


class LastTrade(_View, frozen=True):
    price: Decimal
    size: Decimal
    aggressor_side: AggressorSide
    ts_event: int


class LadderView(_View, frozen=True):
    instrument_id: str
    source: LadderSource
    #: Best first.
    bids: list[LadderLevel]
    asks: list[LadderLevel]
    spread: Decimal | None
    last_trade: LastTrade | None
    #: Time of the latest market data shown (0: none).
    ts_event: int


class OrderRow(_View, frozen=True):
    client_order_id: str
    strategy_id: str
    instrument_id: str
    side: OrderSide
    order_type: OrderType
    time_in_force: TimeInForce
    status: OrderStatus
    quantity: Decimal
    filled_qty: Decimal
    leaves_qty: Decimal
    price: Decimal | None
    trigger_price: Decimal | None
    avg_px: Decimal | None
    post_only: bool
    reduce_only: bool
    in_flight: bool
    ts_init: int
    ts_last: int


class PositionRow(_View, frozen=True):
    instrument_id: str
    strategy_id: str
    side: PositionSide
    quantity: Decimal
    avg_px_open: Decimal | None
    mark: Decimal | None
    realized_pnl: Money
    unrealized_pnl: Money
    fees: Money


class PnlTotal(_View, frozen=True):
    currency: str
    realized_pnl: Money
    unrealized_pnl: Money
    fees: Money


class PositionsView(_View, frozen=True):
    rows: list[PositionRow]
    totals: list[PnlTotal]


class Counters(_View, frozen=True):
    events_in: int
    events_out: int
    quotes: int
    orders: int
    fills: int
    denials: int
    rejections: int
    illegal_transitions: int


class StatusView(_View, frozen=True):
    trading_state: TradingState
    reason: str
    since: int
    now: int
    counters: Counters
    open_orders: int


class HistogramView(_View, frozen=True):
    name: str
    count: int
    min: int
    p50: int
    p90: int
    p99: int
    p999: int
    max: int
    #: ``(upper bound ns, count)``, bounds doubling from 1 us.
    buckets: list[tuple[int, int]]


class LatencyView(_View, frozen=True):
    histograms: list[HistogramView]


class Frame(_View, frozen=True):
    status: StatusView
    ladders: list[LadderView]
    open_orders: list[OrderRow]
    positions: PositionsView
    balances: list[AccountBalance]
    latency: LatencyView


class ReplayFrame(_View, frozen=True):
    seq: int
    frame: Frame
    closed_orders: list[OrderRow]
    recent: list[tuple[int, Event]]


View: TypeAlias = (
    StatusView | list[OrderRow] | PositionsView | list[AccountBalance] | LatencyView | LadderView
)
"""A view as published under its key."""

_DECODERS: dict[str, msgspec.msgpack.Decoder[Any]] = {
    "status": msgspec.msgpack.Decoder(StatusView),
    "orders": msgspec.msgpack.Decoder(list[OrderRow]),
    "positions": msgspec.msgpack.Decoder(PositionsView),
    "balances": msgspec.msgpack.Decoder(list[AccountBalance]),
    "latency": msgspec.msgpack.Decoder(LatencyView),
    "ladder": msgspec.msgpack.Decoder(LadderView),
}
_FRAME = msgspec.msgpack.Decoder(Frame)
_REPLAY_FRAME = msgspec.msgpack.Decoder(ReplayFrame)


_T = TypeVar("_T")


def _decode(decoder: msgspec.msgpack.Decoder[_T], payload: bytes, what: str) -> _T:
    try:
        return decoder.decode(payload)
    except msgspec.DecodeError as error:
        raise DecodeError(f"{what}: {error}") from None


def decode_view(key: str, payload: bytes) -> View:
    """The view published under ``key`` (``ladder:<instrument>`` decodes as a ``LadderView``)."""
    decoder = _DECODERS.get(key.partition(":")[0])
    if decoder is None:
        raise DecodeError(f"view {key!r}: no such view")
    view: View = _decode(decoder, payload, f"view {key!r}")
    return view


def decode_frame(payload: bytes) -> Frame:
    return _decode(_FRAME, payload, "frame")


def decode_replay_frame(payload: bytes) -> ReplayFrame:
    return _decode(_REPLAY_FRAME, payload, "replay frame")
