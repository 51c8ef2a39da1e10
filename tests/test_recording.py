"""Recording a run into the event log, recovering an engine from it, replaying it from the file,
and ``nautui log recover``."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import msgspec
import pytest
from eventlog_helpers import sample_log

from nautui import ConfigError, Engine, EventLog, EventLogError, Replay, cli, events

sys.path.insert(0, str(Path(__file__).parent))
from crash_child import Cycler, config, instrument

from nautui.strategy import StrategyConfig

CHILD = Path(__file__).with_name("crash_child.py")


def recorded(tmp_path: Path, quotes: int = 300) -> Path:
    path = tmp_path / "run.db"
    subprocess.run(  # noqa: S603  (our own interpreter and script)
        [sys.executable, str(CHILD), str(path), "5", str(quotes)], check=True, capture_output=True
    )
    return path


def test_a_recorded_run_holds_every_event_and_snapshots(tmp_path: Path) -> None:
    engine = Engine(config())
    engine.add_instrument(instrument())
    log = engine.record_to(tmp_path / "run.db", snapshot_every=25)
    engine.add_strategy(Cycler(StrategyConfig(strategy_id="cycler")))
    engine.start()
    seen: list[events.Event] = []
    for i in range(200):
        ts = 1_000_000 * (i + 1)
        mid = 10_000 + (i % 7) - 3
        engine.process(
            events.QuoteTick(
                instrument_id="BTCUSDT.SIM",
                bid_price=Decimal(mid - 1) / 100,
                ask_price=Decimal(mid + 1) / 100,
                bid_size=Decimal("5"),
                ask_size=Decimal("5"),
                ts_event=ts,
                ts_init=ts,
            )
        )
        seen.extend(engine.drain_events())
    line = engine.finish_log()
    assert line is not None
    seq, digest = log.head()
    assert line == f"event log: head seq {seq} hash {digest.hex()}"
    assert engine.recorded_seq == engine.durable_seq == seq == len(seen)
    assert [e for _, e in log.read_from(1)] == seen
    info = log.info()
    # One at least every 25 events, overshooting by what one quote makes (a few events here).
    assert info.snapshots >= seq // 35
    assert dict(info.kinds)["OrderFilled"] > 0
    # Recovery from the latest snapshot equals a re-fold from seq 1 and the live state.
    recovered, recovery = Engine.recover(log, attach=False)
    refold, _ = Engine.recover(log, attach=False, from_start=True)
    assert recovery.last_seq == seq
    assert recovery.unlogged == 0
    assert recovered.snapshot() == refold.snapshot()
    assert [o.client_order_id for o in recovered.open_orders()] == [
        o.client_order_id for o in engine.open_orders()
    ]
    assert recovered.balances()[0].total == engine.balances()[0].total
    log.close()
    # The file is a replay source.
    replay = Replay.open(log.path)
    assert replay.last_seq == seq
    state = replay.seek(seq)
    assert [(o.client_order_id, o.status) for o in state.frame.open_orders] == [
        (o.client_order_id, o.status) for o in recovered.open_orders()
    ]
    closed = [o for o in seen if isinstance(o, events.OrderFilled | events.OrderCanceled)]
    assert len(state.closed_orders) == min(100, len({e.client_order_id for e in closed}))
    last_closed = state.closed_orders[-1]
    assert last_closed.status in {"FILLED", "CANCELED"}
    replay.seek(0)
    assert replay.order(last_closed.client_order_id) is None, "not made yet at seq 0"
    fill = replay.next_of_kind("fill")
    assert fill is not None
    filled = fill.recent[-1][1]
    assert isinstance(filled, events.OrderFilled)
    found = replay.order(filled.client_order_id)
    assert found is not None
    assert found.filled_qty.raw > 0


def test_an_engine_without_market_data_is_not_recorded(tmp_path: Path) -> None:
    engine = Engine(msgspec.structs.replace(config(), record_market_data=False))
    engine.add_instrument(instrument())
    with pytest.raises(ConfigError, match="record_market_data"):
        engine.record_to(tmp_path / "x.db")


def test_recover_continues_the_log(tmp_path: Path) -> None:
    path = recorded(tmp_path)
    with EventLog.open(path) as log:
        head = log.head()[0]
        engine, recovery = Engine.recover(log, snapshot_every=50)
        assert recovery.last_seq == head
        engine.add_strategy(Cycler(StrategyConfig(strategy_id="cycler")))
        engine.start()
        engine.advance_to(engine.now + 50_000_000)
        engine.finish_log()
        assert log.verify().ok
        assert log.head()[0] >= head
        a, _ = Engine.recover(log, attach=False)
        b, _ = Engine.recover(log, attach=False, from_start=True)
        assert a.snapshot() == b.snapshot()


def test_log_recover_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = recorded(tmp_path)
    assert cli.main(["log", "recover", str(path), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    with EventLog.open_readonly(path) as log:
        assert summary["last_seq"] == log.head()[0]
        assert summary["snapshot_seq"] == log.latest_snapshot()[0]  # type: ignore[index]
    assert summary["in_flight"] == []
    assert summary["balances"][0]["currency"] == "USDT"
    assert cli.main(["log", "recover", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"recovered to seq {summary['last_seq']}" in out
    assert "open orders:" in out


def test_log_recover_repair_cuts_a_torn_tail_and_readies_the_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = recorded(tmp_path)
    with EventLog.open_readonly(path) as log:
        head = log.head()[0]
    # A last write that died half-way: a row past the anchor whose hash does not chain.
    con = sqlite3.connect(path)
    with con:
        con.execute(
            "INSERT INTO events SELECT seq + 1, ts_event, ts_init, kind, instrument_id,"
            " strategy_id, client_order_id, payload, zeroblob(32) FROM events WHERE seq = ?",
            (head,),
        )
    con.close()
    torn = path.read_bytes()
    assert cli.main(["log", "recover", str(path)]) == 1
    err = capsys.readouterr().err
    assert f"seq {head + 1}" in err
    assert "--repair" in err
    assert path.read_bytes() == torn, "recover without --repair writes nothing"
    assert cli.main(["log", "recover", str(path), "--repair", "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["repaired"]["torn_from_seq"] == head + 1
    assert summary["repaired"]["torn_rows_removed"] == 1
    assert summary["last_seq"] == head + summary["repaired"]["appended"]
    with EventLog.open_readonly(path) as log:
        assert log.verify().ok
        assert log.head()[0] == summary["last_seq"]
    assert cli.main(["log", "recover", str(path), "--repair"]) == 0
    out = capsys.readouterr().out
    assert "no torn tail" in out
    assert "appended 0 derived events" in out


def test_log_recover_repair_refuses_a_tampered_log(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = recorded(tmp_path)
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE events SET ts_event = 0 WHERE seq = 9")
    con.close()
    tampered = path.read_bytes()
    assert cli.main(["log", "recover", str(path), "--repair"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "seq 9" in err
    assert "Traceback" not in err
    assert path.read_bytes() == tampered


def test_log_recover_refuses_a_log_that_does_not_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = recorded(tmp_path)
    before = path.read_bytes()
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE events SET ts_event = 0 WHERE seq = 9")
    con.close()
    tampered = path.read_bytes()
    assert cli.main(["log", "recover", str(path)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert "does not verify" in err
    assert "seq 9" in err
    assert path.read_bytes() == tampered != before
    with pytest.raises(EventLogError, match="seq 9"):
        Replay.open(path)


def test_log_recover_one_line_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00" * 200)
    assert cli.main(["log", "recover", str(junk)]) == 1
    assert capsys.readouterr().err.startswith(f"nautui log recover: {junk}: not a nautui event log")
    # A log not written by an engine recording says so.
    plain = sample_log(tmp_path)
    assert cli.main(["log", "recover", str(plain)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not recorded by an engine" in err


def test_live_commands_leave_only_once_their_events_are_durable(tmp_path: Path) -> None:
    engine = Engine(msgspec.structs.replace(config(), venue=None))  # no simulated venue: live
    engine.add_instrument(instrument())
    path = tmp_path / "live.db"
    engine.record_to(path, durability="batched")
    engine.start()
    engine.submit("desk", "BTCUSDT.SIM", "BUY", "0.5", "LIMIT", price="100")
    ready = engine.drain_outbound(wait=False)  # only what is durable already
    assert len(ready) + engine.outbound_waiting == 1
    sent = ready + engine.drain_outbound()  # waits for the commit
    assert [type(e).__name__ for e in sent] == ["SubmitOrder"]
    assert engine.outbound_waiting == 0
    assert engine.durable_seq == engine.recorded_seq
    committed = [events.kind(e) for _, e in EventLog.open_readonly(path).read_from(1)]
    assert "SubmitOrder" in committed
