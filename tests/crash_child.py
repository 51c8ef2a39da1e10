"""The child of the crash test (tests/test_crash_recovery.py): a strategy making order/fill
cycles on the simulated venue (with latency), recording into an event log with snapshots.

``python crash_child.py LOG SEED QUOTES``: creates LOG, or recovers from it (the parent has
killed the last child), then runs up to QUOTES quotes. After every quote it writes the log's
committed head to stdout as ``<seq> <hash hex>`` when it moved: those events are acknowledged
and must survive a SIGKILL.
"""

from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path

from nautui import (
    Engine,
    EngineConfig,
    EventLog,
    Instrument,
    QuoteTick,
    Strategy,
    StrategyConfig,
    events,
)
from nautui.config import LatencyRange, RandomLatency, VenueConfig
from nautui.events import Money

INSTRUMENT = "BTCUSDT.SIM"
SNAPSHOT_EVERY = 40


def config() -> EngineConfig:
    span = LatencyRange(min_ns=200_000, max_ns=3_000_000)
    return EngineConfig(
        starting_balances=[Money(Decimal("1000000"), "USDT")],
        venue=VenueConfig(queue_position=True),
        latency=RandomLatency(
            seed=7,
            submit=span,
            cancel=span,
            modify=span,
            response=LatencyRange(min_ns=0, max_ns=1_000_000),
        ),
        record_market_data=True,
    )


def instrument() -> Instrument:
    return Instrument(
        id=INSTRUMENT,
        tick_size="0.01",
        lot_size="0.001",
        quote_currency="USDT",
        base_currency="BTC",
    )


class Cycler(Strategy):
    """Flat: buys at market; long: rests a sell at the ask and cancels it once the market has
    moved below it. Decides from the engine's state only, so it resumes after a restart."""

    def on_quote_tick(self, tick: QuoteTick) -> None:
        open_orders = self.open_orders()
        if open_orders:
            for order in open_orders:
                if (
                    order.status == "ACCEPTED"
                    and order.price is not None
                    and order.price > tick.ask_price
                ):
                    self.cancel_order(order.client_order_id)
            return
        position = self.position(INSTRUMENT)
        if position is None or position.signed_qty_raw == 0:
            self.submit_order(INSTRUMENT, "BUY", "0.5")
        else:
            self.submit_order(INSTRUMENT, "SELL", position.quantity, "LIMIT", price=tick.ask_price)


def main() -> int:
    path, seed, quotes = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    if path.exists():
        log = EventLog.open(path)
        engine, _ = Engine.recover(log, snapshot_every=SNAPSHOT_EVERY)
    else:
        engine = Engine(config())
        engine.add_instrument(instrument())
        log = engine.record_to(path, snapshot_every=SNAPSHOT_EVERY)
    engine.add_strategy(Cycler(StrategyConfig(strategy_id="cycler")))
    engine.start()
    rng = random.Random(seed)  # noqa: S311  (seeded: the same quotes for the same seed)
    ts = engine.now
    mid = 10_000 + rng.randrange(-50, 50)
    reported = 0  # seq 0 is the empty log: nothing to acknowledge
    out = sys.stdout
    for _ in range(quotes):
        ts += rng.randrange(100_000, 2_000_000)
        mid += rng.randrange(-3, 4)
        spread = rng.randrange(1, 3)
        engine.process(
            events.QuoteTick(
                instrument_id=INSTRUMENT,
                bid_price=Decimal(mid - spread) / 100,
                ask_price=Decimal(mid + spread) / 100,
                bid_size=Decimal("5"),
                ask_size=Decimal("5"),
                ts_event=ts,
                ts_init=ts,
            )
        )
        engine.drain_events()
        seq, digest = log.head()
        if seq != reported:
            out.write(f"{seq} {digest.hex()}\n")
            out.flush()
            reported = seq
    engine.finish_log()
    log.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
