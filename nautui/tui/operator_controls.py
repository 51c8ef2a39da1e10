"""What the operator's keys do: each dangerous action asks for its confirmation (stating scope and
counts from the views on screen), then sends the command from a worker thread so the screen
never waits for the engine, and reports what the engine did. A key pressed again while its
confirmation is open, or within a moment of the last press, does nothing more (debounce).
Refused in modes that cannot trade."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerState

from nautui.errors import NautuiError
from nautui.tui.actions import spec
from nautui.tui.screens.confirm import CancelAllScreen, FlattenScreen, Scope, StateChangeScreen
from nautui.tui.screens.order_ticket import OrderTicket, Ticket
from nautui.tui.widgets.orders import OrdersPane

if TYPE_CHECKING:
    from collections.abc import Callable

    from nautui.tui.app import NautuiApp
    from nautui.tui.feed import Operator

__all__ = ["DEBOUNCE_S", "OperatorControls"]

#: A second press of the same key within this time is ignored.
DEBOUNCE_S = 0.3


class OperatorControls:
    """See the module documentation."""

    def __init__(self, app: NautuiApp) -> None:
        self.app = app
        self._pressed: dict[str, float] = {}

    def _operator(self, action_id: str) -> Operator | None:
        """The operator, when ``action_id`` may run now (else a notice, and None)."""
        mode = self.app.feed.mode
        if not spec(action_id).allowed(mode) or self.app.feed.operator is None:
            self.app.notify(
                f"{spec(action_id).description}: not available in {mode}", severity="warning"
            )
            return None
        now = time.monotonic()
        if now - self._pressed.get(action_id, -1e9) < DEBOUNCE_S or len(self.app.screen_stack) > 1:
            return None
        self._pressed[action_id] = now
        return self.app.feed.operator

    def _send(self, what: str, call: Callable[[], object]) -> None:
        """Sends a command from a worker thread; its outcome is shown when it returns."""
        self.app.run_worker(call, thread=True, name=what, group="operator", exit_on_error=False)

    def worker_done(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "operator":
            return
        if event.state == WorkerState.SUCCESS:
            self.app.notify(f"{worker.name}: sent")
        elif event.state == WorkerState.ERROR:
            error = worker.error
            text = str(error) if isinstance(error, NautuiError | ValueError) else repr(error)
            self.app.notify(f"{worker.name}: {text}", severity="error", timeout=10)

    # -- the actions -----------------------------------------------------------------------------

    def cancel_all(self) -> None:
        operator = self._operator("cancel_all")
        if operator is None:
            return
        deck = self.app.deck
        scopes = [Scope()]
        selected = self.app.query_one(OrdersPane).selected
        if selected is not None:
            scopes.append(Scope(strategy_id=selected.strategy_id))
        if deck.instrument is not None:
            scopes.append(Scope(instrument_id=deck.instrument))

        def confirmed(scope: Scope | str | None) -> None:
            if isinstance(scope, Scope):
                self._send(
                    f"cancel-all ({scope.label()})",
                    lambda: operator.cancel_all(scope.strategy_id, scope.instrument_id),
                )

        self.app.push_screen(CancelAllScreen(deck.orders, scopes), confirmed)

    def flatten_all(self) -> None:
        operator = self._operator("flatten_all")
        if operator is None:
            return
        deck = self.app.deck
        rows = deck.positions.rows if deck.positions is not None else []

        def confirmed(scope: Scope | str | None) -> None:
            if isinstance(scope, Scope):
                self._send("flatten-all", operator.flatten)

        self.app.push_screen(FlattenScreen(rows, deck.orders), confirmed)

    def halt(self) -> None:
        operator = self._operator("halt")
        if operator is None:
            return
        consequence = (
            "The engine goes HALTED: every new order is denied until trading is resumed. "
            "Working orders stay working (cancel them with cancel-all)."
        )

        def confirmed(reason: Scope | str | None) -> None:
            if isinstance(reason, str):
                self._send("halt", lambda: operator.halt(reason))

        self.app.push_screen(StateChangeScreen("halt", consequence), confirmed)

    def resume(self) -> None:
        operator = self._operator("resume")
        if operator is None:
            return

        def confirmed(reason: Scope | str | None) -> None:
            if isinstance(reason, str):
                self._send("resume", lambda: operator.resume(reason))

        consequence = "The engine goes ACTIVE: strategies and the ticket can send orders again."
        self.app.push_screen(StateChangeScreen("resume", consequence), confirmed)

    def cancel_order(self) -> None:
        operator = self._operator("cancel_order")
        if operator is None:
            return
        order = self.app.query_one(OrdersPane).selected
        if order is None:
            self.app.notify("select an order in the Orders pane first", severity="warning")
            return
        self._send(
            f"cancel {order.client_order_id}", lambda: operator.cancel(order.client_order_id)
        )

    def order_ticket(self) -> None:
        operator = self._operator("order_ticket")
        instrument = self.app.deck.instrument
        if operator is None or instrument is None:
            return
        ladder = self.app.deck.ladders.get(instrument)
        price = f"{ladder.bids[0].price:f}" if ladder is not None and ladder.bids else None

        def send(ticket: Ticket) -> str:
            return operator.submit(
                ticket.instrument_id,
                ticket.side,
                ticket.quantity,
                ticket.order_type,
                price=ticket.price,
                trigger_price=ticket.trigger_price,
                time_in_force=ticket.time_in_force,
            )

        def sent(order_id: str | None) -> None:
            if order_id:
                self.app.notify(f"order {order_id} submitted")

        self.app.push_screen(OrderTicket(instrument, send, price), sent)
