//! Strategy callbacks. Callbacks run one at a time, after the event that caused them; what a
//! strategy asks for is applied after its callback returns, so strategies never re-enter the
//! engine and the order of everything is fixed by the order of events.

use super::{Engine, EngineError};
use crate::clock::TimerError;
use crate::events::{Bar, Event, QuoteTick, TimerFired, TradeTick};
use crate::stats::LatencyKind;
use crate::strategy::{CallbackResult, Context, Request, Strategy, StrategyError};
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
    /// Calls every strategy that wants `job`. The strategies leave `self` while they run (they
    /// read the state through their `Context`) and are put back on every path, an error too.
    pub(super) fn run_callback(&mut self, job: &Dispatch) -> Result<(), EngineError> {
        if self.strategies.is_empty() {
            return Ok(());
        }
        let mut strategies = std::mem::take(&mut self.strategies);
        let result = self.call_strategies(job, &mut strategies);
        self.strategies = strategies;
        result
    }

    fn call_strategies(
        &mut self,
        job: &Dispatch,
        strategies: &mut [Box<dyn Strategy>],
    ) -> Result<(), EngineError> {
        let started = self.stopwatch.as_ref().map(|s| s.now_ns());
        let mut requests = Vec::new();
        for strategy in strategies {
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
            let result = job.call(strategy.as_mut(), &mut ctx);
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
            result?;
            // A request the engine refuses (a timer name already in use) is the strategy's
            // mistake: it surfaces as the strategy's error, naming the action.
            self.apply_requests(id, &mut requests).map_err(|error| StrategyError {
                strategy_id: id,
                callback: "set_timer",
                message: error.to_string(),
            })?;
        }
        Ok(())
    }

    pub(super) fn apply_requests(
        &mut self,
        strategy_id: StrategyId,
        requests: &mut Vec<Request>,
    ) -> Result<(), TimerError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::EngineConfig;
    use crate::matching::LatencyConfig;
    use crate::risk::RiskConfig;
    use crate::types::{AccountId, AccountType, Currency, Instrument, Money, UnixNanos};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    /// Counts its quotes; sets the timer `t` on each one while `set_timer` says so.
    struct Timed {
        id: StrategyId,
        quotes: Arc<AtomicU64>,
        set_timer: bool,
    }

    impl Strategy for Timed {
        fn id(&self) -> StrategyId {
            self.id
        }

        fn subscriptions(&self) -> crate::strategy::Subscriptions {
            crate::strategy::Subscriptions { quotes: true, ..Default::default() }
        }

        fn on_quote(&mut self, ctx: &mut Context<'_>, _quote: &QuoteTick) -> CallbackResult {
            self.quotes.fetch_add(1, Ordering::Relaxed);
            if self.set_timer {
                ctx.set_timer("t", UnixNanos(1_000), None, None);
            }
            Ok(())
        }
    }

    fn engine() -> Engine {
        let usd = Currency::from_static("USD");
        let mut e = Engine::new(EngineConfig {
            account_id: AccountId::from_static("SIM-001"),
            account_type: AccountType::Margin,
            starting_balances: vec![Money::parse("1000", usd).unwrap()],
            venue: None,
            latency: LatencyConfig::Fixed {
                submit_ns: 0,
                cancel_ns: 0,
                modify_ns: 0,
                response_ns: 0,
            },
            risk: RiskConfig::default(),
            record_market_data: false,
        })
        .unwrap();
        let mut i = Instrument::spot(
            InstrumentId::from_static("EURUSD.SIM"),
            Currency::from_static("EUR"),
            usd,
            "0.00001".parse().unwrap(),
            "1".parse().unwrap(),
        );
        i.base_currency = None;
        e.add_instrument(i).unwrap();
        e
    }

    fn quote(ts: u64) -> Event {
        QuoteTick {
            instrument_id: InstrumentId::from_static("EURUSD.SIM"),
            bid_price: "1.10000".parse().unwrap(),
            ask_price: "1.10002".parse().unwrap(),
            bid_size: "1".parse().unwrap(),
            ask_size: "1".parse().unwrap(),
            ts_event: UnixNanos(ts),
            ts_init: UnixNanos(ts),
        }
        .into()
    }

    #[test]
    fn a_refused_request_names_the_strategy_and_keeps_every_strategy_running() {
        let mut e = engine();
        let (a, b) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let timed = |id: &str, quotes: &Arc<AtomicU64>, set_timer: bool| Timed {
            id: StrategyId::from_static(id),
            quotes: Arc::clone(quotes),
            set_timer,
        };
        e.add_strategy(Box::new(timed("b", &b, false))).unwrap();
        e.add_strategy(Box::new(timed("a", &a, true))).unwrap();
        e.process(quote(1)).unwrap();
        // The second quote asks for the timer `t` again: a duplicate.
        let error = e.process(quote(2)).unwrap_err().to_string();
        assert!(error.contains("strategy a"), "{error}");
        assert!(error.contains("set_timer"), "{error}");
        assert!(error.contains("timer \"t\" already exists"), "{error}");
        // Both strategies are still there: later callbacks reach them.
        e.process(quote(3)).unwrap_err();
        assert_eq!(a.load(Ordering::Relaxed), 3);
        assert_eq!(b.load(Ordering::Relaxed), 3);
        assert_eq!(e.strategies.len(), 2);
    }
}
