"""Write-ahead durability: a child process appends commands with ``append_durable`` (and market
data in between) and reports each returned seq; the parent kills it with SIGKILL right after a
report and checks that every reported seq is in the real SQLite file, and that the log opens
and verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from nautui import EventLog

CHILD = """
import sys
from nautui import EventLog
from eventlog_helpers import quotes, submit

log = EventLog.create(sys.argv[1])
i = 0
while True:
    log.append(quotes(7, start=i * 7))
    first, last = log.append_durable([submit(i)])
    print(last, flush=True)
    i += 1
"""


def _run_and_kill(path: Path, reports: int) -> int:
    here = Path(__file__).resolve().parent
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(here), str(here.parent)])}
    child = subprocess.Popen(  # noqa: S603  (our own interpreter and script)
        [sys.executable, "-c", CHILD, str(path)], stdout=subprocess.PIPE, text=True, env=env
    )
    assert child.stdout is not None
    last = 0
    try:
        for _ in range(reports):
            line = child.stdout.readline()
            assert line, "the child died early"
            last = int(line)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return last


def test_durable_appends_survive_sigkill(tmp_path: Path) -> None:
    for k, reports in enumerate([1, 7, 40, 3, 25]):
        path = tmp_path / f"crash{k}.db"
        acknowledged = _run_and_kill(path, reports)
        log = EventLog.open(path)  # verifies, cuts a torn tail if there is one
        try:
            head, _ = log.head()
            assert head >= acknowledged, f"kill {k}: acknowledged seq {acknowledged} lost"
            rows = list(log.rows(1, acknowledged))
            assert [r.seq for r in rows] == list(range(1, acknowledged + 1))
            assert rows[-1].kind == "SubmitOrder"
            assert rows[-1].client_order_id == f"O-test-{reports - 1}"
        finally:
            log.close()
        assert EventLog.open_readonly(path).verify().ok
