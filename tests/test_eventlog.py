"""The event log from Python: append and read back, the hash chain against each kind of
tampering (done with Python's own sqlite3 on the real file), the anchor, a torn tail cut on
open, bad inputs, snapshots and sqlite-utils reading the file."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import sqlite_utils
from eventlog_helpers import ALL, fixture, quotes, sample_log, submit

from nautui import DecodeError, EventLog, EventLogError, events


def _tamper(path: Path, sql: str) -> None:
    con = sqlite3.connect(path)
    with con:
        con.executescript(sql)
    con.close()


def _first_bad(path: Path) -> int | None:
    return EventLog.open_readonly(path).verify().first_bad


def test_appends_read_back_in_seq_order(tmp_path: Path) -> None:
    path = tmp_path / "run.db"
    with EventLog.create(path, run_id="r1", config="{}") as log:
        assert log.append(ALL) == (1, len(ALL))
        assert log.append_durable([submit(1)]) == (len(ALL) + 1, len(ALL) + 1)
        log.flush()
        read = list(log.read_from(1))
        assert [seq for seq, _ in read] == list(range(1, len(ALL) + 2))
        assert [e for _, e in read[: len(ALL)]] == ALL
        assert [seq for seq, _ in log.read_range(3, 5)] == [3, 4, 5]
        seq, digest = log.head()
        assert seq == len(ALL) + 1
        assert len(digest) == 32
        info = log.info()
        assert (info.run_id, info.config, info.events) == ("r1", "{}", len(ALL) + 1)
        assert info.anchor_hash == digest.hex()
    with EventLog.open(path) as log:
        assert log.torn_tail is None
        assert log.append(quotes(2))[0] == len(ALL) + 2


@pytest.mark.parametrize(
    ("name", "sql", "bad"),
    [
        ("edit", "UPDATE events SET ts_init = 1 WHERE seq = 10", 10),
        ("edit payload", "UPDATE events SET payload = payload || x'00' WHERE seq = 33", 33),
        ("delete", "DELETE FROM events WHERE seq = 12", 12),
        (
            "reorder",
            (
                "UPDATE events SET seq = -1 WHERE seq = 40;"
                " UPDATE events SET seq = 40 WHERE seq = 41;"
                " UPDATE events SET seq = 41 WHERE seq = -1;"
            ),
            40,
        ),
        (
            "insert",
            (
                "UPDATE events SET seq = seq + 1000 WHERE seq >= 30;"
                " UPDATE events SET seq = seq - 999 WHERE seq >= 1000;"
                " INSERT INTO events SELECT 30, ts_event, ts_init, kind, instrument_id,"
                " strategy_id, client_order_id, payload, hash FROM events WHERE seq = 20;"
            ),
            30,
        ),
        ("truncate", "DELETE FROM events WHERE seq > 50", 51),
    ],
)
def test_verify_names_the_first_bad_seq(tmp_path: Path, name: str, sql: str, bad: int) -> None:
    path = sample_log(tmp_path)
    assert EventLog.open_readonly(path).verify().ok
    _tamper(path, sql)
    report = EventLog.open_readonly(path).verify()
    assert not report.ok, name
    assert report.first_bad == bad, report.summary
    assert f"seq {bad}:" in report.summary
    assert "run.db" in report.summary
    with pytest.raises(EventLogError, match=f"seq {bad}"):
        EventLog.open(path)


def test_a_rewritten_log_fails_against_the_anchor(tmp_path: Path) -> None:
    path = sample_log(tmp_path)
    forged_dir = tmp_path / "forged"
    forged_dir.mkdir()
    forged = forged_dir / "run.db"
    with EventLog.create(forged) as log:  # a self-consistent chain of the same length
        log.append(quotes(54))
    shutil.copy(forged, path)
    report = EventLog.open_readonly(path).verify()
    assert report.first_bad == 54, report.summary
    assert "anchor" in (report.problem or ""), report.summary


def test_a_torn_tail_is_cut_on_open_and_reported(tmp_path: Path) -> None:
    path = sample_log(tmp_path)
    _tamper(
        path,
        "INSERT INTO events SELECT 55, ts_event, ts_init, kind, instrument_id, strategy_id,"
        " client_order_id, x'82a4', zeroblob(32) FROM events WHERE seq = 54",
    )
    assert _first_bad(path) == 55
    with EventLog.open(path) as log:
        torn = log.torn_tail
        assert torn is not None
        assert (torn.from_seq, torn.removed) == (55, 1)
        assert log.head()[0] == 54
        assert log.append(quotes(1)) == (55, 55)
    assert EventLog.open_readonly(path).verify().ok


def test_an_anchor_ahead_of_the_log_is_a_torn_tail(tmp_path: Path) -> None:
    path = sample_log(tmp_path)
    anchor = Path(f"{path}.anchor")
    anchor.write_text(anchor.read_text().replace("seq=54", "seq=57"))
    with EventLog.open(path) as log:
        torn = log.torn_tail
        assert torn is not None
        assert (torn.from_seq, torn.removed) == (55, 0)
        assert "anchor records seq 57" in torn.reason
    assert "seq=54 " in anchor.read_text()


def test_bad_inputs_are_one_line_errors(tmp_path: Path) -> None:
    text = tmp_path / "notes.db"
    text.write_text("not a database\n" * 10)
    with pytest.raises(EventLogError) as caught:
        EventLog.open(text)
    assert "notes.db: not a nautui event log" in str(caught.value)
    assert "\n" not in str(caught.value)

    other = sqlite3.connect(tmp_path / "other.db")
    other.execute("CREATE TABLE t (x)")
    other.close()
    with pytest.raises(EventLogError, match=r"other\.db: not a nautui event log"):
        EventLog.open_readonly(tmp_path / "other.db")

    path = sample_log(tmp_path)
    _tamper(path, "UPDATE meta SET value = '7' WHERE key = 'schema_version'")
    with pytest.raises(EventLogError, match="schema version 7 is newer"):
        EventLog.open(path)

    (tmp_path / "b").mkdir()
    path = sample_log(tmp_path / "b")
    Path(f"{path}.anchor").unlink()
    with pytest.raises(EventLogError, match=r"run\.db\.anchor: anchor file is missing"):
        EventLog.open(path)
    assert not EventLog.open_readonly(path).verify().ok

    with pytest.raises(EventLogError, match="already exists"):
        EventLog.create(path)


def test_a_log_that_does_not_verify_is_never_written(tmp_path: Path) -> None:
    path = sample_log(tmp_path)
    _tamper(path, "UPDATE events SET payload = x'c1' WHERE seq = 5")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix in {".db", ".anchor"}}
    with pytest.raises(EventLogError) as caught:
        EventLog.open(path)
    assert "run.db: seq 5:" in str(caught.value)
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir() if p.suffix in {".db", ".anchor"}}
    assert before == after


def test_snapshots(tmp_path: Path) -> None:
    path = sample_log(tmp_path)
    with EventLog.open(path) as log:
        assert log.latest_snapshot() is None
        log.save_snapshot(10, 1_000, b"state@10")
        log.save_snapshot(50, 5_000, b"state@50")
        assert log.latest_snapshot() == (50, b"state@50")
        assert log.snapshot_at_or_before(49) == (10, b"state@10")
        assert log.info().snapshots == 2
    _tamper(path, "UPDATE snapshots SET payload = x'00' WHERE seq = 50")
    log = EventLog.open_readonly(path)
    assert log.latest_snapshot() == (10, b"state@10")
    assert log.verify().bad_snapshots == [50]


def test_durable_tickets_from_many_threads_share_commits(tmp_path: Path) -> None:
    path = tmp_path / "run.db"
    with EventLog.create(path) as log:

        def appender(k: int) -> None:
            tickets = [
                log.append_durable_nowait([events.encode(submit(k * 100 + i))]) for i in range(50)
            ]
            for ticket in tickets:
                ticket.wait()

        threads = [threading.Thread(target=appender, args=(k,)) for k in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        con = sqlite3.connect(path)
        assert con.execute("SELECT count(*) FROM events").fetchone() == (200,)
        con.close()
    assert EventLog.open_readonly(path).verify().ok


def test_the_sqlite3_shell_and_the_sqlite_utils_cli_query_the_log(tmp_path: Path) -> None:
    path = sample_log(tmp_path)
    shell = shutil.which("sqlite3")
    assert shell is not None, "the sqlite3 shell is missing: `make test` installs it"
    query = "SELECT seq, kind FROM events WHERE kind = 'OrderFilled'"
    out = subprocess.run(  # noqa: S603  (the system's sqlite3 shell on our own file)
        [shell, "-readonly", str(path), query], check=True, capture_output=True, text=True
    ).stdout
    (row,) = out.splitlines()
    seq, kind = row.split("|")
    assert kind == "OrderFilled"
    logged = dict(EventLog.open_readonly(path).read_from(int(seq)))[int(seq)]
    assert logged == fixture("OrderFilled")
    cli = Path(sys.executable).with_name("sqlite-utils")
    rows = json.loads(
        subprocess.run(  # noqa: S603  (the venv's sqlite-utils on our own file)
            [str(cli), "query", str(path), "SELECT key, value FROM meta WHERE key = 'run_id'"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    assert rows == [{"key": "run_id", "value": "test-run"}]


@pytest.mark.parametrize(
    ("where", "index"),
    [
        ("kind = 'OrderFilled'", "events_kind"),
        ("instrument_id = 'BTCUSDT.BINANCE'", "events_instrument"),
        ("strategy_id = 'ema-cross'", "events_strategy"),
        ("client_order_id = 'O-1'", "events_order"),
        ("ts_event BETWEEN 1 AND 2", "events_ts"),
    ],
)
def test_what_operators_filter_on_is_found_through_an_index(
    tmp_path: Path, where: str, index: str
) -> None:
    con = sqlite3.connect(sample_log(tmp_path))
    query = f"EXPLAIN QUERY PLAN SELECT * FROM events WHERE {where}"  # noqa: S608  (test constants)
    plan = " ".join(row[-1] for row in con.execute(query))
    con.close()
    assert f"USING INDEX {index}" in plan, plan


def test_sqlite_utils_and_sqlite3_read_the_log(tmp_path: Path) -> None:
    path = sample_log(tmp_path)
    db = sqlite_utils.Database(path)
    assert db.table("events").count == 54
    assert {"events", "snapshots", "meta"} <= set(db.table_names())
    fills = list(db.table("events").rows_where("kind = ?", ["OrderFilled"]))
    assert len(fills) == 1
    assert events.decode(fills[0]["payload"]) == fixture("OrderFilled")
    meta = {row["key"]: row["value"] for row in db["meta"].rows}
    assert meta["schema_version"] == "2"
    assert meta["run_id"] == "test-run"
    indexed = {tuple(i.columns) for i in db.table("events").indexes}
    assert {
        ("kind",),
        ("instrument_id",),
        ("strategy_id",),
        ("client_order_id",),
        ("ts_event",),
    } <= indexed
    db.close()
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    con.close()


def test_a_payload_that_is_not_an_event_is_named_by_its_index_and_nothing_is_appended(
    tmp_path: Path,
) -> None:
    good = events.encode(fixture("QuoteTick"))
    with EventLog.create(tmp_path / "run.db") as log:
        with pytest.raises(DecodeError, match=r"^cannot decode event: payloads\[1\]: ") as raised:
            log.append_payloads([good, b"not an event", good])
        assert str(raised.value).count("cannot decode event") == 1
        assert log.head()[0] == 0
        assert log.append_payloads([good]) == (1, 1)
