use super::*;
use crate::clock::{ClockKind, LiveClock, WallTime};
use crate::events::{QuoteTick, TimerFired};
use crate::matching::{BookMode, LatencyConfig, VenueConfig};
use crate::risk::RiskConfig;
use crate::store::LogMeta;
use crate::strategy::{CallbackResult, Context, OrderRequest, Strategy, Subscriptions};
use crate::types::{
    AccountId, AccountType, Currency, InstrumentId, Money, OrderSide, StrategyId, UnixNanos, Venue,
};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

const NOW: Option<Duration> = Some(Duration::ZERO);

fn iid() -> InstrumentId {
    InstrumentId::from_static("BTCUSDT.SIM")
}

fn config(latency_ns: u64) -> EngineConfig {
    let usdt = Currency::from_static("USDT");
    EngineConfig {
        account_id: AccountId::from_static("SIM-001"),
        account_type: AccountType::Margin,
        starting_balances: vec![Money::parse("1000000", usdt).unwrap()],
        venue: Some(VenueConfig {
            venue: Venue::from_static("SIM"),
            account_id: AccountId::from_static("SIM-001"),
            book_mode: BookMode::L1,
            outages: vec![],
            queue_position: false,
            trade_fills: true,
        }),
        latency: LatencyConfig::Fixed {
            submit_ns: latency_ns,
            cancel_ns: latency_ns,
            modify_ns: latency_ns,
            response_ns: latency_ns,
        },
        risk: RiskConfig::default(),
        record_market_data: true,
    }
}

fn instrument() -> Instrument {
    Instrument::spot(
        iid(),
        Currency::from_static("BTC"),
        Currency::from_static("USDT"),
        "0.01".parse().unwrap(),
        "0.001".parse().unwrap(),
    )
}

fn engine_on(clock: Box<dyn crate::clock::Clock>, latency_ns: u64) -> Engine {
    let mut engine = Engine::with_clock(config(latency_ns), clock).unwrap();
    engine.add_instrument(instrument()).unwrap();
    engine
}

fn host() -> Host {
    Host::new(engine_on(ClockKind::Test.build(UnixNanos(0)), 0))
}

fn quote(ts: u64) -> Event {
    QuoteTick {
        instrument_id: iid(),
        bid_price: "100.00".parse().unwrap(),
        ask_price: "100.02".parse().unwrap(),
        bid_size: "5.000".parse().unwrap(),
        ask_size: "5.000".parse().unwrap(),
        ts_event: UnixNanos(ts),
        ts_init: UnixNanos(ts),
    }
    .into()
}

fn kinds(r: &Received) -> Vec<&'static str> {
    r.events().map(Event::kind).collect()
}

#[test]
fn the_engine_and_a_shared_host_cross_threads() {
    fn send<T: Send>() {}
    fn sync<T: Send + Sync>() {}
    send::<Engine>();
    send::<Host>();
    sync::<Shared>();
}

#[test]
fn every_call_is_published_once_to_every_subscriber() {
    let mut host = host();
    let all = host.bus().subscribe(None);
    let screen = host.bus().subscribe(Some(2));
    host.call(|e| e.process(quote(1))).unwrap();
    let s = StrategyId::from_static("manual");
    let request = OrderRequest::market(iid(), OrderSide::Buy, "1.000".parse().unwrap());
    host.call(|e| e.submit_order(s, &request)).unwrap();
    let everything = all.read(100, NOW);
    assert_eq!(
        kinds(&everything),
        [
            "QuoteTick",
            "SubmitOrder",
            "OrderInitialized",
            "OrderSubmitted",
            "OrderAccepted",
            "OrderFilled",
            "PositionOpened",
            "AccountState"
        ]
    );
    let latest = screen.read(100, NOW);
    assert_eq!(latest.missed, 6, "the screen keeps the newest two and is told of the rest");
    assert_eq!(kinds(&latest), ["PositionOpened", "AccountState"]);
    assert_eq!(latest.first, 6);
}

#[test]
fn a_failed_call_still_publishes_what_it_produced_and_refused_input_changes_nothing() {
    let mut host = host();
    let sub = host.bus().subscribe(None);
    let err = host.call(|e| {
        e.process(Event::QuoteTick(QuoteTick {
            instrument_id: InstrumentId::from_static("NOPE.SIM"),
            ..match quote(1) {
                Event::QuoteTick(q) => q,
                _ => unreachable!(),
            }
        }))
    });
    assert!(matches!(err, Err(HostError::Engine(EngineError::UnknownInstrument(_)))));
    assert!(sub.read(10, NOW).is_empty());
}

#[test]
fn views_are_published_when_asked_and_versions_move_only_on_change() {
    let mut host = host();
    host.call(|e| e.process(quote(1))).unwrap();
    assert!(host.board().read(&BTreeMap::new()).is_empty(), "nobody asked yet");
    host.board().request();
    host.call(|e| e.process(quote(2))).unwrap();
    let first: BTreeMap<String, u64> =
        host.board().read(&BTreeMap::new()).into_iter().map(|(k, (v, _))| (k, v)).collect();
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["balances", "ladder:BTCUSDT.SIM", "latency", "orders", "positions", "status"]
    );
    host.board().request();
    host.call(|e| e.process(quote(3))).unwrap();
    let changed: Vec<String> = host.board().read(&first).into_iter().map(|(k, _)| k).collect();
    assert_eq!(changed, ["ladder:BTCUSDT.SIM", "status"], "same book, later data and clock");
    assert_eq!(host.board().frames(), 2);
}

/// Sets a timer at start, `after_ns` from now, and counts its firings.
struct Alarm {
    after_ns: u64,
    fired: Arc<AtomicU64>,
}

