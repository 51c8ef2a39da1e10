"""Every key of the console, from the action registry (with the user's remapped keys), and
which modes allow each action."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from nautui.tui.actions import ACTIONS, Mode, binding_id

__all__ = ["HelpScreen"]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close", priority=True), Binding("q", "close", "Close")]

    def __init__(self, mode: Mode, keymap: dict[str, str]) -> None:
        super().__init__()
        self.mode = mode
        self.keymap = keymap

    def compose(self) -> ComposeResult:
        lines = []
        for action in ACTIONS:
            key = self.keymap.get(binding_id(action), action.key)
            state = "" if action.allowed(self.mode) else f"  (not in {self.mode})"
            emergency = "  works from anywhere" if action.priority else ""
            lines.append(f"{key:<14} {action.description}{state}{emergency}")
        with VerticalScroll(classes="dialog"):
            yield Label(f"KEYS ({self.mode})", classes="dialog--title")
            yield Static("\n".join(lines))

    def action_close(self) -> None:
        self.dismiss(None)
