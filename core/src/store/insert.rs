//! The writer's inserts: prepared multi-row `INSERT`s of 512, 64, 8 and 1 rows, a batch going
//! in through as few statements as these sizes allow (SQLite's cost per statement run is large
//! next to a row's: 512 rows per statement measured about 1.7x the rows/s of one, 1.2x that of
//! 64; a statement's parameters stay within SQLite's limit of 32,766).
//!
//! SQLite keeps a statement's bindings from one run to the next, so each statement remembers
//! what its `kind`, `instrument_id`, `strategy_id` and `client_order_id` parameters hold and
//! binds only those that change: a run of quotes shares its kind and instrument, and most rows
//! have no strategy or order id. Binding a text costs SQLite an allocation and a copy, freed
//! again at the next bind: about a tenth of the writer's time per row.

use super::batch::RowBatch;
use super::schema::{self, EVENT_COLUMNS};
use crate::types::{ClientOrderId, InstrumentId, StrategyId};
use rusqlite::{Connection, Statement};

/// Rows per insert statement, largest first.
const ROWS_PER_INSERT: [usize; 4] = [512, 64, 8, 1];

/// What one row's id parameters hold, once `known` (bound by an earlier run).
#[derive(Debug, Clone, Copy, Default)]
struct BoundIds {
    known: bool,
    kind: &'static str,
    instrument_id: Option<InstrumentId>,
    strategy_id: Option<StrategyId>,
    client_order_id: Option<ClientOrderId>,
}

struct Insert<'c> {
    statement: Statement<'c>,
    /// Per row of the statement.
    bound: Vec<BoundIds>,
}

/// The prepared inserts of one connection.
pub struct Inserts<'c> {
    /// One per entry of `ROWS_PER_INSERT`, in that order.
    statements: Vec<Insert<'c>>,
}

impl<'c> Inserts<'c> {
    pub fn prepare(conn: &'c Connection) -> rusqlite::Result<Self> {
        let statements = ROWS_PER_INSERT
            .iter()
            .map(|&rows| {
                let statement = conn.prepare(&schema::insert_events(rows))?;
                Ok(Insert { statement, bound: vec![BoundIds::default(); rows] })
            })
            .collect::<rusqlite::Result<_>>()?;
        Ok(Self { statements })
    }

