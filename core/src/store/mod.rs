//! The event log: every event appended to an SQLite file (WAL) under a hash chain,
//! with the head also kept in a sidecar anchor file. The one I/O module: it sits outside the
//! deterministic engine and owns a writer thread (see `writer`). It links the system
//! libsqlite3 (never a bundled copy), the same library Python's sqlite3 uses, so both can open
//! one log in one process without breaking each other's POSIX locks.
//!
//! Write path: `append` numbers the events, encodes them and hands them to the writer thread;
//! batched rows are committed within 50 ms, and under the default policy a batch holding a
//! command (submit, cancel, modify, cancel-all, flatten, halt, resume) returns only once it is
//! committed under synchronous=FULL (write-ahead: the command may leave for the venue after).

mod anchor;
mod batch;
mod chain;
mod checkpointer;
mod error;
mod insert;
mod lookup;
mod reader;
mod recorder;
mod schema;
mod source;
mod verify;
mod writer;

pub use anchor::Anchor;
pub use batch::{BadPayload, RowBatch};
pub use chain::{to_hex, ChainHash, Hash};
pub use error::StoreError;
pub use lookup::{order as logged_order, order_events};
pub use reader::{EventIter, StoredRow};
pub use recorder::{RecordError, Recorder, RunHeader, RUN_HEADER_PREFIX};
pub use schema::SCHEMA_VERSION;
pub use source::{recover_log, refold_log, run_header, RecoverError};
pub use verify::VerifyReport;

use crate::events::Event;
use rusqlite::Connection;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use writer::{Request, Shared};

/// When appends reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Commands are durable (synchronous=FULL) before `append` returns; everything else is
    /// committed within 50 ms. The default.
    #[default]
    Safe,
    /// Every `append` waits for a durable commit.
    Full,
    /// Nothing waits (commands included): fastest, not write-ahead. For backtests.
    Batched,
}

impl std::str::FromStr for Durability {
    type Err = String;

    /// `safe`, `full` or `batched`.
    fn from_str(text: &str) -> Result<Self, String> {
        match text {
            "safe" => Ok(Self::Safe),
            "full" => Ok(Self::Full),
            "batched" => Ok(Self::Batched),
            other => Err(format!("unknown durability {other:?} (expected safe, full or batched)")),
        }
    }
}

/// What a new log records in `meta`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LogMeta {
    pub run_id: String,
    /// The run's configuration, as the caller serialised it (TOML or JSON text).
    pub config: String,
}

/// The seqs an append was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppendReceipt {
    pub first_seq: u64,
    pub last_seq: u64,
}

/// A pending durable commit (see `EventLog::append_durable_async`).
#[derive(Debug)]
pub struct Durable {
    wait: Option<Receiver<Result<(), StoreError>>>,
    path: PathBuf,
}

impl Durable {
    /// The commit's outcome if it is known now, without waiting; None while it is pending.
    pub fn poll(&mut self) -> Option<Result<(), StoreError>> {
        let Some(wait) = &self.wait else { return Some(Ok(())) };
        let outcome = match wait.try_recv() {
            Ok(outcome) => outcome,
            Err(std::sync::mpsc::TryRecvError::Empty) => return None,
            Err(std::sync::mpsc::TryRecvError::Disconnected) => Err(StoreError::WriterStopped {
                path: self.path.display().to_string(),
                reason: "closed before the commit".into(),
            }),
        };
        self.wait = None;
        Some(outcome)
    }

    /// Blocks until the events are committed under synchronous=FULL (or the writer failed).
    pub fn wait(self) -> Result<(), StoreError> {
        let Some(wait) = self.wait else { return Ok(()) };
        wait.recv().map_err(|_| StoreError::WriterStopped {
            path: self.path.display().to_string(),
            reason: "closed before the commit".into(),
        })?
    }
}

/// A torn tail found on open and cut back to the last valid event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TornTail {
    /// The first seq removed (or, for an anchor ahead of the log, the first seq missing).
    pub from_seq: u64,
    pub removed: u64,
    pub reason: String,
}

