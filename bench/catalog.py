"""Catalog throughput: rows streamed from the Parquet catalog into the engine, against pyarrow's
plain read of the same files in the same run.

Workload: a synthetic 2,000,000-row quotes dataset from ``nautui data gen`` (seed 42, 1 ms apart,
so it spans one UTC day file), in a temporary folder. Prints one JSON line:
``catalog_rows_per_s`` (record batches streamed from the catalog, in bounded memory, each handed
to ``Engine.run_quotes`` in place: the engine and its simulated venue process every quote),
``pyarrow_rows_per_s`` (pyarrow's plain whole-file read, the ceiling) and ``catalog_vs_pyarrow``
(their ratio); also ``columns_rows_per_s`` (catalog -> contiguous numpy columns, no engine).
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from nautui import Engine, EngineConfig
from nautui.data import Catalog
from nautui.data.synthetic import SyntheticMarket, generate

ROWS = 2_000_000
REPEATS = 5


def best_seconds(work: Callable[[], int]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        rows = work()
        best = min(best, time.perf_counter() - start)
        if rows != ROWS:
            raise SystemExit(f"read {rows} rows, expected {ROWS}")
    return best


def main() -> int:
    market = SyntheticMarket(steps=ROWS, seed=42, price="1.00000", lot="1")
    with tempfile.TemporaryDirectory() as tmp:
        catalog = Catalog(Path(tmp))
        generate(catalog, market, kinds=["quotes"])
        files = catalog.files("quotes", market.instrument_id)

        def from_catalog() -> int:
            columns = catalog.columns("quotes", market.instrument_id)
            return len(columns["bid_price"])

        instrument = catalog.instruments()[market.instrument_id]

        def into_engine() -> int:
            engine = Engine(EngineConfig(starting_balances=[]))
            engine.add_instrument(instrument)
            rows = 0
            index = np.zeros(0, dtype=np.uint32)
            for batch in catalog.stream("quotes", market.instrument_id):
                n = batch.num_rows
                if len(index) < n:
                    index = np.zeros(n, dtype=np.uint32)
                col = {name: batch.column(name).to_numpy() for name in batch.schema.names}
                engine.run_quotes(
                    instrument=index[:n],
                    bid_price=col["bid_price"],
                    ask_price=col["ask_price"],
                    bid_size=col["bid_size"],
                    ask_size=col["ask_size"],
                    ts_event=col["ts_event"],
                    ts_init=col["ts_init"],
                )
                rows += n
            if engine.counters()["quotes"] != rows:
                raise SystemExit("the engine did not process every quote")
            return rows

        def read_table() -> int:
            return sum(pq.read_table(path).num_rows for path in files)

        def parquet_file_read() -> int:
            return sum(pq.ParquetFile(path).read().num_rows for path in files)

        columns_s = best_seconds(from_catalog)
        engine_s = best_seconds(into_engine)
        # The ceiling: the faster of pyarrow's two plain whole-file reads.
        pyarrow_s = min(best_seconds(read_table), best_seconds(parquet_file_read))
    result = {
        "rows": ROWS,
        "files": len(files),
        "catalog_rows_per_s": round(ROWS / engine_s),
        "pyarrow_rows_per_s": round(ROWS / pyarrow_s),
        "catalog_vs_pyarrow": round(pyarrow_s / engine_s, 3),
        "columns_rows_per_s": round(ROWS / columns_s),
        "measured": "best of 5; catalog_rows_per_s streams record batches into Engine.run_quotes",
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
