//! Market data as column blocks: the catalog's layout (`nautui/data/schema.py`) read in place
//! from numpy or Arrow buffers, one slice per column, no object per row.
//!
//! Prices and sizes are raw 10^-9 units; times are ns; codes are the catalog's small integers.
//! Book snapshots and deltas are rows grouped into updates: the rows of one update are
//! consecutive and the last has `batch_end` set; the update's times and sequence fields are that
//! row's. Booleans and validity are Arrow bitmaps ([`Bits`]), strings Arrow UTF-8 columns
//! ([`Utf8`]).
//!
//! Every block is checked whole before any of its rows is applied ([`QuoteColumns::check`] and
//! the `check` of each block): equal lengths, known codes, every price and size on the
//! instrument's precision grid (a bar's volume excepted), `ts_init` in order. A refused block changes nothing. Rows are
//! numbered from `first_row` (where the block starts in its file) in the errors.

use crate::events::{Bar, BookLevel, BookLevelDelta, TradeTick};
use crate::types::{
    AggressorSide, BarType, BookAction, Instrument, OrderSide, Price, Quantity, TradeId, UnixNanos,
};

/// Why a block, or the order in which blocks were handed over, was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    #[error("{kind} columns have different lengths")]
    Ragged { kind: &'static str },
    #[error("row {row}: instrument index {index} is not loaded")]
    UnknownIndex { row: u64, index: u32 },
    #[error("row {row}: {field}: {reason}")]
    BadValue { row: u64, field: &'static str, reason: String },
    #[error(
        "row {row}: ts_init {ts} is before the row before it ({previous}); rows must be sorted \
         by ts_init"
    )]
    Unsorted { row: u64, ts: u64, previous: u64 },
    #[error("{field}: {reason}")]
    Layout { field: &'static str, reason: &'static str },
    #[error("{kind} data ends inside an update (its last row has no batch_end)")]
    OpenUpdate { kind: &'static str },
    #[error("stream {stream}: {reason}")]
    Stream { stream: usize, reason: &'static str },
}

/// An Arrow bitmap: bit `offset + i` (least significant bit first) is row `i`.
#[derive(Debug, Clone, Copy)]
pub struct Bits<'a> {
    pub bytes: &'a [u8],
    pub offset: usize,
}

impl Bits<'_> {
    /// Row `i`'s bit; false past the end (a checked block never reads there).
    #[inline]
    pub fn get(&self, i: usize) -> bool {
        let bit = self.offset + i;
        self.bytes.get(bit / 8).is_some_and(|byte| byte >> (bit % 8) & 1 == 1)
    }

    fn covers(&self, rows: usize) -> bool {
        self.bytes.len().checked_mul(8).is_some_and(|bits| bits >= self.offset + rows)
    }
}

/// An Arrow UTF-8 column: row `i` is `data[offsets[i]..offsets[i + 1]]`.
#[derive(Debug, Clone, Copy)]
pub struct Utf8<'a> {
    pub offsets: &'a [i32],
    pub data: &'a [u8],
}

impl Utf8<'_> {
    /// Row `i`'s text; `None` when the offsets or the bytes are broken (refused by `check`).
    #[inline]
    pub fn get(&self, i: usize) -> Option<&str> {
        let start = usize::try_from(*self.offsets.get(i)?).ok()?;
        let end = usize::try_from(*self.offsets.get(i + 1)?).ok()?;
        std::str::from_utf8(self.data.get(start..end)?).ok()
    }
}

/// L1 quotes, one row per quote, sorted by `ts_init`. `instrument` holds engine instrument
/// indexes.
#[derive(Debug, Clone, Copy)]
pub struct QuoteColumns<'a> {
    pub instrument: &'a [u32],
    pub bid_price: &'a [i64],
    pub ask_price: &'a [i64],
    pub bid_size: &'a [u64],
    pub ask_size: &'a [u64],
    pub ts_event: &'a [u64],
    pub ts_init: &'a [u64],
}

/// Trades of one instrument, one row per trade. `aggressor_side`: 0 none, 1 buyer, 2 seller.
#[derive(Debug, Clone, Copy)]
pub struct TradeColumns<'a> {
    pub price: &'a [i64],
    pub size: &'a [u64],
    pub aggressor_side: &'a [u8],
    pub trade_id: Utf8<'a>,
    pub ts_event: &'a [u64],
    pub ts_init: &'a [u64],
}

