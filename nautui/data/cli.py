"""``nautui data ...``: import real data into a catalog, generate a synthetic market, list a
catalog. A bad input file ends with one line naming the file, row and column, and exit code 2."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nautui.data import schema
from nautui.data.catalog import Catalog
from nautui.data.errors import DataError
from nautui.data.generic_csv import FIELDS, CsvMapping, load_mapping
from nautui.data.rows import Imported
from nautui.errors import NautuiError

__all__ = ["add_parser", "run"]

EXIT_BAD_INPUT = 2
_FORMATS = ("binance", "tardis", "bars", "csv")


def _kinds(text: str) -> list[str]:
    try:
        return [schema.check_kind(k.strip()) for k in text.split(",") if k.strip()]
    except DataError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise argparse.ArgumentTypeError(f"{text!r}: expected FIELD=VALUE")
    return name.strip(), value.strip()


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Registers ``data`` and its subcommands on the top-level parser."""
    data = commands.add_parser(
        "data", help="import, generate and list market data", description=__doc__
    )
    sub = data.add_subparsers(dest="data_command", metavar="SUBCOMMAND", required=True)

    imp = sub.add_parser(
        "import",
        help="import files into a catalog",
        description="Import market data files into a Parquet catalog. binance: raw stream "
        "recordings (snapshot + depth + bookTicker + trade; give contiguous files in order); "
        "tardis: Tardis.dev CSV; bars: timestamp,open,high,low,close,volume CSV; csv: any CSV "
        "through a column mapping.",
    )
    imp.add_argument("format", choices=_FORMATS)
    imp.add_argument("files", nargs="+", type=Path, metavar="FILE")
    _catalog_arg(imp)
    imp.add_argument("--instrument", help="instrument id (default: from the data)")
    imp.add_argument("--kinds", type=_kinds, help="binance: kinds to import (default: all)")
    imp.add_argument("--replace", action="store_true", help="overwrite the day files touched")
    imp.add_argument("--price-precision", type=int, help="decimals of prices (default: detect)")
    imp.add_argument("--size-precision", type=int, help="decimals of sizes (default: detect)")
    imp.add_argument("--quote-currency", help="for the instrument entry (default: guessed)")
    csv_group = imp.add_argument_group("csv and bars")
    csv_group.add_argument("--mapping", type=Path, help="TOML column mapping file")
    csv_group.add_argument("--kind", choices=sorted(FIELDS), help="csv: the data kind")
    csv_group.add_argument(
        "--map",
        type=_pair,
        action="append",
        default=[],
        metavar="FIELD=COLUMN",
        help="csv: the column holding FIELD (a header name, or an index with --no-header)",
    )
    csv_group.add_argument(
        "--default",
        type=_pair,
        action="append",
        default=[],
        metavar="FIELD=VALUE",
        help="csv: a constant for a field the file lacks",
    )
    csv_group.add_argument("--no-header", action="store_true", help="the file has no header")
    csv_group.add_argument("--delimiter", help="cell delimiter (default ',')")
    csv_group.add_argument("--ts-unit", choices=["auto", "s", "ms", "us", "ns"])
    csv_group.add_argument("--ts-format", help="strptime format of the timestamps")
    csv_group.add_argument("--bar-interval", help="bars: 1m, 5m, 1h, 1d... (default: inferred)")
    csv_group.add_argument(
        "--bar-timestamp",
        choices=["open", "close"],
        help="bars: the CSV timestamp is the bar's open or close time (default close)",
    )

    gen = sub.add_parser(
        "gen",
        help="generate a seeded synthetic market",
        description="Write a synthetic market (quotes, trades, L2 deltas and the starting "
        "snapshot) into a catalog. The same arguments give byte-identical files.",
    )
    _catalog_arg(gen)
    gen.add_argument("--seed", type=int, default=42)
    gen.add_argument("--steps", type=int, default=100_000, help="quote updates (default 100000)")
    gen.add_argument("--instrument", default="SYNTH-USD.SIM")
    gen.add_argument("--start", default="2024-01-01", help="ISO time of the first step (UTC)")
    gen.add_argument("--interval-ms", type=float, default=1.0, help="time between steps")
    gen.add_argument("--price", default="100.00", help="start price; its decimals = tick")
    gen.add_argument("--lot", default="0.001", help="lot size")
    gen.add_argument("--depth", type=int, default=10, help="book levels per side")
    gen.add_argument("--trade-probability", type=float, default=0.1)
    gen.add_argument("--kinds", type=_kinds, help="kinds to write (default: all)")

    ls = sub.add_parser("ls", help="list a catalog", description="List a catalog's contents.")
    _catalog_arg(ls)


