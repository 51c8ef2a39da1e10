//! Verification: every row re-hashed against the one before it (and, when deep, its payload
//! decoded and checked against its columns), the seqs gap-free from 1, the head compared with the anchor,
//! and every snapshot checked against the event it sits on. The rows are checked in parallel
//! chunks (each chunk starts from the stored hash of the row before it); the first bad seq wins.

use super::anchor::Anchor;
use super::chain::{snapshot_hash, ChainHash, Hash, RowFields, RowHasher};
use super::error::StoreError;
use super::schema;
use super::writer::event_hash;
use crate::events::Event;
use crate::types::{ClientOrderId, InstrumentId, StrategyId};
use rusqlite::Connection;
use std::path::Path;

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Rows in `events`.
    pub events: u64,
    /// The highest seq and its stored hash (seq 0 and the genesis hash for an empty log).
    pub last_seq: u64,
    pub last_hash: Hash,
    /// The anchor file's head, when it could be read; `anchor_problem` otherwise.
    pub anchor: Option<Anchor>,
    pub anchor_problem: Option<String>,
    /// The first seq that does not verify, and why.
    pub first_bad: Option<u64>,
    pub problem: Option<String>,
    pub snapshots: u64,
    /// Snapshots whose hash does not match (their seq).
    pub bad_snapshots: Vec<u64>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.first_bad.is_none() && self.anchor_problem.is_none() && self.bad_snapshots.is_empty()
    }

    /// One line: "ok ..." or the first problem, naming the seq.
    pub fn summary(&self, path: &Path) -> String {
        let path = path.display();
        if let (Some(seq), Some(problem)) = (self.first_bad, &self.problem) {
            return format!("{path}: seq {seq}: {problem}");
        }
        if let Some(problem) = &self.anchor_problem {
            return format!("{path}: {problem}");
        }
        if let Some(seq) = self.bad_snapshots.first() {
            return format!("{path}: snapshot at seq {seq}: hash does not match its bytes");
        }
        format!(
            "{path}: ok: {} events, head seq {} hash {}",
            self.events,
            self.last_seq,
            super::chain::to_hex(&self.last_hash)
        )
    }
}

/// A problem in one chunk: the seq and why.
type Bad = (u64, String);

/// Checks rows `from..=to` given the stored hash of row `from - 1`.
fn check_chunk(
    conn: &Connection,
    path: &Path,
    chain: ChainHash,
    from: u64,
    to: u64,
    prev: Hash,
    deep: bool,
) -> Result<Option<Bad>, StoreError> {
    let sql = |e: rusqlite::Error| StoreError::sql(path, &e);
    let mut stmt = conn
        .prepare(
            "SELECT seq, ts_event, ts_init, kind, instrument_id, strategy_id, client_order_id, \
             payload, hash FROM events WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq",
        )
        .map_err(sql)?;
    let mut rows = stmt.query([from as i64, to as i64]).map_err(sql)?;
    let mut expected = from;
    let mut prev = prev;
    let mut hasher = RowHasher::default();
    while let Some(row) = rows.next().map_err(sql)? {
        let seq: i64 = row.get(0).map_err(sql)?;
        if seq as u64 != expected {
            return Ok(Some((expected, format!("missing (the next row is seq {seq})"))));
        }
        let (Ok(ts_event), Ok(ts_init)) = (row.get::<_, i64>(1), row.get::<_, i64>(2)) else {
            return Ok(Some((expected, "timestamps are not integers".into())));
        };
        let Ok(kind) = row.get_ref(3).and_then(|v| Ok(v.as_str()?)) else {
            return Ok(Some((expected, "kind is not text".into())));
        };
        let text = |i: usize| row.get_ref(i).and_then(|v| Ok(v.as_str_or_null()?));
        let (Ok(instrument_id), Ok(strategy_id), Ok(client_order_id)) = (text(4), text(5), text(6))
        else {
            return Ok(Some((expected, "an id column is not text".into())));
        };
        let Ok(payload) = row.get_ref(7).and_then(|v| Ok(v.as_blob()?)) else {
            return Ok(Some((expected, "payload is not a blob".into())));
        };
        let stored: Option<Hash> =
            row.get_ref(8).ok().and_then(|v| v.as_blob().ok()).and_then(|b| b.try_into().ok());
        let Some(stored) = stored else {
            return Ok(Some((expected, "hash is missing or not 32 bytes".into())));
        };
        let fields = RowFields {
            seq: expected,
            ts_event: ts_event as u64,
            ts_init: ts_init as u64,
            kind,
            instrument_id,
            strategy_id,
            client_order_id,
            payload,
        };
        if hasher.hash(chain, &prev, &fields) != stored {
            return Ok(Some((
                expected,
                "hash does not chain (the row was edited, moved, inserted or torn)".into(),
            )));
        }
        if let Some(problem) = deep.then(|| payload_problem(&fields)).flatten() {
            return Ok(Some((expected, problem)));
        }
        prev = stored;
        expected += 1;
    }
    if expected <= to {
        return Ok(Some((expected, "missing".into())));
    }
    Ok(None)
}

/// Why a payload does not match its columns, if it does not.
fn payload_problem(row: &RowFields<'_>) -> Option<String> {
    let event = match Event::from_msgpack(row.payload) {
        Ok(e) => e,
        Err(e) => return Some(format!("payload: {e}")),
    };
    let same = event.kind() == row.kind
        && event.ts_event().0 == row.ts_event
        && event.ts_init().0 == row.ts_init
        && event.instrument_id().as_ref().map(InstrumentId::as_str) == row.instrument_id
        && event.strategy_id().as_ref().map(StrategyId::as_str) == row.strategy_id
        && event.client_order_id().as_ref().map(ClientOrderId::as_str) == row.client_order_id;
    (!same).then(|| "payload does not match the row's columns".into())
}

