"""A seeded synthetic market: quotes, trades and L2 book deltas that agree with each other.

The best bid walks -1/0/+1 ticks per step, the spread is 1 to 3 ticks, and the sizes at the
touch are random multiples of the lot. The L2 book starts from a snapshot ``depth`` levels deep;
each step's deltas move the touch (deleting the levels it crossed), set the touch sizes, and
churn a random deeper level on each side, so after every update the book's best bid and ask
equal that step's quote. Trades print at the touch (a buyer lifts the ask, a seller hits the
bid) on a random fraction of the steps. Everything comes from ``numpy.random.default_rng(seed)``:
the same arguments give byte-identical files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from nautui.data import schema
from nautui.data.catalog import Catalog, to_ns
from nautui.data.errors import DataError
from nautui.data.fixed import FixedPointError, format_raw, parse_raw
from nautui.data.instruments import InstrumentSpec

__all__ = ["GEN_KINDS", "SyntheticMarket", "generate"]

GEN_KINDS: tuple[schema.Kind, ...] = ("quotes", "trades", "deltas", "snapshots")


@dataclass(frozen=True)
class SyntheticMarket:
    """The generator's parameters (see :func:`generate`)."""

    instrument_id: str = "SYNTH-USD.SIM"
    seed: int = 42
    steps: int = 100_000
    start: str = "2024-01-01"
    interval_ns: int = 1_000_000
    price: str = "100.00"
    lot: str = "0.001"
    max_lots: int = 100
    depth: int = 10
    trade_probability: float = 0.1


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


class _Book:
    """The generator's book, in ticks, only for producing consistent deltas."""

    def __init__(self, out: dict[str, list[int]], tick: int) -> None:
        self.bids: dict[int, int] = {}
        self.asks: dict[int, int] = {}
        self.out = out
        self.tick = tick

    def emit(self, action: int, side: int, tick: int, size: int) -> None:
        self.out["action"].append(action)
        self.out["side"].append(side)
        self.out["price"].append(tick * self.tick)
        self.out["size"].append(size)

    def touch(self, bid: int, bid_size: int, ask: int, ask_size: int) -> None:
        for tick in [t for t in self.bids if t > bid]:
            del self.bids[tick]
            self.emit(schema.ACTION_DELETE, schema.SIDE_BUY, tick, 0)
        for tick in [t for t in self.asks if t < ask]:
            del self.asks[tick]
            self.emit(schema.ACTION_DELETE, schema.SIDE_SELL, tick, 0)
        self.bids[bid] = bid_size
        self.emit(schema.ACTION_UPDATE, schema.SIDE_BUY, bid, bid_size)
        self.asks[ask] = ask_size
        self.emit(schema.ACTION_UPDATE, schema.SIDE_SELL, ask, ask_size)


def _quotes(market: SyntheticMarket, tick: int, lot: int) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(market.seed)
    n = market.steps
    start_ticks = parse_raw(market.price) // tick
    bid = start_ticks + np.cumsum(rng.integers(-1, 2, n, dtype=np.int64))
    ask = bid + rng.integers(1, 4, n, dtype=np.int64)
    bid_lots = rng.integers(1, market.max_lots + 1, n, dtype=np.int64)
    ask_lots = rng.integers(1, market.max_lots + 1, n, dtype=np.int64)
    if int(bid.min()) <= 0:
        raise DataError("the random walk reached zero: start from a higher --price")
    ts = np.uint64(to_ns(market.start)) + np.arange(n, dtype=np.uint64) * np.uint64(
        market.interval_ns
    )
    return {
        "ts": ts,
        "bid_ticks": bid,
        "ask_ticks": ask,
        "bid_size": (bid_lots * lot).astype(np.uint64),
        "ask_size": (ask_lots * lot).astype(np.uint64),
    }


def _trades(market: SyntheticMarket, q: dict[str, np.ndarray], tick: int, lot: int) -> pa.Table:
    rng = np.random.default_rng([market.seed, 1])
    n = market.steps
    at = np.flatnonzero(rng.random(n) < market.trade_probability)
    buyer = rng.random(at.size) < 0.5  # noqa: PLR2004  (even odds)
    touch = np.where(buyer, q["ask_size"][at], q["bid_size"][at]) // np.uint64(lot)
    lots = rng.integers(1, touch.astype(np.int64) + 1)
    price = np.where(buyer, q["ask_ticks"][at], q["bid_ticks"][at]) * tick
    ts = q["ts"][at]
    return pa.table(
        {
            "ts_event": ts,
            "ts_init": ts,
            "price": price.astype(np.int64),
            "size": (lots * lot).astype(np.uint64),
            "aggressor_side": np.where(
                buyer, schema.AGGRESSOR_BUYER, schema.AGGRESSOR_SELLER
            ).astype(np.uint8),
            "trade_id": pa.array([f"T{i + 1}" for i in at.tolist()], pa.string()),
        }
    )


