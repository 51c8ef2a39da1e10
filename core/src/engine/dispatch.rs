//! Strategy callbacks. Callbacks run one at a time, after the event that caused them; what a
//! strategy asks for is applied after its callback returns, so strategies never re-enter the
//! engine and the order of everything is fixed by the order of events.

use super::{Engine, EngineError};
use crate::events::{Bar, Event, QuoteTick, TimerFired, TradeTick};
use crate::stats::LatencyKind;
use crate::strategy::{CallbackResult, Context, Request, Strategy};
use crate::types::{InstrumentId, StrategyId};

/// A callback waiting to run. Order and position events are boxed so that the common entry, a
/// quote, stays small as it passes through the queue.
#[derive(Debug, Clone)]
pub enum Dispatch {
    Start,
    Stop,
    Quote(QuoteTick),
    Trade(TradeTick),
    Book(InstrumentId),
    Bar(Bar),
    /// An event of one strategy's order.
    Order(StrategyId, Box<Event>),
    /// A position event of one strategy.
    Position(StrategyId, Box<Event>),
    Timer(TimerFired),
}

impl Dispatch {
    fn wants(&self, strategy: &dyn Strategy) -> bool {
        let subs = strategy.subscriptions();
        match self {
            Self::Start | Self::Stop => true,
            Self::Quote(_) => subs.quotes,
            Self::Trade(_) => subs.trades,
            Self::Book(_) => subs.book,
            Self::Bar(_) => subs.bars,
            Self::Order(id, _) | Self::Position(id, _) => *id == strategy.id(),
            Self::Timer(t) => t.strategy_id.is_none_or(|id| id == strategy.id()),
        }
    }

    fn is_market_data(&self) -> bool {
        matches!(self, Self::Quote(_) | Self::Trade(_) | Self::Book(_) | Self::Bar(_))
    }

    fn call(&self, strategy: &mut dyn Strategy, ctx: &mut Context<'_>) -> CallbackResult {
        match self {
            Self::Start => strategy.on_start(ctx),
            Self::Stop => strategy.on_stop(ctx),
            Self::Quote(q) => strategy.on_quote(ctx, q),
            Self::Trade(t) => strategy.on_trade(ctx, t),
            Self::Book(id) => strategy.on_book(ctx, *id),
            Self::Bar(b) => strategy.on_bar(ctx, b),
            Self::Order(_, e) => strategy.on_order_event(ctx, e),
            Self::Position(_, e) => match e.as_ref() {
                Event::PositionOpened(p) | Event::PositionChanged(p) | Event::PositionClosed(p) => {
                    strategy.on_position(ctx, e.kind(), p)
                }
                _ => Ok(()),
            },
            Self::Timer(t) => strategy.on_timer(ctx, t),
        }
    }
}

impl Engine {
    pub(super) fn run_callback(&mut self, job: &Dispatch) -> Result<(), EngineError> {
        if self.strategies.is_empty() {
            return Ok(());
        }
        let started = self.stopwatch.as_ref().map(|s| s.now_ns());
        let mut strategies = std::mem::take(&mut self.strategies);
        let mut requests = Vec::new();
        let mut result = Ok(());
        for strategy in &mut strategies {
            if !job.wants(strategy.as_ref()) {
                continue;
            }
            let id = strategy.id();
            let mut count = self.state.order_counts.get(&id).copied().unwrap_or(0);
            let mut ctx = Context {
                now: self.clock.now(),
                strategy_id: id,
                state: &self.state,
                requests: &mut requests,
                order_count: &mut count,
            };
            let before = self.stopwatch.as_ref().map(|s| s.now_ns());
            result = job.call(strategy.as_mut(), &mut ctx);
            if let (Some(sw), Some(t0), Some(t1)) = (self.stopwatch.as_ref(), started, before) {
                let t2 = sw.now_ns();
                if job.is_market_data() {
                    self.stats.record(LatencyKind::DataToCallback, t1.saturating_sub(t0));
                }
                self.stats.record(LatencyKind::CallbackDuration, t2.saturating_sub(t1));
            }
            if count > 0 {
                self.state.order_counts.insert(id, count);
            }
            if result.is_err() {
                break;
            }
            self.apply_requests(id, &mut requests)?;
        }
        self.strategies = strategies;
        result.map_err(EngineError::from)
    }

    pub(super) fn apply_requests(
        &mut self,
        strategy_id: StrategyId,
        requests: &mut Vec<Request>,
    ) -> Result<(), EngineError> {
        let now = self.clock.now();
        for request in requests.drain(..) {
            match request {
                Request::Command(event) => self.pending.push_back(event),
                Request::SetTimer(timer) => self.timers.set(timer, now)?,
                Request::CancelTimer(name) => {
                    self.timers.cancel(&name, Some(strategy_id));
                }
            }
        }
        Ok(())
    }
}
