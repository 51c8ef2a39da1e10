"""Engine benchmark (issue 2): quote replay rate, order round trip, order scaling, bytes per quote.

Builds and runs the Rust example `core/examples/engine_bench.rs` in release mode and prints its
one JSON line unchanged. Run from anywhere: `python bench/engine.py` (or `make bench`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = (
    "replay_quotes_per_s",
    "order_roundtrip_ns_median",
    "order_roundtrip_ns_p99",
    "orders_scaling_ratio",
    "bytes_per_quote",
)


def main() -> int:
    result = subprocess.run(
        ["cargo", "run", "--release", "--example", "engine_bench", "-q"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        print(f"engine bench: cargo exited with {result.returncode}", file=sys.stderr)
        return result.returncode
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if not lines:
        print("engine bench: the example printed nothing", file=sys.stderr)
        return 1
    line = lines[-1]
    figures = json.loads(line)
    missing = [key for key in KEYS if key not in figures]
    if missing:
        print(f"engine bench: missing keys {', '.join(missing)}", file=sys.stderr)
        return 1
    print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
