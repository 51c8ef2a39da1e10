"""The Parquet catalog: schema, partitions, round trips, streaming in bounded memory."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import nautui
from nautui.data import Catalog, DataError, InstrumentSpec, schema
from nautui.data.catalog import DAY_NS, to_ns
from nautui.data.synthetic import SyntheticMarket, generate

DAY0 = to_ns("2024-03-01")


def _quotes(n: int, start: int = DAY0, step: int = 1_000_000) -> pa.Table:
    rng = np.random.default_rng(7)
    bid = 100_000_000_000 + rng.integers(-500, 500, n) * 10_000_000
    ts = start + np.arange(n, dtype=np.uint64) * np.uint64(step)
    return pa.table(
        {
            "ts_event": ts,
            "ts_init": ts,
            "bid_price": bid,
            "ask_price": bid + 10_000_000,
            "bid_size": rng.integers(1, 1000, n).astype(np.uint64) * np.uint64(1_000_000),
            "ask_size": rng.integers(1, 1000, n).astype(np.uint64) * np.uint64(1_000_000),
        }
    )


def test_write_then_read_gives_the_same_rows_with_the_documented_schema(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    table = _quotes(5_000)
    catalog.write("quotes", "X.SIM", table)
    back = catalog.read("quotes", "X.SIM")
    assert back.equals(table.cast(schema.schema_for("quotes")))
    meta = pq.read_schema(catalog.files("quotes", "X.SIM")[0]).metadata
    assert meta[schema.META_INSTRUMENT_ID] == b"X.SIM"
    assert meta[schema.META_KIND] == b"quotes"
    assert meta[schema.META_PRICE_PRECISION] == b"2"  # every price is a multiple of 0.01
    assert meta[schema.META_SIZE_PRECISION] == b"3"
    assert back.schema.field("bid_price").type == pa.int64()
    assert back.schema.field("bid_size").type == pa.uint64()
    assert back.schema.field("ts_event").type == pa.uint64()


def test_rows_are_partitioned_by_utc_day_and_streamed_in_time_order(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    # 3 days, one row an hour, written in reverse order.
    table = _quotes(72, start=DAY0, step=3_600 * 10**9)
    catalog.write("quotes", "X.SIM", table.take(pa.array(range(71, -1, -1))))
    paths = catalog.files("quotes", "X.SIM")
    assert [p.relative_to(tmp_path).as_posix() for p in paths] == [
        "quotes/X.SIM/2024-03-01.parquet",
        "quotes/X.SIM/2024-03-02.parquet",
        "quotes/X.SIM/2024-03-03.parquet",
    ]
    assert [pq.ParquetFile(p).metadata.num_rows for p in paths] == [24, 24, 24]
    ts = pa.Table.from_batches(list(catalog.stream("quotes", "X.SIM")))["ts_init"].to_numpy()
    assert np.all(np.diff(ts.astype(np.int64)) > 0)
    assert catalog.read("quotes", "X.SIM").equals(table.cast(schema.schema_for("quotes")))


def test_time_bounds_select_rows_and_skip_whole_days(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    catalog.write("quotes", "X.SIM", _quotes(72, start=DAY0, step=3_600 * 10**9))
    start, end = DAY0 + DAY_NS + 5 * 3_600 * 10**9, DAY0 + 2 * DAY_NS
    assert len(catalog.files("quotes", "X.SIM", start, end)) == 1
    got = catalog.read("quotes", "X.SIM", start, end)["ts_init"].to_pylist()
    assert got == [DAY0 + DAY_NS + h * 3_600 * 10**9 for h in range(5, 24)]
    assert catalog.read("quotes", "X.SIM", "2024-03-02T05:00", "2024-03-03").num_rows == 19


def test_writes_append_or_replace(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    first, second = _quotes(10), _quotes(10, start=DAY0 + 500)
    catalog.write("quotes", "X.SIM", first)
    catalog.write("quotes", "X.SIM", second)
    assert catalog.count("quotes", "X.SIM") == 20
    merged = catalog.read("quotes", "X.SIM")["ts_init"].to_numpy().astype(np.int64)
    assert np.all(np.diff(merged) >= 0)
    catalog.write("quotes", "X.SIM", second, replace=True)
    assert catalog.read("quotes", "X.SIM").equals(second.cast(schema.schema_for("quotes")))


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    catalog = Catalog(tmp_path)
    catalog.write("quotes", "X.SIM", _quotes(10))
    before = catalog.files("quotes", "X.SIM")[0].read_bytes()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", broken)
    with pytest.raises(OSError, match="disk full"):
        catalog.write("quotes", "X.SIM", _quotes(10, start=DAY0 + 1), replace=True)
    assert catalog.files("quotes", "X.SIM")[0].read_bytes() == before
    assert [p.name for p in (tmp_path / "quotes" / "X.SIM").iterdir()] == ["2024-03-01.parquet"]


def test_a_given_precision_below_the_data_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="more than the given price precision 1"):
        Catalog(tmp_path).write("quotes", "X.SIM", _quotes(10), price_precision=1)


def test_tables_not_in_the_schema_and_bad_keys_are_refused(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    with pytest.raises(DataError, match="does not match the catalog schema"):
        catalog.write("quotes", "X.SIM", pa.table({"ts_init": [1]}))
    with pytest.raises(DataError, match="cannot name a catalog folder"):
        catalog.write("quotes", "../X", _quotes(1))
    with pytest.raises(DataError, match="unknown data kind 'ticks'"):
        catalog.files("ticks", "X.SIM")


def test_instruments_round_trip_into_engine_instruments(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    spec = InstrumentSpec(
        id="BTCUSDT.BINANCE",
        tick_size="0.01",
        lot_size="0.00001",
        quote_currency="USDT",
        base_currency="BTC",
        taker_fee="0.001",
    )
    catalog.add_instruments({spec.id: spec})
    instrument = catalog.instruments()["BTCUSDT.BINANCE"]
    assert isinstance(instrument, nautui.Instrument)
    assert instrument.price_precision == 2
    assert instrument.size_precision == 5
    assert str(instrument.taker_fee) == "0.001"
    # An existing entry is kept unless replaced.
    catalog.add_instruments({spec.id: InstrumentSpec(spec.id, "0.1", "1", "USDT")})
    assert catalog.instrument_specs()[spec.id] == spec


def test_columns_are_contiguous_numpy_arrays(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    table = _quotes(1_000)
    catalog.write("quotes", "X.SIM", table)
    columns = catalog.columns("quotes", "X.SIM")
    assert columns["bid_price"].dtype == np.int64
    assert columns["ask_size"].dtype == np.uint64
    assert columns["bid_price"].flags.c_contiguous
    assert columns["bid_price"].tolist() == table["bid_price"].to_pylist()


def test_streaming_a_large_file_holds_one_row_group_at_a_time(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    generate(catalog, SyntheticMarket(steps=1_500_000), kinds=["quotes"])
    instrument = SyntheticMarket().instrument_id
    rows_in_file = catalog.count("quotes", instrument)
    table_bytes = rows_in_file * 48  # six 8-byte columns
    batch_rows = 16_384
    baseline = pa.total_allocated_bytes()
    peak_arrow = 0
    tracemalloc.start()
    rows = 0
    checksum = 0
    for batch in catalog.stream("quotes", instrument, batch_size=batch_rows):
        assert batch.num_rows <= batch_rows
        rows += batch.num_rows
        checksum ^= int(batch.column("bid_price")[0].as_py())
        peak_arrow = max(peak_arrow, pa.total_allocated_bytes() - baseline)
    _, peak_python = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert rows == rows_in_file == 1_500_000
    assert checksum != 0
    # The whole table is 72 MB in memory; the stream never holds more than a few row groups.
    assert peak_arrow < table_bytes / 10, (peak_arrow, table_bytes)
    assert peak_python < 5_000_000
