//! Market data into the engine: the general path (one event) and the paths backtests feed from
//! columns (see `columns`): quote rows with no per-row allocation and no event object unless
//! someone listens, and book updates by reference. Each does what `process` does with the same
//! data as events: the same time steps, callbacks and output.

pub use super::columns::{ColumnError, QuoteColumns};
use super::{Dispatch, Engine, EngineError};
use crate::book::OrderBook;
use crate::events::{Bar, BookDeltas, BookSnapshot, QuoteTick, TradeTick};
use crate::types::{Instrument, Price, Quantity, UnixNanos};
use std::ops::Range;

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
        self.apply_book_snapshot(index, &snapshot)?;
        if self.record_market_data {
            self.emit(snapshot.into());
        }
        Ok(())
    }

    fn apply_book_snapshot(
        &mut self,
        index: usize,
        snapshot: &BookSnapshot,
    ) -> Result<(), EngineError> {
        let state = &mut self.state.instruments[index];
        let book = state.book.get_or_insert_with(|| {
            OrderBook::new(
                state.instrument.id,
                state.instrument.price_precision,
                state.instrument.size_precision,
            )
        });
        book.apply_snapshot(snapshot)?;
        if let Some(venue) = self.venue.as_mut() {
            venue.on_book_snapshot(snapshot, &mut self.venue_buf);
            self.schedule_venue_responses();
        }
        self.dispatch.push_back(Dispatch::Book(snapshot.instrument_id));
        Ok(())
    }

    pub(super) fn on_book_deltas(&mut self, deltas: BookDeltas) -> Result<(), EngineError> {
        let index = self.index_of(deltas.instrument_id)?;
        self.apply_book_deltas(index, &deltas)?;
        if self.record_market_data {
            self.emit(deltas.into());
        }
        Ok(())
    }

    fn apply_book_deltas(&mut self, index: usize, deltas: &BookDeltas) -> Result<(), EngineError> {
        let Some(book) = self.state.instruments[index].book.as_mut() else {
            return Err(crate::book::BookError::NotSynced {
                instrument_id: deltas.instrument_id,
                sequence: deltas.sequence,
            }
            .into());
        };
        book.apply_deltas(deltas)?;
        if let Some(venue) = self.venue.as_mut() {
            venue.on_book_deltas(deltas, &mut self.venue_buf);
            self.schedule_venue_responses();
        }
        self.dispatch.push_back(Dispatch::Book(deltas.instrument_id));
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
    /// interleaves by time exactly as with `process`. The whole block is checked first
    /// ([`QuoteColumns::check`]), so a bad block changes nothing.
    pub fn run_quotes(&mut self, cols: &QuoteColumns<'_>) -> Result<(), EngineError> {
        cols.check(&self.instrument_list(), 0, None)?;
        self.run_quote_rows(cols, 0..cols.len())
    }

    /// The loaded instruments, by index (what column checks read).
    pub fn instrument_list(&self) -> Vec<&Instrument> {
        self.state.instruments.iter().map(|s| &s.instrument).collect()
    }

    /// Runs `rows` of a block that passed [`QuoteColumns::check`], each as `process` would its
    /// `QuoteTick` (the equity sample is taken before the callbacks the quote causes).
    pub(crate) fn run_quote_rows(
        &mut self,
        cols: &QuoteColumns<'_>,
        rows: Range<usize>,
    ) -> Result<(), EngineError> {
        for row in rows {
            let ts = UnixNanos(cols.ts_init[row]);
            self.enter(ts)?;
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
            self.maybe_sample(ts)?;
            if !self.dispatch.is_empty() || self.queue.next_ts().is_some_and(|t| t <= ts) {
                self.run_now()?;
            }
        }
        Ok(())
    }

    /// A book snapshot of a loaded instrument, as `process` would the event, without owning
    /// it (it is copied only when market data is recorded).
    pub fn input_book_snapshot(&mut self, snapshot: &BookSnapshot) -> Result<(), EngineError> {
        let index = self.index_of(snapshot.instrument_id)?;
        self.enter(snapshot.ts_init)?;
        self.counters.events_in += 1;
        self.apply_book_snapshot(index, snapshot)?;
        if self.record_market_data {
            self.emit(snapshot.clone().into());
        }
        self.run_now()
    }

    /// Book deltas of a loaded instrument, as `process` would the event, without owning them.
    pub fn input_book_deltas(&mut self, deltas: &BookDeltas) -> Result<(), EngineError> {
        let index = self.index_of(deltas.instrument_id)?;
        self.enter(deltas.ts_init)?;
        self.counters.events_in += 1;
        self.apply_book_deltas(index, deltas)?;
        if self.record_market_data {
            self.emit(deltas.clone().into());
        }
        self.run_now()
    }

    /// Moves time to an input's `ts` as `process` does: scheduled work due by then runs first.
    #[inline]
    fn enter(&mut self, ts: UnixNanos) -> Result<(), EngineError> {
        if self.next_wakeup().is_some_and(|w| w <= ts) {
            self.advance_to(ts)
        } else {
            self.clock_advance(ts);
            Ok(())
        }
    }

    #[inline]
    fn clock_advance(&mut self, ts: UnixNanos) {
        self.clock.advance_to(ts);
    }
}
