"""The ``nautui`` command line."""

from __future__ import annotations

import re

import pytest

from nautui import __version__, cli


def test_demo_runs_a_backtest_and_prints_its_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert __version__ in out
    for label in ("orders", "fills", "pnl", "sharpe", "max drawdown", "events/s"):
        assert label in out
    match = re.search(r"orders\W+([\d,]+)", out)
    assert match is not None
    assert int(match.group(1).replace(",", "")) > 10


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([])
    assert exited.value.code == 2
    assert "COMMAND" in capsys.readouterr().err
