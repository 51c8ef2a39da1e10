"""Technical indicators implemented in Rust: ``EMA``, ``SMA``, ``ATR``, ``BollingerBands``.

Each is fed one value at a time (``update``; ``ATR.update_bar`` for high/low/close) and reads
``value``, ``is_ready`` and ``count``; O(1) per update."""

from nautui._core import ATR, EMA, SMA, BollingerBands

__all__ = ["ATR", "EMA", "SMA", "BollingerBands"]
