"""``nautui log``: verify, describe, export, follow and recover an event log.

Each subcommand prints one line for a bad log (naming the file and the seq) and exits 1; no
traceback for a user's mistake. ``recover`` verifies first and writes nothing: it prints the
state the log describes (latest snapshot plus the re-folded tail). ``recover --repair`` makes
the log ready for a restart: a torn tail (rows past the anchor that do not verify, written by a
run that died mid-write) is cut back to the last valid event, the events the re-fold derives
that the log lacks are appended, and everything is committed durably. A log damaged anywhere
else is refused and left untouched.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import msgspec

from nautui.engine import Engine, Recovery
from nautui.errors import NautuiError
from nautui.store import EventLog, LogRow

if TYPE_CHECKING:
    import pyarrow as pa

_json = msgspec.json.Encoder()
_PARQUET_ROWS = 65_536
"""Rows per Parquet row group."""


def _out(text: str, *, flush: bool = False) -> None:
    sys.stdout.write(text + "\n")
    if flush:
        sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")


def register(commands: Any) -> None:  # noqa: ANN401  (argparse's subparsers action is private)
    """Adds ``log`` and its subcommands to the ``nautui`` parser."""
    log = commands.add_parser(
        "log", help="verify, inspect, export or follow an event log", description=__doc__
    )
    sub = log.add_subparsers(dest="log_command", metavar="SUBCOMMAND", required=True)

    verify = sub.add_parser("verify", help="check the hash chain, anchor and snapshots")
    verify.add_argument("log", type=Path, help="the event log (.db)")
    verify.add_argument(
        "--deep", action="store_true", help="also decode every payload against its columns"
    )

    info = sub.add_parser("info", help="what the log holds")
    info.add_argument("log", type=Path)
    info.add_argument("--json", action="store_true", help="one JSON object instead of text")

    export = sub.add_parser("export", help="write the events as JSON lines or Parquet")
    export.add_argument("log", type=Path)
    fmt = export.add_mutually_exclusive_group(required=True)
    fmt.add_argument("--jsonl", action="store_true", help="one JSON object per event")
    fmt.add_argument("--parquet", action="store_true", help="one row per event (pyarrow)")
    export.add_argument(
        "-o", "--output", help="output file (default: beside the log; '-' is stdout for --jsonl)"
    )
    export.add_argument("--from-seq", type=int, default=1, help="first seq (default 1)")
    export.add_argument("--to-seq", type=int, default=None, help="last seq (default: the end)")
    export.add_argument(
        "--no-verify", action="store_true", help="export without verifying the log first"
    )

    tail = sub.add_parser("tail", help="print the last events; -f follows new ones")
    tail.add_argument("log", type=Path)
    tail.add_argument("-n", "--lines", type=int, default=10, help="events to show first")
    tail.add_argument("-f", "--follow", action="store_true", help="keep printing new events")
    tail.add_argument("--jsonl", action="store_true", help="JSON lines instead of text")
    tail.add_argument("--interval", type=float, default=0.1, help="seconds between polls")
    tail.add_argument("--max-events", type=int, default=None, help="stop after this many")
    tail.add_argument(
        "--idle-timeout", type=float, default=None, help="stop after this many quiet seconds"
    )

    recover = sub.add_parser(
        "recover", help="verify, then rebuild and print the state the log describes"
    )
    recover.add_argument("log", type=Path)
    recover.add_argument("--json", action="store_true", help="one JSON object instead of text")
    recover.add_argument(
        "--repair",
        action="store_true",
        help="cut a torn tail and append what the re-fold derives, ready for a restart",
    )


def run(args: argparse.Namespace) -> int:
    """Runs one ``nautui log`` subcommand; returns the exit status."""
    handler = _SUBCOMMANDS[args.log_command]
    try:
        return handler(args)
    except NautuiError as error:
        _err(f"nautui log {args.log_command}: {error}")
        return 1
    except KeyboardInterrupt:
        return 130


def _verify(args: argparse.Namespace) -> int:
    report = EventLog.open_readonly(args.log).verify(deep=args.deep)
    _out(report.summary)
    return 0 if report.ok else 1


def _info(args: argparse.Namespace) -> int:
    info = EventLog.open_readonly(args.log).info()
    if args.json:
        _out(_json.encode(info).decode())
        return 0
    lines = [
        f"log        {info.path} ({info.file_bytes:,} bytes, schema v{info.schema_version})",
        f"run        {info.run_id}",
        f"events     {info.events:,} (seq {info.first_seq}..{info.last_seq})",
        f"time       {_ts(info.first_ts)} .. {_ts(info.last_ts)}",
        f"head       seq {info.last_seq} hash {info.head_hash}",
        f"anchor     {_anchor(info.anchor_seq, info.anchor_hash)}",
        f"snapshots  {info.snapshots} (latest at seq {info.latest_snapshot_seq})",
        "kinds      " + ", ".join(f"{kind} {n:,}" for kind, n in info.kinds),
    ]
    _out("\n".join(lines))
    return 0


def _anchor(seq: int | None, digest: str | None) -> str:
    return "missing" if seq is None else f"seq {seq} hash {digest}"


def _ts(ns: int | None) -> str:
    if ns is None:
        return "-"
    seconds, rest = divmod(ns, 1_000_000_000)
    stamp = datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC)
    return f"{stamp:%Y-%m-%dT%H:%M:%S}.{rest:09d}Z"


def _row_json(row: LogRow) -> bytes:
    return _json.encode(
        {
            "seq": row.seq,
            "ts_event": row.ts_event,
            "ts_init": row.ts_init,
            "kind": row.kind,
            "instrument_id": row.instrument_id,
            "strategy_id": row.strategy_id,
            "client_order_id": row.client_order_id,
            "hash": row.hash.hex(),
            "event": msgspec.msgpack.decode(row.payload),
        }
    )


def _row_text(row: LogRow) -> str:
    ids = " ".join(i for i in (row.instrument_id, row.client_order_id) if i)
    return f"{row.seq:>10}  {_ts(row.ts_event)}  {row.kind:<20} {ids}".rstrip()


def _export(args: argparse.Namespace) -> int:
    log = EventLog.open_readonly(args.log)
    if not args.no_verify:
        report = log.verify()
        if not report.ok:
            _err(f"nautui log export: {report.summary}; not exported")
            return 1
    rows = log.rows(args.from_seq, args.to_seq)
    suffix = ".jsonl" if args.jsonl else ".parquet"
    output = args.output or str(Path(args.log).with_suffix(suffix))
    if args.jsonl and output == "-":
        count = _write_jsonl(rows, sys.stdout.buffer)
        sys.stdout.flush()
    else:
        count = _atomic(Path(output), rows, _write_jsonl if args.jsonl else _write_parquet)
        _err(f"exported {count:,} events to {output}")
    return 0


def _atomic(
    path: Path, rows: Iterator[LogRow], write: Callable[[Iterator[LogRow], IO[bytes]], int]
) -> int:
    """Writes to a temp file beside ``path``, then renames it over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            count = write(rows, out)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return count