impl Strategy for Alarm {
    fn id(&self) -> StrategyId {
        StrategyId::from_static("alarm")
    }
    fn subscriptions(&self) -> Subscriptions {
        Subscriptions::default()
    }
    fn on_start(&mut self, ctx: &mut Context<'_>) -> CallbackResult {
        let at = ctx.now().add_ns(self.after_ns);
        ctx.set_timer("wake", at, None, None);
        Ok(())
    }
    fn on_timer(&mut self, _ctx: &mut Context<'_>, _timer: &TimerFired) -> CallbackResult {
        self.fired.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[test]
fn on_a_live_clock_a_timer_fires_on_time_with_no_input() {
    let wall = WallTime::system();
    let start = wall.read();
    let mut engine = engine_on(Box::new(LiveClock::new(UnixNanos(0), wall.clone())), 0);
    let fired = Arc::new(AtomicU64::new(0));
    engine
        .add_strategy(Box::new(Alarm { after_ns: 20_000_000, fired: Arc::clone(&fired) }))
        .unwrap();
    let mut host = Host::new(engine);
    host.call(Engine::start).unwrap();
    assert!(host.engine().now() >= start, "a live engine starts at wall time");
    let sub = host.bus().subscribe(None);
    let shared = Arc::new(Shared::new(host));
    let server = Arc::clone(&shared);
    let thread = std::thread::spawn(move || serve(&server));
    let got = sub.read(10, Some(Duration::from_secs(30)));
    let seen_at = wall.read();
    shared.inbox().stop();
    thread.join().unwrap().unwrap();
    assert_eq!(kinds(&got), ["TimerFired"]);
    let timer = got.events().next().unwrap();
    assert!(seen_at.0 >= timer.ts_event().0, "not before it was due");
    assert_eq!(timer.ts_init(), timer.ts_event(), "stamped with its due time: it re-folds");
    assert_eq!(fired.load(Ordering::SeqCst), 1);
}

#[test]
fn a_served_engine_takes_posted_inputs_and_wakes_for_a_view_request() {
    let host = host();
    let sub = host.bus().subscribe(None);
    let shared = Arc::new(Shared::new(host));
    let server = Arc::clone(&shared);
    let thread = std::thread::spawn(move || serve(&server));
    shared.inbox().post([quote(5), quote(6)]);
    let mut got = Vec::new();
    while got.len() < 2 {
        got.extend(sub.read(10, Some(Duration::from_secs(30))).events().map(Event::ts_init));
    }
    assert_eq!(got, [UnixNanos(5), UnixNanos(6)]);
    shared.request_views();
    for _ in 0..3000 {
        if shared.board().frames() > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(shared.board().frames(), 1, "an idle engine publishes when asked");
    // A command from another thread goes in between two steps.
    shared.lock().unwrap().call(|e| e.halt("test", "console")).unwrap();
    let state = shared.lock().unwrap().engine().state().risk().state();
    assert_eq!(state, crate::types::TradingState::Halted);
    shared.inbox().stop();
    thread.join().unwrap().unwrap();
}

#[test]
fn a_second_lock_on_the_same_thread_is_refused_not_a_deadlock() {
    let shared = Shared::new(host());
    let guard = shared.lock().unwrap();
    assert!(matches!(shared.lock(), Err(HostError::Reentrant)));
    drop(guard);
    assert!(shared.lock().is_ok());
}

#[test]
fn a_recorded_host_recovers_into_a_host_that_records_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("run.db");
    let mut host = host();
    let header = store::RunHeader::of(host.engine()).to_meta().unwrap();
    let log =
        Arc::new(EventLog::create(&path, &LogMeta { run_id: "r".into(), config: header }).unwrap());
    host.attach(Arc::clone(&log), 2).unwrap();
    let sub = host.bus().subscribe(None);
    for ts in 1..=5 {
        host.call(|e| e.process(quote(ts))).unwrap();
    }
    assert_eq!(sub.read(100, NOW).len(), 5, "recording does not take events from subscribers");
    let (seq, _) = host.finish_log().unwrap().unwrap();
    assert_eq!(seq, 5);
    let before = host.engine().snapshot().unwrap();
    drop(host);
    let options = RecoverOptions { attach: Some(2), ..RecoverOptions::default() };
    let (mut back, recovery) = Host::recover(Arc::clone(&log), options).unwrap();
    assert_eq!((recovery.last_seq, recovery.unlogged), (5, 0));
    assert_eq!(back.engine().snapshot().unwrap(), before);
    back.call(|e| e.process(quote(6))).unwrap();
    assert_eq!(back.finish_log().unwrap().unwrap().0, 6);
}

#[test]
fn an_order_that_closed_long_ago_is_found_in_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut host = host();
    let header = store::RunHeader::of(host.engine()).to_meta().unwrap();
    let log = Arc::new(
        EventLog::create(
            &dir.path().join("run.db"),
            &LogMeta { run_id: "r".into(), config: header },
        )
        .unwrap(),
    );
    host.attach(log, 0).unwrap();
    host.call(|e| e.process(quote(1))).unwrap();
    let s = StrategyId::from_static("taker");
    let buy = OrderRequest::market(iid(), OrderSide::Buy, "0.001".parse().unwrap());
    let first = host.call(|e| e.submit_order(s, &buy)).unwrap();
    for _ in 0..crate::engine::RECENT_CLOSED_ORDERS {
        host.call(|e| e.submit_order(s, &buy)).unwrap();
    }
    assert!(host.engine().state().order(first).is_none(), "it left the engine's memory");
    assert!(host.engine().state().knows_order(first), "its id is still known, never reused");
    let found = host.order(first).unwrap().expect("rebuilt from the log");
    assert_eq!(found.status(), crate::types::OrderStatus::Filled);
    assert_eq!(found.filled_qty(), "0.001".parse().unwrap());
}
