"""The ``nautui`` command line."""

from __future__ import annotations

import pytest

from nautui import __version__, cli, events


def test_demo_prints_the_engine_and_every_event_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["demo"]) == 0
    out = capsys.readouterr().out
    assert __version__ in out
    for kind in events.event_kinds():
        assert kind in out


def test_a_command_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main([])
    assert exited.value.code == 2
    assert "COMMAND" in capsys.readouterr().err