/// Whole-book snapshots of one instrument: one row per level (`side` 1 bid, 2 ask).
#[derive(Debug, Clone, Copy)]
pub struct SnapshotColumns<'a> {
    pub ts_event: &'a [u64],
    pub ts_init: &'a [u64],
    pub sequence: &'a [u64],
    pub side: &'a [u8],
    pub price: &'a [i64],
    pub size: &'a [u64],
    pub batch_end: Bits<'a>,
}

/// Book deltas of one instrument: one row per level change (`action` 0 add, 1 update,
/// 2 delete, 3 clear; `side` 1 bid, 2 ask, any value for a clear). `prev_sequence` is null
/// where `prev_sequence_valid` (absent: never null) says so.
#[derive(Debug, Clone, Copy)]
pub struct DeltaColumns<'a> {
    pub ts_event: &'a [u64],
    pub ts_init: &'a [u64],
    pub sequence: &'a [u64],
    pub first_sequence: &'a [u64],
    pub prev_sequence: &'a [u64],
    pub prev_sequence_valid: Option<Bits<'a>>,
    pub action: &'a [u8],
    pub side: &'a [u8],
    pub price: &'a [i64],
    pub size: &'a [u64],
    pub batch_end: Bits<'a>,
}

/// Bars of one bar type: `ts_event` is the close time. The volume is a sum of trade sizes, not
/// a quantity one can trade, so it is not held to the lot grid (see [`volume`]).
#[derive(Debug, Clone, Copy)]
pub struct BarColumns<'a> {
    pub open: &'a [i64],
    pub high: &'a [i64],
    pub low: &'a [i64],
    pub close: &'a [i64],
    pub volume: &'a [u64],
    pub ts_event: &'a [u64],
    pub ts_init: &'a [u64],
}

/// The checks every block shares; rows are reported from `first_row`.
struct Check {
    kind: &'static str,
    rows: usize,
    first_row: u64,
}

impl Check {
    fn row(&self, i: usize) -> u64 {
        self.first_row + i as u64
    }

    fn lengths(&self, lengths: &[usize]) -> Result<(), ColumnError> {
        if lengths.iter().all(|&l| l == self.rows) {
            Ok(())
        } else {
            Err(ColumnError::Ragged { kind: self.kind })
        }
    }

    fn bad(&self, i: usize, field: &'static str, reason: String) -> ColumnError {
        ColumnError::BadValue { row: self.row(i), field, reason }
    }

    /// `ts_init` never goes back, from `after` (the last row of the block before) on.
    fn sorted(&self, ts_init: &[u64], after: Option<u64>) -> Result<(), ColumnError> {
        let mut previous = after.unwrap_or(0);
        for (i, &ts) in ts_init.iter().enumerate() {
            if ts < previous {
                return Err(ColumnError::Unsorted { row: self.row(i), ts, previous });
            }
            previous = ts;
        }
        Ok(())
    }

    fn prices(&self, field: &'static str, raw: &[i64], precision: u8) -> Result<(), ColumnError> {
        for (i, &r) in raw.iter().enumerate() {
            if let Err(e) = Price::from_raw(r, precision) {
                return Err(self.bad(i, field, e.to_string()));
            }
        }
        Ok(())
    }

    fn sizes(&self, field: &'static str, raw: &[u64], precision: u8) -> Result<(), ColumnError> {
        for (i, &r) in raw.iter().enumerate() {
            if let Err(e) = Quantity::from_raw(r, precision) {
                return Err(self.bad(i, field, e.to_string()));
            }
        }
        Ok(())
    }

    fn codes(&self, field: &'static str, raw: &[u8], known: &[u8]) -> Result<(), ColumnError> {
        match raw.iter().position(|c| !known.contains(c)) {
            None => Ok(()),
            Some(i) => Err(self.bad(i, field, format!("{} is not one of {known:?}", raw[i]))),
        }
    }

    fn bits(&self, field: &'static str, bits: &Bits<'_>) -> Result<(), ColumnError> {
        if bits.covers(self.rows) {
            Ok(())
        } else {
            Err(ColumnError::Layout { field, reason: "the bitmap is shorter than the column" })
        }
    }
}

