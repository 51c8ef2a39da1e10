//! WAL checkpoints on their own thread and connection. SQLite's automatic checkpoint runs in
//! the connection that commits, so the writer would stop appending while it copies the WAL
//! into the database file (growing it page by page) and syncs it. Here the writer asks once
//! the WAL holds `ASK_FRAMES`, and this thread copies the frames with PASSIVE checkpoints,
//! which never block the writer or a reader.
//!
//! The WAL only starts over from its beginning (reusing its pages, already in the page cache,
//! which costs a fraction of growing the file) when every frame is copied at the moment the
//! writer begins a transaction, and no checkpoint is running then. Frames the writer commits
//! during a checkpoint are not copied by it, so once this thread is done the writer copies
//! that short remainder itself between two of its transactions, and asks again only after
//! the next one. Past `BACKSTOP_FRAMES` (this thread fallen behind) the writer checkpoints at
//! every commit, as SQLite's automatic checkpoint would, so the WAL stays bounded.

use super::schema;
use rusqlite::hooks::Wal;
use rusqlite::Connection;
use std::cell::Cell;
use std::ffi::c_int;
use std::path::Path;
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::mpsc::{sync_channel, SyncSender};
use std::sync::Arc;
use std::thread::JoinHandle;

/// Frames in the WAL at which the writer asks for a checkpoint (32 MiB of 16 KiB pages).
const ASK_FRAMES: c_int = 2048;
/// Frames a checkpoint pass may leave for the writer to copy (4 MiB).
const REMAINDER_FRAMES: i64 = 256;
/// Frames past which the writer checkpoints itself (256 MiB).
const BACKSTOP_FRAMES: c_int = 16_384;

thread_local! {
    /// Frames in the WAL after the writer's last commit, as SQLite tells the WAL hook of the
    /// writer's connection (on the writer's thread).
    static WAL_FRAMES: Cell<c_int> = const { Cell::new(0) };
}

/// The writer connection's WAL hook; it replaces SQLite's automatic checkpoint.
#[allow(clippy::unnecessary_wraps)] // the signature rusqlite's hook takes
fn on_commit(wal: &Wal, frames: c_int) -> rusqlite::Result<()> {
    WAL_FRAMES.set(frames);
    if frames >= BACKSTOP_FRAMES {
        // As SQLite's own automatic checkpoint: a failure leaves the frames for the next one.
        let _ = wal.checkpoint();
    }
    Ok(())
}

/// Nothing asked: the writer may ask.
const IDLE: u8 = 0;
/// Asked, and this thread is copying.
const RUNNING: u8 = 1;
/// Done: the writer copies the remainder before it asks again.
const DONE: u8 = 2;

pub struct Checkpointer {
    ask: Option<SyncSender<()>>,
    thread: Option<JoinHandle<()>>,
    state: Arc<AtomicU8>,
}

impl Checkpointer {
    /// Starts the thread and hooks the writer's connection (call on the writer's thread).
    /// None when its connection or thread cannot start: the writer's own automatic
    /// checkpoints then do the work, as in plain SQLite.
    pub fn start(path: &Path, writer: &Connection) -> Option<Self> {
        let conn = schema::connect(path, false).ok()?;
        let (ask, asked) = sync_channel::<()>(1);
        let state = Arc::new(AtomicU8::new(IDLE));
        let state_here = Arc::clone(&state);
        let thread = std::thread::Builder::new()
            .name("nautui-checkpoint".into())
            .spawn(move || {
                while asked.recv().is_ok() {
                    catch_up(&conn);
                    state_here.store(DONE, Ordering::Release);
                }
            })
            .ok()?;
        WAL_FRAMES.set(0);
        writer.wal_hook(Some(on_commit));
        Some(Self { ask: Some(ask), thread: Some(thread), state })
    }

    /// Called by the writer between two of its transactions.
    pub fn between_transactions(&self, writer: &Connection) {
        match self.state.load(Ordering::Acquire) {
            DONE => {
                passive_checkpoint(writer);
                self.state.store(IDLE, Ordering::Release);
            }
            IDLE if WAL_FRAMES.get() >= ASK_FRAMES => {
                let Some(ask) = &self.ask else { return };
                self.state.store(RUNNING, Ordering::Release);
                // Disconnected: the thread is gone, and the backstop checkpoints instead.
                if ask.try_send(()).is_err() {
                    self.state.store(IDLE, Ordering::Release);
                }
            }
            _ => {}
        }
    }
}

/// Checkpoints until a pass finds at most `REMAINDER_FRAMES` new frames: the writer goes on
/// committing during each one, and copying a long remainder itself would stall it.
fn catch_up(conn: &Connection) {
    let mut frames_before = None;
    while let Some(frames) = passive_checkpoint(conn) {
        // Fewer frames than before: the WAL started over meanwhile (the backstop).
        if frames_before
            .is_some_and(|before| frames < before || frames - before <= REMAINDER_FRAMES)
        {
            break;
        }
        frames_before = Some(frames);
    }
}

/// Returns the frames in the WAL, or None when the checkpoint failed: that (a reader holding
/// old frames, say) leaves them in the WAL, committed and synced, for the next one or the
/// backstop.
fn passive_checkpoint(conn: &Connection) -> Option<i64> {
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(1)).ok()
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.ask.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
