"""The console (Textual). Nothing outside this package imports Textual."""

from nautui.tui.actions import Mode
from nautui.tui.app import NautuiApp
from nautui.tui.feed import EngineFeed, Feed, Operator

__all__ = ["EngineFeed", "Feed", "Mode", "NautuiApp", "Operator"]
