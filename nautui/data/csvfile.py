"""Reading CSV files with row numbers for error messages."""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from nautui.data.errors import DataFileError

__all__ = ["csv_rows", "open_text"]


def open_text(path: Path) -> IO[str]:
    """Opens a text file, gzip or plain (by its first bytes)."""
    try:
        with path.open("rb") as probe:
            gzipped = probe.read(2) == b"\x1f\x8b"
        if gzipped:
            return gzip.open(path, "rt", encoding="utf-8", newline="")
        return path.open(encoding="utf-8", newline="")
    except OSError as error:
        raise DataFileError(path, f"cannot be read: {error.strerror or error}") from None


@contextmanager
def csv_rows(
    path: Path, *, header: bool = True, delimiter: str = ","
) -> Iterator[tuple[list[str], Iterator[tuple[int, list[str]]]]]:
    """Context manager giving (column names, iterator of (line number, cells)). Without a
    header the names are the column indexes ``"0"``, ``"1"``, ..."""
    with open_text(path) as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            first = next(reader)
        except StopIteration:
            raise DataFileError(path, "is empty") from None
        except (csv.Error, UnicodeDecodeError) as error:
            raise DataFileError(path, f"not CSV: {error}", row=1) from None
        names = [n.strip() for n in first] if header else [str(i) for i in range(len(first))]

        def rows() -> Iterator[tuple[int, list[str]]]:
            if not header:
                yield 1, first
            try:
                for cells in reader:
                    if not cells or (len(cells) == 1 and not cells[0].strip()):
                        continue
                    if len(cells) != len(names):
                        raise DataFileError(
                            path,
                            f"{len(cells)} cells, the header has {len(names)}",
                            row=reader.line_num,
                        )
                    yield reader.line_num, cells
            except (csv.Error, UnicodeDecodeError) as error:
                raise DataFileError(path, f"not CSV: {error}", row=reader.line_num) from None

        yield names, rows()
