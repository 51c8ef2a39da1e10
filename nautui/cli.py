"""The ``nautui`` command: one subcommand per user-facing task."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from nautui import log_cli
from nautui.backtest import cli as backtest_cli
from nautui.data import cli as data_cli


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nautui",
        description="A terminal trading console with an event-sourced trading engine.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser("demo", help="run the built-in demo", description="Run the built-in demo.")
    backtest_cli.add_parser(commands)
    data_cli.add_parser(commands)
    log_cli.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line; returns the process exit status."""
    args = _parser().parse_args(argv)
    if args.command == "demo":
        from nautui import demo  # noqa: PLC0415  (imported on use: keeps `nautui --help` fast)

        return demo.main()
    if args.command == "backtest":
        return backtest_cli.run(args)
    if args.command == "data":
        return data_cli.run(args)
    if args.command == "log":
        return log_cli.run(args)
    return 2  # argparse refuses unknown commands before this


if __name__ == "__main__":
    raise SystemExit(main())
