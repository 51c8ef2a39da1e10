//! Rows on their way to the writer: the columns of each, and every payload in one buffer.
//! An appender fills a batch (encoding each event canonically), numbers and hashes it under
//! its lock, the writer inserts it and hands it back empty to be filled again, so a steady
//! stream of appends allocates nothing (a fresh allocation per row or per batch costs page
//! faults on both threads: measured a tenth of a long append's time).

use super::chain::{ChainHash, Hash, RowFields, RowHasher};
use crate::events::{CodecError, Event};
use crate::types::{ClientOrderId, InstrumentId, StrategyId};
use std::ops::Range;
use std::sync::{Arc, Condvar, Mutex, PoisonError};

/// One row's columns; its payload is a range of the batch's buffer.
#[derive(Debug, Clone)]
pub struct RowColumns {
    pub ts_event: u64,
    pub ts_init: u64,
    pub kind: &'static str,
    pub instrument_id: Option<InstrumentId>,
    pub strategy_id: Option<StrategyId>,
    pub client_order_id: Option<ClientOrderId>,
    payload: Range<usize>,
    /// The row's chain hash, set by `chain`.
    pub hash: Hash,
}

#[derive(Debug, Default)]
pub struct RowBatch {
    rows: Vec<RowColumns>,
    payloads: Vec<u8>,
    commands: usize,
    hasher: RowHasher,
}

impl RowBatch {
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// True when a row holds a command (what the `safe` policy makes durable at once).
    pub fn has_command(&self) -> bool {
        self.commands > 0
    }

    /// Makes room for `rows` more rows of about `payload_bytes` in all, at once rather than by
    /// doubling as they come.
    pub fn reserve(&mut self, rows: usize, payload_bytes: usize) {
        self.rows.reserve(rows);
        self.payloads.reserve(payload_bytes);
    }

    /// Bytes the payload buffer holds without growing.
    pub fn payload_capacity(&self) -> usize {
        self.payloads.capacity()
    }

    fn clear(&mut self) {
        self.rows.clear();
        self.payloads.clear();
        self.commands = 0;
    }

    /// Adds an event, encoded in the engine's canonical form.
    pub fn push(&mut self, event: &Event) -> Result<(), CodecError> {
        let start = self.payloads.len();
        if let Err(e) = rmp_serde::encode::write_named(&mut self.payloads, event) {
            self.payloads.truncate(start);
            return Err(CodecError::Encode(e.to_string()));
        }
        self.commands += usize::from(event.is_command());
        self.rows.push(RowColumns {
            ts_event: event.ts_event().0,
            ts_init: event.ts_init().0,
            kind: event.kind(),
            instrument_id: event.instrument_id(),
            strategy_id: event.strategy_id(),
            client_order_id: event.client_order_id(),
            payload: start..self.payloads.len(),
            hash: [0; 32],
        });
        Ok(())
    }

    /// Adds an event given as MessagePack: decoded (a payload that is not an event is
    /// refused) and stored re-encoded canonically.
    pub fn push_payload(&mut self, payload: &[u8]) -> Result<(), CodecError> {
        self.push(&Event::from_msgpack(payload)?)
    }

    pub fn rows(&self) -> impl Iterator<Item = (&RowColumns, &[u8])> {
        self.rows.iter().map(|row| (row, &self.payloads[row.payload.clone()]))
    }

    pub fn last_hash(&self) -> Option<Hash> {
        self.rows.last().map(|row| row.hash)
    }

    /// Numbers the rows from `first_seq` and chains their hashes on from `prev`; returns the
    /// last hash.
    pub fn chain(&mut self, chain: ChainHash, first_seq: u64, mut prev: Hash) -> Hash {
        for (seq, row) in (first_seq..).zip(self.rows.iter_mut()) {
            let fields = row.fields(seq, &self.payloads[row.payload.clone()]);
            prev = self.hasher.hash(chain, &prev, &fields);
            row.hash = prev;
        }
        prev
    }
}

