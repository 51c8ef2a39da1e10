//! The writer thread: the only connection that writes a log. Appenders hand it batches of rows
//! already numbered and hashed into the chain (in seq order, through one channel); it inserts
//! them with prepared multi-row statements inside one open transaction, and commits a group
//! when someone waits for it (durable commands under synchronous=FULL, flushes, snapshots),
//! when the oldest uncommitted row is 50 ms old, or when the group is large. After each commit
//! it moves the head in `meta` (same transaction) and rewrites the anchor file; checkpoints
//! run beside it (`checkpointer`).

use super::anchor::Anchor;
use super::batch::{Admission, Backlog, RowBatch, Spares};
use super::chain::{snapshot_hash, ChainHash, Hash};
use super::checkpointer::Checkpointer;
use super::error::StoreError;
use super::insert::Inserts;
use super::schema;
use rusqlite::{params, Connection, OptionalExtension};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Market data and other batched rows are committed at most this long after they arrive.
pub const MAX_BATCH_DELAY: Duration = Duration::from_millis(50);
/// A group is committed once it holds this many rows, to bound the transaction.
const MAX_GROUP_ROWS: usize = 262_144;

pub type Reply = SyncSender<Result<(), StoreError>>;

pub enum Request {
    /// Rows numbered `first_seq..`; with `done`, the caller waits for a durable commit.
    Append {
        first_seq: u64,
        rows: RowBatch,
        done: Option<Reply>,
        /// Counts the rows in the backlog until the request is handled.
        admitted: Admission,
    },
    /// Commit everything so far under synchronous=FULL.
    Flush {
        done: Reply,
    },
    Snapshot {
        seq: u64,
        ts: u64,
        payload: Vec<u8>,
        done: Reply,
    },
}

/// What the appenders and the writer share: the committed head and the first failure.
#[derive(Debug)]
pub struct Shared {
    pub head: Mutex<(u64, Hash)>,
    pub failed: Mutex<Option<StoreError>>,
    /// Batches the writer has inserted, for the appenders to fill again.
    pub spares: Spares,
    pub backlog: Arc<Backlog>,
}

impl Shared {
    pub fn new(head: (u64, Hash)) -> Self {
        Self {
            head: Mutex::new(head),
            failed: Mutex::new(None),
            spares: Spares::default(),
            backlog: Arc::default(),
        }
    }
    pub fn failure(&self) -> Option<StoreError> {
        self.failed.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }
    fn set_failure(&self, error: StoreError) {
        self.failed.lock().unwrap_or_else(PoisonError::into_inner).get_or_insert(error);
    }
    pub fn head(&self) -> (u64, Hash) {
        *self.head.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Group {
    open: bool,
    rows: usize,
    since: Option<Instant>,
    durable: bool,
    waiters: Vec<Reply>,
}

struct Writer<'c> {
    path: PathBuf,
    conn: &'c Connection,
    inserts: Inserts<'c>,
    last_seq: u64,
    last_hash: Hash,
    /// The last seq committed under synchronous=FULL.
    durable_seq: u64,
    /// The connection's current synchronous level: FULL (true) or NORMAL.
    full: bool,
    group: Group,
    shared: Arc<Shared>,
    checkpointer: Option<Checkpointer>,
    chain: ChainHash,
}

/// Runs the writer until every sender is gone, then commits what is left.
pub fn run(
    path: &Path,
    conn: &Connection,
    head: Anchor,
    rx: &Receiver<Request>,
    shared: &Arc<Shared>,
    chain: ChainHash,
) {
    let inserts = match Inserts::prepare(conn) {
        Ok(statements) => statements,
        Err(e) => return shared.set_failure(StoreError::sql(path, &e)),
    };
    let checkpointer = Checkpointer::start(path, conn);
    let mut w = Writer {
        path: path.to_path_buf(),
        conn,
        inserts,
        last_seq: head.seq,
        last_hash: head.hash,
        durable_seq: head.durable,
        full: false,
        group: Group { open: false, rows: 0, since: None, durable: false, waiters: Vec::new() },
        shared: Arc::clone(shared),
        checkpointer,
        chain,
    };
    loop {
        let request = match w.group.since {
            Some(since) => {
                let wait = MAX_BATCH_DELAY.saturating_sub(since.elapsed());
                match rx.recv_timeout(wait) {
                    Ok(r) => Some(r),
                    Err(RecvTimeoutError::Timeout) => None,
                    Err(RecvTimeoutError::Disconnected) => break,
                }
            }
            None => match rx.recv() {
                Ok(r) => Some(r),
                Err(_) => break,
            },
        };
        if let Some(request) = request {
            w.handle(request);
            // What is queued joins the group, up to its size or age limit: a queue that
            // never empties must not keep a group open.
            while let Ok(more) = rx.try_recv() {
                w.handle(more);
                if w.group_is_due() {
                    w.commit();
                }
            }
        }
        if !w.group.waiters.is_empty() || w.group_is_due() {
            w.commit();
        }
    }
    w.commit();
}

impl Writer<'_> {
    fn group_is_due(&self) -> bool {
        self.group.rows >= MAX_GROUP_ROWS
            || self.group.since.is_some_and(|s| s.elapsed() >= MAX_BATCH_DELAY)
    }

