"""Binance's book-sync rules (adapters/binance/sync.py) at their edges, for spot and USD-M."""

from __future__ import annotations

import pytest

from adapters.binance.sync import BookSync, Market, SequenceGap


def test_spot_drops_updates_up_to_the_snapshot_and_needs_the_first_to_straddle_it() -> None:
    sync = BookSync(Market.SPOT, 10)
    assert sync.accept(5, 9) is False
    assert sync.accept(8, 10) is False, "u == lastUpdateId is already in the snapshot"
    assert not sync.synced
    assert sync.accept(9, 12) is True, "U <= 11 <= u"
    assert (sync.synced, sync.last_update_id) == (True, 12)
    assert sync.accept(13, 13) is True
    assert sync.accept(14, 20) is True


def test_spot_first_update_may_start_right_after_the_snapshot() -> None:
    assert BookSync(Market.SPOT, 10).accept(11, 11) is True


def test_spot_first_update_past_the_snapshot_is_a_gap() -> None:
    sync = BookSync(Market.SPOT, 10)
    with pytest.raises(SequenceGap) as gap:
        sync.accept(12, 14)
    assert str(gap.value) == (
        "sequence gap: U=12 u=14 after lastUpdateId=10 (needs U <= lastUpdateId + 1)"
    )
    assert (sync.synced, sync.last_update_id) == (False, 10), "a gap changes nothing"


def test_spot_chain_needs_u_plus_one() -> None:
    sync = BookSync(Market.SPOT, 10)
    sync.accept(11, 12)
    with pytest.raises(SequenceGap, match=r"U=14 u=15 after u=12 \(needs U == previous u \+ 1\)"):
        sync.accept(14, 15)
    with pytest.raises(SequenceGap, match="after u=12"):
        sync.accept(11, 12)  # a repeat is not stale once the book is synced
    assert sync.accept(13, 13) is True


def test_usdm_applies_an_update_ending_exactly_at_the_snapshot() -> None:
    # Spot would drop it as stale; futures drop only u < lastUpdateId.
    sync = BookSync(Market.USDM, 10)
    assert sync.accept(3, 9, prev=2) is False
    assert sync.accept(7, 10, prev=6) is True
    assert sync.accept(15, 20, prev=10) is True, "pu chains; U need not be previous u + 1"
    assert sync.last_update_id == 20


def test_usdm_first_update_must_start_at_or_before_the_snapshot() -> None:
    assert BookSync(Market.USDM, 10).accept(10, 12, prev=9) is True
    sync = BookSync(Market.USDM, 10)
    with pytest.raises(SequenceGap) as gap:
        sync.accept(11, 12, prev=10)
    assert str(gap.value) == (
        "sequence gap: U=11 u=12 pu=10 after lastUpdateId=10 (needs U <= lastUpdateId)"
    )


def test_usdm_chain_follows_pu_not_u() -> None:
    sync = BookSync(Market.USDM, 10)
    sync.accept(8, 12, prev=7)
    with pytest.raises(SequenceGap) as gap:
        sync.accept(13, 14, prev=11)  # U == previous u + 1, but pu is not the previous u
    assert (gap.value.prev, gap.value.after, gap.value.rule) == (11, 12, "pu == previous u")
    assert "pu=11 after u=12 (needs pu == previous u)" in str(gap.value)
    assert sync.accept(20, 25, prev=12) is True


def test_usdm_update_without_pu_is_refused() -> None:
    with pytest.raises(ValueError, match="no pu"):
        BookSync(Market.USDM, 10).accept(8, 12)
