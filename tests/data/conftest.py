"""Fixtures for the data tests: the shared real market data, when present."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """``<repo>/../shared/data``; skips when absent, except under CI, where it fails."""
    if SHARED_DATA.is_dir():
        return SHARED_DATA
    reason = f"{SHARED_DATA} is absent: the real market data lives beside the checkout"
    if os.environ.get("CI"):
        pytest.fail(f"CI must have the market data: {reason}")
    pytest.skip(reason)
