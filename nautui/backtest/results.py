"""What a backtest returns, and the recorder that builds it from the engine's event stream.

The recorder reads each drained block of events once: every event's MessagePack goes into the
stream hash (BLAKE2b, in order, so the hash does not depend on how often the runner drains),
and fills and orders are appended to columns. Tables are built once, at the end.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import msgspec
import numpy as np
import numpy.typing as npt
import pyarrow as pa

from nautui import events
from nautui.engine import Engine

__all__ = ["BacktestResult", "EventRecorder"]

_raw_list = msgspec.msgpack.Decoder(list[msgspec.Raw])


@dataclass(frozen=True)
class BacktestResult:
    """Orders, fills and positions (pyarrow Tables), the equity curve, the statistics, counters
    and the stream hash of one run."""

    orders: pa.Table
    fills: pa.Table
    positions: pa.Table
    #: Columns ``ts`` (ns, uint64) and ``equity`` (account currency units).
    equity: pa.Table
    #: Round trips: ``ts`` (close time, ns) and ``pnl`` (net of fees).
    trades: pa.Table
    #: pnl, return, sharpe, sortino, max_drawdown, profit_factor, win_rate, expectancy, trades.
    statistics: dict[str, float]
    #: orders, fills, events, quotes, data_rows, wall_s, events_per_s, ...
    counters: dict[str, float]
    #: BLAKE2b (hex) of every emitted event's MessagePack, in order.
    stream_hash: str
    currency: str
    config: Any = field(repr=False, default=None)

    def summary(self) -> dict[str, Any]:
        """One flat JSON-ready dict: counters, statistics and the stream hash."""
        out: dict[str, Any] = {
            "orders": int(self.counters["orders"]),
            "fills": int(self.counters["fills"]),
        }
        for key, value in self.statistics.items():
            out[key] = _json_number(value)
        for key, value in self.counters.items():
            out.setdefault(key, _json_number(value))
        out["currency"] = self.currency
        out["stream_hash"] = self.stream_hash
        return out


def _json_number(value: float) -> float | int | str | None:
    if isinstance(value, int):
        return value
    if math.isnan(value):
        return None
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return value


def _f(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


class EventRecorder:
    """Hashes the event stream and keeps order and fill columns (see the module docs)."""

    def __init__(self) -> None:
        self._hash = hashlib.blake2b(digest_size=32)
        self.events = 0
        self._order_ids: list[str] = []
        self._order_ts: list[int] = []
        self._fills: dict[str, list[Any]] = {
            name: []
            for name in (
                "ts_event",
                "ts_init",
                "client_order_id",
                "strategy_id",
                "instrument_id",
                "trade_id",
                "side",
                "last_qty",
                "last_px",
                "commission",
                "liquidity_side",
            )
        }

    def feed(self, payload: bytes) -> None:
        """One drained block: a MessagePack array of events."""
        raws = _raw_list.decode(payload)
        if not raws:
            return
        self.events += len(raws)
        update = self._hash.update
        for raw in raws:
            update(bytes(raw))
        for event in events.decode_many(payload):
            if isinstance(event, events.OrderFilled):
                f = self._fills
                f["ts_event"].append(event.ts_event)
                f["ts_init"].append(event.ts_init)
                f["client_order_id"].append(event.client_order_id)
                f["strategy_id"].append(event.strategy_id)
                f["instrument_id"].append(event.instrument_id)
                f["trade_id"].append(event.trade_id)
                f["side"].append(event.side.value)
                f["last_qty"].append(float(event.last_qty))
                f["last_px"].append(float(event.last_px))
                f["commission"].append(float(event.commission.amount))
                f["liquidity_side"].append(event.liquidity_side.value)
            elif isinstance(event, events.OrderInitialized):
                self._order_ids.append(event.client_order_id)
                self._order_ts.append(event.ts_init)

    @property
    def stream_hash(self) -> str:
        return self._hash.hexdigest()

    def fills_table(self) -> pa.Table:
        f = self._fills
        return pa.table(
            {
                "ts_event": pa.array(f["ts_event"], pa.uint64()),
                "ts_init": pa.array(f["ts_init"], pa.uint64()),
                "client_order_id": pa.array(f["client_order_id"], pa.string()),
                "strategy_id": pa.array(f["strategy_id"], pa.string()),
                "instrument_id": pa.array(f["instrument_id"], pa.string()),
                "trade_id": pa.array(f["trade_id"], pa.string()),
                "side": pa.array(f["side"], pa.string()),
                "last_qty": pa.array(f["last_qty"], pa.float64()),
                "last_px": pa.array(f["last_px"], pa.float64()),
                "commission": pa.array(f["commission"], pa.float64()),
                "liquidity_side": pa.array(f["liquidity_side"], pa.string()),
            }
        )

    def orders_table(self, engine: Engine) -> pa.Table:
        """Every order the run created, with its final state (read once, at the end)."""
        cols: dict[str, list[Any]] = {
            k: []
            for k in (
                "client_order_id",
                "strategy_id",
                "instrument_id",
                "side",
                "order_type",
                "time_in_force",
                "quantity",
                "price",
                "status",
                "filled_qty",
                "ts_init",
            )
        }
        for order_id, ts in zip(self._order_ids, self._order_ts, strict=True):
            order = engine.order(order_id)
            if order is None:  # pragma: no cover - the engine keeps every order it made
                continue
            cols["client_order_id"].append(order_id)
            cols["strategy_id"].append(order.strategy_id)
            cols["instrument_id"].append(order.instrument_id)
            cols["side"].append(order.side)
            cols["order_type"].append(order.order_type)
            cols["time_in_force"].append(order.time_in_force)
            cols["quantity"].append(float(order.quantity.as_decimal()))
            price = order.price
            cols["price"].append(None if price is None else float(price.as_decimal()))
            cols["status"].append(order.status)
            cols["filled_qty"].append(float(order.filled_qty.as_decimal()))
            cols["ts_init"].append(ts)
        types = {
            "quantity": pa.float64(),
            "price": pa.float64(),
            "filled_qty": pa.float64(),
            "ts_init": pa.uint64(),
        }
        return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in cols.items()})


def positions_table(engine: Engine) -> pa.Table:
    """Every position at the end of the run (flat ones included)."""
    rows = engine.positions()
    return pa.table(
        {
            "position_id": pa.array([p.position_id for p in rows], pa.string()),
            "instrument_id": pa.array([p.instrument_id for p in rows], pa.string()),
            "strategy_id": pa.array([p.strategy_id for p in rows], pa.string()),
            "side": pa.array([p.side for p in rows], pa.string()),
            "quantity": pa.array(
                [float(Decimal(p.signed_qty_raw).scaleb(-9)) for p in rows], pa.float64()
            ),
            "avg_px_open": pa.array(
                [float(p.avg_px_open.as_decimal()) for p in rows], pa.float64()
            ),
            "realized_pnl": pa.array([float(p.realized_pnl.amount) for p in rows], pa.float64()),
            "fees": pa.array([float(p.fees.amount) for p in rows], pa.float64()),
        }
    )


def curve_tables(engine: Engine) -> tuple[pa.Table, pa.Table]:
    """(equity curve, round trips) from the engine's performance record."""
    equity_ts, equity, trade_ts, trade_pnl = engine.performance()
    curve = pa.table({"ts": pa.array(equity_ts), "equity": pa.array(equity)})
    trades = pa.table({"ts": pa.array(trade_ts), "pnl": pa.array(trade_pnl)})
    return curve, trades


def column(table: pa.Table, name: str) -> npt.NDArray[np.float64]:
    """A float column as numpy (for tests and plots)."""
    return np.asarray(table.column(name).to_numpy(), dtype=np.float64)
