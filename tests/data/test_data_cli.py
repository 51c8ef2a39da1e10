"""``nautui data import | gen | ls`` through the command's main()."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from nautui import cli
from nautui.data import Catalog, schema


def test_import_binance_then_ls(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "cat"
    spot = shared_data / "binance/spot/btcusdt_20240808.gz"
    assert cli.main(["data", "import", "binance", str(spot), "--catalog", str(catalog)]) == 0
    out = capsys.readouterr().out
    assert "BTCUSDT.BINANCE: 28,040 quotes, 9,757 trades" in out
    assert cli.main(["data", "ls", "--catalog", str(catalog)]) == 0
    out = capsys.readouterr().out
    assert "quotes    BTCUSDT.BINANCE  28,040 rows, 1 day(s) 2024-08-08..2024-08-08" in out
    assert "instrument BTCUSDT.BINANCE: tick 0.01" in out


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        ([], "66,089 quotes, 21,313 trades, 443,262 deltas, 2,000 snapshots"),
        (["--kinds", "quotes,trades"], "66,089 quotes, 21,313 trades ->"),
    ],
)
def test_import_binance_usdm(
    shared_data: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    kinds: list[str],
    expected: str,
) -> None:
    usdm = shared_data / "binance/usdm/btcusdt_20240808.gz"
    argv = ["data", "import", "binance", str(usdm), *kinds, "--catalog", str(tmp_path / "cat")]
    assert cli.main(argv) == 0
    assert f"BTCUSDT-PERP.BINANCE: {expected}" in capsys.readouterr().out


def test_import_bars_and_tardis(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    catalog = tmp_path / "cat"
    bars = shared_data / "nautilus-samples/btc-perp-20211231-20220201_1m.csv"
    args = ["data", "import", "bars", str(bars), "--instrument", "BTC-PERP.SIM"]
    assert cli.main([*args, "--size-precision", "4", "--catalog", str(catalog)]) == 0
    assert "BTC-PERP.SIM-1-MINUTE-LAST-EXTERNAL: 45,031 bars" in capsys.readouterr().out
    assert Catalog(catalog).count("bars", "BTC-PERP.SIM-1-MINUTE-LAST-EXTERNAL") == 45_031
    # Files live under their bar type and name their instrument and bar type in the metadata.
    day = Catalog(catalog).files("bars", "BTC-PERP.SIM-1-MINUTE-LAST-EXTERNAL")[0]
    meta = pq.read_schema(day).metadata
    assert meta[schema.META_INSTRUMENT_ID] == b"BTC-PERP.SIM"
    assert meta[schema.META_BAR_TYPE] == b"BTC-PERP.SIM-1-MINUTE-LAST-EXTERNAL"
    quotes = shared_data / "tardis/huobi-dm-swap_quotes_BTC-USD.csv"
    assert cli.main(["data", "import", "tardis", str(quotes), "--catalog", str(catalog)]) == 0
    assert Catalog(catalog).count("quotes", "BTC-USD.HUOBI-DM-SWAP") == 10


def test_generic_csv_with_flags(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "q.csv"
    path.write_text("when,b,a\n2024-01-02T00:00:00Z,1.10,1.11\n2024-01-02T00:00:01Z,1.10,1.12\n")
    catalog = tmp_path / "cat"
    argv = ["data", "import", "csv", str(path), "--kind", "quotes", "--instrument", "EURUSD.SIM"]
    argv += ["--map", "ts_event=when", "--map", "bid_price=b", "--map", "ask_price=a"]
    argv += ["--default", "bid_size=1", "--default", "ask_size=1", "--catalog", str(catalog)]
    assert cli.main(argv) == 0
    rows = Catalog(catalog).read("quotes", "EURUSD.SIM").to_pylist()
    assert [r["ask_price"] for r in rows] == [1_110_000_000, 1_120_000_000]
    assert "EURUSD.SIM: 2 quotes" in capsys.readouterr().out


def test_a_bad_file_is_one_line_exit_2_and_nothing_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "x.csv"
    path.write_text(
        "t,bid,ask\n" + "".join(f"{i},1.0,1.1\n" for i in range(1, 16)) + "16,1.2.3,1\n"
    )
    catalog = tmp_path / "cat"
    argv = ["data", "import", "csv", str(path), "--kind", "quotes", "--instrument", "X.SIM"]
    argv += ["--map", "ts_event=t", "--map", "bid_price=bid", "--map", "ask_price=ask"]
    assert cli.main([*argv, "--catalog", str(catalog)]) == 2
    err = capsys.readouterr().err
    assert err == f"nautui: {path}:17: column 'bid': '1.2.3' is not a decimal number\n"
    assert not catalog.exists()


def test_the_installed_command_prints_no_traceback(tmp_path: Path) -> None:
    path = tmp_path / "rec"
    path.write_text('1 {"lastUpdateId":1,"bids":[],"asks":[]}\n2 not json\n')
    result = subprocess.run(  # noqa: S603  (our own interpreter and module)
        [
            sys.executable,
            "-m",
            "nautui.cli",
            "data",
            "import",
            "binance",
            str(path),
            "--catalog",
            str(tmp_path / "cat"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith(f"nautui: {path}:2: ")
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "cat").exists()


def test_gen_is_reproducible(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("a", "b"):
        argv = ["data", "gen", "--seed", "3", "--steps", "2000", "--catalog", str(tmp_path / name)]
        assert cli.main(argv) == 0
    assert "SYNTH-USD.SIM (seed 3): 2,000 quotes" in capsys.readouterr().out

    def digest(root: Path) -> str:
        files = sorted(p for p in root.rglob("*") if p.is_file())
        return hashlib.sha256(b"".join(p.read_bytes() for p in files)).hexdigest()

    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_unknown_kind_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["data", "gen", "--kinds", "quotes,ticks"])
    assert exited.value.code == 2
    assert "unknown data kind 'ticks'" in capsys.readouterr().err
