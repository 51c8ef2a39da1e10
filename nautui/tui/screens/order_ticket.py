"""The order ticket: side, type, quantity, price, time in force. Submitting sends the order
through the engine (from a worker thread), under the strategy id ``console``, so the same checks
apply as to any strategy's order; a refused field is named on the ticket, which stays open, and
an accepted submit closes it with the order's client order id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static
from textual.worker import Worker, WorkerState

from nautui.errors import NautuiError

__all__ = ["OrderTicket", "Ticket"]

SIDES = ("BUY", "SELL")
TYPES = ("LIMIT", "MARKET", "STOP_MARKET", "STOP_LIMIT")
TIFS = ("GTC", "IOC", "FOK", "DAY")


@dataclass(frozen=True)
class Ticket:
    instrument_id: str
    side: str
    order_type: str
    quantity: str
    price: str | None
    trigger_price: str | None
    time_in_force: str


class OrderTicket(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "back", "Back", priority=True)]

    def __init__(
        self, instrument_id: str, send: Callable[[Ticket], str], price: str | None = None
    ) -> None:
        super().__init__()
        self.instrument_id = instrument_id
        self.send = send
        self.price = price

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"NEW ORDER {self.instrument_id}", classes="dialog--title")
            with Horizontal():
                yield Select([(s, s) for s in SIDES], value="BUY", allow_blank=False, id="side")
                yield Select([(t, t) for t in TYPES], value="LIMIT", allow_blank=False, id="type")
                yield Select([(t, t) for t in TIFS], value="GTC", allow_blank=False, id="tif")
            yield Input(placeholder="quantity", id="quantity")
            yield Input(value=self.price or "", placeholder="limit price", id="price")
            yield Input(placeholder="trigger price (stop orders)", id="trigger")
            yield Static("", id="error")
            with Horizontal(classes="dialog--buttons"):
                yield Button("Back (Esc)", id="cancel")
                yield Button("Submit", id="submit", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#quantity", Input).focus()

    def action_back(self) -> None:
        self.dismiss(None)

    def show_error(self, message: str) -> None:
        """A refusal from the engine, shown on the ticket (it stays open)."""
        self.query_one("#error", Static).update(message)

    def ticket(self) -> Ticket:
        def text(widget_id: str) -> str | None:
            value = self.query_one(widget_id, Input).value.strip()
            return value or None

        order_type = str(self.query_one("#type", Select).value)
        return Ticket(
            instrument_id=self.instrument_id,
            side=str(self.query_one("#side", Select).value),
            order_type=order_type,
            quantity=text("#quantity") or "",
            price=text("#price") if order_type in {"LIMIT", "STOP_LIMIT"} else None,
            trigger_price=text("#trigger") if order_type.startswith("STOP") else None,
            time_in_force=str(self.query_one("#tif", Select).value),
        )

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.submit()

    def on_input_submitted(self) -> None:
        self.submit()

    def submit(self) -> None:
        ticket = self.ticket()
        if not ticket.quantity:
            self.show_error("quantity: required")
            return
        self.show_error("sending...")
        self.run_worker(lambda: self.send(ticket), thread=True, name="submit", exit_on_error=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.name != "submit":
            return
        if event.state == WorkerState.SUCCESS:
            self.dismiss(str(worker.result))
        elif event.state == WorkerState.ERROR:
            error = worker.error
            message = str(error) if isinstance(error, NautuiError | ValueError) else repr(error)
            self.show_error(message)
