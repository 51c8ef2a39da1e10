"""Tardis CSV samples -> catalog kinds."""

from __future__ import annotations

from pathlib import Path

import pytest

from nautui.data import DataFileError, schema
from nautui.data.tardis import import_tardis

TARDIS = "tardis"


def test_quotes(shared_data: Path) -> None:
    imported = import_tardis([shared_data / TARDIS / "huobi-dm-swap_quotes_BTC-USD.csv"])
    assert imported.instrument_id == "BTC-USD.HUOBI-DM-SWAP"
    quotes = imported.tables["quotes"]
    assert quotes.num_rows == 10
    assert quotes.slice(0, 1).to_pylist()[0] == {
        "ts_event": 1_588_291_201_099_000_000,
        "ts_init": 1_588_291_201_234_268_000,
        "bid_price": 8_629_200_000_000,
        "ask_price": 8_629_300_000_000,
        "bid_size": 806_000_000_000,
        "ask_size": 5_494_000_000_000,
    }
    assert imported.spec is not None
    assert imported.spec.quote_currency == "USD"


def test_trades(shared_data: Path) -> None:
    imported = import_tardis([shared_data / TARDIS / "bitmex_trades_XBTUSD.csv"])
    trades = imported.tables["trades"]
    assert trades.num_rows == 10
    first = trades.slice(0, 1).to_pylist()[0]
    assert first["price"] == 8_531_500_000_000
    assert first["size"] == 2_152_000_000_000
    assert first["aggressor_side"] == schema.AGGRESSOR_SELLER
    assert first["trade_id"] == "ccc3c1fa-212c-e8b0-1706-9b9c4f3d5ecf"


def test_incremental_book_starts_with_a_clear_then_adds(shared_data: Path) -> None:
    path = shared_data / TARDIS / "deribit_incremental_book_L2_BTC-PERPETUAL.csv"
    deltas = import_tardis([path]).tables["deltas"]
    data_rows = len(path.read_text().splitlines()) - 1
    rows = deltas.to_pylist()
    assert len(rows) == data_rows + 1  # the CLEAR that starts the snapshot
    assert rows[0]["action"] == schema.ACTION_CLEAR
    assert rows[1]["action"] == schema.ACTION_ADD
    assert rows[1]["side"] == schema.SIDE_SELL
    assert rows[1]["price"] == 6_421_500_000_000
    assert rows[-1]["batch_end"]
    # Every batch has one sequence number, and they count up by one.
    ends = [r["sequence"] for r in rows if r["batch_end"]]
    assert ends == list(range(1, len(ends) + 1))


@pytest.mark.parametrize(("name", "depth"), [("25", 25), ("5", 5)])
def test_book_snapshots(shared_data: Path, name: str, depth: int) -> None:
    path = shared_data / TARDIS / f"binance-futures_book_snapshot_{name}_BTCUSDT.csv"
    snapshots = import_tardis([path]).tables["snapshots"]
    assert snapshots.num_rows == 10 * 2 * depth
    first = snapshots.slice(0, 2 * depth).to_pylist()
    assert first[0]["side"] == schema.SIDE_BUY
    assert first[0]["level"] == 0
    assert first[0]["price"] == 11_657_070_000_000
    assert first[depth]["side"] == schema.SIDE_SELL
    assert first[depth]["price"] == 11_657_080_000_000
    assert [r["batch_end"] for r in first] == [False] * (2 * depth - 1) + [True]


def test_a_bad_cell_names_file_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "quotes.csv"
    path.write_text(
        "exchange,symbol,timestamp,local_timestamp,ask_amount,ask_price,bid_price,bid_amount\n"
        "huobi,BTC-USD,1,2,5,8629.3,8629.2,806\n"
        "huobi,BTC-USD,1,2,5,8629.3,86x29.2,806\n"
    )
    with pytest.raises(DataFileError) as error:
        import_tardis([path])
    assert str(error.value) == f"{path}:3: column 'bid_price': '86x29.2' is not a decimal number"


def test_an_unknown_layout_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n")
    with pytest.raises(DataFileError, match=r"x.csv:1: not a Tardis"):
        import_tardis([path])