impl QuoteColumns<'_> {
    pub fn len(&self) -> usize {
        self.ts_init.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ts_init.is_empty()
    }
    /// Every column has the same length.
    pub fn is_consistent(&self) -> bool {
        let n = self.len();
        [
            self.instrument.len(),
            self.bid_price.len(),
            self.ask_price.len(),
            self.bid_size.len(),
            self.ask_size.len(),
            self.ts_event.len(),
        ]
        .iter()
        .all(|&l| l == n)
    }

    /// Checks the whole block against the loaded `instruments` (by index): lengths, indexes,
    /// every price and size on its instrument's grid, `ts_init` in order from `after`.
    pub fn check(
        &self,
        instruments: &[&Instrument],
        first_row: u64,
        after: Option<u64>,
    ) -> Result<(), ColumnError> {
        let check = Check { kind: "quote", rows: self.len(), first_row };
        if !self.is_consistent() {
            return Err(ColumnError::Ragged { kind: check.kind });
        }
        check.sorted(self.ts_init, after)?;
        // One instrument per block is the usual case: check its columns in one pass each.
        let first = self.instrument.first().copied().unwrap_or(0);
        if self.instrument.iter().all(|&i| i == first) {
            let Some(instrument) = instruments.get(first as usize) else {
                return if self.is_empty() {
                    Ok(())
                } else {
                    Err(ColumnError::UnknownIndex { row: first_row, index: first })
                };
            };
            let (pp, sp) = (instrument.price_precision, instrument.size_precision);
            check.prices("bid_price", self.bid_price, pp)?;
            check.prices("ask_price", self.ask_price, pp)?;
            check.sizes("bid_size", self.bid_size, sp)?;
            return check.sizes("ask_size", self.ask_size, sp);
        }
        for (row, &index) in self.instrument.iter().enumerate() {
            let Some(instrument) = instruments.get(index as usize) else {
                return Err(ColumnError::UnknownIndex { row: check.row(row), index });
            };
            let (pp, sp) = (instrument.price_precision, instrument.size_precision);
            let one = Check { kind: check.kind, rows: 1, first_row: check.row(row) };
            let at = row..=row;
            one.prices("bid_price", &self.bid_price[at.clone()], pp)?;
            one.prices("ask_price", &self.ask_price[at.clone()], pp)?;
            one.sizes("bid_size", &self.bid_size[at.clone()], sp)?;
            one.sizes("ask_size", &self.ask_size[at], sp)?;
        }
        Ok(())
    }
}

const SIDES: [u8; 2] = [1, 2];

fn side(code: u8) -> OrderSide {
    if code == 2 {
        OrderSide::Sell
    } else {
        OrderSide::Buy
    }
}

impl TradeColumns<'_> {
    pub fn len(&self) -> usize {
        self.ts_init.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ts_init.is_empty()
    }

    /// Checks the whole block for `instrument` (see the module docs); trade ids must be
    /// identifiers (non-empty, no whitespace).
    pub fn check(
        &self,
        instrument: &Instrument,
        first_row: u64,
        after: Option<u64>,
    ) -> Result<(), ColumnError> {
        let check = Check { kind: "trade", rows: self.len(), first_row };
        check.lengths(&[
            self.price.len(),
            self.size.len(),
            self.aggressor_side.len(),
            self.ts_event.len(),
        ])?;
        if self.trade_id.offsets.len() != self.len() + 1 {
            return Err(ColumnError::Ragged { kind: check.kind });
        }
        check.sorted(self.ts_init, after)?;
        check.prices("price", self.price, instrument.price_precision)?;
        check.sizes("size", self.size, instrument.size_precision)?;
        check.codes("aggressor_side", self.aggressor_side, &[0, 1, 2])?;
        for i in 0..self.len() {
            let Some(text) = self.trade_id.get(i) else {
                return Err(check.bad(i, "trade_id", "broken offsets or UTF-8".into()));
            };
            if let Err(e) = TradeId::new(text) {
                return Err(check.bad(i, "trade_id", e.to_string()));
            }
        }
        Ok(())
    }

    /// Row `i` as an event of `instrument` (after `check`).
    pub fn row(&self, instrument: &Instrument, i: usize) -> Result<TradeTick, ColumnError> {
        let check = Check { kind: "trade", rows: self.len(), first_row: 0 };
        let (pp, sp) = (instrument.price_precision, instrument.size_precision);
        let text = self.trade_id.get(i).unwrap_or_default();
        Ok(TradeTick {
            instrument_id: instrument.id,
            price: Price::from_raw(self.price[i], pp)
                .map_err(|e| check.bad(i, "price", e.to_string()))?,
            size: Quantity::from_raw(self.size[i], sp)
                .map_err(|e| check.bad(i, "size", e.to_string()))?,
            aggressor_side: match self.aggressor_side[i] {
                1 => AggressorSide::Buyer,
                2 => AggressorSide::Seller,
                _ => AggressorSide::NoAggressor,
            },
            trade_id: TradeId::new(text).map_err(|e| check.bad(i, "trade_id", e.to_string()))?,
            ts_event: UnixNanos(self.ts_event[i]),
            ts_init: UnixNanos(self.ts_init[i]),
        })
    }
}

