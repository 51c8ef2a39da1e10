"""The panes, laid out: tiled in a grid from 160x48 up, one at a time behind a tab bar below
that (the console works at 80x24). The deck hands each feed update to the panes it concerns;
a pane whose views did not change is not touched, so it is not redrawn."""

from __future__ import annotations

from decimal import Decimal

from textual.app import ComposeResult
from textual.containers import Container, Vertical
from textual.widgets import Tab, Tabs

from nautui.events import AccountBalance
from nautui.tui.feed import Update
from nautui.tui.widgets.equity import EquityPane
from nautui.tui.widgets.event_log import EventLogPane
from nautui.tui.widgets.ladder import LadderPane
from nautui.tui.widgets.latency import LatencyPane
from nautui.tui.widgets.line_pane import LinePane
from nautui.tui.widgets.orders import OrdersPane
from nautui.tui.widgets.positions import PositionsPane
from nautui.views import LadderView, LatencyView, OrderRow, PositionsView, StatusView

__all__ = ["PANES", "PaneDeck"]

#: Pane ids, in tab order.
PANES = ("ladder", "orders", "positions", "events", "latency", "equity")
#: Seconds between two equity samples taken from the views.
EQUITY_EVERY_NS = 1_000_000_000


class PaneDeck(Vertical):
    """See the module documentation."""

    def __init__(self) -> None:
        super().__init__(id="deck")
        self.current = "ladder"
        self.status: StatusView | None = None
        self.ladders: dict[str, LadderView] = {}
        self.instrument: str | None = None
        self.orders: list[OrderRow] = []
        self.positions: PositionsView | None = None
        self.balances: list[AccountBalance] = []
        self._last_equity_ns = 0

    def compose(self) -> ComposeResult:
        tabs = [
            Tab(f"{i + 1} {name.capitalize()}", id=f"tab-{name}") for i, name in enumerate(PANES)
        ]
        yield Tabs(*tabs, id="pane-tabs")
        with Container(id="panes"):
            yield LadderPane()
            yield OrdersPane()
            yield PositionsPane()
            yield EventLogPane()
            yield LatencyPane()
            yield EquityPane()

    def on_mount(self) -> None:
        self.show(self.current)

    # -- which pane --------------------------------------------------------------------------

    def show(self, name: str) -> None:
        """Makes ``name`` the current pane (the one shown in compact mode) and focuses it."""
        self.current = name
        for pane_id in PANES:
            self.query_one(f"#{pane_id}").set_class(pane_id == name, "-current")
        self.query_one("#pane-tabs", Tabs).active = f"tab-{name}"
        self.query_one(f"#{name}").focus()

    def next(self) -> None:
        self.show(PANES[(PANES.index(self.current) + 1) % len(PANES)])

    def on_tabs_tab_activated(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "").removeprefix("tab-")
        if name in PANES and name != self.current:
            self.show(name)

    # -- data ----------------------------------------------------------------------------------

    def apply(self, update: Update, now_ns: int) -> None:
        """One feed update, then the data ages as of ``now_ns``."""
        views = update.views
        if isinstance(status := views.get("status"), StatusView):
            self.status = status
        for key, view in views.items():
            if key.startswith("ladder:") and isinstance(view, LadderView):
                self.ladders[view.instrument_id] = view
                self.instrument = self.instrument or view.instrument_id
                if view.instrument_id == self.instrument:
                    self.query_one(LadderPane).show(view)
        if isinstance(orders := views.get("orders"), list):
            self.orders = [o for o in orders if isinstance(o, OrderRow)]
            self.query_one(OrdersPane).show(self.orders)
        positions, balances = views.get("positions"), views.get("balances")
        if positions is not None or balances is not None:
            if isinstance(positions, PositionsView):
                self.positions = positions
            if isinstance(balances, list):
                self.balances = [b for b in balances if isinstance(b, AccountBalance)]
            self.query_one(PositionsPane).show(self.positions, self.balances)
        if isinstance(latency := views.get("latency"), LatencyView):
            self.query_one(LatencyPane).show(latency)
        if update.events or update.missed:
            self.query_one(EventLogPane).add(update.first, update.events, update.missed)
        self._sample_equity()
        self._ages(now_ns)

    def _sample_equity(self) -> None:
        if self.status is None or not self.balances:
            return
        if self.status.now - self._last_equity_ns < EQUITY_EVERY_NS:
            return
        currency = self.balances[0].currency
        total = self.balances[0].total.amount
        if self.positions is not None:
            unrealized = sum(
                (t.unrealized_pnl.amount for t in self.positions.totals if t.currency == currency),
                Decimal(0),
            )
            total += unrealized
        self._last_equity_ns = self.status.now
        self.query_one(EquityPane).add(self.status.now, float(total), currency)

    def _ages(self, now_ns: int) -> None:
        engine_age = None if self.status is None else now_ns - self.status.now
        ladder = self.ladders.get(self.instrument or "")
        market_age = None if ladder is None or not ladder.ts_event else now_ns - ladder.ts_event
        for pane in self.query(LinePane):
            pane.set_age(market_age if isinstance(pane, LadderPane) else engine_age)
        self.query_one(EventLogPane).set_age(engine_age)
