//! L2 order book: price levels for one instrument, rebuilt from a snapshot and the venue's
//! depth updates, with the venue's sequence rules checked on every update.
//!
//! Layout: each side is one `Vec` of 16-byte entries (sort key, raw size) sorted so that the
//! best level is the LAST element (bids ascending by price, asks descending). Updates cluster
//! at the top of the book, and there a new best level is a `push`, a removed best level a
//! `pop` and a size change a write to the last slot, each after one comparison with the last
//! element; reading the top is O(1). Deeper levels are found by binary search over contiguous
//! memory and inserted or removed with a `memmove` of the (better) levels above them. The
//! vectors keep their capacity, so the steady state does not allocate (a `BTreeMap` allocates
//! and frees nodes as levels come and go). Asks sort by `!raw` (bitwise not: order-reversing,
//! overflow-free), chosen at compile time by a const parameter, so both sides share one search.
//!
//! Measured on the Binance BTCUSDT replays of `tests/binance_book_oracle.rs` (books of 2,000 to
//! 5,000 levels per side, 46 to 68 level changes per update, most of them inserts and deletes
//! a few hundred levels below the top): 32-byte `BookLevel` entries spent most of their time in
//! `memmove` and ran at about 0.6x a `BTreeMap<i64, _>`; the 16-byte entries run level with it
//! (10 to 15 million level changes per second on the test machine) while keeping O(1) top
//! reads and no allocation. Levels are rebuilt as `BookLevel` on the way out.
//!
//! Sequence rules (a gap is reported, never papered over):
//! - before any snapshot, and after a gap, deltas are refused with [`BookError::NotSynced`];
//! - right after a snapshot at `S`, an update with `sequence <= S` is stale and dropped; the
//!   first applied update must overlap the snapshot: spot (`prev_sequence == None`)
//!   `first_sequence <= S + 1 <= sequence`; futures (`prev_sequence == Some(pu)`)
//!   `first_sequence <= S <= sequence` or `pu == S`;
//! - after that, spot needs `first_sequence == previous sequence + 1` and futures needs
//!   `pu == previous sequence`; anything else is [`BookError::Gap`] and the book stops being
//!   synced until the next snapshot.
//!
//! A batch is validated completely before any of it is applied.

use crate::events::{BookDeltas, BookLevel, BookLevelDelta, BookSnapshot};
use crate::types::{BookAction, InstrumentId, OrderSide, Price, Quantity, UnixNanos};

/// Why the book refused a snapshot or an update.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BookError {
    #[error(
        "order book {instrument_id}: update ending at sequence {sequence} arrived while the \
         book is not synced (no snapshot yet, or a gap since the last one); apply a snapshot"
    )]
    NotSynced { instrument_id: InstrumentId, sequence: u64 },
    #[error(
        "order book {instrument_id}: sequence gap: expected {expected}, got {got}; the book is \
         out of sync until the next snapshot"
    )]
    Gap { instrument_id: InstrumentId, expected: u64, got: u64 },
    #[error(
        "order book {instrument_id}: update range {first_sequence}..={sequence} runs backwards; \
         the book is out of sync until the next snapshot"
    )]
    BadRange { instrument_id: InstrumentId, first_sequence: u64, sequence: u64 },
    #[error("order book {expected}: received data for {got}")]
    InstrumentMismatch { expected: InstrumentId, got: InstrumentId },
    #[error(
        "order book {instrument_id}: {what} {value} at sequence {sequence} has {got} decimals, \
         the book uses {expected}"
    )]
    Precision {
        instrument_id: InstrumentId,
        sequence: u64,
        what: &'static str,
        value: String,
        expected: u8,
        got: u8,
    },
}

/// What [`OrderBook::apply_deltas`] did with an update it accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeltaOutcome {
    /// Applied; the book is now at the update's `sequence`.
    Applied,
    /// Already contained in the snapshot the book was synced from; dropped, book unchanged.
    Stale,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
enum SyncState {
    /// No snapshot yet, or a gap since the last one.
    NotSynced,
    /// A snapshot was applied and no update after it yet: the overlap rule applies.
    Fresh,
    /// Updates are chained strictly.
    Live,
}

/// A level as stored: the sort key and the raw size, 16 bytes. A `BookLevel` is 32 (each
/// fixed-point value carries its precision and padding), and moving levels is most of the
/// cost of an update below the top, so halving the entry halves it.
#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Entry {
    key: i64,
    size: u64,
}

