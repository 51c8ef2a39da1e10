"""``nautui demo``: for now, shows the engine version and the event kinds it knows, read from
the engine's own fixture set. It becomes a backtest summary on the built-in demo market once
the engine's event loop lands."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from nautui import __version__, events


def main() -> int:
    """Prints the summary; returns the exit status."""
    fixtures = events.decode_many(events.event_fixtures())
    counts = Counter(events.kind(event) for event in fixtures)

    table = Table(title="Event kinds the engine knows", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("kind")
    table.add_column("samples", justify="right")
    for number, name in enumerate(events.event_kinds(), start=1):
        table.add_row(str(number), name, str(counts[name]))

    console = Console()
    console.print(f"nautui engine {__version__}")
    console.print(table)
    console.print(f"{len(fixtures)} sample events decoded by Python from the engine's encoding.")
    return 0
