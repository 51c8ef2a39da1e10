"""Catalog read throughput: rows streamed from the Parquet catalog into contiguous numpy columns
(the engine's columnar input), against pyarrow's plain read of the same files in the same run.

Workload: a synthetic 2,000,000-row quotes dataset from ``nautui data gen`` (seed 42, 1 ms apart,
so it spans one UTC day file), in a temporary folder. Prints one JSON line:
``catalog_rows_per_s``, ``pyarrow_rows_per_s``, ``catalog_vs_pyarrow`` (their ratio), plus the
streaming path (bounded memory, one row group at a time) as ``stream_rows_per_s``.
``engine_fed`` is false: the engine's columnar entry point is not in this tree yet, so the
measurement stops at the numpy columns the engine would take.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq

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

        def streamed() -> int:
            return sum(b.num_rows for b in catalog.stream("quotes", market.instrument_id))

        def read_table() -> int:
            return sum(pq.read_table(path).num_rows for path in files)

        def parquet_file_read() -> int:
            return sum(pq.ParquetFile(path).read().num_rows for path in files)

        catalog_s = best_seconds(from_catalog)
        stream_s = best_seconds(streamed)
        # The ceiling: the faster of pyarrow's two plain whole-file reads.
        pyarrow_s = min(best_seconds(read_table), best_seconds(parquet_file_read))
    result = {
        "rows": ROWS,
        "files": len(files),
        "catalog_rows_per_s": round(ROWS / catalog_s),
        "pyarrow_rows_per_s": round(ROWS / pyarrow_s),
        "catalog_vs_pyarrow": round(pyarrow_s / catalog_s, 3),
        "stream_rows_per_s": round(ROWS / stream_s),
        "engine_fed": False,
        "measured": "catalog -> contiguous numpy columns (best of 5)",
    }
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
