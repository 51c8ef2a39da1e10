"""Every engine event as a msgspec Struct, so Python reads and writes any payload without the
engine.

The Rust enum in ``core/src/events/`` is the source of truth; these mirror it field for field,
in the same order. On the wire (MessagePack) an event is a map whose first key, ``type``, names
the variant; prices, quantities, ratios and money amounts are decimal strings, timestamps are
integer nanoseconds, enums are SCREAMING_SNAKE strings and an absent optional is nil. The
committed fixture set (``tests/fixtures/events.msgpack``) and a byte-for-byte round-trip test
catch drift in either direction.

Decimal values are written with ``str(Decimal)``, which switches to exponent form below 1e-6
(``Decimal("0.00000001")`` is written ``"1E-8"``); the engine reads that as the same value with
the same precision.
"""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import Annotated, Any, TypeAlias, get_args

import msgspec

from nautui._core import check_event, event_fixtures, event_kinds
from nautui.errors import DecodeError

__all__ = [
    "EVENT_TYPES",
    "AccountBalance",
    "AccountState",
    "AccountType",
    "AggressorSide",
    "Bar",
    "BookAction",
    "BookDeltas",
    "BookLevel",
    "BookLevelDelta",
    "BookSnapshot",
    "CancelAllOrders",
    "CancelOrder",
    "Event",
    "Flatten",
    "Halt",
    "LiquiditySide",
    "ModifyOrder",
    "Money",
    "OrderAccepted",
    "OrderCancelRejected",
    "OrderCanceled",
    "OrderDenied",
    "OrderExpired",
    "OrderFilled",
    "OrderInitialized",
    "OrderModifyRejected",
    "OrderPendingCancel",
    "OrderPendingUpdate",
    "OrderRejected",
    "OrderSide",
    "OrderSubmitted",
    "OrderTriggered",
    "OrderType",
    "OrderUpdated",
    "PositionChanged",
    "PositionClosed",
    "PositionOpened",
    "PositionSide",
    "QuoteTick",
    "Resume",
    "SubmitOrder",
    "TimeInForce",
    "TimerFired",
    "TradeTick",
    "TradingState",
    "TradingStateChanged",
    "VenueConnected",
    "VenueDisconnected",
    "check_event",
    "decode",
    "decode_many",
    "encode",
    "event_fixtures",
    "event_kinds",
    "kind",
]

# -- scalar wire types -------------------------------------------------------------------------

UnixNanos: TypeAlias = Annotated[int, msgspec.Meta(ge=0)]
"""Nanoseconds since the Unix epoch (UTC)."""
U64: TypeAlias = Annotated[int, msgspec.Meta(ge=0)]
"""An unsigned 64-bit integer (MessagePack carries at most 64 bits)."""

# Identifiers travel as plain strings.
InstrumentId: TypeAlias = str
StrategyId: TypeAlias = str
ClientOrderId: TypeAlias = str
VenueOrderId: TypeAlias = str
AccountId: TypeAlias = str
PositionId: TypeAlias = str
TradeId: TypeAlias = str
BarType: TypeAlias = str
Venue: TypeAlias = str
Currency: TypeAlias = str


class OrderSide(enum.StrEnum):
    BUY = "BUY"
    SELL = "SELL"


class OrderType(enum.StrEnum):
    MARKET = "MARKET"
    LIMIT = "LIMIT"
    STOP_MARKET = "STOP_MARKET"
    STOP_LIMIT = "STOP_LIMIT"


class TimeInForce(enum.StrEnum):
    GTC = "GTC"
    IOC = "IOC"
    FOK = "FOK"
    GTD = "GTD"
    DAY = "DAY"


class AggressorSide(enum.StrEnum):
    BUYER = "BUYER"
    SELLER = "SELLER"
    NO_AGGRESSOR = "NO_AGGRESSOR"


class BookAction(enum.StrEnum):
    ADD = "ADD"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    CLEAR = "CLEAR"


class PositionSide(enum.StrEnum):
    FLAT = "FLAT"
    LONG = "LONG"
    SHORT = "SHORT"


class LiquiditySide(enum.StrEnum):
    MAKER = "MAKER"
    TAKER = "TAKER"


class TradingState(enum.StrEnum):
    ACTIVE = "ACTIVE"
    REDUCING = "REDUCING"
    HALTED = "HALTED"


