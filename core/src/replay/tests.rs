use super::testkit::{config, inputs, instrument, live_engine, numbered, run};
use super::*;
use crate::engine::Engine;
use crate::events::{Event, SubmitOrder};
use crate::types::{ClientOrderId, OrderSide, OrderType, StrategyId, TimeInForce, UnixNanos};
use proptest::prelude::*;

/// The live engine's state as a re-fold sees it: strategies' timers are theirs, not the log's.
fn without_timers(engine: &Engine) -> Vec<u8> {
    let cfg = config_of(engine);
    let mut copy = Engine::restore(cfg, &engine.snapshot().unwrap()).unwrap();
    copy.clear_timers();
    copy.snapshot().unwrap()
}

fn config_of(engine: &Engine) -> crate::engine::EngineConfig {
    engine.config().clone()
}

fn full_fold(seed: u64, log: &[Event]) -> Recovered {
    recover(&config(seed, true), &[instrument()], None, numbered(log)).unwrap()
}

#[test]
fn a_refold_of_the_whole_log_is_the_live_state() {
    let live = run(7, 400, false);
    assert!(live.log.iter().any(|e| e.kind() == "OrderFilled"));
    assert!(live.log.iter().any(|e| e.kind() == "TimerFired"));
    let recovered = full_fold(7, &live.log);
    assert_eq!(recovered.last_seq, live.log.len() as u64);
    assert!(recovered.unlogged.is_empty());
    assert_eq!(recovered.engine.snapshot().unwrap(), without_timers(&live.engine));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Latest snapshot + tail == a replay of every event from seq 1, for a snapshot anywhere.
    #[test]
    fn snapshot_plus_tail_equals_replay_from_the_start(
        seed in 0u64..1_000_000, steps in 20usize..250, pick in 0usize..1_000,
    ) {
        let live = run(seed, steps, true);
        let (at, bytes) = &live.snapshots[pick % live.snapshots.len()];
        let tail = numbered(&live.log).into_iter().skip(*at as usize);
        let cfg = config(seed, true);
        let from_snapshot = recover(&cfg, &[instrument()], Some((*at, bytes)), tail).unwrap();
        let from_start = full_fold(seed, &live.log);
        prop_assert_eq!(from_snapshot.last_seq, from_start.last_seq);
        prop_assert_eq!(&from_snapshot.in_flight, &from_start.in_flight);
        let bytes = from_snapshot.engine.snapshot().unwrap();
        prop_assert_eq!(&bytes, &from_start.engine.snapshot().unwrap());
        prop_assert_eq!(&bytes, &without_timers(&live.engine));
    }
}

#[test]
fn a_log_that_does_not_refold_names_the_seq() {
    let live = run(11, 200, false);
    let fill = live.log.iter().position(|e| e.kind() == "OrderFilled").unwrap();
    let mut edited = live.log.clone();
    if let Event::OrderFilled(f) = &mut edited[fill] {
        f.last_px = crate::types::Price::from_raw(f.last_px.raw() + 10_000_000, 2).unwrap();
    }
    let cfg = config(11, true);
    let err = recover(&cfg, &[instrument()], None, numbered(&edited)).err().unwrap();
    assert_eq!(
        err,
        ReplayError::Mismatch {
            seq: fill as u64 + 1,
            logged: "OrderFilled",
            derived: Some("OrderFilled")
        }
    );
    let mut cut = numbered(&live.log);
    cut.remove(5);
    let err = recover(&cfg, &[instrument()], None, cut).err().unwrap();
    assert_eq!(err, ReplayError::Gap { expected: 6, found: 7 });
    assert!(err.to_string().starts_with("seq 7:"));
}

#[test]
fn a_log_cut_inside_an_instant_recovers_and_reports_what_was_not_logged() {
    let live = run(3, 200, false);
    let submitted = live.log.iter().position(|e| e.kind() == "OrderSubmitted").unwrap();
    // Cut right after OrderInitialized: the submit's OrderSubmitted never reached the log.
    let tail = numbered(&live.log[..submitted]);
    let cfg = config(3, true);
    let recovered = recover(&cfg, &[instrument()], None, tail).unwrap();
    assert_eq!(recovered.last_seq, submitted as u64);
    assert_eq!(recovered.unlogged.first().map(Event::kind), Some("OrderSubmitted"));
}

#[test]
fn orders_without_an_acknowledgement_are_in_flight_and_never_resent() {
    // A live venue (no simulation): the submit goes out, no answer comes back.
    let cfg = config(1, false);
    let mut engine = Engine::new(cfg.clone()).unwrap();
    engine.add_instrument(instrument()).unwrap();
    let mut log = Vec::new();
    for event in inputs(1, 60).into_iter().filter(|e| !matches!(e, Event::CancelOrder(_))) {
        engine.process(event).unwrap();
        log.extend(engine.drain_events());
    }
    let sent: Vec<ClientOrderId> = engine
        .drain_outbound()
        .iter()
        .filter_map(|e| match e {
            Event::SubmitOrder(s) => Some(s.client_order_id),
            _ => None,
        })
        .collect();
    let open: Vec<ClientOrderId> =
        engine.state().open_orders().map(crate::orders::Order::client_order_id).collect();
    assert!(!open.is_empty());
    let mut recovered = recover(&cfg, &[instrument()], None, numbered(&log)).unwrap();
    assert_eq!(recovered.in_flight, open);
    assert!(recovered.in_flight.iter().all(|id| sent.contains(id)));
    assert!(recovered.engine.drain_outbound().is_empty());
}

