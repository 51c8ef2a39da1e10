"""Quitting with orders still working: cancel them first, or leave them working (a live node
keeps them), or stay."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

__all__ = ["ExitPrompt"]


class ExitPrompt(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "stay", "Stay", priority=True)]

    def __init__(self, open_orders: int) -> None:
        super().__init__()
        self.open_orders = open_orders

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("QUIT WITH ORDERS WORKING?", classes="dialog--title")
            yield Static(
                f"{self.open_orders} order(s) are still working. Cancel them all before quitting, "
                "or leave them working at the venue?"
            )
            with Horizontal(classes="dialog--buttons"):
                yield Button("Stay (Esc)", id="stay")
                yield Button("Leave working", id="leave", variant="warning")
                yield Button("Cancel all, then quit", id="cancel", variant="error")

    def on_mount(self) -> None:
        self.query_one("#stay", Button).focus()

    def action_stay(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "stay" else event.button.id)