/// One side of the book, best level last. `ASK` flips the sort key so that both sides
/// ascend from worst to best.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
struct Ladder<const ASK: bool> {
    entries: Vec<Entry>,
}

impl<const ASK: bool> Ladder<ASK> {
    /// Maps a raw price to its sort key and back (`!` is its own inverse and cannot overflow).
    #[inline]
    fn key(raw: i64) -> i64 {
        if ASK {
            !raw
        } else {
            raw
        }
    }

    /// Index of the level at `key`, or where it would be inserted.
    #[inline]
    fn find(&self, key: i64) -> Result<usize, usize> {
        // Top of book first: most updates land there.
        match self.entries.last() {
            Some(last) if key > last.key => Err(self.entries.len()),
            Some(last) if key == last.key => Ok(self.entries.len() - 1),
            _ => self.entries.binary_search_by(|entry| entry.key.cmp(&key)),
        }
    }

    /// Sets the size at `price`; zero removes the level (absent or not).
    #[inline]
    fn set(&mut self, price: Price, size: Quantity) {
        let key = Self::key(price.raw());
        match self.find(key) {
            Ok(at) if size.is_zero() => {
                self.entries.remove(at);
            }
            Ok(at) => self.entries[at].size = size.raw(),
            Err(at) if !size.is_zero() => {
                self.entries.insert(at, Entry { key, size: size.raw() });
            }
            Err(_) => {}
        }
    }

    #[inline]
    fn remove(&mut self, price: Price) {
        if let Ok(at) = self.find(Self::key(price.raw())) {
            self.entries.remove(at);
        }
    }

    /// Replaces the side with `best_first` levels (the snapshot order). When a price repeats,
    /// the last listed wins; zero sizes are then dropped.
    fn replace(&mut self, best_first: &[BookLevel]) {
        self.entries.clear();
        self.entries.extend(
            best_first
                .iter()
                .rev()
                .map(|level| Entry { key: Self::key(level.price.raw()), size: level.size.raw() }),
        );
        if !self.entries.windows(2).all(|pair| pair[0].key < pair[1].key) {
            // Stable: among equal prices the last listed comes first here, and dedup keeps it.
            self.entries.sort_by_key(|entry| entry.key);
            self.entries.dedup_by_key(|entry| entry.key);
        }
        self.entries.retain(|entry| entry.size != 0);
    }

    /// Rebuilds the level. Every stored value came from a `Price` or `Quantity` checked to
    /// carry the book's precisions, so the conversions cannot fail; `None` is unreachable.
    #[inline]
    fn level(entry: Entry, price_precision: u8, size_precision: u8) -> Option<BookLevel> {
        Some(BookLevel {
            price: Price::from_raw(Self::key(entry.key), price_precision).ok()?,
            size: Quantity::from_raw(entry.size, size_precision).ok()?,
        })
    }

    /// Levels best first.
    fn levels(
        &self,
        price_precision: u8,
        size_precision: u8,
    ) -> impl Iterator<Item = BookLevel> + '_ {
        let rebuild = move |entry: &Entry| Self::level(*entry, price_precision, size_precision);
        self.entries.iter().rev().filter_map(rebuild)
    }

    /// Raw size at `price`, 0 when there is no level.
    fn size_raw(&self, price: Price) -> u64 {
        self.find(Self::key(price.raw())).map_or(0, |at| self.entries[at].size)
    }

    #[inline]
    fn best_raw(&self) -> Option<i64> {
        self.entries.last().map(|entry| Self::key(entry.key))
    }
}

/// An L2 price-level book for one instrument.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct OrderBook {
    instrument_id: InstrumentId,
    price_precision: u8,
    size_precision: u8,
    bids: Ladder<false>,
    asks: Ladder<true>,
    sequence: u64,
    ts_last: UnixNanos,
    sync: SyncState,
}

impl OrderBook {
    /// An empty, not yet synced book. Every price and size it accepts must carry exactly
    /// these precisions.
    pub fn new(instrument_id: InstrumentId, price_precision: u8, size_precision: u8) -> Self {
        Self {
            instrument_id,
            price_precision,
            size_precision,
            bids: Ladder::default(),
            asks: Ladder::default(),
            sequence: 0,
            ts_last: UnixNanos::ZERO,
            sync: SyncState::NotSynced,
        }
    }