def _book(
    market: SyntheticMarket, q: dict[str, np.ndarray], tick: int, lot: int
) -> tuple[pa.Table, pa.Table]:
    rng = np.random.default_rng([market.seed, 2])
    depth = max(market.depth, 1)
    n = market.steps
    bid0, ask0 = int(q["bid_ticks"][0]), int(q["ask_ticks"][0])
    ts0 = int(q["ts"][0])
    levels = rng.integers(1, market.max_lots + 1, (2, depth)) * lot
    # The snapshot: the book just before the first step.
    snap = {"side": [], "level": [], "price": [], "size": []}  # type: dict[str, list[int]]
    for side, sign, top in ((schema.SIDE_BUY, -1, bid0 + 1), (schema.SIDE_SELL, 1, ask0 - 1)):
        for k in range(depth):
            snap["side"].append(side)
            snap["level"].append(k)
            snap["price"].append((top + sign * (k + 1)) * tick)
            snap["size"].append(int(levels[side - 1, k]))
    rows = len(snap["side"])
    snapshots = pa.table(
        {
            "ts_event": np.full(rows, ts0, np.uint64),
            "ts_init": np.full(rows, ts0, np.uint64),
            "sequence": np.zeros(rows, np.uint64),
            **{k: np.asarray(v) for k, v in snap.items()},
            "batch_end": np.arange(rows) == rows - 1,
        },
        schema=schema.schema_for("snapshots"),
    )
    out: dict[str, list[int]] = {"action": [], "side": [], "price": [], "size": [], "step": []}
    book = _Book(out, tick)
    for side, ticks in ((schema.SIDE_BUY, book.bids), (schema.SIDE_SELL, book.asks)):
        for k in range(depth):
            top = bid0 + 1 - (k + 1) if side == schema.SIDE_BUY else ask0 - 1 + (k + 1)
            ticks[top] = int(levels[side - 1, k])
    churn_depth = rng.integers(1, depth + 1, (n, 2)).tolist()
    churn_lots = (rng.integers(1, market.max_lots + 1, (n, 2)) * lot).tolist()
    bid_t, ask_t = q["bid_ticks"].tolist(), q["ask_ticks"].tolist()
    bid_s, ask_s = q["bid_size"].tolist(), q["ask_size"].tolist()
    steps = out["step"]
    for i in range(n):
        before = len(out["action"])
        book.touch(bid_t[i], bid_s[i], ask_t[i], ask_s[i])
        deep_bid = bid_t[i] - churn_depth[i][0]
        deep_ask = ask_t[i] + churn_depth[i][1]
        book.bids[deep_bid] = churn_lots[i][0]
        book.emit(schema.ACTION_UPDATE, schema.SIDE_BUY, deep_bid, churn_lots[i][0])
        book.asks[deep_ask] = churn_lots[i][1]
        book.emit(schema.ACTION_UPDATE, schema.SIDE_SELL, deep_ask, churn_lots[i][1])
        steps.extend([i] * (len(out["action"]) - before))
    step = np.asarray(steps, dtype=np.int64)
    ts = q["ts"][step]
    sequence = (step + 1).astype(np.uint64)
    batch_end = np.ones(step.size, dtype=bool)
    batch_end[:-1] = step[1:] != step[:-1]
    deltas = pa.table(
        {
            "ts_event": ts,
            "ts_init": ts,
            "sequence": sequence,
            "first_sequence": sequence,
            "prev_sequence": pa.nulls(step.size, pa.uint64()),
            "action": np.asarray(out["action"], np.uint8),
            "side": np.asarray(out["side"], np.uint8),
            "price": np.asarray(out["price"], np.int64),
            "size": np.asarray(out["size"], np.uint64),
            "batch_end": batch_end,
        },
        schema=schema.schema_for("deltas"),
    )
    return deltas, snapshots


def generate(
    catalog: Catalog, market: SyntheticMarket, kinds: Sequence[str] = GEN_KINDS
) -> dict[str, int]:
    """Writes the synthetic market into ``catalog`` (replacing the days it covers); returns the
    row count per kind."""
    wanted = [schema.check_kind(k) for k in kinds]
    if market.steps < 1:
        raise DataError("the synthetic market needs at least one step")
    try:
        tick = 10 ** (9 - _decimals(market.price))
        lot = parse_raw(market.lot, unsigned=True)
    except FixedPointError as error:
        raise DataError(f"synthetic market: {error}") from None
    if lot <= 0 or _decimals(market.price) > 9:  # noqa: PLR2004
        raise DataError("synthetic market: the lot must be positive and the price exact")
    price_precision = _decimals(market.price)
    size_precision = _decimals(market.lot.rstrip("0")) if "." in market.lot else 0
    q = _quotes(market, tick, lot)
    tables: dict[str, pa.Table] = {}
    if "quotes" in wanted:
        tables["quotes"] = pa.table(
            {
                "ts_event": q["ts"],
                "ts_init": q["ts"],
                "bid_price": q["bid_ticks"] * tick,
                "ask_price": q["ask_ticks"] * tick,
                "bid_size": q["bid_size"],
                "ask_size": q["ask_size"],
            }
        )
    if "trades" in wanted:
        tables["trades"] = _trades(market, q, tick, lot)
    if "deltas" in wanted or "snapshots" in wanted:
        deltas, snapshots = _book(market, q, tick, lot)
        if "deltas" in wanted:
            tables["deltas"] = deltas
        if "snapshots" in wanted:
            tables["snapshots"] = snapshots
    for kind, table in tables.items():
        catalog.write(
            kind,
            market.instrument_id,
            table,
            price_precision=price_precision,
            size_precision=size_precision,
            replace=True,
        )
    quote = market.instrument_id.split(".")[0].rsplit("-", 1)[-1] or "USD"
    catalog.add_instruments(
        {
            market.instrument_id: InstrumentSpec(
                id=market.instrument_id,
                tick_size=format_raw(tick, price_precision),
                lot_size=market.lot,
                quote_currency=quote,
            )
        },
        replace=True,
    )
    return {kind: table.num_rows for kind, table in tables.items()}
