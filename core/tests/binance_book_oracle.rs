//! Oracle test for the order book: replays recorded Binance BTCUSDT streams (spot
//! `depth@100ms` across two contiguous files, USD-M futures `depth@0ms` with its `pu` chain)
//! through `OrderBook` following Binance's documented sync procedure, and checks that
//! - no sequence gap is reported, and
//! - whenever a depth update's `u` equals a bookTicker's `u`, the rebuilt best bid and ask
//!   (price and size) equal that bookTicker.
//!
//! Data: `$NAUTUI_DATA_DIR`, else the `shared/data` folder beside the repository checkout
//! (see `shared/data/README.md`). Absent data skips the test with a printed reason, except
//! under `CI`, where it fails.

use flate2::read::GzDecoder;
use nautui_core::book::{BookError, DeltaOutcome, OrderBook};
use nautui_core::events::{BookDeltas, BookLevel, BookLevelDelta, BookSnapshot};
use nautui_core::types::{BookAction, InstrumentId, OrderSide, Price, Quantity, UnixNanos};
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::collections::HashMap;
use std::env;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Finds a data file, or explains why the test is skipped (and fails under CI).
fn data_file(relative: &str) -> Option<PathBuf> {
    let dir = env::var_os("NAUTUI_DATA_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data"),
        PathBuf::from,
    );
    let path = dir.join(relative);
    if path.is_file() {
        return Some(path);
    }
    let reason = format!(
        "{} is absent: set NAUTUI_DATA_DIR or put the shared/data folder beside the checkout",
        path.display()
    );
    assert!(env::var_os("CI").is_none(), "CI must have the market data: {reason}");
    println!("SKIPPED: {reason}");
    None
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    stream: &'a str,
    #[allow(dead_code)]
    data: IgnoredAny,
}

#[derive(Deserialize)]
struct Data<T> {
    data: T,
}

