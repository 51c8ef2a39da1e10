//! Market data into the engine: the general path (one event) and the columnar fast path
//! that backtests use (no per-row allocation, no event objects unless someone listens).

use super::{Dispatch, Engine, EngineError};
use crate::book::OrderBook;
use crate::events::{Bar, BookDeltas, BookSnapshot, QuoteTick, TradeTick};
use crate::types::{Price, Quantity, UnixNanos};

/// L1 quotes as columns of raw fixed-point integers (10^-9 units), one row per quote, sorted
/// by `ts_init`. `instrument` holds engine instrument indexes.
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
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ColumnError {
    #[error("quote columns have different lengths")]
    Ragged,
    #[error("row {row}: instrument index {index} is not loaded")]
    UnknownIndex { row: usize, index: u32 },
    #[error("row {row}: {field}: {reason}")]
    BadValue { row: usize, field: &'static str, reason: String },
}

impl Engine {
    pub(super) fn on_quote(&mut self, quote: &QuoteTick) -> Result<(), EngineError> {
        let index = self.index_of(quote.instrument_id)?;
        self.apply_quote(index, *quote);
        self.maybe_sample(quote.ts_init)
    }

    #[inline]
    fn apply_quote(&mut self, index: usize, quote: QuoteTick) {
        self.counters.quotes += 1;
        self.state.instruments[index].quote = Some(quote);
        if self.record_market_data {
            self.emit(quote.into());
        }
        if let Some(venue) = self.venue.as_mut() {
            venue.on_quote(&quote, &mut self.venue_buf);
            self.schedule_venue_responses();
        }
        if self.quote_subscribers {
            self.dispatch.push_back(Dispatch::Quote(quote));
        }
    }

    pub(super) fn on_trade(&mut self, trade: &TradeTick) -> Result<(), EngineError> {
        let index = self.index_of(trade.instrument_id)?;
        self.state.instruments[index].last_trade = Some(*trade);
        if self.record_market_data {
            self.emit((*trade).into());
        }
        if let Some(venue) = self.venue.as_mut() {
            venue.on_trade(trade, &mut self.venue_buf);
            self.schedule_venue_responses();
        }
        self.dispatch.push_back(Dispatch::Trade(*trade));
        Ok(())
    }

    pub(super) fn on_book_snapshot(&mut self, snapshot: BookSnapshot) -> Result<(), EngineError> {
        let index = self.index_of(snapshot.instrument_id)?;
        let state = &mut self.state.instruments[index];
        let book = state.book.get_or_insert_with(|| {
            OrderBook::new(
                state.instrument.id,
                state.instrument.price_precision,
                state.instrument.size_precision,
            )
        });
        book.apply_snapshot(&snapshot)?;
        if let Some(venue) = self.venue.as_mut() {
            venue.on_book_snapshot(&snapshot, &mut self.venue_buf);
            self.schedule_venue_responses();
        }
        self.dispatch.push_back(Dispatch::Book(snapshot.instrument_id));
        if self.record_market_data {
            self.emit(snapshot.into());
        }
        Ok(())
    }

    pub(super) fn on_book_deltas(&mut self, deltas: BookDeltas) -> Result<(), EngineError> {
        let index = self.index_of(deltas.instrument_id)?;
        let Some(book) = self.state.instruments[index].book.as_mut() else {
            return Err(crate::book::BookError::NotSynced {
                instrument_id: deltas.instrument_id,
                sequence: deltas.sequence,
            }
            .into());
        };
        book.apply_deltas(&deltas)?;
        if let Some(venue) = self.venue.as_mut() {
            venue.on_book_deltas(&deltas, &mut self.venue_buf);
            self.schedule_venue_responses();
        }
        self.dispatch.push_back(Dispatch::Book(deltas.instrument_id));
        if self.record_market_data {
            self.emit(deltas.into());
        }
        Ok(())
    }

    pub(super) fn on_bar(&mut self, bar: Bar) -> Result<(), EngineError> {
        self.index_of(bar.instrument_id)?;
        if self.record_market_data {
            self.emit(bar.into());
        }
        self.dispatch.push_back(Dispatch::Bar(bar));
        Ok(())
    }

    fn index_of(&self, id: crate::types::InstrumentId) -> Result<usize, EngineError> {
        self.state.instrument_index(id).ok_or(EngineError::UnknownInstrument(id))
    }

    /// Runs a block of quotes: the backtest hot loop. Scheduled work (venue latency, timers)
    /// interleaves by time exactly as with `process`. Rows are checked before any is applied,
    /// so a bad block changes nothing.
    pub fn run_quotes(&mut self, cols: &QuoteColumns<'_>) -> Result<(), EngineError> {
        self.check_columns(cols)?;
        for row in 0..cols.len() {
            let ts = UnixNanos(cols.ts_init[row]);
            if self.next_wakeup().is_some_and(|w| w <= ts) {
                self.advance_to(ts)?;
            } else {
                self.clock_advance(ts);
            }
            let index = cols.instrument[row] as usize;
            let instrument = &self.state.instruments[index].instrument;
            let (pp, sp) = (instrument.price_precision, instrument.size_precision);
            let quote = QuoteTick {
                instrument_id: instrument.id,
                bid_price: Price::from_raw(cols.bid_price[row], pp)?,
                ask_price: Price::from_raw(cols.ask_price[row], pp)?,
                bid_size: Quantity::from_raw(cols.bid_size[row], sp)?,
                ask_size: Quantity::from_raw(cols.ask_size[row], sp)?,
                ts_event: UnixNanos(cols.ts_event[row]),
                ts_init: ts,
            };
            self.counters.events_in += 1;
            self.apply_quote(index, quote);
            if !self.dispatch.is_empty() || self.queue.next_ts().is_some_and(|t| t <= ts) {
                self.run_now()?;
            }
            self.maybe_sample(ts)?;
        }
        Ok(())
    }

    fn check_columns(&self, cols: &QuoteColumns<'_>) -> Result<(), EngineError> {
        if !cols.is_consistent() {
            return Err(EngineError::Columns(ColumnError::Ragged));
        }
        let loaded = self.state.instruments.len();
        for (row, &index) in cols.instrument.iter().enumerate() {
            if index as usize >= loaded {
                return Err(EngineError::Columns(ColumnError::UnknownIndex { row, index }));
            }
        }
        Ok(())
    }

    #[inline]
    fn clock_advance(&mut self, ts: UnixNanos) {
        self.clock.advance_to(ts);
    }
}
