"""Binance order book sync: which depth updates extend a REST depth snapshot, by the venue's rules.

Pure (no I/O, no clock): the recording importer (``nautui/data/binance.py``) runs it over files,
and the live adapter will run it over the stream. Updates received before the snapshot are
buffered by the caller and offered here once the snapshot is in. Binance's rules ("How to manage
a local order book correctly"), with ``U``/``u`` the first and last update id of an event and
``pu`` the last update id of the event before it (USD-M only):

- spot: an event with ``u <= lastUpdateId`` is stale; the first one applied must straddle the
  snapshot, ``U <= lastUpdateId + 1 <= u``; every next one continues it, ``U == previous u + 1``;
- USD-M futures: an event with ``u < lastUpdateId`` is stale (one ending exactly at the snapshot
  is applied); the first one applied must have ``U <= lastUpdateId <= u``; every next one chains
  on ``pu == previous u`` (``U`` is not ``previous u + 1`` there).

Anything else is a ``SequenceGap``: the local book is wrong and must be rebuilt from a new
snapshot (a new ``BookSync``). A gap changes nothing, so the caller may report it and stop.
"""

from __future__ import annotations

import enum

__all__ = ["BookSync", "Market", "SequenceGap"]


class Market(enum.Enum):
    """Which of Binance's rule sets a book follows."""

    SPOT = "spot"
    USDM = "usdm"


class SequenceGap(Exception):  # noqa: N818 - the venue's own name for it
    """A depth update that does not continue the book: ``sequence gap: U=14 u=15 after u=12
    (needs U == previous u + 1)``."""

    def __init__(
        self, *, first: int, last: int, prev: int | None, after: int, fresh: bool, rule: str
    ) -> None:
        self.first, self.last, self.prev, self.after = first, last, prev, after
        self.fresh, self.rule = fresh, rule
        shown_prev = f" pu={prev}" if prev is not None else ""
        anchor = "lastUpdateId" if fresh else "u"
        super().__init__(
            f"sequence gap: U={first} u={last}{shown_prev} after {anchor}={after} (needs {rule})"
        )


class BookSync:
    """The sync state of one book, from one snapshot on."""

    __slots__ = ("_last", "_market", "_synced")

    def __init__(self, market: Market, last_update_id: int) -> None:
        self._market = market
        self._last = last_update_id
        self._synced = False

    @property
    def market(self) -> Market:
        return self._market

    @property
    def last_update_id(self) -> int:
        """The ``u`` of the last update applied, or the snapshot's ``lastUpdateId``."""
        return self._last

    @property
    def synced(self) -> bool:
        """True once an update was applied on top of the snapshot."""
        return self._synced

    def accept(self, first: int, last: int, prev: int | None = None) -> bool:
        """Whether to apply the update ``U=first u=last [pu=prev]`` to the book: True to apply
        it, False when it is stale (the snapshot already holds it). Raises ``SequenceGap`` when
        it does not continue the book, and ``ValueError`` for a USD-M update without ``pu``."""
        if self._market is Market.USDM and prev is None:
            raise ValueError(f"USD-M depth update U={first} u={last} has no pu")
        if not self._synced:
            return self._first(first, last, prev)
        if self._market is Market.USDM:
            ok, rule = prev == self._last, "pu == previous u"
        else:
            ok, rule = first == self._last + 1, "U == previous u + 1"
        if not ok:
            raise SequenceGap(
                first=first, last=last, prev=prev, after=self._last, fresh=False, rule=rule
            )
        self._last = last
        return True

    def _first(self, first: int, last: int, prev: int | None) -> bool:
        snapshot = self._last
        if self._market is Market.USDM:
            stale, ok, rule = last < snapshot, first <= snapshot, "U <= lastUpdateId"
        else:
            stale, ok, rule = last <= snapshot, first <= snapshot + 1, "U <= lastUpdateId + 1"
        if stale:
            return False
        if not ok:
            raise SequenceGap(
                first=first, last=last, prev=prev, after=snapshot, fresh=True, rule=rule
            )
        self._last = last
        self._synced = True
        return True
