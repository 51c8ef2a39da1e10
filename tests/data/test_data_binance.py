"""Binance raw stream recordings -> catalog, checked against the shared data's README tables and
against the recordings' own bookTickers (the L2 book rebuilt from the catalog's snapshot and
deltas must show the same best bid and ask at every depth update whose u equals a ticker's)."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import msgspec
import numpy as np
import pyarrow as pa
import pytest

from nautui.data import Catalog, DataFileError, schema
from nautui.data.binance import import_binance
from nautui.data.fixed import parse_raw

SPOT_0808 = "binance/spot/btcusdt_20240808.gz"
SPOT_0809 = "binance/spot/btcusdt_20240809.gz"
USDM_0808 = "binance/usdm/btcusdt_20240808.gz"


def test_spot_file_row_counts_and_exact_prices(shared_data: Path, tmp_path: Path) -> None:
    imported = import_binance([shared_data / SPOT_0808])
    assert imported.instrument_id == "BTCUSDT.BINANCE"
    quotes, trades = imported.tables["quotes"], imported.tables["trades"]
    assert quotes.num_rows == 28_040
    assert trades.num_rows == 9_757
    deltas = imported.tables["deltas"]
    # 3,451 depth updates; the 2 received before the snapshot with u <= lastUpdateId are stale.
    assert pc_sum(deltas["batch_end"]) == 3_451 - 2
    snapshot = imported.tables["snapshots"]
    assert snapshot.num_rows == 2_000
    assert set(snapshot["sequence"].to_pylist()) == {50_093_239_218}
    # The update buffered before the snapshot is initialised with it, never before it.
    assert (
        deltas["ts_init"][0].as_py() == snapshot["ts_init"][0].as_py() == 1_723_161_254_206_652_067
    )
    assert deltas["first_sequence"][0].as_py() == 50_093_239_208
    first = quotes.slice(0, 1).to_pylist()[0]
    assert first == {
        "ts_event": 1_723_161_254_087_891_268,  # spot bookTicker has no E: the receive time
        "ts_init": 1_723_161_254_087_891_268,
        "bid_price": 61_837_630_000_000,
        "ask_price": 61_837_640_000_000,
        "bid_size": 3_788_260_000,
        "ask_size": 1_546_980_000,
    }
    trade = trades.slice(0, 1).to_pylist()[0]
    assert trade["price"] == 61_837_630_000_000
    assert trade["size"] == 20_000_000
    assert trade["aggressor_side"] == schema.AGGRESSOR_SELLER  # m: the buyer was the maker
    assert trade["trade_id"] == "3735683259"
    assert trade["ts_event"] == 1_723_161_255_342_000_000
    imported.write(Catalog(tmp_path))
    catalog = Catalog(tmp_path)
    assert catalog.read("quotes", "BTCUSDT.BINANCE").equals(quotes)
    assert catalog.precisions("quotes", "BTCUSDT.BINANCE") == (2, 5)
    spec = catalog.instrument_specs()["BTCUSDT.BINANCE"]
    assert (spec.tick_size, spec.quote_currency, spec.base_currency) == ("0.01", "USDT", "BTC")


def pc_sum(column: pa.ChunkedArray) -> int:
    return int(np.count_nonzero(column.to_numpy()))


def test_usdm_file_follows_the_pu_chain(shared_data: Path) -> None:
    imported = import_binance([shared_data / USDM_0808])
    assert imported.instrument_id == "BTCUSDT-PERP.BINANCE"
    assert imported.tables["quotes"].num_rows == 66_089
    assert imported.tables["trades"].num_rows == 21_313
    deltas = imported.tables["deltas"]
    ends = deltas.filter(deltas["batch_end"])
    prev = ends["prev_sequence"].to_numpy()
    seq = ends["sequence"].to_numpy()
    assert np.array_equal(prev[1:], seq[:-1])  # pu == previous u, every time
    assert imported.notes == ["4 depth updates before the snapshot were stale"]
    assert pc_sum(deltas["batch_end"]) == 6_551 - 4


def _rewritten(src: Path, dst: Path, edit: Callable[[bytes], bytes | None]) -> Path:
    """A copy of a recording with each line passed through ``edit`` (None drops the line)."""
    with gzip.open(src, "rb") as lines, gzip.open(dst, "wb") as out:
        for line in lines:
            edited = edit(line)
            if edited is not None:
                out.write(edited)
    return dst


def _depth_ids(path: Path) -> list[tuple[int, int]]:
    """(U, u) of every depth update in a recording, in order."""
    ids = []
    with gzip.open(path, "rb") as lines:
        for line in lines:
            payload = line.split(b" ", 1)[1]
            if b"@depth" in payload[:40]:
                data = msgspec.json.decode(payload)["data"]
                ids.append((data["U"], data["u"]))
    return ids


def test_usdm_update_ending_exactly_at_the_snapshot_is_applied(
    shared_data: Path, tmp_path: Path
) -> None:
    """The real USD-M file with its snapshot's lastUpdateId moved onto the u of the update that
    straddles it: futures keep that update (only u < lastUpdateId is stale) and chain the next
    one on its pu. The spot rule would drop it and then see a false sequence gap."""
    real = shared_data / USDM_0808
    snapshot_id = 5_123_107_852_948
    straddling = next(u for _, u in _depth_ids(real) if u >= snapshot_id)
    assert straddling > snapshot_id

    def edit(line: bytes) -> bytes:
        old = f'"lastUpdateId":{snapshot_id},'.encode()
        return line.replace(old, f'"lastUpdateId":{straddling},'.encode())

    imported = import_binance([_rewritten(real, tmp_path / "usdm.gz", edit)])
    deltas = imported.tables["deltas"]
    assert pc_sum(deltas["batch_end"]) == 6_551 - 4
    assert deltas["sequence"][0].as_py() == straddling
    assert set(imported.tables["snapshots"]["sequence"].to_pylist()) == {straddling}


@pytest.mark.parametrize("recording", ["real", "one-update-missing"])
def test_usdm_quotes_and_trades_never_run_the_book_sync(
    shared_data: Path, tmp_path: Path, recording: str
) -> None:
    path = shared_data / USDM_0808
    if recording == "one-update-missing":
        dropped = _depth_ids(path)[3_000][1]
        marker = f'"u":{dropped},'.encode()
        path = _rewritten(path, tmp_path / "gap.gz", lambda line: None if marker in line else line)
        with pytest.raises(DataFileError, match=rf"^{path}:\d+: sequence gap: .* pu={dropped} "):
            import_binance([path])
    imported = import_binance([path], kinds=["quotes", "trades"])
    assert imported.instrument_id == "BTCUSDT-PERP.BINANCE"
    assert set(imported.tables) == {"quotes", "trades"}
    assert imported.tables["quotes"].num_rows == 66_089
    assert imported.tables["trades"].num_rows == 21_313
    assert imported.notes == [], "no book, so nothing is stale"


def _tickers(paths: list[Path]) -> dict[int, tuple[int, ...]]:
    tickers = {}
    for path in paths:
        with gzip.open(path, "rb") as lines:
            for line in lines:
                payload = line.split(b" ", 1)[1]
                if b"@bookTicker" not in payload[:40]:
                    continue
                t = msgspec.json.decode(payload)["data"]
                tickers[t["u"]] = tuple(parse_raw(t[k]) for k in ("b", "B", "a", "A"))
    return tickers


def test_the_rebuilt_book_matches_every_bookticker_at_equal_u(
    shared_data: Path, tmp_path: Path
) -> None:
    paths = [shared_data / SPOT_0808, shared_data / SPOT_0809]
    import_binance(paths).write(Catalog(tmp_path))
    catalog = Catalog(tmp_path)
    assert catalog.count("quotes", "BTCUSDT.BINANCE") == 28_040 + 45_134
    assert catalog.count("trades", "BTCUSDT.BINANCE") == 9_757 + 10_147
    books: dict[int, dict[int, int]] = {schema.SIDE_BUY: {}, schema.SIDE_SELL: {}}
    for row in catalog.read("snapshots", "BTCUSDT.BINANCE").to_pylist():
        books[row["side"]][row["price"]] = row["size"]
    tickers = _tickers(paths)
    matches = batches = 0
    deltas = catalog.columns("deltas", "BTCUSDT.BINANCE")
    rows = zip(
        *(deltas[k].tolist() for k in ("action", "side", "price", "size", "sequence", "batch_end")),
        strict=True,
    )
    for action, side, price, size, sequence, end in rows:
        if action == schema.ACTION_DELETE:
            books[side].pop(price, None)
        else:
            books[side][price] = size
        if not end:
            continue
        batches += 1
        if sequence in tickers:
            bid = max(books[schema.SIDE_BUY])
            ask = min(books[schema.SIDE_SELL])
            top = (bid, books[schema.SIDE_BUY][bid], ask, books[schema.SIDE_SELL][ask])
            assert top == tickers[sequence], sequence
            matches += 1
    assert batches == 3_449 + 3_044
    assert matches > 1_000


def _recording(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "rec.gz"
    with gzip.open(path, "wt") as out:
        out.write("\n".join(lines) + "\n")
    return path


SNAP = '1000 {"lastUpdateId":10,"bids":[["100.0","1"]],"asks":[["101.0","2"]]}'
DEPTH = (
    '{ts} {{"stream":"x@depth@100ms","data":{{"e":"depthUpdate","E":1,"s":"X",'
    '"U":{U},"u":{u},"b":[["100.0","3"]],"a":[]}}}}'
)
TICKER = (
    '{ts} {{"stream":"x@bookTicker","data":{{"u":{u},"s":"X",'
    '"b":"{b}","B":"1","a":"101","A":"2"}}}}'
)


def test_a_sequence_gap_names_the_line(tmp_path: Path) -> None:
    path = _recording(
        tmp_path,
        [SNAP, DEPTH.format(ts=1001, U=11, u=12), DEPTH.format(ts=1002, U=14, u=15)],
    )
    with pytest.raises(DataFileError) as error:
        import_binance([path])
    assert str(error.value) == (
        f"{path}:3: sequence gap: U=14 u=15 after u=12 (needs U == previous u + 1)"
    )


def test_a_bad_decimal_names_line_and_field(tmp_path: Path) -> None:
    path = _recording(
        tmp_path,
        [SNAP, TICKER.format(ts=1001, u=11, b="100.0"), TICKER.format(ts=1002, u=12, b="1.2.3")],
    )
    with pytest.raises(DataFileError) as error:
        import_binance([path])
    assert str(error.value) == f"{path}:3: column 'b': '1.2.3' is not a decimal number"


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    path = _recording(tmp_path, [SNAP, '1001 {"stream": "x@trade", "data": {'])
    with pytest.raises(DataFileError, match=rf"^{path}:2: not valid JSON"):
        import_binance([path])


def test_a_file_without_snapshot_cannot_give_a_book(shared_data: Path) -> None:
    with pytest.raises(DataFileError, match="no depth snapshot"):
        import_binance([shared_data / SPOT_0809])
    imported = import_binance([shared_data / SPOT_0809], kinds=["quotes", "trades"])
    assert imported.tables["quotes"].num_rows == 45_134
    assert imported.tables["trades"].num_rows == 10_147
