"""Errors that name where in a data file the problem is."""

from __future__ import annotations

from pathlib import Path

from nautui.errors import NautuiError

__all__ = ["DataError", "DataFileError"]


class DataError(NautuiError, ValueError):
    """Data the catalog or an importer refuses (a bad option, a missing partition, a gap)."""


class DataFileError(DataError):
    """A bad input file: the message is one line, ``file:row: column 'name': problem``."""

    def __init__(
        self, path: str | Path, problem: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        self.path = str(path)
        self.row = row
        self.column = column
        self.problem = problem
        where = self.path if row is None else f"{self.path}:{row}"
        what = problem if column is None else f"column {column!r}: {problem}"
        super().__init__(f"{where}: {what}")
