//! A host shared by several threads: the engine's thread serving it, a console's workers
//! calling it, readers of its board and bus (which need no lock at all).

use super::{Board, Bus, Host, HostError, Inbox};
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

static NEXT_TOKEN: AtomicU64 = AtomicU64::new(1);

thread_local! {
    /// A number of this thread's own, to tell a re-entrant call from a concurrent one.
    static TOKEN: u64 = NEXT_TOKEN.fetch_add(1, Ordering::Relaxed);
}

fn token() -> u64 {
    TOKEN.with(|t| *t)
}

/// See the module documentation.
pub struct Shared {
    host: Mutex<Host>,
    /// The token of the thread holding the lock (0: none).
    holder: AtomicU64,
    /// Threads waiting for the lock: the serving thread steps aside for them between steps.
    waiting: AtomicUsize,
    bus: Arc<Bus>,
    board: Arc<Board>,
    inbox: Arc<Inbox>,
}

impl Shared {
    pub fn new(host: Host) -> Self {
        let (bus, board, inbox) =
            (Arc::clone(host.bus()), Arc::clone(host.board()), Arc::clone(host.inbox()));
        Self {
            host: Mutex::new(host),
            holder: AtomicU64::new(0),
            waiting: AtomicUsize::new(0),
            bus,
            board,
            inbox,
        }
    }

    /// The host, for as long as the guard lives. A thread that already holds it (a strategy
    /// callback calling back into its engine) gets `HostError::Reentrant` instead of a
    /// deadlock.
    pub fn lock(&self) -> Result<HostGuard<'_>, HostError> {
        let me = token();
        if self.holder.load(Ordering::Acquire) == me {
            return Err(HostError::Reentrant);
        }
        self.waiting.fetch_add(1, Ordering::AcqRel);
        // A panic inside a call leaves the engine as the panic found it; the engine reports
        // its own inconsistencies as errors, so the state is still the one to read.
        let guard = self.host.lock().unwrap_or_else(PoisonError::into_inner);
        self.waiting.fetch_sub(1, Ordering::AcqRel);
        self.holder.store(me, Ordering::Release);
        Ok(HostGuard { guard, holder: &self.holder })
    }

    /// A reader wants fresh views: they are published after the engine thread's next step
    /// (which this wakes, if it is waiting).
    pub fn request_views(&self) {
        self.board.request();
        self.inbox.poke();
    }

    /// Threads waiting for the host.
    pub fn waiting(&self) -> usize {
        self.waiting.load(Ordering::Acquire)
    }

    pub fn bus(&self) -> &Arc<Bus> {
        &self.bus
    }

    pub fn board(&self) -> &Arc<Board> {
        &self.board
    }

    pub fn inbox(&self) -> &Arc<Inbox> {
        &self.inbox
    }

    /// Takes the host back (when nobody else holds a reference to the shared one).
    pub fn into_inner(self) -> Host {
        self.host.into_inner().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The host, locked. See [`Shared::lock`].
pub struct HostGuard<'a> {
    guard: MutexGuard<'a, Host>,
    holder: &'a AtomicU64,
}

impl Deref for HostGuard<'_> {
    type Target = Host;
    fn deref(&self) -> &Host {
        &self.guard
    }
}

impl DerefMut for HostGuard<'_> {
    fn deref_mut(&mut self) -> &mut Host {
        &mut self.guard
    }
}

impl Drop for HostGuard<'_> {
    fn drop(&mut self) {
        self.holder.store(0, Ordering::Release);
    }
}