/// Facts about a log, for `nautui log info`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogInfo {
    pub path: String,
    pub schema_version: i64,
    pub run_id: String,
    pub config: String,
    pub events: u64,
    pub first_seq: u64,
    pub last_seq: u64,
    pub first_ts: Option<u64>,
    pub last_ts: Option<u64>,
    pub head_hash: String,
    pub anchor: Option<(u64, String)>,
    pub snapshots: u64,
    pub latest_snapshot_seq: Option<u64>,
    /// Events per kind, by kind name.
    pub kinds: Vec<(String, u64)>,
    pub file_bytes: u64,
}

/// The numbering side of the chain: appenders number and hash their rows under this lock (so
/// the writer thread only inserts), then queue them in that order.
struct Appender {
    next_seq: u64,
    last_hash: Hash,
    tx: Option<SyncSender<Request>>,
}

struct WriteSide {
    appender: Mutex<Appender>,
    shared: Arc<Shared>,
    thread: Mutex<Option<JoinHandle<()>>>,
    durability: Durability,
    /// Held until `close`: one writer per log, across processes.
    lock: Mutex<Option<File>>,
}

/// An open event log. `append*` and `flush` need a log opened for writing.
pub struct EventLog {
    path: PathBuf,
    /// How its rows are chained (by its schema version).
    chain: ChainHash,
    write: Option<WriteSide>,
    torn: Option<TornTail>,
}

/// Requests queued to the writer before an appender blocks (back-pressure).
const QUEUE: usize = 1024;

fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

fn take_lock(path: &Path) -> Result<File, StoreError> {
    let lock = lock_path(path);
    let file = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock)
        .map_err(|e| StoreError::io(&lock, &e))?;
    file.try_lock().map_err(|_| StoreError::Io {
        path: path.display().to_string(),
        message: "another process is writing this log".into(),
    })?;
    Ok(file)
}

impl EventLog {
    /// Creates a new, empty log (refuses an existing file). The database is built under a
    /// temporary name and renamed into place, then the anchor is written.
    pub fn create(path: &Path, meta: &LogMeta) -> Result<Self, StoreError> {
        Self::create_with(path, meta, Durability::default())
    }

    pub fn create_with(
        path: &Path,
        meta: &LogMeta,
        durability: Durability,
    ) -> Result<Self, StoreError> {
        Self::create_schema(path, meta, durability, schema::SCHEMA_VERSION)
    }