#[test]
fn seek_gives_the_state_a_fold_to_that_seq_gives() {
    let live = run(5, 300, false);
    let source = VecSource::new(live.log.clone());
    let options = ReplayOptions { snapshot_every: 64, window: 5 };
    let mut replay = Replay::new(source, config(5, true), vec![instrument()], options).unwrap();
    let last = replay.last_seq();
    assert!(replay.checkpoint_seqs().count() as u64 >= last / 64);
    for target in [last, 1, last / 2, last / 2 + 1, last / 2 - 1, 0, 77, last - 3] {
        let view = replay.seek(target).unwrap();
        assert_eq!(view.seq, target);
        assert_eq!(view.recent.last().map(|r| r.0), (target > 0).then_some(target));
        assert!(view.recent.len() <= 5);
        let got = view.engine.snapshot().unwrap();
        let mut fold = fold_from(&config(5, true), &[instrument()], None).unwrap();
        for (seq, event) in numbered(&live.log).into_iter().take(target as usize) {
            fold.apply(seq, &event).unwrap();
        }
        assert_eq!(got, fold.engine().snapshot().unwrap(), "seek to {target}");
    }
    replay.seek(10).unwrap();
    assert_eq!(replay.step_back().unwrap().seq, 9);
    assert_eq!(replay.step_forward().unwrap().seq, 10);
    assert!(replay.seek(last + 1).is_err());
    let ts = live.log[99].ts_init();
    let at = replay.seek_ts(ts).unwrap().seq;
    assert!(at >= 100 && live.log[at as usize - 1].ts_init() <= ts);
}

#[test]
fn jumps_land_on_the_next_event_of_a_kind_or_of_an_order() {
    let live = run(9, 400, false);
    let source = VecSource::new(live.log.clone());
    let mut replay =
        Replay::new(source, config(9, true), vec![instrument()], ReplayOptions::default()).unwrap();
    let fills: Vec<u64> = numbered(&live.log)
        .iter()
        .filter(|(_, e)| e.kind() == "OrderFilled")
        .map(|(s, _)| *s)
        .collect();
    assert!(fills.len() >= 2);
    assert_eq!(replay.next_of_kind(Moment::Fill).unwrap().map(|v| v.seq), Some(fills[0]));
    assert_eq!(replay.next_of_kind(Moment::Fill).unwrap().map(|v| v.seq), Some(fills[1]));
    assert_eq!(replay.prev_of_kind(Moment::Fill).unwrap().map(|v| v.seq), Some(fills[0]));
    assert!(replay.prev_of_kind(Moment::Fill).unwrap().is_none());
    let Some(Event::OrderFilled(fill)) = live.log.get(fills[0] as usize - 1) else { panic!() };
    let order = fill.client_order_id;
    let order_seqs: Vec<u64> = numbered(&live.log)
        .iter()
        .filter(|(_, e)| e.client_order_id() == Some(order))
        .map(|(s, _)| *s)
        .collect();
    replay.seek(0).unwrap();
    for seq in &order_seqs {
        assert_eq!(replay.next_for_order(order).unwrap().map(|v| v.seq), Some(*seq));
    }
    assert!(replay.next_for_order(order).unwrap().is_none());
    let back = replay.prev_for_order(order).unwrap().map(|v| v.seq);
    assert_eq!(back, order_seqs.iter().rev().nth(1).copied());
    for moment in Moment::ALL {
        assert_eq!(Moment::parse(moment.name()), Some(moment));
        replay.seek(0).unwrap();
        if let Some(view) = replay.next_of_kind(moment).unwrap() {
            let event = &view.recent.last().unwrap().1;
            assert_eq!(Moment::of(event), Some(moment), "{event:?}");
        }
    }
}

/// A tiny deterministic market maker: one resting bid at the best bid; when it fills, sell the
/// position at market; a timer cancels a bid left resting too long.
struct Maker {
    resting: Option<ClientOrderId>,
}