    /// Inserts the batch's rows, numbered from `first_seq`.
    pub fn insert(&mut self, first_seq: u64, rows: &RowBatch) -> rusqlite::Result<()> {
        let mut seq = first_seq;
        let mut rows_left = rows.rows();
        let mut left = rows.len();
        for (insert, &n) in self.statements.iter_mut().zip(&ROWS_PER_INSERT) {
            while left >= n {
                for (i, (row, payload)) in rows_left.by_ref().take(n).enumerate() {
                    // The values as hashed (`fields`); `row`'s typed ids say what changed.
                    let fields = row.fields(seq + i as u64, payload);
                    let at = i * EVENT_COLUMNS;
                    let statement = &mut insert.statement;
                    let bound = &mut insert.bound[i];
                    statement.raw_bind_parameter(at + 1, fields.seq as i64)?;
                    statement.raw_bind_parameter(at + 2, fields.ts_event as i64)?;
                    statement.raw_bind_parameter(at + 3, fields.ts_init as i64)?;
                    let known = bound.known;
                    if !known || bound.kind != row.kind {
                        statement.raw_bind_parameter(at + 4, fields.kind)?;
                        bound.kind = row.kind;
                    }
                    if !known || bound.instrument_id != row.instrument_id {
                        statement.raw_bind_parameter(at + 5, fields.instrument_id)?;
                        bound.instrument_id = row.instrument_id;
                    }
                    if !known || bound.strategy_id != row.strategy_id {
                        statement.raw_bind_parameter(at + 6, fields.strategy_id)?;
                        bound.strategy_id = row.strategy_id;
                    }
                    if !known || bound.client_order_id != row.client_order_id {
                        statement.raw_bind_parameter(at + 7, fields.client_order_id)?;
                        bound.client_order_id = row.client_order_id;
                    }
                    bound.known = true;
                    statement.raw_bind_parameter(at + 8, fields.payload)?;
                    statement.raw_bind_parameter(at + 9, &row.hash[..])?;
                }
                insert.statement.raw_execute()?;
                seq += n as u64;
                left -= n;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{fixtures, Event};
    use crate::store::chain::ChainHash;
    use crate::types::{ClientOrderId, InstrumentId, StrategyId};

    /// Stored columns of every row, in seq order.
    type Columns = (i64, String, Option<String>, Option<String>, Option<String>, Vec<u8>);

    fn stored(conn: &Connection) -> Vec<Columns> {
        let mut stmt = conn
            .prepare(
                "SELECT seq, kind, instrument_id, strategy_id, client_order_id, payload \
                 FROM events ORDER BY seq",
            )
            .unwrap();
        stmt.query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
    }

    #[test]
    fn a_value_bound_by_an_earlier_run_is_rebound_whenever_the_row_differs() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(schema::CREATE).unwrap();
        let mut inserts = Inserts::prepare(&conn).unwrap();
        let all = fixtures::all();
        // Runs of rows that share their ids (so the statements keep them bound), then every
        // kind of event in turn: ids appear, change and go back to none in the same slots.
        let mut events: Vec<Event> = Vec::new();
        for k in 0..3 {
            events.extend(std::iter::repeat_n(all[k % all.len()].clone(), 600));
            events.extend(all.iter().cloned());
        }
        let mut seq = 1;
        for chunk in events.chunks(700) {
            let mut batch = RowBatch::default();
            for event in chunk {
                batch.push(event).unwrap();
            }
            batch.chain(ChainHash::Sha256, seq, [0; 32]);
            inserts.insert(seq, &batch).unwrap();
            seq += chunk.len() as u64;
        }
        let rows = stored(&conn);
        assert_eq!(rows.len(), events.len());
        for (row, event) in rows.iter().zip(&events) {
            let expected: Columns = (
                row.0,
                event.kind().to_owned(),
                event.instrument_id().as_ref().map(InstrumentId::as_str).map(str::to_owned),
                event.strategy_id().as_ref().map(StrategyId::as_str).map(str::to_owned),
                event.client_order_id().as_ref().map(ClientOrderId::as_str).map(str::to_owned),
                event.to_msgpack().unwrap(),
            );
            assert_eq!(*row, expected, "seq {}", row.0);
        }
        assert!(rows.iter().enumerate().all(|(i, row)| row.0 == i as i64 + 1));
    }

    fn batch(events: &[Event], first_seq: u64) -> RowBatch {
        let mut batch = RowBatch::default();
        for event in events {
            batch.push(event).unwrap();
        }
        batch.chain(ChainHash::Sha256, first_seq, [0; 32]);
        batch
    }

    #[test]
    fn a_row_that_breaks_a_constraint_stops_its_statement_and_the_group_rolls_back_whole() {
        let conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(schema::CREATE).unwrap();
        let mut inserts = Inserts::prepare(&conn).unwrap();
        let quote = fixtures::all().into_iter().find(|e| e.kind() == "QuoteTick").unwrap();
        let quotes = vec![quote; 512];
        conn.execute_batch("BEGIN IMMEDIATE").unwrap();
        inserts.insert(300, &batch(&quotes[..1], 300)).unwrap();
        // Seq 300 is taken: the 512-row statement from seq 1 stops at its 300th row.
        assert!(inserts.insert(1, &batch(&quotes, 1)).is_err());
        let count = |conn: &Connection| -> i64 {
            conn.query_row("SELECT count(*) FROM events", [], |r| r.get(0)).unwrap()
        };
        assert_eq!(count(&conn), 300, "OR FAIL keeps the rows before the bad one");
        conn.execute_batch("ROLLBACK").unwrap();
        assert_eq!(count(&conn), 0);
    }
}
