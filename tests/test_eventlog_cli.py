"""``nautui log verify | info | export | tail``."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from eventlog_helpers import ALL, quotes, sample_log

from nautui import EventLog, cli, events


def test_verify_ok_and_tampered(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sample_log(tmp_path)
    assert cli.main(["log", "verify", str(path)]) == 0
    assert "ok: 54 events, head seq 54" in capsys.readouterr().out
    con = sqlite3.connect(path)
    with con:
        con.execute("UPDATE events SET ts_event = 0 WHERE seq = 17")
    con.close()
    assert cli.main(["log", "verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.count("\n") == 1
    assert "run.db: seq 17: hash does not chain" in out


@pytest.mark.parametrize("command", ["verify", "info", "tail"])
def test_bad_files_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00" * 200)
    assert cli.main(["log", command, str(junk)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"nautui log {command}: {junk}: not a nautui event log")
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert cli.main(["log", command, str(tmp_path / "absent.db")]) == 1
    assert "absent.db: no such event log" in capsys.readouterr().err


def test_info(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sample_log(tmp_path)
    assert cli.main(["log", "info", str(path), "--json"]) == 0
    info = json.loads(capsys.readouterr().out)
    assert (info["events"], info["run_id"], info["anchor_seq"]) == (54, "test-run", 54)
    assert dict(info["kinds"])["QuoteTick"] == 21
    assert cli.main(["log", "info", str(path)]) == 0
    assert "events     54 (seq 1..54)" in capsys.readouterr().out


def test_export_jsonl(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sample_log(tmp_path)
    out = tmp_path / "out.jsonl"
    assert cli.main(["log", "export", str(path), "--jsonl", "-o", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["seq"] for line in lines] == list(range(1, 55))
    assert [line["kind"] for line in lines[: len(ALL)]] == [events.kind(e) for e in ALL]
    assert lines[0]["event"]["type"] == "QuoteTick"
    assert len(lines[0]["hash"]) == 64
    capsys.readouterr()
    assert cli.main(["log", "export", str(path), "--jsonl", "-o", "-", "--from-seq", "53"]) == 0
    assert [json.loads(x)["seq"] for x in capsys.readouterr().out.splitlines()] == [53, 54]


def test_export_parquet(tmp_path: Path) -> None:
    path = sample_log(tmp_path)
    assert cli.main(["log", "export", str(path), "--parquet"]) == 0
    table = pq.read_table(tmp_path / "run.parquet")
    assert table.num_rows == 54
    assert table.column_names[:4] == ["seq", "ts_event", "ts_init", "kind"]
    payloads = table.column("payload").to_pylist()
    assert [events.decode(p) for p in payloads[: len(ALL)]] == ALL
    assert not list(tmp_path.glob(".*.tmp"))


def test_export_refuses_a_log_that_does_not_verify(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = sample_log(tmp_path)
    con = sqlite3.connect(path)
    with con:
        con.execute("DELETE FROM events WHERE seq = 3")
    con.close()
    assert cli.main(["log", "export", str(path), "--jsonl"]) == 1
    assert "seq 3: missing" in capsys.readouterr().err
    assert not (tmp_path / "run.jsonl").exists()


def test_tail_prints_the_last_events(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sample_log(tmp_path)
    assert cli.main(["log", "tail", str(path), "-n", "3"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [int(line.split()[0]) for line in lines] == [52, 53, 54]
    assert "QuoteTick" in lines[0]


def test_tail_follows_a_growing_log(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "live.db"
    log = EventLog.create(path)
    log.append(quotes(5))
    log.flush()

    def writer() -> None:
        for k in range(5):
            time.sleep(0.05)
            log.append(quotes(4, start=100 + 4 * k))

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        args = ["log", "tail", str(path), "-f", "-n", "2", "--jsonl", "--interval", "0.02"]
        assert cli.main([*args, "--max-events", "22", "--idle-timeout", "10"]) == 0
    finally:
        thread.join()
        log.close()
    seqs = [json.loads(line)["seq"] for line in capsys.readouterr().out.splitlines()]
    assert seqs == list(range(4, 26))


def test_tail_stops_when_idle(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = sample_log(tmp_path)
    start = time.monotonic()
    args = [
        "log",
        "tail",
        str(path),
        "-f",
        "-n",
        "1",
        "--idle-timeout",
        "0.2",
        "--interval",
        "0.05",
    ]
    assert cli.main(args) == 0
    assert time.monotonic() - start < 5
    assert capsys.readouterr().out.split()[0] == "54"