    /// Replaces the whole book with `snapshot` and marks it freshly synced at the snapshot's
    /// sequence. Levels may come in any order; a repeated price takes its last listed size and
    /// zero sizes are dropped. On an error the book is left as it was.
    pub fn apply_snapshot(&mut self, snapshot: &BookSnapshot) -> Result<(), BookError> {
        self.check_instrument(snapshot.instrument_id)?;
        for level in snapshot.bids.iter().chain(&snapshot.asks) {
            self.check_precision(level.price, Some(level.size), snapshot.sequence)?;
        }
        self.bids.replace(&snapshot.bids);
        self.asks.replace(&snapshot.asks);
        self.sequence = snapshot.sequence;
        self.ts_last = snapshot.ts_event;
        self.sync = SyncState::Fresh;
        Ok(())
    }

    /// Checks `deltas` against the sequence rules (see the module docs) and the book's
    /// precisions, then applies all of it, or none of it. Any error except
    /// [`BookError::InstrumentMismatch`] (data that is not this book's) leaves the book
    /// unchanged and not synced.
    pub fn apply_deltas(&mut self, deltas: &BookDeltas) -> Result<DeltaOutcome, BookError> {
        self.check_instrument(deltas.instrument_id)?;
        if self.sync == SyncState::NotSynced {
            return Err(BookError::NotSynced {
                instrument_id: self.instrument_id,
                sequence: deltas.sequence,
            });
        }
        if deltas.first_sequence > deltas.sequence {
            return Err(self.desync(BookError::BadRange {
                instrument_id: self.instrument_id,
                first_sequence: deltas.first_sequence,
                sequence: deltas.sequence,
            }));
        }
        if self.sync == SyncState::Fresh && deltas.sequence <= self.sequence {
            return Ok(DeltaOutcome::Stale);
        }
        if let Some((expected, got)) = self.sequence_break(deltas) {
            let instrument_id = self.instrument_id;
            return Err(self.desync(BookError::Gap { instrument_id, expected, got }));
        }
        for delta in &deltas.deltas {
            if let Err(error) = self.check_delta(delta, deltas.sequence) {
                return Err(self.desync(error));
            }
        }
        for delta in &deltas.deltas {
            self.apply_delta(delta);
        }
        self.sequence = deltas.sequence;
        self.ts_last = deltas.ts_event;
        self.sync = SyncState::Live;
        Ok(DeltaOutcome::Applied)
    }

    /// Empties the book and forgets its sequence: deltas are refused until the next snapshot.
    pub fn clear(&mut self) {
        self.bids.entries.clear();
        self.asks.entries.clear();
        self.sequence = 0;
        self.sync = SyncState::NotSynced;
    }

    pub fn instrument_id(&self) -> InstrumentId {
        self.instrument_id
    }

    pub fn price_precision(&self) -> u8 {
        self.price_precision
    }

    pub fn size_precision(&self) -> u8 {
        self.size_precision
    }

    #[inline]
    pub fn best_bid(&self) -> Option<BookLevel> {
        let entry = *self.bids.entries.last()?;
        Ladder::<false>::level(entry, self.price_precision, self.size_precision)
    }

    #[inline]
    pub fn best_ask(&self) -> Option<BookLevel> {
        let entry = *self.asks.entries.last()?;
        Ladder::<true>::level(entry, self.price_precision, self.size_precision)
    }