def _catalog_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--catalog", type=Path, default=Path("catalog"), help="catalog folder (default ./catalog)"
    )


def run(args: argparse.Namespace) -> int:
    """Runs ``nautui data SUBCOMMAND``; returns the exit status."""
    try:
        if args.data_command == "import":
            return _import(args)
        if args.data_command == "gen":
            return _gen(args)
        return _ls(args)
    except NautuiError as error:
        print(f"nautui: {error}", file=sys.stderr)  # noqa: T201
        return EXIT_BAD_INPUT


def _mapping(args: argparse.Namespace) -> CsvMapping:
    if args.mapping is not None:
        mapping = load_mapping(args.mapping)
    elif args.format == "bars":
        names = ("open", "high", "low", "close", "volume")
        mapping = CsvMapping(
            kind="bars", columns={"ts_event": "timestamp", **{n: n for n in names}}
        )
    elif args.kind is None:
        raise DataError("csv: give --kind (quotes, trades or bars) and --map, or --mapping")
    else:
        mapping = CsvMapping(kind=args.kind, columns={})
    overrides = {
        "header": False if args.no_header else None,
        "delimiter": args.delimiter,
        "ts_unit": args.ts_unit,
        "ts_format": args.ts_format,
        "bar_interval": args.bar_interval,
        "bar_timestamp": args.bar_timestamp,
        "quote_currency": args.quote_currency,
        "price_precision": args.price_precision,
        "size_precision": args.size_precision,
    }
    for name, value in overrides.items():
        if value is not None:
            setattr(mapping, name, value)
    mapping.columns.update(dict(args.map))
    mapping.defaults.update(dict(args.default))
    return mapping


def _import(args: argparse.Namespace) -> int:
    imported: Imported
    if args.format == "binance":
        from nautui.data.binance import BINANCE_KINDS, import_binance  # noqa: PLC0415

        imported = import_binance(
            args.files,
            instrument_id=args.instrument,
            kinds=args.kinds or BINANCE_KINDS,
            quote_currency=args.quote_currency,
        )
    elif args.format == "tardis":
        from nautui.data.tardis import import_tardis  # noqa: PLC0415

        imported = import_tardis(args.files, instrument_id=args.instrument)
    else:
        from nautui.data.generic_csv import import_csv  # noqa: PLC0415

        if len(args.files) != 1:
            raise DataError(f"{args.format}: one file per import")
        imported = import_csv(args.files[0], _mapping(args), instrument_id=args.instrument)
    counts = imported.write(
        Catalog(args.catalog),
        price_precision=args.price_precision,
        size_precision=args.size_precision,
        replace=args.replace,
    )
    summary = ", ".join(f"{n:,} {kind}" for kind, n in counts.items()) or "no rows"
    print(f"{imported.bar_type or imported.instrument_id}: {summary} -> {args.catalog}")  # noqa: T201
    for note in imported.notes:
        print(f"  note: {note}")  # noqa: T201
    if imported.spec is None:
        print("  note: no instrument entry written (give --quote-currency to add one)")  # noqa: T201
    return 0


def _gen(args: argparse.Namespace) -> int:
    from nautui.data.synthetic import GEN_KINDS, SyntheticMarket, generate  # noqa: PLC0415

    market = SyntheticMarket(
        instrument_id=args.instrument,
        seed=args.seed,
        steps=args.steps,
        start=args.start,
        interval_ns=round(args.interval_ms * 1_000_000),
        price=args.price,
        lot=args.lot,
        depth=args.depth,
        trade_probability=args.trade_probability,
    )
    counts = generate(Catalog(args.catalog), market, args.kinds or GEN_KINDS)
    summary = ", ".join(f"{n:,} {kind}" for kind, n in counts.items())
    print(f"{market.instrument_id} (seed {market.seed}): {summary} -> {args.catalog}")  # noqa: T201
    return 0


def _ls(args: argparse.Namespace) -> int:
    catalog = Catalog(args.catalog)
    if not catalog.root.is_dir():
        raise DataError(f"{catalog.root}: no such catalog folder")
    for kind in catalog.kinds():
        for key in catalog.instrument_ids(kind):
            files = catalog.files(kind, key)
            prices, sizes = catalog.precisions(kind, key)
            print(  # noqa: T201
                f"{kind:<9} {key}  {catalog.count(kind, key):,} rows, {len(files)} day(s) "
                f"{files[0].stem}..{files[-1].stem}, precision {prices}/{sizes}"
            )
    for spec in catalog.instrument_specs().values():
        print(f"instrument {spec.id}: tick {spec.tick_size}, lot {spec.lot_size}")  # noqa: T201
    return 0
