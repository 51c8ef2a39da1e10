"""The operator's actions, driven as a person drives them (Textual's Pilot): each key opens its
confirmation, confirming sends the command, and the engine's state and its event log show what
was done and who did it. Refused in modes that cannot trade."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from textual.pilot import Pilot

from nautui import Engine, EngineConfig, EventLog, Instrument, events
from nautui.config import FixedLatency, VenueConfig
from nautui.events import Money
from nautui.tui import EngineFeed, Mode, NautuiApp
from nautui.tui.screens.confirm import CancelAllScreen, FlattenScreen, StateChangeScreen
from nautui.tui.screens.exit_prompt import ExitPrompt
from nautui.tui.screens.order_ticket import OrderTicket
from nautui.tui.widgets.status_bar import StatusBar

INSTRUMENT = "BTCUSDT.SIM"
USER = "tester"


def make_engine(tmp_path: Path) -> Engine:
    engine = Engine(
        EngineConfig(
            starting_balances=[Money(Decimal("1000000"), "USDT")],
            venue=VenueConfig(),
            latency=FixedLatency(),
            record_market_data=True,
        )
    )
    engine.add_instrument(
        Instrument(
            id=INSTRUMENT,
            tick_size="0.01",
            lot_size="0.001",
            quote_currency="USDT",
            base_currency="BTC",
        )
    )
    engine.record_to(tmp_path / "run.db", durability="batched")
    engine.start()
    engine.process(quote(1))
    return engine


def quote(ts: int, bid: str = "100.00", ask: str = "100.02") -> events.QuoteTick:
    return events.QuoteTick(
        instrument_id=INSTRUMENT,
        bid_price=Decimal(bid),
        ask_price=Decimal(ask),
        bid_size=Decimal("5"),
        ask_size=Decimal("5"),
        ts_event=ts,
        ts_init=ts,
    )


async def settle(pilot: Pilot[None], engine: Engine) -> None:
    """Lets the console see the engine as it is now."""
    await pilot.pause(0.05)
    engine.publish_views()
    await pilot.pause(0.1)


async def wait_for(pilot: Pilot[None], condition: object, what: str) -> None:
    for _ in range(100):
        if callable(condition) and condition():
            return
        await pilot.pause(0.05)
    pytest.fail(f"timed out waiting for {what}")


def logged(tmp_path: Path, engine: Engine, kind: str) -> list[events.Event]:
    engine.finish_log()
    with EventLog.open_readonly(tmp_path / "run.db") as log:
        return [e for _, e in log.read_from(1) if events.kind(e) == kind]


def app_for(engine: Engine, mode: Mode = Mode.DEMO, **kwargs: object) -> NautuiApp:
    return NautuiApp(EngineFeed(engine, mode, user=USER), **kwargs)  # type: ignore[arg-type]


async def test_halt_and_resume_go_through_a_confirmation_and_are_logged(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    app = app_for(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, engine)
        await pilot.press("ctrl+g")
        assert isinstance(app.screen, StateChangeScreen)
        await pilot.press("ctrl+g")  # a second press while it is open does nothing more
        assert len(app.screen_stack) == 2
        await pilot.press("enter")
        await wait_for(pilot, lambda: engine.trading_state == "HALTED", "the halt")
        await settle(pilot, engine)
        assert "HALTED: operator (console:tester)" in app.query_one(StatusBar).render().plain
        await pilot.pause(0.4)  # past the debounce
        await pilot.press("ctrl+r", "escape")
        assert engine.trading_state == "HALTED", "escape backs out"
        await pilot.pause(0.4)
        await pilot.press("ctrl+r", "enter")
        await wait_for(pilot, lambda: engine.trading_state == "ACTIVE", "the resume")
    (halt,) = logged(tmp_path, engine, "Halt")
    assert isinstance(halt, events.Halt)
    assert (halt.reason, halt.source) == ("operator", "console:tester")
    assert len(logged(tmp_path, engine, "Resume")) == 1


async def test_cancel_all_states_its_scope_and_counts_then_cancels(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    ids = [
        engine.submit("mm", INSTRUMENT, "BUY", "0.5", "LIMIT", price="99.00"),
        engine.submit("mm", INSTRUMENT, "SELL", "0.5", "LIMIT", price="101.00"),
    ]
    app = app_for(engine)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot, engine)
        await pilot.press("ctrl+k")
        screen = app.screen
        assert isinstance(screen, CancelAllScreen)
        summary = screen.summary()
        assert "2 open order(s) will be canceled" in summary
        assert f"{INSTRUMENT}: 2" in summary
        await pilot.click("#confirm")
        await wait_for(pilot, lambda: not engine.open_orders(), "the cancels")
    assert all(engine.order(i).status == "CANCELED" for i in ids)  # type: ignore[union-attr]
    (command,) = logged(tmp_path, engine, "CancelAllOrders")
    assert isinstance(command, events.CancelAllOrders)
    assert command.source == "console:tester"


async def test_flatten_all_needs_the_word_typed_and_closes_with_reduce_only(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.submit("taker", INSTRUMENT, "BUY", "0.5")
    app = app_for(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, engine)
        await pilot.press("ctrl+x")
        screen = app.screen
        assert isinstance(screen, FlattenScreen)
        assert "BTCUSDT.SIM taker: LONG 0.500" in screen.summary()
        await pilot.press("enter")
        assert app.screen is screen, "not without the word"
        await pilot.press(*"FLATTEN", "enter")
        await wait_for(pilot, lambda: not any(p.quantity.raw for p in engine.positions()), "flat")
    submits = [
        e for e in logged(tmp_path, engine, "SubmitOrder") if isinstance(e, events.SubmitOrder)
    ]
    assert submits[-1].reduce_only
    assert submits[-1].side == "SELL"


async def test_trading_actions_are_refused_in_replay(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.submit("mm", INSTRUMENT, "BUY", "0.5", "LIMIT", price="99.00")
    app = app_for(engine, Mode.REPLAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, engine)
        for key in ("ctrl+k", "ctrl+x", "ctrl+g", "n"):
            await pilot.press(key)
            assert len(app.screen_stack) == 1, key
        assert app.check_action("cancel_all", ()) is None, "dimmed in the footer"
    assert len(engine.open_orders()) == 1
    assert engine.trading_state == "ACTIVE"


async def test_the_order_ticket_names_a_refused_field_and_submits_a_good_order(
    tmp_path: Path,
) -> None:
    engine = make_engine(tmp_path)
    app = app_for(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, engine)
        await pilot.press("n")
        ticket = app.screen
        assert isinstance(ticket, OrderTicket)
        await pilot.press(*"0.5", "tab")
        price = ticket.query_one("#price")
        price.value = "99.995"  # type: ignore[attr-defined]
        await pilot.click("#submit")
        await wait_for(pilot, lambda: "price" in str(ticket.query_one("#error").render()), "error")
        assert app.screen is ticket, "the ticket stays open"
        price.value = "99.99"  # type: ignore[attr-defined]
        await pilot.click("#submit")
        await wait_for(pilot, lambda: len(app.screen_stack) == 1, "the ticket to close")
    (order,) = engine.open_orders()
    assert (order.strategy_id, order.side, str(order.price)) == ("console", "BUY", "99.99")


async def test_quitting_with_open_orders_asks_and_can_cancel_them(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    engine.submit("mm", INSTRUMENT, "BUY", "0.5", "LIMIT", price="99.00")
    app = app_for(engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, engine)
        await pilot.press("q")
        assert isinstance(app.screen, ExitPrompt)
        await pilot.click("#cancel")
        await wait_for(pilot, lambda: not app.is_running, "the exit")
    assert engine.open_orders() == []


async def test_a_remapped_key_opens_its_action(tmp_path: Path) -> None:
    engine = make_engine(tmp_path)
    app = app_for(engine, keymap={"halt": "f9"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, engine)
        await pilot.press("f9")
        assert isinstance(app.screen, StateChangeScreen)