impl SnapshotColumns<'_> {
    pub fn len(&self) -> usize {
        self.ts_init.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ts_init.is_empty()
    }

    /// Checks the whole block for `instrument` (see the module docs).
    pub fn check(
        &self,
        instrument: &Instrument,
        first_row: u64,
        after: Option<u64>,
    ) -> Result<(), ColumnError> {
        let check = Check { kind: "snapshot", rows: self.len(), first_row };
        check.lengths(&[
            self.ts_event.len(),
            self.sequence.len(),
            self.side.len(),
            self.price.len(),
            self.size.len(),
        ])?;
        check.bits("batch_end", &self.batch_end)?;
        check.sorted(self.ts_init, after)?;
        check.codes("side", self.side, &SIDES)?;
        check.prices("price", self.price, instrument.price_precision)?;
        check.sizes("size", self.size, instrument.size_precision)
    }

    /// Row `i`: its side and level (after `check`).
    #[inline]
    pub fn level(
        &self,
        instrument: &Instrument,
        i: usize,
    ) -> Result<(OrderSide, BookLevel), ColumnError> {
        let check = Check { kind: "snapshot", rows: self.len(), first_row: 0 };
        let level = BookLevel {
            price: Price::from_raw(self.price[i], instrument.price_precision)
                .map_err(|e| check.bad(i, "price", e.to_string()))?,
            size: Quantity::from_raw(self.size[i], instrument.size_precision)
                .map_err(|e| check.bad(i, "size", e.to_string()))?,
        };
        Ok((side(self.side[i]), level))
    }
}

impl DeltaColumns<'_> {
    pub fn len(&self) -> usize {
        self.ts_init.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ts_init.is_empty()
    }

    /// Checks the whole block for `instrument` (see the module docs).
    pub fn check(
        &self,
        instrument: &Instrument,
        first_row: u64,
        after: Option<u64>,
    ) -> Result<(), ColumnError> {
        let check = Check { kind: "delta", rows: self.len(), first_row };
        check.lengths(&[
            self.ts_event.len(),
            self.sequence.len(),
            self.first_sequence.len(),
            self.prev_sequence.len(),
            self.action.len(),
            self.side.len(),
            self.price.len(),
            self.size.len(),
        ])?;
        check.bits("batch_end", &self.batch_end)?;
        if let Some(valid) = &self.prev_sequence_valid {
            check.bits("prev_sequence", valid)?;
        }
        check.sorted(self.ts_init, after)?;
        check.codes("action", self.action, &[0, 1, 2, 3])?;
        let clear = 3;
        if let Some(i) =
            (0..self.len()).find(|&i| self.action[i] != clear && !SIDES.contains(&self.side[i]))
        {
            return Err(check.bad(i, "side", format!("{} is not one of {SIDES:?}", self.side[i])));
        }
        check.prices("price", self.price, instrument.price_precision)?;
        check.sizes("size", self.size, instrument.size_precision)
    }

    /// Row `i`'s level change (after `check`).
    #[inline]
    pub fn delta(&self, instrument: &Instrument, i: usize) -> Result<BookLevelDelta, ColumnError> {
        let check = Check { kind: "delta", rows: self.len(), first_row: 0 };
        Ok(BookLevelDelta {
            action: match self.action[i] {
                0 => BookAction::Add,
                1 => BookAction::Update,
                2 => BookAction::Delete,
                _ => BookAction::Clear,
            },
            side: side(self.side[i]),
            price: Price::from_raw(self.price[i], instrument.price_precision)
                .map_err(|e| check.bad(i, "price", e.to_string()))?,
            size: Quantity::from_raw(self.size[i], instrument.size_precision)
                .map_err(|e| check.bad(i, "size", e.to_string()))?,
        })
    }

    /// Row `i`'s `prev_sequence`, `None` where null.
    #[inline]
    pub fn prev_sequence(&self, i: usize) -> Option<u64> {
        match &self.prev_sequence_valid {
            Some(valid) if !valid.get(i) => None,
            _ => Some(self.prev_sequence[i]),
        }
    }
}

