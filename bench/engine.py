"""Engine benchmark (issue 2): quote replay rate, order round trip, order scaling, bytes per quote.

Builds and runs the Rust example `core/examples/engine_bench.rs` in release mode and prints its
one JSON line unchanged. Run from anywhere: `python bench/engine.py` (or `make bench`).
"""

from __future__ import annotations

import json
import shutil
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


def fail(message: str) -> int:
    sys.stderr.write(f"engine bench: {message}\n")
    return 1


def main() -> int:
    cargo = shutil.which("cargo")
    if cargo is None:
        return fail("cargo is not on PATH")
    result = subprocess.run(  # noqa: S603 -- fixed arguments, no shell
        [cargo, "run", "--release", "--example", "engine_bench", "-q"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        return fail(f"cargo exited with {result.returncode}")
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if not lines:
        return fail("the example printed nothing")
    line = lines[-1]
    figures = json.loads(line)
    missing = [key for key in KEYS if key not in figures]
    if missing:
        return fail(f"missing keys {', '.join(missing)}")
    sys.stdout.write(line + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