impl crate::strategy::Strategy for Maker {
    fn id(&self) -> StrategyId {
        StrategyId::from_static("maker")
    }
    fn subscriptions(&self) -> crate::strategy::Subscriptions {
        crate::strategy::Subscriptions { quotes: true, ..Default::default() }
    }
    fn on_start(
        &mut self,
        ctx: &mut crate::strategy::Context<'_>,
    ) -> crate::strategy::CallbackResult {
        ctx.set_timer("refresh", ctx.now().add_ns(20_000_000), Some(20_000_000), None);
        Ok(())
    }
    fn on_quote(
        &mut self,
        ctx: &mut crate::strategy::Context<'_>,
        quote: &crate::events::QuoteTick,
    ) -> crate::strategy::CallbackResult {
        if self.resting.is_none() {
            let qty = crate::types::Quantity::from_raw(100_000_000, 3).unwrap();
            let request = crate::strategy::OrderRequest::limit(
                quote.instrument_id,
                OrderSide::Buy,
                qty,
                quote.bid_price,
            );
            self.resting = Some(ctx.submit(request).unwrap());
        }
        Ok(())
    }
    fn on_order_event(
        &mut self,
        ctx: &mut crate::strategy::Context<'_>,
        event: &Event,
    ) -> crate::strategy::CallbackResult {
        match event {
            Event::OrderFilled(f) if Some(f.client_order_id) == self.resting => {
                let request = crate::strategy::OrderRequest::market(
                    f.instrument_id,
                    OrderSide::Sell,
                    f.last_qty,
                );
                ctx.submit(request).unwrap();
            }
            Event::OrderCanceled(_) | Event::OrderRejected(_) | Event::OrderDenied(_)
                if event.client_order_id() == self.resting =>
            {
                self.resting = None;
            }
            _ => {}
        }
        if let Some(id) = self.resting {
            if ctx.order(id).is_some_and(crate::orders::Order::is_terminal) {
                self.resting = None;
            }
        }
        Ok(())
    }
    fn on_timer(
        &mut self,
        ctx: &mut crate::strategy::Context<'_>,
        _timer: &crate::events::TimerFired,
    ) -> crate::strategy::CallbackResult {
        if let Some(id) = self.resting {
            if ctx.order(id).is_some_and(crate::orders::Order::is_open) {
                ctx.cancel(id).unwrap();
            }
        }
        Ok(())
    }
}

/// FNV-1a over the MessagePack of every event: the stream hash.
fn stream_hash(events: &[Event]) -> (u64, Vec<u8>) {
    let mut bytes = Vec::new();
    for event in events {
        bytes.extend(event.to_msgpack().unwrap());
    }
    let hash = bytes
        .iter()
        .fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3));
    (hash, bytes)
}

fn backtest(inputs: &[Event]) -> Vec<Event> {
    let mut engine = Engine::new(config(21, true)).unwrap();
    engine.add_instrument(instrument()).unwrap();
    engine.add_strategy(Box::new(Maker { resting: None })).unwrap();
    engine.start().unwrap();
    for event in inputs {
        engine.process(event.clone()).unwrap();
    }
    // Let the venue's last answers arrive (not `stop`: the recurring timer never ends).
    let end = inputs.last().map_or(UnixNanos(0), Event::ts_init).add_ns(50_000_000);
    engine.advance_to(end).unwrap();
    engine.drain_events()
}

#[test]
fn rerunning_a_backtest_log_through_the_same_strategy_reproduces_it_byte_for_byte() {
    // Market data and operator commands only: the strategy makes every order itself.
    let data: Vec<Event> = inputs(21, 600)
        .into_iter()
        .filter(|e| {
            e.is_market_data()
                || matches!(e, Event::Halt(_) | Event::Resume(_) | Event::CancelAllOrders(_))
        })
        .collect();
    let log = backtest(&data);
    assert!(log.iter().filter(|e| e.kind() == "OrderFilled").count() >= 4);
    assert!(log.iter().any(|e| e.kind() == "TimerFired"));
    // What a replay reads back from the log: its market data and operator commands.
    let logged_inputs: Vec<Event> = log
        .iter()
        .filter(|e| {
            e.is_market_data()
                || matches!(e, Event::Halt(_) | Event::Resume(_) | Event::CancelAllOrders(_))
        })
        .cloned()
        .collect();
    assert_eq!(logged_inputs, data);
    let again = backtest(&logged_inputs);
    let (h1, b1) = stream_hash(&log);
    let (h2, b2) = stream_hash(&again);
    assert_eq!(h1, h2);
    assert_eq!(b1, b2);
    // And the log also re-folds without the strategy, to the same final state.
    let recovered = recover(&config(21, true), &[instrument()], None, numbered(&log)).unwrap();
    assert_eq!(recovered.last_seq, log.len() as u64);
}

#[test]
fn submit_fixture_is_an_input_and_engine_events_are_not() {
    let submit: Event = SubmitOrder {
        strategy_id: StrategyId::from_static("s"),
        instrument_id: instrument().id,
        client_order_id: ClientOrderId::from_static("X-1"),
        side: OrderSide::Buy,
        order_type: OrderType::Market,
        quantity: "1.000".parse().unwrap(),
        price: None,
        trigger_price: None,
        time_in_force: TimeInForce::Ioc,
        expire_time: None,
        post_only: false,
        reduce_only: false,
        ts_event: UnixNanos(1),
        ts_init: UnixNanos(1),
    }
    .into();
    assert!(is_input(&submit, true) && is_input(&submit, false));
    let live = live_engine(1);
    drop(live);
}
