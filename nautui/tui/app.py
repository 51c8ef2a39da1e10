"""The console: a Textual app over a feed (a running engine, or a replay). It draws at most 30
frames a second: each frame polls the feed and hands the changes to the panes. The engine runs
on its own thread and never calls into the console; operator commands go to the engine from
worker threads. An error in the console is shown, never taken to the engine."""

from __future__ import annotations

import time
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.events import Resize
from textual.widgets import Footer
from textual.worker import Worker

from nautui.tui.actions import ACTIONS, binding_id, bindings, spec
from nautui.tui.feed import Feed
from nautui.tui.operator_controls import OperatorControls
from nautui.tui.screens.event_detail import EventDetail
from nautui.tui.screens.exit_prompt import ExitPrompt
from nautui.tui.screens.help import HelpScreen
from nautui.tui.themes import DEFAULT_THEME, STYLESHEET, default_theme, load_themes
from nautui.tui.widgets.event_log import EventLogPane
from nautui.tui.widgets.pane_deck import PANES, PaneDeck
from nautui.tui.widgets.status_bar import StatusBar

__all__ = ["FRAME_S", "NautuiApp"]

#: At most 30 frames a second.
FRAME_S = 1 / 30
#: From this size up the panes tile; below it they collapse into tabs.
TILE_SIZE = (160, 48)


class NautuiApp(App[None]):
    CSS_PATH = STYLESHEET
    TITLE = "nautui"
    BINDINGS: ClassVar[list[Binding | tuple[str, str] | tuple[str, str, str]]] = [*bindings()]
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self, feed: Feed, *, keymap: dict[str, str] | None = None, theme: str | None = None
    ) -> None:
        super().__init__()
        self.feed = feed
        self.keymap = keymap or {}
        self.operator_controls = OperatorControls(self)
        self._theme_name = theme or DEFAULT_THEME
        self._rate = (0.0, 0)  # (wall time, engine events) at the last rate sample
        self.events_per_s = 0.0
        self.dropped = 0
        self.frames = 0

    def get_theme_variable_defaults(self) -> dict[str, str]:
        """The palette variables of the stylesheet ($bid, $ask, ...): the default theme's, for
        any theme that does not set them."""
        return dict(default_theme().variables)

    def compose(self) -> ComposeResult:
        yield StatusBar(self.feed.mode)
        yield PaneDeck()
        yield Footer()

    def on_mount(self) -> None:
        for theme in load_themes():
            self.register_theme(theme)
        self.theme = self._theme_name
        if self.keymap:
            self.set_keymap(self.keymap)
        self.set_interval(FRAME_S, self.frame)
        self._layout_for(self.size.width, self.size.height)

    @property
    def deck(self) -> PaneDeck:
        return self.query_one(PaneDeck)

    # -- frames --------------------------------------------------------------------------------

    def frame(self) -> None:
        """One frame: what changed in the feed, to the panes; the status bar's figures."""
        try:
            update = self.feed.poll()
            now = self.feed.now_ns()
            self.deck.apply(update, now)
        except Exception as error:  # noqa: BLE001  (a console error is shown, never raised into the engine)
            self.notify(f"console error: {error!r}", severity="error", timeout=10)
            return
        self.frames += 1
        self.dropped += update.missed
        self._sample_rate()
        status = self.deck.status
        self.query_one(StatusBar).update_status(
            status=status,
            events_per_s=self.events_per_s,
            dropped=self.dropped,
            age_ns=None if status is None else now - status.now,
        )

    def _sample_rate(self) -> None:
        status = self.deck.status
        if status is None:
            return
        wall = time.monotonic()
        events = status.counters.events_in + status.counters.events_out
        last_wall, last_events = self._rate
        if wall - last_wall >= 1.0:
            if last_wall:
                self.events_per_s = (events - last_events) / (wall - last_wall)
            self._rate = (wall, events)

    # -- layout --------------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._layout_for(event.size.width, event.size.height)

    def _layout_for(self, width: int, height: int) -> None:
        compact = width < TILE_SIZE[0] or height < TILE_SIZE[1]
        self.screen.set_class(compact, "-compact")

    # -- actions -------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Trading actions are dimmed (None) in modes that cannot trade."""
        for registered in ACTIONS:
            if registered.id.partition("(")[0] == action and not registered.allowed(self.feed.mode):
                return None
        return True

    def action_cancel_all(self) -> None:
        self.operator_controls.cancel_all()

    def action_flatten_all(self) -> None:
        self.operator_controls.flatten_all()

    def action_halt(self) -> None:
        self.operator_controls.halt()

    def action_resume(self) -> None:
        self.operator_controls.resume()

    def action_cancel_order(self) -> None:
        self.operator_controls.cancel_order()

    def action_order_ticket(self) -> None:
        self.operator_controls.order_ticket()

    def action_show_pane(self, name: str) -> None:
        if name in PANES:
            self.deck.show(name)

    def action_next_pane(self) -> None:
        self.deck.next()

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.feed.mode, self.keymap))

    async def action_quit(self) -> None:
        """Quits; with open orders in a mode that trades, asks whether to cancel them first."""
        orders = self.deck.orders
        if not self.feed.mode.trades or not orders or self.feed.operator is None:
            self.exit()
            return
        operator = self.feed.operator

        def cancel_then_exit() -> None:
            operator.cancel_all()
            self.call_from_thread(self.exit)

        def answered(choice: str | None) -> None:
            if choice == "cancel":
                self.run_worker(cancel_then_exit, thread=True, name="cancel-all before exit")
            elif choice == "leave":
                self.exit()

        self.push_screen(ExitPrompt(len(orders)), answered)

    def on_event_log_pane_opened(self, message: EventLogPane.Opened) -> None:
        self.push_screen(EventDetail(message.position, message.event))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        self.operator_controls.worker_done(event)

    def key_of(self, action_id: str) -> str:
        """The key an action is on (the keymap's, else the registry's)."""
        action = spec(action_id)
        return self.keymap.get(binding_id(action), action.key)
