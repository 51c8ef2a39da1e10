"""Market data: the Parquet catalog, its schema, importers for real formats and a synthetic
market generator."""

from nautui.data.catalog import Catalog
from nautui.data.errors import DataError, DataFileError
from nautui.data.instruments import InstrumentSpec
from nautui.data.rows import Imported

__all__ = ["Catalog", "DataError", "DataFileError", "Imported", "InstrumentSpec"]