    /// `create_with` for a log of an older schema `version` (tests of logs written before).
    fn create_schema(
        path: &Path,
        meta: &LogMeta,
        durability: Durability,
        version: i64,
    ) -> Result<Self, StoreError> {
        let genesis = ChainHash::of_schema(version).genesis();
        if path.exists() {
            return Err(StoreError::Exists { path: path.display().to_string() });
        }
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".creating");
        let tmp = PathBuf::from(tmp);
        let _ = std::fs::remove_file(&tmp);
        {
            let conn = schema::connect(&tmp, false)?;
            let sql = |e: rusqlite::Error| StoreError::sql(&tmp, &e);
            conn.execute_batch(&format!("BEGIN; {} ", schema::CREATE)).map_err(sql)?;
            for (key, value) in [
                (schema::META_SCHEMA_VERSION, version.to_string()),
                (schema::META_RUN_ID, meta.run_id.clone()),
                (schema::META_CONFIG, meta.config.clone()),
                (schema::META_HEAD_SEQ, "0".into()),
                (schema::META_HEAD_HASH, to_hex(&genesis)),
            ] {
                schema::set_meta(&conn, &tmp, key, &value)?;
            }
            conn.execute_batch("COMMIT; PRAGMA wal_checkpoint(TRUNCATE);").map_err(sql)?;
        }
        if path.exists() {
            let _ = std::fs::remove_file(&tmp);
            return Err(StoreError::Exists { path: path.display().to_string() });
        }
        std::fs::rename(&tmp, path).map_err(|e| StoreError::io(path, &e))?;
        Anchor { seq: 0, hash: genesis, durable: 0 }.write(path)?;
        Self::open_with(path, durability)
    }

    /// Opens a log for appending. The whole chain is verified first; a torn tail (rows past
    /// the anchor that do not verify, or an anchor ahead of the log) is cut back to the last
    /// valid event and reported by `torn_tail`. Anything else that does not verify is an error,
    /// and nothing is written.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Self::open_with(path, Durability::default())
    }

    pub fn open_with(path: &Path, durability: Durability) -> Result<Self, StoreError> {
        schema::check_file(path)?;
        let lock = take_lock(path)?;
        let conn = schema::connect(path, false)?;
        let chain = schema::chain_of(&conn, path)?;
        let anchor = Anchor::read(path)?;
        let report = verify::verify(path, &conn, chain, Ok(anchor), false)?;
        let torn = Self::cut_torn_tail(path, &conn, &report, anchor)?;
        let head = if torn.is_some() {
            let last: Option<i64> = conn
                .query_row("SELECT max(seq) FROM events", [], |r| r.get(0))
                .map_err(|e| StoreError::sql(path, &e))?;
            let last = last.unwrap_or(0) as u64;
            (last, writer::event_hash(&conn, path, chain, last)?.unwrap_or_else(|| chain.genesis()))
        } else {
            (report.last_seq, report.last_hash)
        };
        if let Some(seq) = report.bad_snapshots.first() {
            return Err(StoreError::Snapshot {
                path: path.display().to_string(),
                seq: *seq,
                reason: "hash does not match its bytes".into(),
            });
        }
        let fresh = Anchor { seq: head.0, hash: head.1, durable: anchor.durable.min(head.0) };
        if anchor != fresh {
            fresh.write(path)?;
        }
        let shared = Arc::new(Shared::new(head));
        let (tx, rx) = sync_channel(QUEUE);
        let thread_shared = Arc::clone(&shared);
        let thread_path = path.to_path_buf();
        let thread = std::thread::Builder::new()
            .name("nautui-eventlog".into())
            .spawn(move || writer::run(&thread_path, &conn, fresh, &rx, &thread_shared, chain))
            .map_err(|e| StoreError::Io {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        Ok(Self {
            path: path.to_path_buf(),
            chain,
            write: Some(WriteSide {
                appender: Mutex::new(Appender {
                    next_seq: head.0 + 1,
                    last_hash: head.1,
                    tx: Some(tx),
                }),
                shared,
                thread: Mutex::new(Some(thread)),
                durability,
                lock: Mutex::new(Some(lock)),
            }),
            torn,
        })
    }

    fn cut_torn_tail(
        path: &Path,
        conn: &Connection,
        report: &VerifyReport,
        anchor: Anchor,
    ) -> Result<Option<TornTail>, StoreError> {
        match (report.first_bad, &report.problem) {
            (None, _) => Ok(None),
            (Some(seq), Some(problem)) if seq > anchor.seq => {
                // Past the anchor: rows the last run wrote but never confirmed.
                let sql = |e: rusqlite::Error| StoreError::sql(path, &e);
                let tx = conn.unchecked_transaction().map_err(sql)?;
                let removed =
                    tx.execute("DELETE FROM events WHERE seq >= ?1", [seq as i64]).map_err(sql)?;
                tx.execute("DELETE FROM snapshots WHERE seq >= ?1", [seq as i64]).map_err(sql)?;
                tx.commit().map_err(sql)?;
                Ok(Some(TornTail {
                    from_seq: seq,
                    removed: removed as u64,
                    reason: problem.clone(),
                }))
            }
            (Some(seq), Some(problem))
                if seq == report.last_seq + 1
                    && anchor.seq > report.last_seq
                    && anchor.durable <= report.last_seq =>
            {
                // The anchor is ahead of the log: its last commits were lost before a sync.
                Ok(Some(TornTail { from_seq: seq, removed: 0, reason: problem.clone() }))
            }
            (Some(seq), problem) => Err(StoreError::corrupt(
                path,
                seq,
                problem.clone().unwrap_or_else(|| "does not verify".into()),
            )),
        }
    }

    /// Opens a log for reading only: checks it is a log of a schema this build reads; nothing
    /// is verified (call `verify`) and nothing is ever written.
    pub fn open_readonly(path: &Path) -> Result<Self, StoreError> {
        schema::check_file(path)?;
        let conn = schema::connect(path, true)?;
        let chain = schema::chain_of(&conn, path)?;
        Ok(Self { path: path.to_path_buf(), chain, write: None, torn: None })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The run's configuration as recorded in `meta` (for a recording, a `RunHeader`).
    pub fn config(&self) -> Result<String, StoreError> {
        let conn = schema::connect(&self.path, true)?;
        Ok(schema::get_meta(&conn, &self.path, schema::META_CONFIG)?.unwrap_or_default())
    }

    /// The append policy, or None for a log opened read-only.
    pub fn durability(&self) -> Option<Durability> {
        self.write.as_ref().map(|w| w.durability)
    }

    /// The torn tail cut on open, if there was one.
    pub fn torn_tail(&self) -> Option<&TornTail> {
        self.torn.as_ref()
    }

    fn writer(&self) -> Result<&WriteSide, StoreError> {
        let side = self
            .write
            .as_ref()
            .ok_or_else(|| StoreError::ReadOnly { path: self.path.display().to_string() })?;
        if let Some(failure) = side.shared.failure() {
            return Err(failure);
        }
        Ok(side)
    }

    fn stopped(&self) -> StoreError {
        StoreError::WriterStopped { path: self.path.display().to_string(), reason: "closed".into() }
    }

    /// An empty batch to fill (with `RowBatch::push` or `push_payload`) and append: one
    /// emptied by the writer when there is one, so steady appends allocate nothing.
    pub fn batch(&self) -> RowBatch {
        self.write.as_ref().map_or_else(RowBatch::default, |side| side.shared.spares.take())
    }

    fn batch_of(&self, events: &[Event]) -> Result<RowBatch, StoreError> {
        let mut batch = self.batch();
        for event in events {
            batch.push(event)?;
        }
        Ok(batch)
    }

    /// Appends events; a batch holding a command waits for a durable commit under the `Safe`
    /// policy (every batch under `Full`, none under `Batched`).
    pub fn append(&self, events: &[Event]) -> Result<AppendReceipt, StoreError> {
        self.append_batch(self.batch_of(events)?)
    }

    /// `append` for a filled batch.
    pub fn append_batch(&self, batch: RowBatch) -> Result<AppendReceipt, StoreError> {
        let durable = match self.writer()?.durability {
            Durability::Safe => batch.has_command(),
            Durability::Full => true,
            Durability::Batched => false,
        };
        self.append_rows(batch, durable)
    }

    /// Appends events and returns once they are committed under synchronous=FULL.
    pub fn append_durable(&self, events: &[Event]) -> Result<AppendReceipt, StoreError> {
        self.append_rows(self.batch_of(events)?, true)
    }

    /// `append_durable` for a filled batch.
    pub fn append_batch_durable(&self, batch: RowBatch) -> Result<AppendReceipt, StoreError> {
        self.append_rows(batch, true)
    }

    /// Appends events for a durable commit without waiting for it: the returned `Durable`
    /// resolves once they are committed under synchronous=FULL. An engine keeps processing and
    /// releases each command to the venue when its `Durable` resolves, so many commands share
    /// one fsync (group commit) without anyone sending a command before it is on disk.
    pub fn append_durable_async(
        &self,
        events: &[Event],
    ) -> Result<(AppendReceipt, Durable), StoreError> {
        self.append_batch_durable_async(self.batch_of(events)?)
    }

    /// `append_durable_async` for a filled batch.
    pub fn append_batch_durable_async(
        &self,
        batch: RowBatch,
    ) -> Result<(AppendReceipt, Durable), StoreError> {
        let (receipt, wait) = self.send_rows(batch, true)?;
        Ok((receipt, Durable { wait, path: self.path.clone() }))
    }

    fn append_rows(&self, batch: RowBatch, durable: bool) -> Result<AppendReceipt, StoreError> {
        let (receipt, wait) = self.send_rows(batch, durable)?;
        if let Some(wait) = wait {
            wait.recv().map_err(|_| self.stopped())??;
        }
        Ok(receipt)
    }

    #[allow(clippy::type_complexity)] // the receipt and, for a durable append, its reply channel
    fn send_rows(
        &self,
        mut rows: RowBatch,
        durable: bool,
    ) -> Result<(AppendReceipt, Option<Receiver<Result<(), StoreError>>>), StoreError> {
        let side = self.writer()?;
        let n = rows.len() as u64;
        let (done, wait) = if durable {
            let (tx, rx) = sync_channel(1);
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        // Waits here, holding no lock, while the writer is behind.
        let admitted = side.shared.backlog.admit(rows.len());
        let receipt = {
            let mut appender = side.appender.lock().unwrap_or_else(PoisonError::into_inner);
            let first_seq = appender.next_seq;
            if n == 0 {
                return Ok((AppendReceipt { first_seq, last_seq: first_seq - 1 }, None));
            }
            let tx = appender.tx.as_ref().ok_or_else(|| self.stopped())?;
            let hash = rows.chain(self.chain, first_seq, appender.last_hash);
            let request = Request::Append { first_seq, rows, done, admitted };
            tx.send(request).map_err(|_| self.stopped())?;
            appender.next_seq += n;
            appender.last_hash = hash;
            AppendReceipt { first_seq, last_seq: first_seq + n - 1 }
        };
        Ok((receipt, wait))
    }

    fn request(&self, make: impl FnOnce(writer::Reply) -> Request) -> Result<(), StoreError> {
        self.request_async(make)?.wait()
    }

    fn request_async(
        &self,
        make: impl FnOnce(writer::Reply) -> Request,
    ) -> Result<Durable, StoreError> {
        let side = self.writer()?;
        let (tx, rx) = sync_channel(1);
        {
            let appender = side.appender.lock().unwrap_or_else(PoisonError::into_inner);
            let sender = appender.tx.as_ref().ok_or_else(|| self.stopped())?;
            sender.send(make(tx)).map_err(|_| self.stopped())?;
        }
        Ok(Durable { wait: Some(rx), path: self.path.clone() })
    }

    /// Commits everything appended so far, durably (synchronous=FULL).
    pub fn flush(&self) -> Result<(), StoreError> {
        self.request(|done| Request::Flush { done })
    }

    /// `flush` without waiting: the `Durable` resolves once everything appended before it is
    /// committed under synchronous=FULL.
    pub fn flush_async(&self) -> Result<Durable, StoreError> {
        self.request_async(|done| Request::Flush { done })
    }

    /// The last committed seq and its hash (seq 0 and the genesis hash for an empty log).
    pub fn head(&self) -> Result<(u64, Hash), StoreError> {
        if let Some(side) = &self.write {
            return Ok(side.shared.head());
        }
        let conn = schema::connect(&self.path, true)?;
        let last: Option<i64> = conn
            .query_row("SELECT max(seq) FROM events", [], |r| r.get(0))
            .map_err(|e| StoreError::sql(&self.path, &e))?;
        let last = last.unwrap_or(0) as u64;
        let genesis = || self.chain.genesis();
        Ok((last, writer::event_hash(&conn, &self.path, self.chain, last)?.unwrap_or_else(genesis)))
    }

    /// Decoded events from `seq` to the last committed one.
    pub fn read_from(&self, seq: u64) -> Result<EventIter, StoreError> {
        EventIter::new(&self.path, seq, u64::MAX)
    }

    /// Decoded events `from..=to`.
    pub fn read_range(&self, from: u64, to: u64) -> Result<EventIter, StoreError> {
        EventIter::new(&self.path, from, to)
    }

    /// Up to `limit` stored rows from `from`, with their columns and hashes.
    pub fn read_rows(&self, from: u64, limit: usize) -> Result<Vec<StoredRow>, StoreError> {
        let conn = schema::connect(&self.path, true)?;
        reader::read_rows(&conn, &self.path, from, u64::MAX, limit)
    }

    /// Stores a snapshot of the engine state as of event `seq` (committed before returning).
    pub fn save_snapshot(&self, seq: u64, ts: u64, payload: &[u8]) -> Result<(), StoreError> {
        self.save_snapshot_async(seq, ts, payload.to_vec())?.wait()
    }

    /// `save_snapshot` without waiting: the `Durable` resolves once the snapshot, and every
    /// event before it, is committed.
    pub fn save_snapshot_async(
        &self,
        seq: u64,
        ts: u64,
        payload: Vec<u8>,
    ) -> Result<Durable, StoreError> {
        self.request_async(|done| Request::Snapshot { seq, ts, payload, done })
    }

    /// The latest valid snapshot: its seq and bytes.
    pub fn latest_snapshot(&self) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        self.snapshot_at_or_before(u64::MAX)
    }

    /// Every valid snapshot, oldest first: `(seq, bytes)`.
    pub fn snapshots(&self) -> Result<Vec<(u64, Vec<u8>)>, StoreError> {
        let mut out = Vec::new();
        let mut at = u64::MAX;
        while let Some((seq, bytes)) = self.snapshot_at_or_before(at)? {
            out.push((seq, bytes));
            match seq.checked_sub(1) {
                Some(before) => at = before,
                None => break,
            }
        }
        out.reverse();
        Ok(out)
    }

    /// The latest valid snapshot at or before `seq`.
    pub fn snapshot_at_or_before(&self, seq: u64) -> Result<Option<(u64, Vec<u8>)>, StoreError> {
        let conn = schema::connect(&self.path, true)?;
        reader::snapshot_at_or_before(&conn, &self.path, self.chain, seq)
    }

    /// Verifies the chain of every committed row, the anchor and the snapshots. The hash
    /// covers each payload, so any change to one is caught here.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let conn = schema::connect(&self.path, true)?;
        verify::verify(&self.path, &conn, self.chain, Anchor::read(&self.path), false)
    }

    /// `verify`, and every payload decoded by the engine and checked against its row's
    /// columns (catches a writer that hashed a bad row; slower).
    pub fn verify_deep(&self) -> Result<VerifyReport, StoreError> {
        let conn = schema::connect(&self.path, true)?;
        verify::verify(&self.path, &conn, self.chain, Anchor::read(&self.path), true)
    }

    pub fn info(&self) -> Result<LogInfo, StoreError> {
        let path = &self.path;
        let conn = schema::connect(path, true)?;
        let sql = |e: rusqlite::Error| StoreError::sql(path, &e);
        let schema_version = schema::check_version(&conn, path)?;
        let (events, first, last): (i64, Option<i64>, Option<i64>) = conn
            .query_row("SELECT count(*), min(seq), max(seq) FROM events", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .map_err(sql)?;
        let ts_at = |seq: Option<i64>| -> Result<Option<u64>, StoreError> {
            let Some(seq) = seq else { return Ok(None) };
            conn.query_row("SELECT ts_event FROM events WHERE seq = ?1", [seq], |r| {
                r.get::<_, i64>(0)
            })
            .map(|t| Some(t as u64))
            .map_err(sql)
        };
        let mut stmt = conn
            .prepare("SELECT kind, count(*) FROM events GROUP BY kind ORDER BY kind")
            .map_err(sql)?;
        let kinds = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))
            .map_err(sql)?
            .collect::<Result<Vec<_>, _>>()
            .map_err(sql)?;
        let (snapshots, latest_snapshot_seq): (i64, Option<i64>) = conn
            .query_row("SELECT count(*), max(seq) FROM snapshots", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .map_err(sql)?;
        let last_seq = last.unwrap_or(0) as u64;
        let head = writer::event_hash(&conn, path, self.chain, last_seq)?
            .unwrap_or_else(|| self.chain.genesis());
        Ok(LogInfo {
            path: path.display().to_string(),
            schema_version,
            run_id: schema::get_meta(&conn, path, schema::META_RUN_ID)?.unwrap_or_default(),
            config: schema::get_meta(&conn, path, schema::META_CONFIG)?.unwrap_or_default(),
            events: events as u64,
            first_seq: first.unwrap_or(0) as u64,
            last_seq,
            first_ts: ts_at(first)?,
            last_ts: ts_at(last)?,
            head_hash: to_hex(&head),
            anchor: Anchor::read(path).ok().map(|a| (a.seq, to_hex(&a.hash))),
            snapshots: snapshots as u64,
            latest_snapshot_seq: latest_snapshot_seq.map(|s| s as u64),
            kinds,
            file_bytes: std::fs::metadata(path).map_or(0, |m| m.len()),
        })
    }

    /// Commits what is pending, stops the writer and releases the log. Idempotent.
    pub fn close(&self) -> Result<(), StoreError> {
        let Some(side) = &self.write else { return Ok(()) };
        // The end of a run is made durable, like any flush.
        let flushed = if side.appender.lock().unwrap_or_else(PoisonError::into_inner).tx.is_some() {
            self.flush()
        } else {
            Ok(())
        };
        side.appender.lock().unwrap_or_else(PoisonError::into_inner).tx = None;
        let thread = side.thread.lock().unwrap_or_else(PoisonError::into_inner).take();
        if let Some(thread) = thread {
            let _ = thread.join();
        }
        side.lock.lock().unwrap_or_else(PoisonError::into_inner).take();
        side.shared.failure().map_or(flushed, Err)
    }
}

impl Drop for EventLog {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

#[cfg(test)]
mod tests;