def _write_jsonl(rows: Iterator[LogRow], out: IO[bytes]) -> int:
    count = 0
    for row in rows:
        out.write(_row_json(row))
        out.write(b"\n")
        count += 1
    return count


def _parquet_schema() -> pa.Schema:
    import pyarrow as pa  # noqa: PLC0415  (imported on use: pyarrow is slow to import)

    text = pa.string()
    return pa.schema(
        [
            ("seq", pa.uint64()),
            ("ts_event", pa.uint64()),
            ("ts_init", pa.uint64()),
            ("kind", text),
            ("instrument_id", text),
            ("strategy_id", text),
            ("client_order_id", text),
            ("payload", pa.binary()),
            ("hash", pa.binary(32)),
        ]
    )


def _write_parquet(rows: Iterator[LogRow], out: IO[bytes]) -> int:
    import pyarrow as pa  # noqa: PLC0415
    import pyarrow.parquet as pq  # noqa: PLC0415

    schema = _parquet_schema()
    names = schema.names
    count = 0
    with pq.ParquetWriter(out, schema, compression="zstd") as writer:
        batch: list[LogRow] = []
        for row in rows:
            batch.append(row)
            if len(batch) == _PARQUET_ROWS:
                writer.write_table(_table(pa, schema, names, batch))
                count += len(batch)
                batch = []
        if batch or count == 0:
            writer.write_table(_table(pa, schema, names, batch))
            count += len(batch)
    return count


def _table(pa: Any, schema: pa.Schema, names: list[str], batch: list[LogRow]) -> pa.Table:  # noqa: ANN401
    columns = {name: [getattr(row, name) for row in batch] for name in names}
    return pa.table(columns, schema=schema)


def _tail(args: argparse.Namespace) -> int:
    log = EventLog.open_readonly(args.log)
    show: Callable[[LogRow], str] = (
        (lambda row: _row_json(row).decode()) if args.jsonl else _row_text
    )
    last_seq = log.info().last_seq
    seq = max(1, last_seq - max(args.lines, 0) + 1)
    printed = 0
    quiet_since = time.monotonic()
    while True:
        got = False
        for row in log.rows(seq):
            _out(show(row), flush=args.follow)
            seq, got, printed = row.seq + 1, True, printed + 1
            if args.max_events is not None and printed >= args.max_events:
                return 0
        if not args.follow:
            return 0
        now = time.monotonic()
        if got:
            quiet_since = now
        elif args.idle_timeout is not None and now - quiet_since >= args.idle_timeout:
            return 0
        time.sleep(args.interval)


