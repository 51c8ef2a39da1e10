"""Every console action, in one registry: its id, default key, description, and the modes that
allow it. The key bindings, the footer, the help screen and the user's keymap file are all built
from it, so a key is spelled once.

Operator actions (cancel-all, flatten-all, halt, resume) are priority bindings on control keys:
they work whatever has focus, even inside a text field, and plain letters stay free for typing.
Each goes through a confirmation that states its scope, and each becomes a command event in the
event log naming its source. In modes that cannot trade (REPLAY, BACKTEST) trading actions are
dimmed and refused.
"""

from __future__ import annotations

import enum
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from textual.binding import Binding

__all__ = [
    "ACTIONS",
    "ActionSpec",
    "KeymapError",
    "Mode",
    "bindings",
    "load_keymap",
    "spec",
]


class Mode(enum.StrEnum):
    """What the console is looking at; always shown in the status bar."""

    DEMO = "DEMO"
    PAPER = "PAPER"
    LIVE = "LIVE"
    REPLAY = "REPLAY"
    BACKTEST = "BACKTEST"

    @property
    def trades(self) -> bool:
        """True when orders can be sent from this mode."""
        return self in {Mode.DEMO, Mode.PAPER, Mode.LIVE}


TRADING = frozenset({Mode.DEMO, Mode.PAPER, Mode.LIVE})
ALL = frozenset(Mode)


@dataclass(frozen=True)
class ActionSpec:
    """One action. ``id`` is the Textual action name and the binding id the keymap uses."""

    id: str
    key: str
    description: str
    modes: frozenset[Mode] = ALL
    #: Works whatever has focus (operator emergencies).
    priority: bool = False
    #: Shown in the footer (the help screen lists every action).
    show: bool = True

    def allowed(self, mode: Mode) -> bool:
        return mode in self.modes


ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("cancel_all", "ctrl+k", "Cancel all", TRADING, priority=True),
    ActionSpec("flatten_all", "ctrl+x", "Flatten all", TRADING, priority=True),
    ActionSpec("halt", "ctrl+g", "Halt", TRADING, priority=True),
    ActionSpec("resume", "ctrl+r", "Resume", TRADING, priority=True),
    ActionSpec("cancel_order", "c", "Cancel order", TRADING),
    ActionSpec("order_ticket", "n", "New order", TRADING),
    ActionSpec("next_pane", "tab", "Next pane", show=False),
    ActionSpec("show_pane('ladder')", "1", "Ladder", show=False),
    ActionSpec("show_pane('orders')", "2", "Orders", show=False),
    ActionSpec("show_pane('positions')", "3", "Positions", show=False),
    ActionSpec("show_pane('events')", "4", "Events", show=False),
    ActionSpec("show_pane('latency')", "5", "Latency", show=False),
    ActionSpec("show_pane('equity')", "6", "Equity", show=False),
    ActionSpec("help", "question_mark", "Keys"),
    ActionSpec("command_palette", "ctrl+p", "Commands"),
    ActionSpec("quit", "q", "Quit"),
)


def spec(action_id: str) -> ActionSpec:
    """The registry entry of one action."""
    for action in ACTIONS:
        if action.id == action_id:
            return action
    raise KeyError(action_id)


def binding_id(action: ActionSpec) -> str:
    """The id a keymap names an action by: its name without arguments (``show_pane.ladder``)."""
    name, _, argument = action.id.partition("(")
    argument = argument.rstrip(")").strip("'\"")
    return f"{name}.{argument}" if argument else name


def bindings() -> list[Binding]:
    """The registry as Textual bindings."""
    return [
        Binding(
            action.key,
            action.id,
            action.description,
            show=action.show,
            priority=action.priority,
            id=binding_id(action),
        )
        for action in ACTIONS
    ]


class KeymapError(ValueError):
    """A keymap file that cannot be used; the message names the file and the key."""


def keymap_path() -> Path:
    """``$NAUTUI_KEYMAP``, else ``$XDG_CONFIG_HOME/nautui/keymap.toml`` (``~/.config``)."""
    if explicit := os.environ.get("NAUTUI_KEYMAP"):
        return Path(explicit)
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "nautui" / "keymap.toml"


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """The user's remapped keys: a TOML table ``[keys]`` of action id to key
    (``cancel_all = "f8"``). A missing file is no remapping; a bad one is a ``KeymapError``."""
    path = keymap_path() if path is None else path
    if not path.exists():
        return {}
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise KeymapError(f"{path}: {error}") from None
    keys = data.get("keys", {})
    if not isinstance(keys, dict):
        raise KeymapError(f"{path}: [keys] must be a table of action = key")
    known = {binding_id(a) for a in ACTIONS}
    keymap: dict[str, str] = {}
    for name, key in keys.items():
        if name not in known:
            raise KeymapError(f"{path}: key {name!r}: not an action ({', '.join(sorted(known))})")
        if not isinstance(key, str) or not key:
            raise KeymapError(f"{path}: key {name!r}: expected a key name such as 'f8'")
        keymap[name] = key
    return keymap