#[derive(Deserialize)]
struct DepthUpdate<'a> {
    #[serde(rename = "E")]
    event_ms: u64,
    #[serde(rename = "U")]
    first: u64,
    #[serde(rename = "u")]
    last: u64,
    pu: Option<u64>,
    #[serde(borrow)]
    b: Vec<[&'a str; 2]>,
    #[serde(borrow)]
    a: Vec<[&'a str; 2]>,
}

#[derive(Deserialize)]
#[allow(non_snake_case)]
struct BookTicker<'a> {
    u: u64,
    b: &'a str,
    B: &'a str,
    a: &'a str,
    A: &'a str,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RestSnapshot<'a> {
    last_update_id: u64,
    #[serde(borrow)]
    bids: Vec<[&'a str; 2]>,
    #[serde(borrow)]
    asks: Vec<[&'a str; 2]>,
}

type Top = (Option<BookLevel>, Option<BookLevel>);

/// The Binance sync procedure around one `OrderBook`, plus what the oracle compares.
struct Replay {
    instrument_id: InstrumentId,
    price_precision: u8,
    size_precision: u8,
    book: OrderBook,
    /// Depth updates received before the snapshot.
    buffered: Vec<BookDeltas>,
    snapshot: Option<BookSnapshot>,
    /// Applied updates, kept for the throughput measurement.
    applied: Vec<BookDeltas>,
    stale: usize,
    gaps: Vec<BookError>,
    crossed: usize,
    /// Book top right after the depth update with this `u`.
    tops: HashMap<u64, Top>,
    /// bookTicker by its `u`.
    tickers: HashMap<u64, Top>,
}

impl Replay {
    fn new(symbol: &str, price_precision: u8, size_precision: u8) -> Self {
        let instrument_id = InstrumentId::from_static(symbol);
        Self {
            instrument_id,
            price_precision,
            size_precision,
            book: OrderBook::new(instrument_id, price_precision, size_precision),
            buffered: Vec::new(),
            snapshot: None,
            applied: Vec::new(),
            stale: 0,
            gaps: Vec::new(),
            crossed: 0,
            tops: HashMap::new(),
            tickers: HashMap::new(),
        }
    }

    fn level(&self, [price, size]: [&str; 2]) -> BookLevel {
        BookLevel {
            price: Price::parse_with_precision(price, self.price_precision).unwrap(),
            size: Quantity::parse_with_precision(size, self.size_precision).unwrap(),
        }
    }

    fn feed_file(&mut self, path: &Path) -> usize {
        let reader = BufReader::new(GzDecoder::new(File::open(path).unwrap()));
        let mut lines = 0;
        for line in reader.lines() {
            let line = line.unwrap();
            let (local_ns, json) = line.split_once(' ').unwrap();
            self.feed(local_ns.parse().unwrap(), json);
            lines += 1;
        }
        lines
    }

    fn feed(&mut self, local_ns: u64, json: &str) {
        if json.starts_with(r#"{"lastUpdateId""#) {
            let rest: RestSnapshot = serde_json::from_str(json).unwrap();
            self.on_snapshot(&rest, local_ns);
            return;
        }
        let stream = serde_json::from_str::<Envelope>(json).unwrap().stream;
        if stream.contains("@depth") {
            let update: Data<DepthUpdate> = serde_json::from_str(json).unwrap();
            let deltas = self.to_deltas(&update.data, local_ns);
            if self.snapshot.is_some() {
                self.apply(deltas);
            } else {
                self.buffered.push(deltas);
            }
        } else if stream.ends_with("@bookTicker") {
            let ticker: Data<BookTicker> = serde_json::from_str(json).unwrap();
            let t = ticker.data;
            let top = (Some(self.level([t.b, t.B])), Some(self.level([t.a, t.A])));
            self.tickers.insert(t.u, top);
        } else {
            assert!(stream.ends_with("@trade"), "unexpected stream {stream}");
        }
    }

    fn on_snapshot(&mut self, rest: &RestSnapshot, local_ns: u64) {
        assert!(self.snapshot.is_none(), "one snapshot per recording");
        let snapshot = BookSnapshot {
            instrument_id: self.instrument_id,
            sequence: rest.last_update_id,
            bids: rest.bids.iter().map(|&l| self.level(l)).collect(),
            asks: rest.asks.iter().map(|&l| self.level(l)).collect(),
            ts_event: UnixNanos(local_ns),
            ts_init: UnixNanos(local_ns),
        };
        self.book.apply_snapshot(&snapshot).unwrap();
        self.snapshot = Some(snapshot);
        for deltas in std::mem::take(&mut self.buffered) {
            self.apply(deltas);
        }
    }

    fn to_deltas(&self, update: &DepthUpdate, local_ns: u64) -> BookDeltas {
        let sides = [(OrderSide::Buy, &update.b), (OrderSide::Sell, &update.a)];
        let deltas = sides
            .into_iter()
            .flat_map(|(side, levels)| levels.iter().map(move |&l| (side, l)))
            .map(|(side, l)| {
                let BookLevel { price, size } = self.level(l);
                // Binance sends absolute sizes; zero removes the level.
                let action = if size.is_zero() { BookAction::Delete } else { BookAction::Update };
                BookLevelDelta { action, side, price, size }
            })
            .collect();
        BookDeltas {
            instrument_id: self.instrument_id,
            first_sequence: update.first,
            sequence: update.last,
            prev_sequence: update.pu,
            deltas,
            ts_event: UnixNanos(update.event_ms * 1_000_000),
            ts_init: UnixNanos(local_ns),
        }
    }

    fn apply(&mut self, deltas: BookDeltas) {
        match self.book.apply_deltas(&deltas) {
            Ok(DeltaOutcome::Applied) => {
                let top = (self.book.best_bid(), self.book.best_ask());
                self.tops.insert(deltas.sequence, top);
                self.crossed += usize::from(self.book.is_crossed());
                self.applied.push(deltas);
            }
            Ok(DeltaOutcome::Stale) => self.stale += 1,
            Err(error) => self.gaps.push(error),
        }
    }

    /// Prints and checks the oracle; returns the number of bookTicker matches.
    fn check(&self, name: &str) -> usize {
        assert!(self.snapshot.is_some(), "{name}: no snapshot in the recording");
        assert!(self.buffered.is_empty());
        let mut matches = 0;
        let mut mismatches = Vec::new();
        for (u, top) in &self.tops {
            if let Some(ticker) = self.tickers.get(u) {
                if ticker == top {
                    matches += 1;
                } else {
                    mismatches.push((*u, *top, *ticker));
                }
            }
        }
        mismatches.sort_by_key(|m| m.0);
        println!(
            "{name}: {} depth updates applied, {} stale dropped, {} gaps; {} bookTickers; \
             {matches} matches at equal u, {} mismatches; {} updates left the book crossed; final \
             sequence {}, {} bid / {} ask levels",
            self.applied.len(),
            self.stale,
            self.gaps.len(),
            self.tickers.len(),
            mismatches.len(),
            self.crossed,
            self.book.sequence(),
            self.book.level_count(OrderSide::Buy),
            self.book.level_count(OrderSide::Sell),
        );
        let first_gaps: Vec<String> = self.gaps.iter().take(3).map(ToString::to_string).collect();
        assert!(self.gaps.is_empty(), "{name}: {} gaps, first: {first_gaps:#?}", self.gaps.len());
        assert!(
            mismatches.is_empty(),
            "{name}: first mismatches {:#?}",
            &mismatches[..3.min(mismatches.len())]
        );
        assert_eq!(self.crossed, 0, "{name}: the rebuilt book crossed");
        matches
    }

    /// A looser, wider check: after every depth update, the book top against the latest
    /// bookTicker at or before its `u`. bookTicker can miss a change (seen twice on spot),
    /// so this tolerates 1% disagreement; a drifting book would disagree far more often.
    fn check_latest_ticker(&self, name: &str) {
        let mut tickers: Vec<(u64, Top)> = self.tickers.iter().map(|(u, t)| (*u, *t)).collect();
        tickers.sort_unstable_by_key(|t| t.0);
        let (mut equal, mut differ) = (0, Vec::new());
        for (u, top) in &self.tops {
            let before = tickers.partition_point(|t| t.0 <= *u);
            let Some((ticker_u, ticker)) = before.checked_sub(1).map(|i| tickers[i]) else {
                continue;
            };
            if ticker == *top {
                equal += 1;
            } else {
                differ.push((*u, ticker_u));
            }
        }
        differ.sort_unstable();
        println!(
            "{name}: book top vs latest bookTicker at or before u: {equal} equal, {} differ \
             (depth u, ticker u): {differ:?}",
            differ.len()
        );
        assert!(differ.len() * 100 <= equal, "{name}: the book top drifts from bookTicker");
    }

    /// Re-applies the snapshot and every applied update `rounds` times and prints the rate.
    fn measure(&self, name: &str, rounds: u32) {
        let Some(snapshot) = &self.snapshot else {
            return;
        };
        let levels: usize = self.applied.iter().map(|d| d.deltas.len()).sum();
        let mut book =
            OrderBook::new(self.instrument_id, self.price_precision, self.size_precision);
        let start = Instant::now();
        for _ in 0..rounds {
            book.apply_snapshot(snapshot).unwrap();
            for deltas in &self.applied {
                book.apply_deltas(deltas).unwrap();
            }
        }
        let secs = start.elapsed().as_secs_f64();
        let updates = self.applied.len() as f64 * f64::from(rounds);
        println!(
            "{name}: {:.1} M updates/s, {:.1} M level changes/s ({:.1} levels per update, \
             {rounds} rounds in {secs:.3} s; meaningful in --release)",
            updates / secs / 1e6,
            levels as f64 * f64::from(rounds) / secs / 1e6,
            levels as f64 / self.applied.len() as f64,
        );
    }
}

#[test]
fn spot_book_replay_matches_book_ticker() {
    let files = ["binance/spot/btcusdt_20240808.gz", "binance/spot/btcusdt_20240809.gz"];
    let Some(paths) = files.iter().map(|f| data_file(f)).collect::<Option<Vec<_>>>() else {
        return;
    };
    // BTCUSDT spot: tick 0.01; lot 0.00001, but level sizes show up to 8 decimals.
    let mut replay = Replay::new("BTCUSDT.BINANCE", 2, 8);
    for path in &paths {
        let lines = replay.feed_file(path);
        println!("spot: read {lines} lines from {}", path.display());
    }
    let matches = replay.check("spot");
    assert!(matches > 1_000, "spot: only {matches} bookTicker matches");
    replay.check_latest_ticker("spot");
    replay.measure("spot", 20);
}

#[test]
fn usdm_book_replay_matches_book_ticker() {
    let Some(path) = data_file("binance/usdm/btcusdt_20240808.gz") else {
        return;
    };
    // BTCUSDT USD-M perpetual: prices with 2 decimals (tick 0.10), sizes with 3.
    let mut replay = Replay::new("BTCUSDT-PERP.BINANCE", 2, 3);
    let lines = replay.feed_file(&path);
    println!("usdm: read {lines} lines from {}", path.display());
    assert!(replay.applied.iter().all(|d| d.prev_sequence.is_some()), "futures carry pu");
    let matches = replay.check("usdm");
    // Futures depth ids advance by thousands per update, so equal ids are rarer than on spot.
    assert!(matches > 500, "usdm: only {matches} bookTicker matches");
    replay.check_latest_ticker("usdm");
    replay.measure("usdm", 20);
}