class AccountType(enum.StrEnum):
    CASH = "CASH"
    MARGIN = "MARGIN"


# -- nested values -----------------------------------------------------------------------------


class _Value(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A value inside an event (untagged)."""


class Money(_Value, frozen=True):
    """An amount of one currency, as it appears inside events."""

    amount: Decimal
    currency: Currency


class BookLevelDelta(_Value, frozen=True):
    action: BookAction
    side: OrderSide
    price: Decimal
    size: Decimal


class BookLevel(_Value, frozen=True):
    price: Decimal
    size: Decimal


class AccountBalance(_Value, frozen=True):
    currency: Currency
    total: Money
    locked: Money
    free: Money


# -- events ------------------------------------------------------------------------------------


class _EventBase(
    msgspec.Struct, frozen=True, forbid_unknown_fields=True, tag_field="type", tag=True
):
    """Every event: tagged with its class name, which is the engine's variant name."""


# market data


class QuoteTick(_EventBase, frozen=True):
    instrument_id: InstrumentId
    bid_price: Decimal
    ask_price: Decimal
    bid_size: Decimal
    ask_size: Decimal
    ts_event: UnixNanos
    ts_init: UnixNanos


class TradeTick(_EventBase, frozen=True):
    instrument_id: InstrumentId
    price: Decimal
    size: Decimal
    aggressor_side: AggressorSide
    trade_id: TradeId
    ts_event: UnixNanos
    ts_init: UnixNanos


class BookDeltas(_EventBase, frozen=True):
    instrument_id: InstrumentId
    first_sequence: U64
    sequence: U64
    prev_sequence: U64 | None
    deltas: list[BookLevelDelta]
    ts_event: UnixNanos
    ts_init: UnixNanos


class BookSnapshot(_EventBase, frozen=True):
    instrument_id: InstrumentId
    sequence: U64
    bids: list[BookLevel]
    asks: list[BookLevel]
    ts_event: UnixNanos
    ts_init: UnixNanos


class Bar(_EventBase, frozen=True):
    bar_type: BarType
    instrument_id: InstrumentId
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    ts_event: UnixNanos
    ts_init: UnixNanos


# commands


class SubmitOrder(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    side: OrderSide
    order_type: OrderType
    quantity: Decimal
    price: Decimal | None
    trigger_price: Decimal | None
    time_in_force: TimeInForce
    expire_time: UnixNanos | None
    post_only: bool
    reduce_only: bool
    ts_event: UnixNanos
    ts_init: UnixNanos


class CancelOrder(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    ts_event: UnixNanos
    ts_init: UnixNanos


class ModifyOrder(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    quantity: Decimal | None
    price: Decimal | None
    trigger_price: Decimal | None
    ts_event: UnixNanos
    ts_init: UnixNanos


class CancelAllOrders(_EventBase, frozen=True):
    strategy_id: StrategyId | None
    instrument_id: InstrumentId | None
    source: str
    ts_event: UnixNanos
    ts_init: UnixNanos


class Flatten(_EventBase, frozen=True):
    strategy_id: StrategyId | None
    instrument_id: InstrumentId | None
    source: str
    ts_event: UnixNanos
    ts_init: UnixNanos


class Halt(_EventBase, frozen=True):
    reason: str
    source: str
    ts_event: UnixNanos
    ts_init: UnixNanos


class Resume(_EventBase, frozen=True):
    reason: str
    source: str
    ts_event: UnixNanos
    ts_init: UnixNanos


# order events


class OrderInitialized(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    side: OrderSide
    order_type: OrderType
    quantity: Decimal
    price: Decimal | None
    trigger_price: Decimal | None
    time_in_force: TimeInForce
    expire_time: UnixNanos | None
    post_only: bool
    reduce_only: bool
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderDenied(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    reason: str
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderSubmitted(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    account_id: AccountId
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderAccepted(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId
    account_id: AccountId
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderRejected(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    account_id: AccountId
    reason: str
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderCanceled(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderExpired(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None
    ts_event: UnixNanos
    ts_init: UnixNanos
    #: None for a GTD/DAY expiry; ``CODE: detail`` when the venue expired the order as it became
    #: active or would fill (``REDUCE_ONLY_WOULD_INCREASE``, ``POST_ONLY_WOULD_CROSS``).
    reason: str | None = None


class OrderTriggered(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderPendingUpdate(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderPendingCancel(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderUpdated(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None
    quantity: Decimal
    price: Decimal | None
    trigger_price: Decimal | None
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderModifyRejected(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None
    reason: str
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderCancelRejected(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId | None
    reason: str
    ts_event: UnixNanos
    ts_init: UnixNanos


class OrderFilled(_EventBase, frozen=True):
    strategy_id: StrategyId
    instrument_id: InstrumentId
    client_order_id: ClientOrderId
    venue_order_id: VenueOrderId
    account_id: AccountId
    trade_id: TradeId
    side: OrderSide
    order_type: OrderType
    last_qty: Decimal
    last_px: Decimal
    commission: Money
    liquidity_side: LiquiditySide
    ts_event: UnixNanos
    ts_init: UnixNanos


# positions: one engine struct (PositionState) serves three variants


class _PositionState(_EventBase, frozen=True):
    """A position's state after a fill; ``quantity`` is absolute, ``side`` the direction."""

    strategy_id: StrategyId
    instrument_id: InstrumentId
    position_id: PositionId
    side: PositionSide
    quantity: Decimal
    avg_px_open: Decimal
    last_px: Decimal
    realized_pnl: Money
    unrealized_pnl: Money
    ts_event: UnixNanos
    ts_init: UnixNanos


class PositionOpened(_PositionState, frozen=True):
    pass


class PositionChanged(_PositionState, frozen=True):
    pass


class PositionClosed(_PositionState, frozen=True):
    pass


# account and system


class AccountState(_EventBase, frozen=True):
    account_id: AccountId
    account_type: AccountType
    balances: list[AccountBalance]
    ts_event: UnixNanos
    ts_init: UnixNanos


class VenueConnected(_EventBase, frozen=True):
    venue: Venue
    ts_event: UnixNanos
    ts_init: UnixNanos


class VenueDisconnected(_EventBase, frozen=True):
    venue: Venue
    reason: str
    ts_event: UnixNanos
    ts_init: UnixNanos


class TradingStateChanged(_EventBase, frozen=True):
    state: TradingState
    reason: str
    ts_event: UnixNanos
    ts_init: UnixNanos


class TimerFired(_EventBase, frozen=True):
    name: str
    strategy_id: StrategyId | None
    ts_event: UnixNanos
    ts_init: UnixNanos


# In the engine's declaration order (`Event::KINDS`).
Event: TypeAlias = (
    QuoteTick
    | TradeTick
    | BookDeltas
    | BookSnapshot
    | Bar
    | SubmitOrder
    | CancelOrder
    | ModifyOrder
    | CancelAllOrders
    | Flatten
    | Halt
    | Resume
    | OrderInitialized
    | OrderDenied
    | OrderSubmitted
    | OrderAccepted
    | OrderRejected
    | OrderCanceled
    | OrderExpired
    | OrderTriggered
    | OrderPendingUpdate
    | OrderPendingCancel
    | OrderUpdated
    | OrderModifyRejected
    | OrderCancelRejected
    | OrderFilled
    | PositionOpened
    | PositionChanged
    | PositionClosed
    | AccountState
    | VenueConnected
    | VenueDisconnected
    | TradingStateChanged
    | TimerFired
)

EVENT_TYPES: tuple[type[Any], ...] = get_args(Event)
"""Every event class, in the engine's declaration order."""

_encoder = msgspec.msgpack.Encoder()
_decoder: msgspec.msgpack.Decoder[Event] = msgspec.msgpack.Decoder(Event)
_list_decoder: msgspec.msgpack.Decoder[list[Event]] = msgspec.msgpack.Decoder(list[Event])


def kind(event: Event) -> str:
    """The event's kind: its ``type`` tag, the engine's variant name."""
    return type(event).__name__


def encode(event: Event) -> bytes:
    """One event as MessagePack, as the engine writes it."""
    return _encoder.encode(event)


def decode(payload: bytes) -> Event:
    """One event from MessagePack; ``DecodeError`` names what is wrong."""
    try:
        return _decoder.decode(payload)
    except msgspec.DecodeError as error:
        raise DecodeError(f"cannot decode event: {error}") from error


def decode_many(payload: bytes) -> list[Event]:
    """A MessagePack array of events (the fixture file's shape)."""
    try:
        return _list_decoder.decode(payload)
    except msgspec.DecodeError as error:
        raise DecodeError(f"cannot decode events: {error}") from error
