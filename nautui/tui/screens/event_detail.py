"""One event, whole: every field as the engine logged it."""

from __future__ import annotations

import msgspec
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from nautui import events

__all__ = ["EventDetail"]


class EventDetail(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "dismiss", "Close", priority=True),
        Binding("enter", "dismiss", "Close"),
    ]

    def __init__(self, position: int, event: events.Event) -> None:
        super().__init__()
        self.position = position
        self.event = event

    def compose(self) -> ComposeResult:
        fields = msgspec.to_builtins(self.event)
        width = max(len(k) for k in fields)
        body = "\n".join(f"{k:<{width}}  {v}" for k, v in fields.items())
        with VerticalScroll(classes="dialog"):
            yield Label(
                f"EVENT {self.position}: {events.kind(self.event)}", classes="dialog--title"
            )
            yield Static(body)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