impl RowColumns {
    /// The row as hashed and stored, numbered `seq`.
    pub fn fields<'a>(&'a self, seq: u64, payload: &'a [u8]) -> RowFields<'a> {
        RowFields {
            seq,
            ts_event: self.ts_event,
            ts_init: self.ts_init,
            kind: self.kind,
            instrument_id: self.instrument_id.as_ref().map(InstrumentId::as_str),
            strategy_id: self.strategy_id.as_ref().map(StrategyId::as_str),
            client_order_id: self.client_order_id.as_ref().map(ClientOrderId::as_str),
            payload,
        }
    }
}

/// Emptied batches waiting to be filled again, shared by the appenders and the writer.
#[derive(Debug, Default)]
pub struct Spares(Mutex<Vec<RowBatch>>);

/// Spare batches kept; more are dropped (a burst of concurrent appenders needs no more).
const SPARES: usize = 8;
/// A batch that grew past this is dropped rather than kept for the next append.
const SPARE_BYTES: usize = 16 << 20;

impl Spares {
    pub fn take(&self) -> RowBatch {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).pop().unwrap_or_default()
    }

    pub fn give_back(&self, mut batch: RowBatch) {
        let mut spares = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if spares.len() < SPARES && batch.payloads.capacity() <= SPARE_BYTES {
            batch.clear();
            spares.push(batch);
        }
    }
}

/// Rows handed to the writer and not inserted yet. Bounded, because the writer's channel bounds
/// requests, not rows: an appender faster than the disk waits here instead of piling batches
/// up in memory.
#[derive(Debug, Default)]
pub struct Backlog {
    rows: Mutex<usize>,
    drained: Condvar,
}

/// Rows the backlog holds before appenders wait (a few batches of 10,000).
const MAX_BACKLOG_ROWS: usize = 65_536;

impl Backlog {
    /// Waits until `rows` more fit (a batch larger than the bound goes in alone), then counts
    /// them until the admission returned is dropped: inserted, or refused by a failed writer.
    pub fn admit(self: &Arc<Self>, rows: usize) -> Admission {
        let mut queued = self.rows.lock().unwrap_or_else(PoisonError::into_inner);
        while *queued > 0 && *queued + rows > MAX_BACKLOG_ROWS {
            queued = self.drained.wait(queued).unwrap_or_else(PoisonError::into_inner);
        }
        *queued += rows;
        Admission { backlog: Arc::clone(self), rows }
    }
}

/// Rows counted in the backlog while this lives.
#[derive(Debug)]
pub struct Admission {
    backlog: Arc<Backlog>,
    rows: usize,
}

impl Drop for Admission {
    fn drop(&mut self) {
        let mut queued = self.backlog.rows.lock().unwrap_or_else(PoisonError::into_inner);
        *queued -= self.rows;
        self.backlog.drained.notify_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    #[test]
    fn an_appender_waits_while_the_backlog_is_full_and_goes_on_once_it_drains() {
        let backlog = Arc::new(Backlog::default());
        let queued = backlog.admit(MAX_BACKLOG_ROWS - 10);
        let (admitted_tx, admitted) = channel();
        let waiter = {
            let backlog = Arc::clone(&backlog);
            std::thread::spawn(move || {
                let admission = backlog.admit(100);
                admitted_tx.send(()).unwrap();
                drop(admission);
            })
        };
        assert!(
            admitted.recv_timeout(Duration::from_millis(200)).is_err(),
            "admitted past the bound"
        );
        drop(queued);
        admitted.recv().unwrap();
        waiter.join().unwrap();
        assert_eq!(*backlog.rows.lock().unwrap(), 0);
    }

    #[test]
    fn a_batch_larger_than_the_bound_goes_in_alone() {
        let backlog = Arc::new(Backlog::default());
        let big = backlog.admit(MAX_BACKLOG_ROWS * 2);
        assert_eq!(*backlog.rows.lock().unwrap(), MAX_BACKLOG_ROWS * 2);
        drop(big);
        assert_eq!(*backlog.rows.lock().unwrap(), 0);
    }
}
