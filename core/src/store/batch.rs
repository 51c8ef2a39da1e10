//! Rows on their way to the writer: the columns of each, and every payload in one buffer.
//! An appender fills a batch (encoding each event canonically), numbers and hashes it under
//! its lock, the writer inserts it and hands it back empty to be filled again, so a steady
//! stream of appends allocates nothing (a fresh allocation per row or per batch costs page
//! faults on both threads: measured a tenth of a long append's time).

use super::chain::{ChainHash, Hash, RowFields, RowHasher};
use crate::events::{CodecError, Event};
use crate::types::{ClientOrderId, InstrumentId, StrategyId};
use std::ops::Range;
use std::sync::{Arc, Condvar, Mutex, OnceLock, PoisonError};

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
    /// The second thread's share of a `push_payloads`, kept to be filled again.
    helper: Option<Box<RowBatch>>,
}

/// Payloads given at once from which a batch decodes half on a second thread (when there is a
/// second core): fewer, and starting the thread costs more than it saves.
const PARALLEL_PAYLOADS: usize = 2048;

fn cores() -> usize {
    static CORES: OnceLock<usize> = OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(1, usize::from))
}

/// A payload of `push_payloads` that is not an event: its index among them, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadPayload {
    pub index: usize,
    pub error: CodecError,
}

impl From<BadPayload> for CodecError {
    /// The error, naming the payload by its index.
    fn from(bad: BadPayload) -> Self {
        match bad.error {
            CodecError::Decode(why) => {
                CodecError::Decode(format!("payloads[{}]: {why}", bad.index))
            }
            encode @ CodecError::Encode(_) => encode,
        }
    }
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

    /// `push_payload` for each, in order; from `PARALLEL_PAYLOADS` on, the second half is
    /// decoded and encoded on a second thread meanwhile (the chain, which is sequential, is
    /// hashed later). A payload that is not an event is refused with its index, and then the
    /// batch holds none of these payloads.
    pub fn push_payloads<P: AsRef<[u8]> + Sync>(
        &mut self,
        payloads: &[P],
    ) -> Result<(), BadPayload> {
        let mark = (self.rows.len(), self.payloads.len(), self.commands);
        let pushed = if payloads.len() >= PARALLEL_PAYLOADS && cores() > 1 {
            self.push_on_two_threads(payloads)
        } else {
            self.push_each(payloads, 0)
        };
        if pushed.is_err() {
            self.rows.truncate(mark.0);
            self.payloads.truncate(mark.1);
            self.commands = mark.2;
        }
        pushed
    }

    fn push_each<P: AsRef<[u8]>>(
        &mut self,
        payloads: &[P],
        first_index: usize,
    ) -> Result<(), BadPayload> {
        self.reserve(payloads.len(), payloads.iter().map(|p| p.as_ref().len()).sum());
        for (i, payload) in payloads.iter().enumerate() {
            self.push_payload(payload.as_ref())
                .map_err(|error| BadPayload { index: first_index + i, error })?;
        }
        Ok(())
    }

    fn push_on_two_threads<P: AsRef<[u8]> + Sync>(
        &mut self,
        payloads: &[P],
    ) -> Result<(), BadPayload> {
        let (mine, theirs) = payloads.split_at(payloads.len() / 2);
        let mut helper = self.helper.take().unwrap_or_default();
        helper.clear();
        let (first, second) = std::thread::scope(|scope| {
            let second = scope.spawn(|| helper.push_each(theirs, mine.len()));
            let first = self.push_each(mine, 0);
            (first, second.join())
        });
        // A panic is a bug: it goes on up as it would have on one thread.
        let second = second.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        first.and(second)?;
        let offset = self.payloads.len();
        self.payloads.extend_from_slice(&helper.payloads);
        self.rows.extend(helper.rows.iter().map(|row| RowColumns {
            payload: row.payload.start + offset..row.payload.end + offset,
            ..row.clone()
        }));
        self.commands += helper.commands;
        self.helper = Some(helper);
        Ok(())
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
    use crate::events::fixtures;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    /// Every fixture over and over, `n` payloads in all, a command only near the end.
    fn payloads(n: usize) -> Vec<Vec<u8>> {
        let all: Vec<Event> = fixtures::all().into_iter().filter(|e| !e.is_command()).collect();
        let command = fixtures::all().into_iter().find(Event::is_command).unwrap();
        let mut out: Vec<Vec<u8>> =
            (0..n - 1).map(|i| all[i % all.len()].to_msgpack().unwrap()).collect();
        out.insert(n - 3, command.to_msgpack().unwrap());
        out
    }

    fn contents(batch: &RowBatch) -> Vec<(String, Option<InstrumentId>, Vec<u8>)> {
        batch.rows().map(|(r, p)| (r.kind.to_owned(), r.instrument_id, p.to_vec())).collect()
    }

    #[test]
    fn payloads_split_over_two_threads_go_in_as_one_at_a_time_would() {
        let payloads = payloads(PARALLEL_PAYLOADS * 2 + 7);
        let mut one_by_one = RowBatch::default();
        for p in &payloads {
            one_by_one.push_payload(p).unwrap();
        }
        let mut batch = RowBatch::default();
        batch.push_payload(&payloads[0]).unwrap();
        // Twice: the second thread's share is reused.
        for _ in 0..2 {
            batch.push_payloads(&payloads).unwrap();
        }
        assert_eq!(batch.len(), 2 * payloads.len() + 1);
        assert!(batch.has_command(), "a command in the second half counts");
        let rows = contents(&batch);
        let expected = contents(&one_by_one);
        assert_eq!(rows[1..=payloads.len()], expected[..]);
        assert_eq!(rows[payloads.len() + 1..], expected[..]);
        assert_eq!(rows[0], expected[0]);
    }

    #[test]
    fn a_bad_payload_is_named_by_its_index_and_none_of_the_call_stays() {
        for at in [5, PARALLEL_PAYLOADS + 5] {
            let mut payloads = payloads(PARALLEL_PAYLOADS * 2);
            payloads[at] = b"not an event".to_vec();
            let mut batch = RowBatch::default();
            batch.push_payload(&payloads[0]).unwrap();
            let bad = batch.push_payloads(&payloads).unwrap_err();
            assert_eq!(bad.index, at);
            let error = CodecError::from(bad);
            assert!(error.to_string().contains(&format!("payloads[{at}]: ")), "{error}");
            assert_eq!(batch.len(), 1);
            assert!(!batch.has_command());
            assert_eq!(batch.rows().next().unwrap().1, &payloads[0][..]);
        }
    }

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