    /// Bid levels, best (highest) first.
    pub fn bids(&self) -> impl Iterator<Item = BookLevel> + '_ {
        self.bids.levels(self.price_precision, self.size_precision)
    }

    /// Ask levels, best (lowest) first.
    pub fn asks(&self) -> impl Iterator<Item = BookLevel> + '_ {
        self.asks.levels(self.price_precision, self.size_precision)
    }

    /// Up to `n` levels of one side (`Buy` = bids, `Sell` = asks), best first.
    pub fn depth(&self, side: OrderSide, n: usize) -> Vec<BookLevel> {
        match side {
            OrderSide::Buy => self.bids().take(n).collect(),
            OrderSide::Sell => self.asks().take(n).collect(),
        }
    }

    /// Size resting at `price` on one side; zero when there is no level.
    pub fn size_at(&self, side: OrderSide, price: Price) -> Quantity {
        let raw = match side {
            OrderSide::Buy => self.bids.size_raw(price),
            OrderSide::Sell => self.asks.size_raw(price),
        };
        // Cannot fail: the raw size came from a Quantity with the book's precision.
        Quantity::from_raw(raw, self.size_precision).unwrap_or(Quantity::zero(self.size_precision))
    }

    /// `(best bid + best ask) / 2` in raw 10^-9 units, rounded toward zero; `None` unless
    /// both sides have a level.
    pub fn mid_raw(&self) -> Option<i64> {
        Some(self.bids.best_raw()?.midpoint(self.asks.best_raw()?))
    }

    /// Best ask minus best bid (negative when crossed); `None` unless both sides have a level
    /// or on overflow.
    pub fn spread(&self) -> Option<Price> {
        let (bid, ask) = (self.best_bid()?, self.best_ask()?);
        ask.price.checked_sub(bid.price).ok()
    }

    /// True when the best bid is at or above the best ask (crossed or locked), which a
    /// venue's L2 book never shows: a sign of a bad update or a missed one.
    pub fn is_crossed(&self) -> bool {
        match (self.bids.best_raw(), self.asks.best_raw()) {
            (Some(bid), Some(ask)) => bid >= ask,
            _ => false,
        }
    }

    /// The sequence of the last snapshot or update applied (0 before any).
    pub fn sequence(&self) -> u64 {
        self.sequence
    }

    /// `ts_event` of the last snapshot or update applied.
    pub fn ts_last(&self) -> UnixNanos {
        self.ts_last
    }

    pub fn level_count(&self, side: OrderSide) -> usize {
        match side {
            OrderSide::Buy => self.bids.entries.len(),
            OrderSide::Sell => self.asks.entries.len(),
        }
    }

    /// True after a snapshot and until a gap or [`OrderBook::clear`].
    pub fn is_synced(&self) -> bool {
        self.sync != SyncState::NotSynced
    }

    /// `Some((expected, got))` when `deltas` does not continue the book's sequence; the stale
    /// case has been handled before.
    fn sequence_break(&self, deltas: &BookDeltas) -> Option<(u64, u64)> {
        let s = self.sequence;
        let next = s.saturating_add(1);
        let fresh = self.sync == SyncState::Fresh;
        let continues = match deltas.prev_sequence {
            // Spot: fresh needs `first <= S + 1` (and `sequence > S`, checked as stale).
            None if fresh => deltas.first_sequence <= next,
            None => deltas.first_sequence == next && s < u64::MAX,
            // Futures (Binance: "U <= lastUpdateId AND u >= lastUpdateId"), or the chain
            // already continues from the snapshot.
            Some(pu) if fresh => deltas.first_sequence <= s || pu == s,
            Some(pu) => pu == s,
        };
        if continues {
            return None;
        }
        Some(match deltas.prev_sequence {
            None => (next, deltas.first_sequence),
            Some(pu) => (s, pu),
        })
    }

    fn check_instrument(&self, got: InstrumentId) -> Result<(), BookError> {
        if got == self.instrument_id {
            Ok(())
        } else {
            Err(BookError::InstrumentMismatch { expected: self.instrument_id, got })
        }
    }

    #[inline]
    fn check_delta(&self, delta: &BookLevelDelta, sequence: u64) -> Result<(), BookError> {
        match delta.action {
            BookAction::Clear => Ok(()),
            // A delete's size is not used.
            BookAction::Delete => self.check_precision(delta.price, None, sequence),
            BookAction::Add | BookAction::Update => {
                self.check_precision(delta.price, Some(delta.size), sequence)
            }
        }
    }

    #[inline]
    fn check_precision(
        &self,
        price: Price,
        size: Option<Quantity>,
        sequence: u64,
    ) -> Result<(), BookError> {
        let error = |what, value: String, expected, got| BookError::Precision {
            instrument_id: self.instrument_id,
            sequence,
            what,
            value,
            expected,
            got,
        };
        if price.precision() != self.price_precision {
            return Err(error("price", price.to_string(), self.price_precision, price.precision()));
        }
        match size {
            Some(size) if size.precision() != self.size_precision => {
                Err(error("size", size.to_string(), self.size_precision, size.precision()))
            }
            _ => Ok(()),
        }
    }

    #[inline]
    fn apply_delta(&mut self, delta: &BookLevelDelta) {
        match (delta.action, delta.side) {
            (BookAction::Clear, _) => {
                self.bids.entries.clear();
                self.asks.entries.clear();
            }
            (BookAction::Delete, OrderSide::Buy) => self.bids.remove(delta.price),
            (BookAction::Delete, OrderSide::Sell) => self.asks.remove(delta.price),
            (BookAction::Add | BookAction::Update, OrderSide::Buy) => {
                self.bids.set(delta.price, delta.size);
            }
            (BookAction::Add | BookAction::Update, OrderSide::Sell) => {
                self.asks.set(delta.price, delta.size);
            }
        }
    }

    fn desync(&mut self, error: BookError) -> BookError {
        self.sync = SyncState::NotSynced;
        error
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;

    const PP: u8 = 2;
    const SP: u8 = 3;

    fn id() -> InstrumentId {
        InstrumentId::from_static("BTCUSDT.BINANCE")
    }

    fn px(mantissa: i64) -> Price {
        Price::from_mantissa(mantissa, PP).unwrap()
    }

    fn qty(mantissa: u64) -> Quantity {
        Quantity::from_mantissa(mantissa, SP).unwrap()
    }

    fn level(price: i64, size: u64) -> BookLevel {
        BookLevel { price: px(price), size: qty(size) }
    }

    fn snapshot(sequence: u64, bids: &[(i64, u64)], asks: &[(i64, u64)]) -> BookSnapshot {
        BookSnapshot {
            instrument_id: id(),
            sequence,
            bids: bids.iter().map(|&(p, s)| level(p, s)).collect(),
            asks: asks.iter().map(|&(p, s)| level(p, s)).collect(),
            ts_event: UnixNanos(sequence),
            ts_init: UnixNanos(sequence),
        }
    }

    fn delta(action: BookAction, side: OrderSide, price: i64, amount: u64) -> BookLevelDelta {
        BookLevelDelta { action, side, price: px(price), size: qty(amount) }
    }

    fn upd(side: OrderSide, price: i64, amount: u64) -> BookLevelDelta {
        delta(BookAction::Update, side, price, amount)
    }

    fn batch(first: u64, last: u64, prev: Option<u64>, deltas: Vec<BookLevelDelta>) -> BookDeltas {
        BookDeltas {
            instrument_id: id(),
            first_sequence: first,
            sequence: last,
            prev_sequence: prev,
            deltas,
            ts_event: UnixNanos(last * 10),
            ts_init: UnixNanos(last * 10),
        }
    }

    fn synced_book(sequence: u64) -> OrderBook {
        let mut book = OrderBook::new(id(), PP, SP);
        book.apply_snapshot(&snapshot(
            sequence,
            &[(100, 1), (99, 2), (98, 3)],
            &[(101, 4), (102, 5)],
        ))
        .unwrap();
        book
    }

    fn levels(book: &OrderBook) -> (Vec<BookLevel>, Vec<BookLevel>) {
        (book.bids().collect(), book.asks().collect())
    }

    use OrderSide::{Buy, Sell};

    #[test]
    fn snapshot_then_deltas() {
        let mut book = synced_book(10);
        assert!(book.is_synced());
        assert_eq!(book.sequence(), 10);
        assert_eq!(book.best_bid(), Some(level(100, 1)));
        assert_eq!(book.best_ask(), Some(level(101, 4)));
        assert_eq!(book.level_count(Buy), 3);
        assert_eq!(book.depth(Sell, 5), vec![level(101, 4), level(102, 5)]);
        assert_eq!(book.mid_raw(), Some(px(100).raw() + px(1).raw() / 2));
        assert_eq!(book.spread(), Some(px(1)));

        let deltas = vec![
            upd(Buy, 100, 0),                     // top bid removed
            upd(Buy, 97, 7),                      // new worst bid
            upd(Sell, 101, 9),                    // top ask resized
            upd(Sell, 103, 1),                    // new worst ask
            delta(BookAction::Add, Sell, 100, 2), // new best ask, stepping in
        ];
        assert_eq!(book.apply_deltas(&batch(11, 15, None, deltas)), Ok(DeltaOutcome::Applied));
        assert_eq!(book.sequence(), 15);
        assert_eq!(book.ts_last(), UnixNanos(150));
        let (bids, asks) = levels(&book);
        assert_eq!(bids, vec![level(99, 2), level(98, 3), level(97, 7)]);
        assert_eq!(asks, vec![level(100, 2), level(101, 9), level(102, 5), level(103, 1)]);
        assert_eq!(book.size_at(Sell, px(101)), qty(9));
        assert_eq!(book.size_at(Buy, px(101)), Quantity::zero(SP));
        assert_eq!(book.depth(Buy, 2), vec![level(99, 2), level(98, 3)]);
        assert!(!book.is_crossed());

        // Strict chain afterwards.
        let next = batch(16, 16, None, vec![delta(BookAction::Delete, Sell, 100, 0)]);
        assert_eq!(book.apply_deltas(&next), Ok(DeltaOutcome::Applied));
        assert_eq!(book.best_ask(), Some(level(101, 9)));
    }

    #[test]
    fn deltas_before_any_snapshot_are_refused() {
        let mut book = OrderBook::new(id(), PP, SP);
        let err = book.apply_deltas(&batch(1, 2, None, vec![upd(Buy, 1, 1)])).unwrap_err();
        assert_eq!(err, BookError::NotSynced { instrument_id: id(), sequence: 2 });
        assert!(err.to_string().contains("BTCUSDT.BINANCE"));
        assert!(!book.is_synced());
    }

    #[test]
    fn stale_updates_are_dropped() {
        let mut book = synced_book(10);
        let before = levels(&book);
        for (first, last) in [(1, 5), (8, 10), (10, 10)] {
            let stale = batch(first, last, None, vec![upd(Buy, 100, 99)]);
            assert_eq!(book.apply_deltas(&stale), Ok(DeltaOutcome::Stale));
        }
        assert_eq!(levels(&book), before);
        assert_eq!(book.sequence(), 10);
        assert!(book.is_synced());
        // The first update overlapping the snapshot is applied.
        let overlap = batch(9, 12, None, vec![upd(Buy, 100, 99)]);
        assert_eq!(book.apply_deltas(&overlap), Ok(DeltaOutcome::Applied));
        assert_eq!(book.best_bid(), Some(level(100, 99)));
        assert_eq!(book.sequence(), 12);
    }

    #[test]
    fn spot_gap_is_reported_and_desyncs_the_book() {
        // Right after the snapshot: the first update must cover S + 1.
        let mut book = synced_book(10);
        let err = book.apply_deltas(&batch(12, 14, None, vec![])).unwrap_err();
        assert_eq!(err, BookError::Gap { instrument_id: id(), expected: 11, got: 12 });
        let text = err.to_string();
        assert!(text.contains("BTCUSDT.BINANCE") && text.contains("11") && text.contains("12"));
        assert!(!book.is_synced());
        let err = book.apply_deltas(&batch(11, 11, None, vec![])).unwrap_err();
        assert!(matches!(err, BookError::NotSynced { sequence: 11, .. }));

        // Later: strictly first == previous + 1, no overlap and no hole allowed.
        let mut book = synced_book(10);
        book.apply_deltas(&batch(11, 13, None, vec![])).unwrap();
        let err = book.apply_deltas(&batch(13, 15, None, vec![])).unwrap_err();
        assert_eq!(err, BookError::Gap { instrument_id: id(), expected: 14, got: 13 });
        let mut book = synced_book(10);
        book.apply_deltas(&batch(11, 13, None, vec![])).unwrap();
        let err = book.apply_deltas(&batch(15, 16, None, vec![])).unwrap_err();
        assert_eq!(err, BookError::Gap { instrument_id: id(), expected: 14, got: 15 });

        // A new snapshot resyncs.
        book.apply_snapshot(&snapshot(20, &[(1, 1)], &[(2, 1)])).unwrap();
        assert!(book.is_synced());
        assert_eq!(book.apply_deltas(&batch(21, 21, None, vec![])), Ok(DeltaOutcome::Applied));
    }

    #[test]
    fn futures_first_update_rule() {
        // U <= S <= u, whatever pu says.
        let mut book = synced_book(100);
        assert_eq!(book.apply_deltas(&batch(90, 105, Some(80), vec![])), Ok(DeltaOutcome::Applied));
        // pu == S, even when U > S (U is not prev + 1 on futures).
        let mut book = synced_book(100);
        assert_eq!(
            book.apply_deltas(&batch(103, 105, Some(100), vec![])),
            Ok(DeltaOutcome::Applied)
        );
        // Neither: a gap.
        let mut book = synced_book(100);
        let err = book.apply_deltas(&batch(101, 105, Some(99), vec![])).unwrap_err();
        assert_eq!(err, BookError::Gap { instrument_id: id(), expected: 100, got: 99 });
        assert!(!book.is_synced());
        // u < S and u == S are stale.
        let mut book = synced_book(100);
        assert_eq!(book.apply_deltas(&batch(90, 100, Some(80), vec![])), Ok(DeltaOutcome::Stale));
    }

    #[test]
    fn futures_chain_follows_pu() {
        let mut book = synced_book(100);
        book.apply_deltas(&batch(95, 110, Some(94), vec![])).unwrap();
        // U jumps, pu chains: fine.
        assert_eq!(
            book.apply_deltas(&batch(130, 140, Some(110), vec![])),
            Ok(DeltaOutcome::Applied)
        );
        // U == prev + 1 but pu does not chain: a gap.
        let err = book.apply_deltas(&batch(141, 150, Some(139), vec![])).unwrap_err();
        assert_eq!(err, BookError::Gap { instrument_id: id(), expected: 140, got: 139 });
        // Stale is only a post-snapshot notion: a replayed update later is a gap too.
        let mut book = synced_book(100);
        book.apply_deltas(&batch(95, 110, Some(94), vec![])).unwrap();
        assert!(book.apply_deltas(&batch(95, 110, Some(94), vec![])).is_err());
    }

    #[test]
    fn deleting_a_missing_level_is_fine() {
        let mut book = synced_book(10);
        let before = levels(&book);
        let deltas = vec![
            delta(BookAction::Delete, Buy, 50, 0),
            delta(BookAction::Delete, Sell, 500, 0),
            upd(Buy, 51, 0),
            upd(Sell, 150, 0),
        ];
        assert_eq!(book.apply_deltas(&batch(11, 11, None, deltas)), Ok(DeltaOutcome::Applied));
        assert_eq!(levels(&book), before);
    }

    #[test]
    fn clear_action_and_clear_method() {
        let mut book = synced_book(10);
        let deltas = vec![upd(Buy, 90, 1), delta(BookAction::Clear, Buy, 0, 0), upd(Sell, 200, 3)];
        book.apply_deltas(&batch(11, 11, None, deltas)).unwrap();
        assert_eq!(levels(&book), (vec![], vec![level(200, 3)]));
        assert!(book.is_synced());
        assert_eq!(book.best_bid(), None);
        assert_eq!(book.mid_raw(), None);
        assert_eq!(book.spread(), None);

        book.clear();
        assert_eq!(levels(&book), (vec![], vec![]));
        assert!(!book.is_synced());
        assert_eq!(book.sequence(), 0);
        assert!(matches!(
            book.apply_deltas(&batch(12, 12, None, vec![])),
            Err(BookError::NotSynced { .. })
        ));
    }

    #[test]
    fn crossed_and_locked_books_are_detected() {
        let mut book = synced_book(10);
        assert!(!book.is_crossed());
        book.apply_deltas(&batch(11, 11, None, vec![upd(Buy, 101, 1)])).unwrap();
        assert!(book.is_crossed(), "locked counts as crossed");
        book.apply_deltas(&batch(12, 12, None, vec![upd(Buy, 103, 1)])).unwrap();
        assert!(book.is_crossed());
        assert_eq!(book.spread(), Some(Price::from_mantissa(-2, PP).unwrap()));
    }

    #[test]
    fn a_failing_batch_is_never_partly_applied() {
        let mut book = synced_book(10);
        let before = levels(&book);
        let bad_size = BookLevelDelta {
            action: BookAction::Update,
            side: Sell,
            price: px(105),
            size: Quantity::from_mantissa(1, SP + 1).unwrap(),
        };
        let deltas = vec![upd(Buy, 100, 0), upd(Sell, 101, 0), bad_size];
        let err = book.apply_deltas(&batch(11, 12, None, deltas)).unwrap_err();
        assert!(matches!(err, BookError::Precision { what: "size", sequence: 12, .. }), "{err}");
        assert!(err.to_string().contains("BTCUSDT.BINANCE"));
        assert_eq!(levels(&book), before);
        assert_eq!(book.sequence(), 10);
        assert!(!book.is_synced());

        // A gap with valid levels changes nothing either.
        let mut book = synced_book(10);
        let _ = book.apply_deltas(&batch(13, 13, None, vec![upd(Buy, 100, 0)]));
        assert_eq!(levels(&book), before);

        // Another instrument's data is refused without touching the book or its sync.
        let mut book = synced_book(10);
        let mut other = batch(11, 11, None, vec![upd(Buy, 100, 0)]);
        other.instrument_id = InstrumentId::from_static("ETHUSDT.BINANCE");
        assert!(matches!(book.apply_deltas(&other), Err(BookError::InstrumentMismatch { .. })));
        assert_eq!(levels(&book), before);
        assert!(book.is_synced());
    }

    #[test]
    fn snapshot_in_any_order_with_zero_and_repeated_levels() {
        let mut book = OrderBook::new(id(), PP, SP);
        let snap = snapshot(5, &[(98, 1), (100, 2), (99, 0), (98, 4)], &[(103, 1), (101, 2)]);
        book.apply_snapshot(&snap).unwrap();
        assert_eq!(
            levels(&book),
            (vec![level(100, 2), level(98, 4)], vec![level(101, 2), level(103, 1)])
        );
        let mut bad = snapshot(6, &[], &[]);
        bad.bids.push(BookLevel { price: Price::from_mantissa(1, PP + 1).unwrap(), size: qty(1) });
        assert!(matches!(
            book.apply_snapshot(&bad),
            Err(BookError::Precision { what: "price", .. })
        ));
        assert_eq!(book.sequence(), 5);
    }

    /// The naive model: a sorted map per side.
    #[derive(Default)]
    struct Model {
        bids: BTreeMap<i64, BookLevel>,
        asks: BTreeMap<i64, BookLevel>,
    }

    impl Model {
        fn apply(&mut self, d: &BookLevelDelta) {
            if d.action == BookAction::Clear {
                self.bids.clear();
                self.asks.clear();
                return;
            }
            let side = if d.side == Buy { &mut self.bids } else { &mut self.asks };
            if d.action == BookAction::Delete || d.size.is_zero() {
                side.remove(&d.price.raw());
            } else {
                side.insert(d.price.raw(), BookLevel { price: d.price, size: d.size });
            }
        }

        fn levels(&self) -> (Vec<BookLevel>, Vec<BookLevel>) {
            (self.bids.values().rev().copied().collect(), self.asks.values().copied().collect())
        }
    }

    fn arb_delta() -> impl Strategy<Value = BookLevelDelta> {
        let action = prop_oneof![
            10 => Just(BookAction::Update),
            5 => Just(BookAction::Add),
            4 => Just(BookAction::Delete),
            1 => Just(BookAction::Clear),
        ];
        // Narrow ranges so prices collide, sides overlap and sizes hit zero often.
        (action, any::<bool>(), -20i64..40, 0u64..4)
            .prop_map(|(action, buy, p, s)| delta(action, if buy { Buy } else { Sell }, p, s))
    }

    proptest! {
        #[test]
        fn book_matches_naive_model(
            bids in prop::collection::vec((-20i64..40, 0u64..5), 0..30),
            asks in prop::collection::vec((-20i64..40, 0u64..5), 0..30),
            batches in prop::collection::vec(prop::collection::vec(arb_delta(), 0..8), 1..40),
        ) {
            let mut book = OrderBook::new(id(), PP, SP);
            let snap = snapshot(1000, &bids, &asks);
            book.apply_snapshot(&snap).unwrap();
            let mut model = Model::default();
            // A later repeat of a price wins.
            for l in &snap.bids {
                model.apply(&BookLevelDelta { action: BookAction::Update, side: Buy, price: l.price, size: l.size });
            }
            for l in &snap.asks {
                model.apply(&BookLevelDelta { action: BookAction::Update, side: Sell, price: l.price, size: l.size });
            }
            prop_assert_eq!(levels(&book), model.levels());
            let mut seq = 1000;
            for deltas in batches {
                let first = seq + 1;
                seq += 1 + deltas.len() as u64;
                for d in &deltas {
                    model.apply(d);
                }
                prop_assert_eq!(book.apply_deltas(&batch(first, seq, None, deltas)), Ok(DeltaOutcome::Applied));
                prop_assert_eq!(levels(&book), model.levels());
                prop_assert_eq!(book.best_bid(), model.bids.values().next_back().copied());
                prop_assert_eq!(book.best_ask(), model.asks.values().next().copied());
                prop_assert_eq!(book.level_count(Buy), model.bids.len());
                prop_assert_eq!(book.is_crossed(), match (book.best_bid(), book.best_ask()) {
                    (Some(b), Some(a)) => b.price >= a.price,
                    _ => false,
                });
            }
        }
    }
}
