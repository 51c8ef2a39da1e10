"""The seeded synthetic market: reproducible, and its book agrees with its quotes."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from nautui.data import Catalog, schema
from nautui.data.synthetic import SyntheticMarket, generate

ID = SyntheticMarket().instrument_id


def _hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_the_same_seed_gives_identical_files(tmp_path: Path) -> None:
    market = SyntheticMarket(steps=5_000, seed=7)
    generate(Catalog(tmp_path / "a"), market)
    generate(Catalog(tmp_path / "b"), market)
    generate(Catalog(tmp_path / "c"), SyntheticMarket(steps=5_000, seed=8))
    a, b, c = (_hashes(tmp_path / n) for n in "abc")
    assert len(a) == 5  # four kinds and the instruments file
    assert a == b
    assert {k for k in a if a[k] != c[k]} == {k for k in a if k.endswith(".parquet")}


def test_quotes_are_a_bounded_walk_with_a_one_to_three_tick_spread(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    counts = generate(catalog, SyntheticMarket(steps=20_000))
    assert counts["quotes"] == 20_000
    q = catalog.columns("quotes", ID)
    tick = 10_000_000  # "100.00": two decimals
    spread = (q["ask_price"] - q["bid_price"]) // tick
    assert set(np.unique(spread).tolist()) == {1, 2, 3}
    assert set(np.unique(np.diff(q["bid_price"]) // tick).tolist()) == {-1, 0, 1}
    assert np.all(np.diff(q["ts_init"].astype(np.int64)) == 1_000_000)
    assert catalog.instruments()[ID].price_precision == 2


def test_trades_print_at_the_touch_with_the_right_aggressor(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    generate(catalog, SyntheticMarket(steps=20_000, trade_probability=0.2))
    q = catalog.columns("quotes", ID)
    by_ts = {int(t): i for i, t in enumerate(q["ts_init"].tolist())}
    trades = catalog.read("trades", ID).to_pylist()
    assert 3_000 < len(trades) < 5_000
    for trade in trades:
        i = by_ts[trade["ts_init"]]
        if trade["aggressor_side"] == schema.AGGRESSOR_BUYER:
            assert trade["price"] == q["ask_price"][i]
            assert trade["size"] <= q["ask_size"][i]
        else:
            assert trade["price"] == q["bid_price"][i]
            assert trade["size"] <= q["bid_size"][i]


def test_the_book_from_snapshot_and_deltas_equals_every_quote(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path)
    generate(catalog, SyntheticMarket(steps=5_000, depth=5))
    books: dict[int, dict[int, int]] = {schema.SIDE_BUY: {}, schema.SIDE_SELL: {}}
    snapshot = catalog.read("snapshots", ID).to_pylist()
    assert len(snapshot) == 10
    for row in snapshot:
        books[row["side"]][row["price"]] = row["size"]
    q = catalog.columns("quotes", ID)
    d = catalog.columns("deltas", ID)
    step = 0
    for action, side, price, size, sequence, end in zip(
        *(d[k].tolist() for k in ("action", "side", "price", "size", "sequence", "batch_end")),
        strict=True,
    ):
        if action == schema.ACTION_DELETE:
            del books[side][price]
        else:
            books[side][price] = size
        if end:
            assert sequence == step + 1
            bid = max(books[schema.SIDE_BUY])
            ask = min(books[schema.SIDE_SELL])
            assert (bid, books[schema.SIDE_BUY][bid]) == (q["bid_price"][step], q["bid_size"][step])
            assert (ask, books[schema.SIDE_SELL][ask]) == (
                q["ask_price"][step],
                q["ask_size"][step],
            )
            step += 1
    assert step == 5_000