fn stored_hash(
    conn: &Connection,
    path: &Path,
    chain: ChainHash,
    seq: u64,
) -> Result<Hash, StoreError> {
    Ok(event_hash(conn, path, chain, seq)?.unwrap_or_else(|| chain.genesis()))
}

/// Verifies the whole log at `path` (a reader connection per chunk).
pub fn verify(
    path: &Path,
    conn: &Connection,
    chain: ChainHash,
    anchor: Result<Anchor, StoreError>,
    deep: bool,
) -> Result<VerifyReport, StoreError> {
    let sql = |e: rusqlite::Error| StoreError::sql(path, &e);
    let (events, max_seq): (i64, Option<i64>) = conn
        .query_row("SELECT count(*), max(seq) FROM events", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(sql)?;
    let last_seq = max_seq.unwrap_or(0).max(0) as u64;
    let threads = std::thread::available_parallelism().map_or(1, usize::from).min(4) as u64;
    let chunks = if last_seq < 200_000 { 1 } else { threads };
    let size = last_seq.div_ceil(chunks.max(1)).max(1);
    let bounds: Vec<(u64, u64)> = (0..chunks)
        .map(|k| (k * size + 1, ((k + 1) * size).min(last_seq)))
        .filter(|(a, b)| a <= b)
        .collect();
    let results: Vec<Result<Option<Bad>, StoreError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = bounds
            .iter()
            .map(|&(from, to)| {
                scope.spawn(move || {
                    let conn = schema::connect(path, true)?;
                    let prev = stored_hash(&conn, path, chain, from - 1)?;
                    check_chunk(&conn, path, chain, from, to, prev, deep)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(StoreError::Io {
                        path: path.display().to_string(),
                        message: "verifier panicked".into(),
                    })
                })
            })
            .collect()
    });
    let mut first: Option<Bad> = None;
    for result in results {
        if let Some(bad) = result? {
            if first.as_ref().is_none_or(|f| bad.0 < f.0) {
                first = Some(bad);
            }
        }
    }
    let last_hash = stored_hash(conn, path, chain, last_seq)?;
    let (anchor, anchor_problem) = match anchor {
        Ok(a) => (Some(a), None),
        Err(e) => (None, Some(e.to_string())),
    };
    if let (Some(a), None) = (anchor, &first) {
        if a.seq > last_seq && a.durable > last_seq {
            first = Some((
                last_seq + 1,
                format!(
                    "missing: the log ends at seq {last_seq} but the anchor records seq {}, \
                     durable through seq {} (truncated)",
                    a.seq, a.durable
                ),
            ));
        } else if a.seq > last_seq {
            first = Some((
                last_seq + 1,
                format!(
                    "missing: the log ends at seq {last_seq} but the anchor records seq {} \
                     (a tail lost before it was synced, or truncated)",
                    a.seq
                ),
            ));
        } else if stored_hash(conn, path, chain, a.seq)? != a.hash {
            first =
                Some((a.seq, "hash differs from the anchor file (the log was rewritten)".into()));
        }
    }
    let (snapshots, bad_snapshots) = check_snapshots(conn, path, chain, last_seq)?;
    let (first_bad, problem) = first.map_or((None, None), |(s, p)| (Some(s), Some(p)));
    Ok(VerifyReport {
        events: events as u64,
        last_seq,
        last_hash,
        anchor,
        anchor_problem,
        first_bad,
        problem,
        snapshots,
        bad_snapshots,
    })
}

/// Checks every snapshot's hash; returns the count and the seqs of bad ones.
fn check_snapshots(
    conn: &Connection,
    path: &Path,
    chain: ChainHash,
    last_seq: u64,
) -> Result<(u64, Vec<u64>), StoreError> {
    let sql = |e: rusqlite::Error| StoreError::sql(path, &e);
    let mut stmt =
        conn.prepare("SELECT seq, ts, payload, hash FROM snapshots ORDER BY seq").map_err(sql)?;
    let mut rows = stmt.query([]).map_err(sql)?;
    let (mut count, mut bad) = (0, Vec::new());
    while let Some(row) = rows.next().map_err(sql)? {
        count += 1;
        let seq = row.get::<_, i64>(0).map_err(sql)? as u64;
        if !snapshot_ok(conn, path, chain, row, last_seq)? {
            bad.push(seq);
        }
    }
    Ok((count, bad))
}

/// True when a `snapshots` row (seq, ts, payload, hash) matches the event it sits on.
pub fn snapshot_ok(
    conn: &Connection,
    path: &Path,
    chain: ChainHash,
    row: &rusqlite::Row<'_>,
    last_seq: u64,
) -> Result<bool, StoreError> {
    let (Ok(seq), Ok(ts), Ok(payload), Ok(hash)) = (
        row.get::<_, i64>(0),
        row.get::<_, i64>(1),
        row.get_ref(2).and_then(|v| Ok(v.as_blob()?)),
        row.get_ref(3).and_then(|v| Ok(v.as_blob()?)),
    ) else {
        return Ok(false);
    };
    let seq = seq as u64;
    if seq > last_seq {
        return Ok(false);
    }
    let Some(event_hash) = event_hash(conn, path, chain, seq)? else { return Ok(false) };
    Ok(snapshot_hash(seq, ts as u64, &event_hash, payload)[..] == *hash)
}