def _recover(args: argparse.Namespace) -> int:
    if args.repair:
        return _repair(args)
    log = EventLog.open_readonly(args.log)
    report = log.verify()
    if not report.ok:
        torn = report.first_bad is not None and report.first_bad > (report.anchor_seq or 0)
        hint = " (past the anchor: a torn last write; --repair cuts it)" if torn else ""
        _err(f"nautui log recover: not recovering, the log does not verify: {report.summary}{hint}")
        return 1
    snapshot = log.latest_snapshot()
    engine, recovery = Engine.recover(log, attach=False)
    return _print_recovery(
        args, engine, recovery=recovery, head_hash=report.last_hash, snapshot=snapshot
    )


def _repair(args: argparse.Namespace) -> int:
    # Opening for writing verifies the whole chain and cuts only a torn tail; anything else
    # that does not verify is refused before a byte is written.
    with EventLog.open(args.log) as log:
        torn = log.torn_tail
        snapshot = log.latest_snapshot()
        engine, recovery = Engine.recover(log, attach=True)
        engine.finish_log()
        report = log.verify()
    if not report.ok:
        _err(f"nautui log recover: the repaired log does not verify: {report.summary}")
        return 1
    if not args.json:
        if torn is None:
            _out(f"{args.log}: no torn tail")
        else:
            _out(
                f"{args.log}: cut a torn tail of {torn.removed} rows from seq {torn.from_seq}"
                f" ({torn.reason})"
            )
        _out(f"{args.log}: appended {recovery.unlogged} derived events the log lacked")
    return _print_recovery(
        args,
        engine,
        recovery=recovery,
        head_hash=report.last_hash,
        snapshot=snapshot,
        repaired={
            "torn_from_seq": None if torn is None else torn.from_seq,
            "torn_rows_removed": 0 if torn is None else torn.removed,
            "appended": recovery.unlogged,
        },
    )


def _print_recovery(
    args: argparse.Namespace,
    engine: Engine,
    *,
    recovery: Recovery,
    head_hash: str,
    snapshot: tuple[int, bytes] | None,
    repaired: dict[str, Any] | None = None,
) -> int:
    summary: dict[str, Any] = {
        "log": str(args.log),
        "last_seq": recovery.last_seq,
        "head_hash": head_hash,
        "snapshot_seq": None if snapshot is None else snapshot[0],
        "trading_state": engine.trading_state,
        "in_flight": recovery.in_flight,
        "unlogged": recovery.unlogged,
        "open_orders": [
            {
                "client_order_id": o.client_order_id,
                "instrument_id": o.instrument_id,
                "side": o.side,
                "order_type": o.order_type,
                "status": o.status,
                "quantity": str(o.quantity),
                "filled_qty": str(o.filled_qty),
                "price": None if o.price is None else str(o.price),
            }
            for o in engine.open_orders()
        ],
        "positions": [
            {
                "instrument_id": p.instrument_id,
                "strategy_id": p.strategy_id,
                "side": p.side,
                "quantity": str(p.quantity),
                "realized_pnl": str(p.realized_pnl),
            }
            for p in engine.positions()
            if p.signed_qty_raw != 0
        ],
        "balances": [
            {"currency": b.currency, "total": str(b.total), "free": str(b.free)}
            for b in engine.balances()
        ],
    }
    if repaired is not None:
        summary["repaired"] = repaired
    if args.json:
        _out(_json.encode(summary).decode())
        return 0
    snap = summary["snapshot_seq"]
    _out(f"{args.log}: recovered to seq {recovery.last_seq} (hash {head_hash})")
    _out(f"  from: {'snapshot at seq ' + str(snap) if snap else 'the first event'}")
    _out(f"  trading state: {engine.trading_state}")
    in_flight = ", ".join(recovery.in_flight) or "none"
    _out(f"  in flight (reconcile with the venue, never resend): {in_flight}")
    if recovery.unlogged:
        _out(f"  derived but not logged (the run stopped inside one instant): {recovery.unlogged}")
    _out(f"  open orders: {len(summary['open_orders'])}")
    for o in summary["open_orders"]:
        price = "" if o["price"] is None else f" @ {o['price']}"
        _out(
            f"    {o['client_order_id']} {o['instrument_id']} {o['side']} {o['order_type']} "
            f"{o['filled_qty']}/{o['quantity']}{price} {o['status']}"
        )
    _out(f"  positions: {len(summary['positions'])}")
    for p in summary["positions"]:
        _out(
            f"    {p['instrument_id']} {p['strategy_id']} {p['side']} {p['quantity']} "
            f"realized {p['realized_pnl']}"
        )
    _out(
        "  balances: " + ", ".join(f"{b['total']} (free {b['free']})" for b in summary["balances"])
    )
    return 0


_SUBCOMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "verify": _verify,
    "info": _info,
    "export": _export,
    "tail": _tail,
    "recover": _recover,
}