impl BarColumns<'_> {
    pub fn len(&self) -> usize {
        self.ts_init.len()
    }
    pub fn is_empty(&self) -> bool {
        self.ts_init.is_empty()
    }

    /// Checks the whole block for `instrument` (see the module docs).
    pub fn check(
        &self,
        instrument: &Instrument,
        first_row: u64,
        after: Option<u64>,
    ) -> Result<(), ColumnError> {
        let check = Check { kind: "bar", rows: self.len(), first_row };
        check.lengths(&[
            self.open.len(),
            self.high.len(),
            self.low.len(),
            self.close.len(),
            self.volume.len(),
            self.ts_event.len(),
        ])?;
        check.sorted(self.ts_init, after)?;
        let pp = instrument.price_precision;
        check.prices("open", self.open, pp)?;
        check.prices("high", self.high, pp)?;
        check.prices("low", self.low, pp)?;
        check.prices("close", self.close, pp)
    }

    /// Row `i` as a bar of `bar_type` (after `check`).
    pub fn row(
        &self,
        instrument: &Instrument,
        bar_type: BarType,
        i: usize,
    ) -> Result<Bar, ColumnError> {
        let check = Check { kind: "bar", rows: self.len(), first_row: 0 };
        let pp = instrument.price_precision;
        let price = |field: &'static str, raw: i64| {
            Price::from_raw(raw, pp).map_err(|e| check.bad(i, field, e.to_string()))
        };
        Ok(Bar {
            bar_type,
            instrument_id: instrument.id,
            open: price("open", self.open[i])?,
            high: price("high", self.high[i])?,
            low: price("low", self.low[i])?,
            close: price("close", self.close[i])?,
            volume: volume(self.volume[i], instrument.size_precision)
                .map_err(|e| check.bad(i, "volume", e.to_string()))?,
            ts_event: UnixNanos(self.ts_event[i]),
            ts_init: UnixNanos(self.ts_init[i]),
        })
    }
}

/// A bar's volume as a quantity: at the instrument's size precision when it fits, else at the
/// fewest decimals that show it exactly.
fn volume(raw: u64, size_precision: u8) -> Result<Quantity, crate::types::FixedError> {
    let mut precision = size_precision;
    loop {
        match Quantity::from_raw(raw, precision) {
            Err(crate::types::FixedError::PrecisionLoss { .. }) if precision < 9 => precision += 1,
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bitmaps_read_from_their_bit_offset() {
        // Bits 5 to 9: 1, 0, 1 in the first byte, then 1, 0 in the second (least significant
        // bit first).
        let bits = Bits { bytes: &[0b1010_0000, 0b0000_0001], offset: 5 };
        let read: Vec<bool> = (0..5).map(|i| bits.get(i)).collect();
        assert_eq!(read, [true, false, true, true, false]);
        assert!(!bits.get(100), "past the end reads false");
        assert!(bits.covers(11) && !bits.covers(12));
    }

    #[test]
    fn strings_need_sound_offsets_and_utf8() {
        let data = b"ab\xffcd";
        let offsets = [0, 2, 3, 5, 9, -1];
        let text = Utf8 { offsets: &offsets, data };
        assert_eq!(text.get(0), Some("ab"));
        assert_eq!(text.get(1), None, "not UTF-8");
        assert_eq!(text.get(2), Some("cd"));
        assert_eq!(text.get(3), None, "past the data");
        assert_eq!(text.get(4), None, "a negative offset");
        assert_eq!(text.get(9), None);
    }

    #[test]
    fn a_bar_volume_keeps_the_size_precision_or_shows_itself_exactly() {
        assert_eq!(volume(5_000_000_000, 3).unwrap().to_string(), "5.000");
        assert_eq!(volume(2_300_413_729_500_000, 0).unwrap().to_string(), "2300413.7295");
        assert_eq!(volume(1, 0).unwrap().precision(), 9);
    }
}
