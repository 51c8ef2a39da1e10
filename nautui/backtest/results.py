"""What a backtest returns, and the tables built from the engine's output.

The engine's output goes to a ``ResultCollector`` in the core (core/src/backtest/collector.rs)
a drained batch at a time: it hashes every event (BLAKE3 over each event's MessagePack, in
order, so the hash does not depend on how often the runner drains) and keeps the fill and order
tables as columns. Python gets those columns as numpy arrays and makes pyarrow Tables of them;
no event is decoded in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from nautui._core import ResultCollector
from nautui.engine import Engine

__all__ = ["BacktestResult", "fills_table", "orders_table"]

_FILLS = {
    "ts_event": pa.uint64(),
    "ts_init": pa.uint64(),
    "client_order_id": pa.string(),
    "strategy_id": pa.string(),
    "instrument_id": pa.string(),
    "trade_id": pa.string(),
    "side": pa.string(),
    "last_qty": pa.float64(),
    "last_px": pa.float64(),
    "commission": pa.float64(),
    "liquidity_side": pa.string(),
}
_ORDERS = {
    "client_order_id": pa.string(),
    "strategy_id": pa.string(),
    "instrument_id": pa.string(),
    "side": pa.string(),
    "order_type": pa.string(),
    "time_in_force": pa.string(),
    "quantity": pa.float64(),
    "price": pa.float64(),
    "status": pa.string(),
    "filled_qty": pa.float64(),
    "ts_init": pa.uint64(),
}


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
    #: BLAKE3 (hex) of every emitted event's MessagePack, in order.
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


#: A column as the collector returns it: numpy values, ``(offsets, bytes)`` of strings, or
#: ``(values, valid)`` of a nullable column.
_Column = npt.NDArray[Any] | tuple[npt.NDArray[Any], npt.NDArray[Any] | int]


def _array(value: _Column, kind: pa.DataType) -> pa.Array:
    if not isinstance(value, tuple):
        return pa.array(value, kind)
    first, second = value
    if not isinstance(second, np.ndarray):  # pragma: no cover - the collector's layout
        raise TypeError(f"unexpected column layout for {kind}")
    if pa.types.is_string(kind):
        buffers = [None, pa.py_buffer(first), pa.py_buffer(second)]
        return pa.Array.from_buffers(pa.large_string(), len(first) - 1, buffers).cast(kind)
    return pa.array(first, kind, mask=~second)


def _table(columns: dict[str, _Column], schema: dict[str, pa.DataType]) -> pa.Table:
    return pa.table({name: _array(columns[name], kind) for name, kind in schema.items()})


def fills_table(collector: ResultCollector) -> pa.Table:
    """One row per fill, in order."""
    return _table(collector.fills(), _FILLS)


def orders_table(collector: ResultCollector) -> pa.Table:
    """Every order the run created, in order, with its final state."""
    return _table(collector.orders(), _ORDERS)


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
