"""The confirmations in front of the operator's dangerous actions. Each states what will happen
and to what before anything is sent: cancel-all its scope and the orders it will cancel per
instrument, flatten-all the positions it will close and their notional (and asks for the word
FLATTEN typed out), halt and resume the state they lead to. Escape always backs out."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet, Static

from nautui.views import OrderRow, PositionRow

__all__ = ["CancelAllScreen", "FlattenScreen", "Scope", "StateChangeScreen"]


@dataclass(frozen=True)
class Scope:
    """What an action applies to: everything, one strategy, or one instrument."""

    strategy_id: str | None = None
    instrument_id: str | None = None

    def label(self) -> str:
        if self.strategy_id:
            return f"strategy {self.strategy_id}"
        if self.instrument_id:
            return f"instrument {self.instrument_id}"
        return "all"

    def covers_order(self, order: OrderRow) -> bool:
        return (self.strategy_id in {None, order.strategy_id}) and (
            self.instrument_id in {None, order.instrument_id}
        )

    def covers_position(self, position: PositionRow) -> bool:
        return (self.strategy_id in {None, position.strategy_id}) and (
            self.instrument_id in {None, position.instrument_id}
        )


class _Dialog(ModalScreen[Scope | str | None]):
    BINDINGS = [Binding("escape", "back", "Back", priority=True)]

    def action_back(self) -> None:
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.dismiss(None)
        else:
            self.confirm()

    def confirm(self) -> None:
        raise NotImplementedError  # each dialog says what confirming gives


class CancelAllScreen(_Dialog):
    """Cancel-all: pick the scope; the counts follow; one confirmation."""

    def __init__(self, orders: list[OrderRow], scopes: list[Scope]) -> None:
        super().__init__()
        self.orders = orders
        self.scopes = scopes or [Scope()]
        self.scope = self.scopes[0]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("CANCEL ALL ORDERS", classes="dialog--title")
            with RadioSet(id="scope"):
                for i, scope in enumerate(self.scopes):
                    yield RadioButton(scope.label(), value=i == 0)
            yield Static(self.summary(), id="summary")
            with Horizontal(classes="dialog--buttons"):
                yield Button("Back (Esc)", id="cancel")
                yield Button("Cancel orders", id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    def summary(self) -> str:
        hit = [o for o in self.orders if self.scope.covers_order(o)]
        if not hit:
            return f"Scope {self.scope.label()}: no open orders. Nothing will be sent."
        per = Counter(o.instrument_id for o in hit)
        lines = [f"Scope {self.scope.label()}: {len(hit)} open order(s) will be canceled:"]
        lines += [f"  {instrument}: {count}" for instrument, count in sorted(per.items())]
        return "\n".join(lines)

    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        self.scope = self.scopes[event.index]
        self.query_one("#summary", Static).update(self.summary())

    def confirm(self) -> None:
        self.dismiss(self.scope)


class FlattenScreen(_Dialog):
    """Flatten-all: the positions and their notional; type FLATTEN to confirm."""

    WORD = "FLATTEN"

    def __init__(self, positions: list[PositionRow], orders: list[OrderRow]) -> None:
        super().__init__()
        self.positions = [p for p in positions if p.quantity]
        self.orders = orders

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label("FLATTEN ALL POSITIONS", classes="dialog--title")
            yield Static(self.summary(), id="summary")
            yield Input(placeholder=f"type {self.WORD} to confirm", id="word")
            with Horizontal(classes="dialog--buttons"):
                yield Button("Back (Esc)", id="cancel")
                yield Button("Flatten", id="confirm", variant="error", disabled=True)

    def on_mount(self) -> None:
        self.query_one("#word", Input).focus()

    def summary(self) -> str:
        lines = [
            (
                f"{len(self.orders)} open order(s) will be canceled, then each position below "
                "closed with a reduce-only market order (through the risk checks):"
            )
        ]
        if not self.positions:
            lines.append("  no open positions")
        for p in self.positions:
            mark = p.mark if p.mark is not None else p.avg_px_open or Decimal(0)
            notional = p.quantity * mark
            lines.append(
                f"  {p.instrument_id} {p.strategy_id}: {p.side} {p.quantity:,f} "
                f"notional ~{notional:,.2f} {p.realized_pnl.currency}"
            )
        return "\n".join(lines)

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_one("#confirm", Button).disabled = event.value.strip() != self.WORD

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.WORD:
            self.confirm()

    def confirm(self) -> None:
        if self.query_one("#word", Input).value.strip() == self.WORD:
            self.dismiss(Scope())


class StateChangeScreen(_Dialog):
    """Halt or resume: the state it leads to and a reason (logged with the command)."""

    def __init__(self, action: str, consequence: str, default_reason: str = "operator") -> None:
        super().__init__()
        self.action = action
        self.consequence = consequence
        self.default_reason = default_reason

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(f"{self.action.upper()} TRADING", classes="dialog--title")
            yield Static(self.consequence)
            yield Input(value=self.default_reason, placeholder="reason", id="reason")
            with Horizontal(classes="dialog--buttons"):
                yield Button("Back (Esc)", id="cancel")
                yield Button(self.action.capitalize(), id="confirm", variant="error")

    def on_mount(self) -> None:
        self.query_one("#confirm", Button).focus()

    def on_input_submitted(self) -> None:
        self.confirm()

    def confirm(self) -> None:
        self.dismiss(self.query_one("#reason", Input).value.strip() or self.default_reason)
