//! Rows on their way to the writer: the columns of each, and every payload in one buffer.
//! An appender fills a batch (encoding each event canonically), numbers and hashes it under
//! its lock, the writer inserts it and hands it back empty to be filled again, so a steady
//! stream of appends allocates nothing (a fresh allocation per row or per batch costs page
//! faults on both threads: measured a tenth of a long append's time).

use super::chain::{row_hash, Hash, RowFields};
use crate::events::{CodecError, Event};
use crate::types::{ClientOrderId, InstrumentId, StrategyId};
use std::ops::Range;
use std::sync::{Mutex, PoisonError};

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

    /// Bytes of payload held.
    pub fn payload_bytes(&self) -> usize {
        self.payloads.len()
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
    pub fn chain(&mut self, first_seq: u64, mut prev: Hash) -> Hash {
        for (seq, row) in (first_seq..).zip(self.rows.iter_mut()) {
            let fields = RowFields {
                seq,
                ts_event: row.ts_event,
                ts_init: row.ts_init,
                kind: row.kind,
                instrument_id: row.instrument_id.as_ref().map(InstrumentId::as_str),
                strategy_id: row.strategy_id.as_ref().map(StrategyId::as_str),
                client_order_id: row.client_order_id.as_ref().map(ClientOrderId::as_str),
                payload: &self.payloads[row.payload.clone()],
            };
            prev = row_hash(&prev, &fields);
            row.hash = prev;
        }
        prev
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
