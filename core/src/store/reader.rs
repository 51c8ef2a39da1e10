//! Reading a log: rows by seq range (with their columns and hash), events decoded, snapshots.
//! Each reader has its own read-only connection, so reads never wait for the writer (WAL).

use super::chain::ChainHash;
use super::error::StoreError;
use super::schema::{self, SELECT_ROWS};
use super::verify::snapshot_ok;
use crate::events::Event;
use rusqlite::Connection;
use std::collections::VecDeque;
use std::path::{Path, PathBuf};

/// One stored row, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRow {
    pub seq: u64,
    pub ts_event: u64,
    pub ts_init: u64,
    pub kind: String,
    pub instrument_id: Option<String>,
    pub strategy_id: Option<String>,
    pub client_order_id: Option<String>,
    pub payload: Vec<u8>,
    pub hash: Vec<u8>,
}

/// Up to `limit` rows with `from <= seq <= to`, in seq order.
pub fn read_rows(
    conn: &Connection,
    path: &Path,
    from: u64,
    to: u64,
    limit: usize,
) -> Result<Vec<StoredRow>, StoreError> {
    let sql = |e: rusqlite::Error| StoreError::sql(path, &e);
    let mut stmt = conn.prepare_cached(SELECT_ROWS).map_err(sql)?;
    let to = to.min(i64::MAX as u64) as i64;
    let rows = stmt
        .query_map(rusqlite::params![from as i64, to, limit as i64], |r| {
            Ok(StoredRow {
                seq: r.get::<_, i64>(0)? as u64,
                ts_event: r.get::<_, i64>(1)? as u64,
                ts_init: r.get::<_, i64>(2)? as u64,
                kind: r.get(3)?,
                instrument_id: r.get(4)?,
                strategy_id: r.get(5)?,
                client_order_id: r.get(6)?,
                payload: r.get(7)?,
                hash: r.get(8)?,
            })
        })
        .map_err(sql)?;
    rows.collect::<Result<Vec<_>, _>>().map_err(sql)
}

const PAGE: usize = 4096;

/// Seq and payload only: an event read for a re-fold needs nothing else, and each payload is
/// decoded straight from SQLite's buffer.
const SELECT_PAYLOADS: &str =
    "SELECT seq, payload FROM events WHERE seq >= ?1 AND seq <= ?2 ORDER BY seq LIMIT ?3";

/// Events `from..=to` in seq order, decoded, read a page at a time.
pub struct EventIter {
    conn: Connection,
    path: PathBuf,
    next: u64,
    to: u64,
    buffer: VecDeque<Result<(u64, Event), StoreError>>,
    done: bool,
}

impl EventIter {
    pub fn new(path: &Path, from: u64, to: u64) -> Result<Self, StoreError> {
        Ok(Self {
            conn: schema::connect(path, true)?,
            path: path.to_path_buf(),
            next: from.max(1),
            to,
            buffer: VecDeque::new(),
            done: false,
        })
    }

    /// The next page: every row read and decoded, a gap or an undecodable payload ending it.
    fn fill(&mut self) -> Result<(), StoreError> {
        let path = &self.path;
        let sql = |e: rusqlite::Error| StoreError::sql(path, &e);
        let mut stmt = self.conn.prepare_cached(SELECT_PAYLOADS).map_err(sql)?;
        let to = self.to.min(i64::MAX as u64) as i64;
        let mut rows =
            stmt.query(rusqlite::params![self.next as i64, to, PAGE as i64]).map_err(sql)?;
        let mut read = 0;
        while let Some(row) = rows.next().map_err(sql)? {
            read += 1;
            let seq = row.get::<_, i64>(0).map_err(sql)? as u64;
            if seq != self.next {
                self.done = true;
                self.buffer.push_back(Err(StoreError::corrupt(path, self.next, "missing")));
                return Ok(());
            }
            let payload = row.get_ref(1).map_err(sql)?;
            let bytes =
                payload.as_blob().map_err(|e| StoreError::corrupt(path, seq, e.to_string()))?;
            let event = Event::from_msgpack(bytes)
                .map(|event| (seq, event))
                .map_err(|e| StoreError::corrupt(path, seq, format!("payload: {e}")));
            self.done |= event.is_err();
            self.buffer.push_back(event);
            self.next = seq + 1;
            if self.done {
                return Ok(());
            }
        }
        self.done = read < PAGE;
        Ok(())
    }
}

impl Iterator for EventIter {
    type Item = Result<(u64, Event), StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.buffer.is_empty() && !self.done {
            if let Err(e) = self.fill() {
                self.done = true;
                return Some(Err(e));
            }
        }
        self.buffer.pop_front()
    }
}

/// The latest snapshot at or before `seq` whose hash matches the event it sits on.
pub fn snapshot_at_or_before(
    conn: &Connection,
    path: &Path,
    chain: ChainHash,
    seq: u64,
) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
    let sql = |e: rusqlite::Error| StoreError::sql(path, &e);
    let last_seq: Option<i64> =
        conn.query_row("SELECT max(seq) FROM events", [], |r| r.get(0)).map_err(sql)?;
    let last_seq = last_seq.unwrap_or(0) as u64;
    let mut stmt = conn
        .prepare("SELECT seq, ts, payload, hash FROM snapshots WHERE seq <= ?1 ORDER BY seq DESC")
        .map_err(sql)?;
    let mut rows = stmt.query([seq.min(i64::MAX as u64) as i64]).map_err(sql)?;
    while let Some(row) = rows.next().map_err(sql)? {
        if snapshot_ok(conn, path, chain, row, last_seq)? {
            let at = row.get::<_, i64>(0).map_err(sql)? as u64;
            return Ok(Some((at, row.get(2).map_err(sql)?)));
        }
    }
    Ok(None)
}