    fn fail(&mut self, error: StoreError) {
        self.shared.set_failure(error);
        if self.group.open {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        self.reply_all();
    }

    fn reply_all(&mut self) {
        let failure = self.shared.failure();
        for waiter in self.group.waiters.drain(..) {
            let _ = waiter.send(failure.clone().map_or(Ok(()), Err));
        }
        self.group =
            Group { open: false, rows: 0, since: None, durable: false, waiters: Vec::new() };
    }

    /// Opens a group if none is open. SQLite fixes a transaction's sync level when it begins,
    /// so a durable request arriving in an open batched group first commits that group.
    fn begin(&mut self, durable: bool) -> Result<(), StoreError> {
        if self.group.open && durable && !self.group.durable {
            self.commit();
            if let Some(failure) = self.shared.failure() {
                return Err(failure);
            }
        }
        let sql = |e: rusqlite::Error| StoreError::sql(&self.path, &e);
        if !self.group.open {
            if durable != self.full {
                let level = if durable { "FULL" } else { "NORMAL" };
                self.conn.execute_batch(&format!("PRAGMA synchronous = {level}")).map_err(sql)?;
                self.full = durable;
            }
            self.conn.execute_batch("BEGIN IMMEDIATE").map_err(sql)?;
            self.group.open = true;
            self.group.durable = durable;
            self.group.since = Some(Instant::now());
        }
        Ok(())
    }

    fn handle(&mut self, request: Request) {
        if self.shared.failure().is_some() {
            if let Request::Append { done: Some(done), .. }
            | Request::Flush { done }
            | Request::Snapshot { done, .. } = request
            {
                let _ = done.send(Err(self.shared.failure().unwrap_or_else(|| self.stopped())));
            }
            return;
        }
        let result = match request {
            Request::Append { first_seq, rows, done, admitted } => {
                let r = self.append(first_seq, &rows, done.is_some());
                drop(admitted);
                self.shared.spares.give_back(rows);
                self.group.waiters.extend(done);
                r
            }
            Request::Flush { done } => {
                let r = self.begin(true);
                self.group.waiters.push(done);
                r
            }
            Request::Snapshot { seq, ts, payload, done } => {
                match self.snapshot(seq, ts, &payload) {
                    // A snapshot the caller got wrong is refused; the log goes on.
                    Err(refused @ StoreError::Snapshot { .. }) => {
                        let _ = done.send(Err(refused));
                        Ok(())
                    }
                    r => {
                        self.group.waiters.push(done);
                        r
                    }
                }
            }
        };
        if let Err(error) = result {
            self.fail(error);
        }
    }

    fn stopped(&self) -> StoreError {
        StoreError::WriterStopped { path: self.path.display().to_string(), reason: "failed".into() }
    }

    fn append(&mut self, first_seq: u64, rows: &RowBatch, durable: bool) -> Result<(), StoreError> {
        if first_seq != self.last_seq + 1 {
            return Err(StoreError::corrupt(&self.path, first_seq, "appended out of order"));
        }
        self.begin(durable)?;
        self.inserts.insert(first_seq, rows).map_err(|e| StoreError::sql(&self.path, &e))?;
        if let Some(hash) = rows.last_hash() {
            self.last_seq = first_seq + rows.len() as u64 - 1;
            self.last_hash = hash;
        }
        self.group.rows += rows.len();
        Ok(())
    }

    fn snapshot(&mut self, seq: u64, ts: u64, payload: &[u8]) -> Result<(), StoreError> {
        let path = self.path.display().to_string();
        let snap_err = |reason: String| StoreError::Snapshot { path: path.clone(), seq, reason };
        if seq > self.last_seq {
            return Err(snap_err(format!("beyond the last event ({})", self.last_seq)));
        }
        self.begin(false)?;
        let event_hash = event_hash(self.conn, &self.path, self.chain, seq)?
            .ok_or_else(|| snap_err("no such event".into()))?;
        let hash = snapshot_hash(seq, ts, &event_hash, payload);
        self.conn
            .execute(
                "INSERT OR REPLACE INTO snapshots (seq, ts, payload, hash) VALUES (?1, ?2, ?3, ?4)",
                params![seq as i64, ts as i64, payload, &hash[..]],
            )
            .map_err(|e| StoreError::sql(&self.path, &e))?;
        Ok(())
    }

    fn commit(&mut self) {
        if !self.group.open {
            self.reply_all();
            return;
        }
        if let Err(error) = self.try_commit() {
            return self.fail(error);
        }
        if self.group.durable {
            self.durable_seq = self.last_seq;
        }
        {
            let mut head = self.shared.head.lock().unwrap_or_else(PoisonError::into_inner);
            *head = (self.last_seq, self.last_hash);
        }
        // The anchor follows the commit; one lagging behind after a crash is accepted on open.
        if let Err(error) =
            (Anchor { seq: self.last_seq, hash: self.last_hash, durable: self.durable_seq })
                .write(&self.path)
        {
            return self.fail(error);
        }
        self.reply_all();
        // After the replies: nobody waits on the checkpoint's sync.
        if let Some(checkpointer) = &self.checkpointer {
            checkpointer.between_transactions(self.conn);
        }
    }

    fn try_commit(&mut self) -> Result<(), StoreError> {
        let sql = |e: rusqlite::Error| StoreError::sql(&self.path, &e);
        schema::set_meta(self.conn, &self.path, schema::META_HEAD_SEQ, &self.last_seq.to_string())?;
        let hex = super::chain::to_hex(&self.last_hash);
        schema::set_meta(self.conn, &self.path, schema::META_HEAD_HASH, &hex)?;
        self.conn.execute_batch("COMMIT").map_err(sql)?;
        self.group.open = false;
        Ok(())
    }
}

/// The hash of event `seq` (the genesis hash for seq 0), or None when there is no such row.
pub fn event_hash(
    conn: &Connection,
    path: &Path,
    chain: ChainHash,
    seq: u64,
) -> Result<Option<Hash>, StoreError> {
    if seq == 0 {
        return Ok(Some(chain.genesis()));
    }
    let bytes: Option<Vec<u8>> = conn
        .query_row("SELECT hash FROM events WHERE seq = ?1", [seq as i64], |r| r.get(0))
        .optional()
        .map_err(|e| StoreError::sql(path, &e))?;
    Ok(bytes.and_then(|b| <Hash>::try_from(b.as_slice()).ok()))
}
