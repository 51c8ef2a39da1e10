//! The event loop. One ordered stream: input events (market data, commands, venue responses)
//! and the engine's own scheduled work, merged by (timestamp, sequence). `process(event)`
//! updates book, orders, portfolio and risk, calls the strategies, applies their requests and
//! emits what happened. Backtests and live trading call the same `process`.

mod api;
pub mod columns;
mod commands;
mod config;
mod dispatch;
mod market;
mod queue;
mod record;
mod refold;
mod snapshot;
mod state;
mod venue_events;

pub use config::EngineConfig;
pub use dispatch::Dispatch;
pub use market::{ColumnError, QuoteColumns};
pub use queue::{EventQueue, Route, Scheduled};
pub use record::RecordError;
pub use snapshot::{SnapshotError, SNAPSHOT_VERSION};
pub use state::{EngineState, InstrumentState, RECENT_CLOSED_ORDERS, RECENT_VENUE_IDS};

use crate::book::BookError;
use crate::clock::{Clock, ClockKind, TimerError, Timers};
use crate::events::{Event, TimerFired};
use crate::matching::{LatencyError, LatencyModel, MatchingError, SimulatedVenue};
use crate::orders::OrderError;
use crate::portfolio::{Portfolio, PortfolioError};
use crate::risk::{RiskEngine, RiskError};
use crate::stats::{LatencyStats, Stopwatch};
use crate::strategy::{RequestError, Strategy, StrategyError};
use crate::types::{
    ClientOrderId, FixedError, IdMap, IdentifierError, Instrument, InstrumentError, InstrumentId,
    StrategyId, UnixNanos,
};
use std::collections::VecDeque;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    #[error("unknown instrument {0}")]
    UnknownInstrument(InstrumentId),
    #[error("instrument {0} is already loaded")]
    DuplicateInstrument(InstrumentId),
    #[error("unknown order {0}")]
    UnknownOrder(ClientOrderId),
    #[error("client order id {0} is already used")]
    DuplicateOrder(ClientOrderId),
    #[error("strategy {0} is already loaded")]
    DuplicateStrategy(StrategyId),
    #[error("{kind} is produced by the engine and cannot be an input")]
    NotAnInput { kind: &'static str },
    #[error("strategy {strategy_id}: {source}")]
    Request { strategy_id: StrategyId, source: RequestError },
    #[error("invalid order {client_order_id}: {source}")]
    InvalidOrder { client_order_id: ClientOrderId, source: RequestError },
    #[error(transparent)]
    Columns(#[from] ColumnError),
    #[error(transparent)]
    Identifier(#[from] IdentifierError),
    #[error(transparent)]
    Instrument(#[from] InstrumentError),
    /// Boxed: its variants carry inline ids, and every `Result` of the engine is this size.
    #[error(transparent)]
    Order(Box<OrderError>),
    #[error(transparent)]
    Book(#[from] BookError),
    #[error(transparent)]
    Strategy(#[from] StrategyError),
    #[error(transparent)]
    Timer(#[from] TimerError),
    #[error(transparent)]
    Portfolio(#[from] PortfolioError),
    #[error(transparent)]
    Fixed(#[from] FixedError),
    #[error(transparent)]
    Risk(#[from] RiskError),
    #[error(transparent)]
    Matching(#[from] MatchingError),
    #[error(transparent)]
    Latency(#[from] LatencyError),
    #[error(transparent)]
    Snapshot(#[from] SnapshotError),
    #[error(transparent)]
    Record(#[from] RecordError),
}

impl From<OrderError> for EngineError {
    fn from(error: OrderError) -> Self {
        Self::Order(Box::new(error))
    }
}

/// Up to this many events, `drain_events` copies them out and keeps the output buffer.
const DRAIN_COPY_MAX: usize = 256;

/// Counts of what the engine did, for summaries and benchmarks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EngineCounters {
    /// Inputs from outside the engine (market data, venue and account events);
    /// commands are not counted here.
    pub events_in: u64,
    pub events_out: u64,
    pub quotes: u64,
    pub orders: u64,
    pub fills: u64,
    pub denials: u64,
    pub rejections: u64,
    /// Venue events the order state machine refused (logged, not applied).
    pub illegal_transitions: u64,
}

/// The engine. See the module documentation.
pub struct Engine {
    config: EngineConfig,
    state: EngineState,
    clock: Box<dyn Clock>,
    queue: EventQueue,
    timers: Timers,
    venue: Option<SimulatedVenue>,
    latency: Box<dyn LatencyModel>,
    strategies: Vec<Box<dyn Strategy>>,
    quote_subscribers: bool,
    /// Events processed now, in order, before the clock moves again.
    pending: VecDeque<Event>,
    dispatch: VecDeque<Dispatch>,
    output: Vec<Event>,
    /// Commands for a live venue adapter (no simulated venue).
    outbound: Vec<Event>,
    record_market_data: bool,
    venue_buf: Vec<Event>,
    stats: LatencyStats,
    stopwatch: Option<Box<dyn Stopwatch>>,
    submitted_at: IdMap<ClientOrderId, UnixNanos>,
    accepted_at: IdMap<ClientOrderId, UnixNanos>,
    counters: EngineCounters,
    /// Equity curve and round trips, when a host asked for them.
    recorder: Option<Box<record::Recorder>>,
    /// Latest delivery times scheduled each way: venue traffic stays in order.
    last_to_venue: UnixNanos,
    last_from_venue: UnixNanos,
}

impl Engine {
    /// An engine on a test clock (time moves only with the data).
    pub fn new(config: EngineConfig) -> Result<Self, EngineError> {
        Self::with_clock(config, ClockKind::Test.build(UnixNanos(0)))
    }

    /// An engine on the clock given (see `crate::clock`).
    pub fn with_clock(config: EngineConfig, clock: Box<dyn Clock>) -> Result<Self, EngineError> {
        let portfolio =
            Portfolio::new(config.account_id, config.account_type, &config.starting_balances)?;
        let venue = config.venue.clone().map(|v| SimulatedVenue::new(v, Vec::new())).transpose()?;
        Ok(Self {
            state: EngineState {
                instruments: Vec::new(),
                instrument_index: IdMap::default(),
                orders: IdMap::default(),
                closed: crate::recent::Recent::new(state::RECENT_CLOSED_ORDERS),
                open_orders: Vec::new(),
                portfolio,
                risk: RiskEngine::new(config.risk.clone())?,
                order_counts: crate::types::IdMap::default(),
                initialized: crate::types::IdMap::default(),
            },
            clock,
            queue: EventQueue::default(),
            timers: Timers::default(),
            venue,
            latency: config.latency.build()?,
            strategies: Vec::new(),
            quote_subscribers: false,
            pending: VecDeque::new(),
            dispatch: VecDeque::new(),
            output: Vec::new(),
            outbound: Vec::new(),
            record_market_data: config.record_market_data,
            venue_buf: Vec::new(),
            stats: LatencyStats::new(),
            stopwatch: None,
            submitted_at: IdMap::default(),
            accepted_at: IdMap::default(),
            counters: EngineCounters::default(),
            config,
            recorder: None,
            last_to_venue: UnixNanos(0),
            last_from_venue: UnixNanos(0),
        })
    }

    pub fn add_instrument(&mut self, instrument: Instrument) -> Result<usize, EngineError> {
        instrument.validate()?;
        if self.state.instrument_index.contains_key(&instrument.id) {
            return Err(EngineError::DuplicateInstrument(instrument.id));
        }
        let index = self.state.instruments.len();
        self.state.instrument_index.insert(instrument.id, index);
        if let Some(venue) = self.venue.as_mut() {
            venue.add_instrument(instrument.clone())?;
        }
        self.state.portfolio.add_instrument(&instrument);
        self.state.instruments.push(InstrumentState {
            instrument,
            quote: None,
            last_trade: None,
            book: None,
        });
        Ok(index)
    }

    pub fn add_strategy(&mut self, strategy: Box<dyn Strategy>) -> Result<(), EngineError> {
        let id = strategy.id();
        if self.strategies.iter().any(|s| s.id() == id) {
            return Err(EngineError::DuplicateStrategy(id));
        }
        self.quote_subscribers |= strategy.subscriptions().quotes;
        self.strategies.push(strategy);
        Ok(())
    }

    /// Gives the engine a monotonic stopwatch for processing-latency histograms.
    pub fn set_stopwatch(&mut self, stopwatch: Box<dyn Stopwatch>) {
        self.stopwatch = Some(stopwatch);
    }

    /// Calls every strategy's `on_start`. On a live clock the engine first moves to wall time
    /// (running what fell due meanwhile, at the times it fell due), so strategies start now.
    pub fn start(&mut self) -> Result<(), EngineError> {
        if self.clock.is_live() {
            self.advance_to(self.clock.stamp())?;
        }
        self.dispatch.push_back(Dispatch::Start);
        self.run_now()
    }

    /// Lets the venue traffic in flight arrive, then calls `on_stop`, then lets what that sent
    /// arrive. Time moves only as far as the last message in flight: recurring timers and
    /// far-off expiries do not drag the clock to the end of time.
    pub fn stop(&mut self) -> Result<(), EngineError> {
        self.drain_in_flight()?;
        self.dispatch.push_back(Dispatch::Stop);
        self.run_now()?;
        self.drain_in_flight()?;
        // The last point of the equity curve: where the run ended.
        self.sample_equity(self.clock.now())
    }

    /// Advances to the latest item scheduled now (timers and expiries due before it fire).
    fn drain_in_flight(&mut self) -> Result<(), EngineError> {
        match self.queue.last_ts() {
            Some(horizon) => self.advance_to(horizon),
            None => Ok(()),
        }
    }

    /// Processes one input event at its `ts_init` (or now, if that is earlier: time never goes
    /// back). Scheduled work due before it runs first.
    pub fn process(&mut self, event: Event) -> Result<(), EngineError> {
        self.check_input(&event)?;
        self.advance_to(event.ts_init())?;
        // Commands are not counted: a strategy's commands never pass here, and a re-fold of a
        // log cannot tell them from the host's, so the count would differ after a recovery.
        if !event.is_command() {
            self.counters.events_in += 1;
        }
        self.pending.push_back(event);
        self.run_now()
    }

    /// Moves the clock to `ts`, running scheduled venue traffic and timers due until then.
    pub fn advance_to(&mut self, ts: UnixNanos) -> Result<(), EngineError> {
        while let Some(next) = self.next_wakeup() {
            if next > ts {
                break;
            }
            self.clock.advance_to(next);
            self.run_due()?;
        }
        if ts != UnixNanos::MAX {
            self.clock.advance_to(ts);
        }
        Ok(())
    }

    /// The next time something is due without new input: scheduled venue traffic, a timer, or
    /// a working order's expiry at the simulated venue.
    #[inline]
    pub(super) fn next_wakeup(&mut self) -> Option<UnixNanos> {
        let expiry = self.venue.as_ref().and_then(SimulatedVenue::next_expiry);
        [self.queue.next_ts(), self.timers.next_due(), expiry].into_iter().flatten().min()
    }

    /// Runs scheduled items and timers due at or before now, with everything they cause.
    fn run_due(&mut self) -> Result<(), EngineError> {
        let now = self.clock.now();
        loop {
            if let Some(item) = self.queue.pop_due(now) {
                match item.route {
                    Route::ToVenue => self.deliver_to_venue(&item.event),
                    Route::FromVenue | Route::Input => self.pending.push_back(item.event),
                }
            } else if let Some((name, strategy_id, ts)) = self.timers.pop_due(now) {
                let fired = TimerFired { name, strategy_id, ts_event: ts, ts_init: now };
                self.emit(fired.clone().into());
                self.dispatch.push_back(Dispatch::Timer(fired));
            } else {
                break;
            }
            self.run_now()?;
        }
        if let Some(venue) = self.venue.as_mut() {
            venue.on_time(now, &mut self.venue_buf);
        }
        self.schedule_venue_responses();
        self.run_now()
    }

    /// Handles pending events and strategy callbacks until nothing more happens at this instant.
    fn run_now(&mut self) -> Result<(), EngineError> {
        loop {
            if let Some(job) = self.dispatch.pop_front() {
                self.run_callback(&job)?;
            } else if let Some(event) = self.pending.pop_front() {
                self.handle(event)?;
            } else if self.queue.next_ts().is_some_and(|ts| ts <= self.clock.now()) {
                // Zero-latency venue traffic scheduled by what just happened.
                let Some(item) = self.queue.pop_due(self.clock.now()) else { break };
                match item.route {
                    Route::ToVenue => self.deliver_to_venue(&item.event),
                    Route::FromVenue | Route::Input => self.pending.push_back(item.event),
                }
            } else {
                return Ok(());
            }
        }
        Ok(())
    }

    fn check_input(&self, event: &Event) -> Result<(), EngineError> {
        match event {
            Event::OrderInitialized(_)
            | Event::OrderDenied(_)
            | Event::OrderSubmitted(_)
            | Event::OrderPendingCancel(_)
            | Event::OrderPendingUpdate(_)
            | Event::PositionOpened(_)
            | Event::PositionChanged(_)
            | Event::PositionClosed(_)
            | Event::TradingStateChanged(_)
            | Event::TimerFired(_) => Err(EngineError::NotAnInput { kind: event.kind() }),
            _ => {
                if let Some(id) = event.instrument_id() {
                    if self.state.instrument_index(id).is_none() {
                        return Err(EngineError::UnknownInstrument(id));
                    }
                }
                self.check_command(event)
            }
        }
    }

    /// One event at the current instant.
    fn handle(&mut self, event: Event) -> Result<(), EngineError> {
        match event {
            Event::QuoteTick(q) => self.on_quote(&q),
            Event::TradeTick(t) => self.on_trade(&t),
            Event::BookSnapshot(s) => self.on_book_snapshot(s),
            Event::BookDeltas(d) => self.on_book_deltas(d),
            Event::Bar(b) => self.on_bar(b),
            Event::SubmitOrder(c) => self.on_submit(c),
            Event::CancelOrder(c) => self.on_cancel(c),
            Event::ModifyOrder(c) => self.on_modify(c),
            Event::CancelAllOrders(c) => {
                self.on_cancel_all(c);
                Ok(())
            }
            Event::Flatten(c) => self.on_flatten(c),
            Event::Halt(c) => {
                self.on_halt(c);
                Ok(())
            }
            Event::Resume(c) => {
                self.on_resume(c);
                Ok(())
            }
            Event::VenueConnected(_) | Event::VenueDisconnected(_) | Event::AccountState(_) => {
                self.emit(event);
                Ok(())
            }
            other => self.on_venue_event(other),
        }
    }

    /// Records an event in the output stream, stamped now.
    fn emit(&mut self, event: Event) {
        self.counters.events_out += 1;
        self.output.push(event);
    }

    /// Schedules the simulated venue's responses after the response latency.
    fn schedule_venue_responses(&mut self) {
        if self.venue_buf.is_empty() {
            return;
        }
        // The venue answers over one ordered connection: the responses to one action share a
        // delay, and never overtake earlier responses (a fill never arrives after the cancel
        // the venue sent after it).
        let at = self.clock.now().add_ns(self.latency.response_ns()).max(self.last_from_venue);
        self.last_from_venue = at;
        for event in self.venue_buf.drain(..) {
            self.queue.push(at, Route::FromVenue, event);
        }
    }

    pub fn now(&self) -> UnixNanos {
        self.clock.now()
    }
    /// The time a host command would be stamped with now (see `Clock::stamp`).
    pub fn stamp(&self) -> UnixNanos {
        self.clock.stamp()
    }
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }
    /// Moves the engine onto another clock (a recovered engine going live), at its time.
    pub fn set_clock(&mut self, mut clock: Box<dyn Clock>) {
        clock.advance_to(self.clock.now());
        self.clock = clock;
    }
    /// Moves the engine onto a clock of `kind`; a live one comes with a monotonic stopwatch for
    /// the processing-latency histograms (data to callback, callback duration).
    pub fn use_clock(&mut self, kind: ClockKind) {
        self.set_clock(kind.build(self.clock.now()));
        if kind == ClockKind::Live {
            self.set_stopwatch(Box::new(crate::clock::MonotonicStopwatch::default()));
        }
    }
    /// On a live clock, runs what is due by wall time (timers, venue traffic in flight,
    /// expiries); the node calls it whenever `next_wakeup_ts` has passed. Returns the time the
    /// engine is at.
    pub fn advance_to_stamp(&mut self) -> Result<UnixNanos, EngineError> {
        let ts = self.clock.stamp();
        self.advance_to(ts)?;
        Ok(self.clock.now())
    }
    pub fn state(&self) -> &EngineState {
        &self.state
    }
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }
    /// The simulated venue, when the engine runs one.
    pub fn venue(&self) -> Option<&SimulatedVenue> {
        self.venue.as_ref()
    }
    pub fn counters(&self) -> EngineCounters {
        self.counters
    }
    pub fn stats(&self) -> &LatencyStats {
        &self.stats
    }
    /// Everything that happened since the last drain, in order.
    pub fn drain_events(&mut self) -> Vec<Event> {
        // A short batch (the usual case when the host drains after every input) is copied out
        // so the buffer keeps its capacity and the next batch does not regrow it from empty;
        // a long one is handed over whole rather than copied.
        if self.output.len() <= DRAIN_COPY_MAX {
            self.output.drain(..).collect()
        } else {
            std::mem::take(&mut self.output)
        }
    }
    pub fn events(&self) -> &[Event] {
        &self.output
    }
    /// Commands for a live venue adapter, in order, since the last drain.
    pub fn drain_outbound(&mut self) -> Vec<Event> {
        std::mem::take(&mut self.outbound)
    }
    /// Items still scheduled (venue traffic in flight).
    pub fn scheduled(&self) -> usize {
        self.queue.len()
    }
}

#[cfg(test)]
mod tests;
