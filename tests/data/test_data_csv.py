"""Bar CSV and generic CSV with a column mapping."""

from __future__ import annotations

from pathlib import Path

import pytest

from nautui.data import DataError, DataFileError
from nautui.data.generic_csv import CsvMapping, import_csv, load_mapping

BARS = "nautilus-samples/btc-perp-20211231-20220201_1m.csv"
BAR_COLUMNS = {n: n for n in ("open", "high", "low", "close", "volume")} | {"ts_event": "timestamp"}


def test_bar_csv(shared_data: Path) -> None:
    mapping = CsvMapping(kind="bars", columns=BAR_COLUMNS, size_precision=4)
    imported = import_csv(shared_data / BARS, mapping, instrument_id="BTC-PERP.SIM")
    assert imported.bar_type == "BTC-PERP.SIM-1-MINUTE-LAST-EXTERNAL"
    bars = imported.tables["bars"]
    assert bars.num_rows == 45_031
    assert bars.slice(0, 1).to_pylist()[0] == {
        "ts_event": 1_640_991_660_000_000_000,  # 2021-12-31 23:01 UTC: the close time
        "ts_init": 1_640_991_660_000_000_000,
        "open": 46_319_000_000_000,
        "high": 46_385_000_000_000,
        "low": 46_319_000_000_000,
        "close": 46_377_000_000_000,
        "volume": 2_300_413_729_500_000,
    }


def test_bar_open_timestamps_move_to_the_close(shared_data: Path) -> None:
    mapping = CsvMapping(kind="bars", columns=BAR_COLUMNS, size_precision=4, bar_timestamp="open")
    bars = import_csv(shared_data / BARS, mapping, instrument_id="B.SIM").tables["bars"]
    assert bars["ts_event"][0].as_py() == 1_640_991_660_000_000_000 + 60_000_000_000


def test_float_printed_volumes_need_a_precision(shared_data: Path) -> None:
    mapping = CsvMapping(kind="bars", columns=BAR_COLUMNS)
    with pytest.raises(DataFileError) as error:
        import_csv(shared_data / BARS, mapping, instrument_id="B.SIM")
    assert str(error.value) == (
        f"{shared_data / BARS}:249: column 'volume': '218102.59507500002' has more than 9 "
        "decimals (give a precision to round)"
    )


def test_headerless_quotes_with_a_toml_mapping(shared_data: Path, tmp_path: Path) -> None:
    toml = tmp_path / "eurusd.toml"
    toml.write_text(
        'kind = "quotes"\ninstrument = "EURUSD.SIM"\nheader = false\n'
        'ts_format = "%Y%m%d %H%M%S%f"\n'
        '[columns]\nts_event = "0"\nbid_price = "1"\nask_price = "2"\n'
        '[defaults]\nbid_size = "1000000"\nask_size = "1000000"\n'
    )
    imported = import_csv(shared_data / "nautilus-samples/quote_tick_data.csv", load_mapping(toml))
    quotes = imported.tables["quotes"]
    assert quotes.num_rows == 9_500
    assert quotes.slice(0, 1).to_pylist()[0] == {
        "ts_event": 1_577_898_000_065_000_000,
        "ts_init": 1_577_898_000_065_000_000,
        "bid_price": 1_121_200_000,
        "ask_price": 1_121_720_000,
        "bid_size": 10**15,
        "ask_size": 10**15,
    }
    assert imported.spec is not None
    assert imported.spec.tick_size == "0.00001"


def test_trades_with_sides(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("time,px,qty,side,id\n1700000000000,10.5,2,buy,a\n1700000000001,10.4,1,S,b\n")
    mapping = CsvMapping(
        kind="trades",
        columns={
            "ts_event": "time",
            "price": "px",
            "size": "qty",
            "aggressor_side": "side",
            "trade_id": "id",
        },
    )
    rows = import_csv(path, mapping, instrument_id="T.SIM").tables["trades"].to_pylist()
    assert [(r["ts_event"], r["price"], r["aggressor_side"], r["trade_id"]) for r in rows] == [
        (1_700_000_000_000_000_000, 10_500_000_000, 1, "a"),
        (1_700_000_000_001_000_000, 10_400_000_000, 2, "b"),
    ]


def test_a_trade_id_longer_than_the_engine_holds_names_the_cell(tmp_path: Path) -> None:
    uuid = "0f5b2c34-9d6e-4a1f-8c7b-3e2d1a0b9c8d"
    path = tmp_path / "t.csv"
    path.write_text(f"time,px,qty,id\n1700000000000,10.5,2,{uuid}\n1700000000001,10.4,1,{uuid}0\n")
    columns = {"ts_event": "time", "price": "px", "size": "qty", "trade_id": "id"}
    with pytest.raises(DataFileError) as error:
        import_csv(path, CsvMapping(kind="trades", columns=columns), instrument_id="T.SIM")
    assert str(error.value) == (
        f"{path}:3: column 'id': '{uuid}0' is not a trade id (1 to 36 bytes, no spaces)"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "t,bid,ask\n1,1.0,1.1\n2,1.0,1.1\n3,1.2.3,1.4\n",
            "4: column 'bid': '1.2.3' is not a decimal number",
        ),
        (
            "t,bid,ask\n1,1.0,1.1\nnope,1.0,1.1\n",
            "3: column 't': 'nope' is not a timestamp (integer or ISO 8601)",
        ),
        ("t,bid,ask\n1,1.0\n", "2: 2 cells, the header has 3"),
        ("t,bid\n1,1.0\n", "1: no column 'ask' for 'ask_price'; the file has t, bid"),
        ("", " is empty"),
    ],
)
def test_malformed_csv_names_file_row_and_column(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "x.csv"
    path.write_text(body)
    mapping = CsvMapping(
        kind="quotes", columns={"ts_event": "t", "bid_price": "bid", "ask_price": "ask"}
    )
    with pytest.raises(DataFileError) as error:
        import_csv(path, mapping, instrument_id="X.SIM")
    assert str(error.value) == f"{path}:{message}"


def test_a_mapping_without_a_required_field_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no column for 'ask_price'"):
        import_csv(
            tmp_path / "x.csv",
            CsvMapping(kind="quotes", columns={"ts_event": "t", "bid_price": "b"}),
            instrument_id="X.SIM",
        )


def test_a_bad_mapping_file_names_the_file_and_key(tmp_path: Path) -> None:
    toml = tmp_path / "m.toml"
    toml.write_text('kind = "quotes"\ncolumns = {}\nbogus = 1\n')
    with pytest.raises(DataFileError, match=r"m.toml: Object contains unknown field `bogus`"):
        load_mapping(toml)
