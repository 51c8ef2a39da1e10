//! `nautui._core.ColumnFeed` and `nautui._core.ResultCollector`: the backtest's data feed and
//! result collector (`crate::backtest`) for Python. Blocks arrive as dicts of numpy arrays
//! (views of Arrow buffers) and are read in place: the feed keeps a reference to each block
//! until it asks for that stream's next one, and re-borrows the arrays on every `run`. Bitmaps
//! (`batch_end`, `prev_sequence_valid`) are `(uint8 bytes, bit offset)`; strings (`trade_id`)
//! are `(int32 offsets, uint8 bytes)`. Results leave as numpy arrays; strings the same way with
//! int64 offsets (Arrow `large_utf8`).

use super::engine::PyEngine;
use super::errors;
use crate::backtest::{
    Block, ColumnFeed, FillColumns, Kind, Next, OrderColumns, ResultCollector, Source, StringColumn,
};
use crate::engine::columns::{
    BarColumns, Bits, DeltaColumns, QuoteColumns, SnapshotColumns, TradeColumns, Utf8,
};
use crate::error::CoreError;
use crate::types::BarType;
use numpy::{Element, PyArray1, PyArrayMethods, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyTuple};
use std::fmt::Write as _;

type Array<'py, T> = PyReadonlyArray1<'py, T>;

fn column<'py, T: Element>(columns: &Bound<'py, PyDict>, name: &str) -> PyResult<Array<'py, T>> {
    let value = columns
        .get_item(name)?
        .ok_or_else(|| errors::invalid_value(name, "the column is missing"))?;
    let array = value.downcast::<PyArray1<T>>().map_err(|_| {
        errors::wrong_type(format!(
            "{name}: expected a 1-d numpy array of {}",
            std::any::type_name::<T>()
        ))
    })?;
    readonly(array, name)
}

fn readonly<'py, T: Element>(
    array: &Bound<'py, PyArray1<T>>,
    name: &str,
) -> PyResult<Array<'py, T>> {
    array
        .try_readonly()
        .map_err(|e| errors::invalid_value(name, format!("the array is borrowed for writing: {e}")))
}

fn pair<'py, T: Element>(
    columns: &Bound<'py, PyDict>,
    name: &str,
) -> PyResult<Option<(Array<'py, T>, Bound<'py, PyAny>)>> {
    let Some(value) = columns.get_item(name)? else { return Ok(None) };
    if value.is_none() {
        return Ok(None);
    }
    let tuple = value
        .downcast::<PyTuple>()
        .map_err(|_| errors::wrong_type(format!("{name}: expected a (numpy array, value) pair")))?;
    let array = tuple.get_item(0)?;
    let array = array
        .downcast::<PyArray1<T>>()
        .map_err(|_| errors::wrong_type(format!("{name}: expected a 1-d numpy array first")))?;
    Ok(Some((readonly(array, name)?, tuple.get_item(1)?)))
}

fn slice<'a, T: Element>(array: &'a Array<'_, T>, name: &str) -> PyResult<&'a [T]> {
    array
        .as_slice()
        .map_err(|e| errors::invalid_value(name, format!("column is not contiguous: {e}")))
}

/// A bitmap: `(bytes, bit offset)`.
struct Bitmap<'py> {
    bytes: Array<'py, u8>,
    offset: usize,
}

impl<'py> Bitmap<'py> {
    fn extract(columns: &Bound<'py, PyDict>, name: &str) -> PyResult<Option<Self>> {
        let Some((bytes, offset)) = pair::<u8>(columns, name)? else { return Ok(None) };
        Ok(Some(Self { bytes, offset: offset.extract()? }))
    }

    fn required(columns: &Bound<'py, PyDict>, name: &str) -> PyResult<Self> {
        Self::extract(columns, name)?
            .ok_or_else(|| errors::invalid_value(name, "the bitmap is missing"))
    }

    fn bits(&self, name: &str) -> PyResult<Bits<'_>> {
        Ok(Bits { bytes: slice(&self.bytes, name)?, offset: self.offset })
    }
}

/// One block's arrays, borrowed for one call.
enum Arrays<'py> {
    Quotes([Array<'py, u64>; 4], [Array<'py, i64>; 2], Array<'py, u32>),
    Trades {
        times: [Array<'py, u64>; 2],
        price: Array<'py, i64>,
        size: Array<'py, u64>,
        aggressor_side: Array<'py, u8>,
        id_offsets: Array<'py, i32>,
        id_data: Array<'py, u8>,
    },
    Snapshots([Array<'py, u64>; 4], Array<'py, u8>, Array<'py, i64>, Bitmap<'py>),
    Deltas {
        u64s: [Array<'py, u64>; 6],
        prev_valid: Option<Bitmap<'py>>,
        codes: [Array<'py, u8>; 2],
        price: Array<'py, i64>,
        batch_end: Bitmap<'py>,
    },
    Bars([Array<'py, i64>; 4], [Array<'py, u64>; 3]),
}

const QUOTE_U64: [&str; 4] = ["bid_size", "ask_size", "ts_event", "ts_init"];
const QUOTE_I64: [&str; 2] = ["bid_price", "ask_price"];
const SNAPSHOT_U64: [&str; 4] = ["ts_event", "ts_init", "sequence", "size"];
const DELTA_U64: [&str; 6] =
    ["ts_event", "ts_init", "sequence", "first_sequence", "prev_sequence", "size"];
const DELTA_U8: [&str; 2] = ["action", "side"];
const BAR_I64: [&str; 4] = ["open", "high", "low", "close"];
const BAR_U64: [&str; 3] = ["volume", "ts_event", "ts_init"];

fn columns<'py, T: Element, const N: usize>(
    dict: &Bound<'py, PyDict>,
    names: [&str; N],
) -> PyResult<[Array<'py, T>; N]> {
    let arrays = names.iter().map(|n| column::<T>(dict, n)).collect::<PyResult<Vec<_>>>()?;
    arrays.try_into().map_err(|_| errors::invalid_value("columns", "a column is missing"))
}

fn slices<'a, T: Element, const N: usize>(
    arrays: &'a [Array<'_, T>; N],
    names: [&str; N],
) -> PyResult<[&'a [T]; N]> {
    let mut out: [&[T]; N] = [&[]; N];
    for (i, array) in arrays.iter().enumerate() {
        out[i] = slice(array, names[i])?;
    }
    Ok(out)
}

impl<'py> Arrays<'py> {
    fn extract(kind: Kind, dict: &Bound<'py, PyDict>) -> PyResult<Self> {
        Ok(match kind {
            Kind::Quotes => Arrays::Quotes(
                columns(dict, QUOTE_U64)?,
                columns(dict, QUOTE_I64)?,
                column(dict, "instrument")?,
            ),
            Kind::Trades => {
                let (id_offsets, id_data) = pair::<i32>(dict, "trade_id")?
                    .ok_or_else(|| errors::invalid_value("trade_id", "the column is missing"))?;
                let id_data = id_data.downcast::<PyArray1<u8>>().map_err(|_| {
                    errors::wrong_type("trade_id: expected (int32 offsets, uint8 bytes)")
                })?;
                Arrays::Trades {
                    times: columns(dict, ["ts_event", "ts_init"])?,
                    price: column(dict, "price")?,
                    size: column(dict, "size")?,
                    aggressor_side: column(dict, "aggressor_side")?,
                    id_offsets,
                    id_data: readonly(id_data, "trade_id")?,
                }
            }
            Kind::Snapshots => Arrays::Snapshots(
                columns(dict, SNAPSHOT_U64)?,
                column(dict, "side")?,
                column(dict, "price")?,
                Bitmap::required(dict, "batch_end")?,
            ),
            Kind::Deltas => Arrays::Deltas {
                u64s: columns(dict, DELTA_U64)?,
                prev_valid: Bitmap::extract(dict, "prev_sequence_valid")?,
                codes: columns(dict, DELTA_U8)?,
                price: column(dict, "price")?,
                batch_end: Bitmap::required(dict, "batch_end")?,
            },
            Kind::Bars => Arrays::Bars(columns(dict, BAR_I64)?, columns(dict, BAR_U64)?),
        })
    }

    fn block(&self) -> PyResult<Block<'_>> {
        Ok(match self {
            Arrays::Quotes(u, i, instrument) => {
                let [bid_size, ask_size, ts_event, ts_init] = slices(u, QUOTE_U64)?;
                let [bid_price, ask_price] = slices(i, QUOTE_I64)?;
                Block::Quotes(QuoteColumns {
                    instrument: slice(instrument, "instrument")?,
                    bid_price,
                    ask_price,
                    bid_size,
                    ask_size,
                    ts_event,
                    ts_init,
                })
            }
            Arrays::Trades { times, price, size, aggressor_side, id_offsets, id_data } => {
                let [ts_event, ts_init] = slices(times, ["ts_event", "ts_init"])?;
                Block::Trades(TradeColumns {
                    price: slice(price, "price")?,
                    size: slice(size, "size")?,
                    aggressor_side: slice(aggressor_side, "aggressor_side")?,
                    trade_id: Utf8 {
                        offsets: slice(id_offsets, "trade_id")?,
                        data: slice(id_data, "trade_id")?,
                    },
                    ts_event,
                    ts_init,
                })
            }
            Arrays::Snapshots(u, sides, price, batch_end) => {
                let [ts_event, ts_init, sequence, size] = slices(u, SNAPSHOT_U64)?;
                Block::Snapshots(SnapshotColumns {
                    ts_event,
                    ts_init,
                    sequence,
                    side: slice(sides, "side")?,
                    price: slice(price, "price")?,
                    size,
                    batch_end: batch_end.bits("batch_end")?,
                })
            }
            Arrays::Deltas { u64s, prev_valid, codes, price, batch_end } => {
                let [ts_event, ts_init, sequence, first_sequence, prev_sequence, size] =
                    slices(u64s, DELTA_U64)?;
                let [actions, sides] = slices(codes, DELTA_U8)?;
                Block::Deltas(DeltaColumns {
                    ts_event,
                    ts_init,
                    sequence,
                    first_sequence,
                    prev_sequence,
                    prev_sequence_valid: prev_valid
                        .as_ref()
                        .map(|b| b.bits("prev_sequence_valid"))
                        .transpose()?,
                    action: actions,
                    side: sides,
                    price: slice(price, "price")?,
                    size,
                    batch_end: batch_end.bits("batch_end")?,
                })
            }
            Arrays::Bars(i, u) => {
                let [open, high, low, close] = slices(i, BAR_I64)?;
                let [volume, ts_event, ts_init] = slices(u, BAR_U64)?;
                Block::Bars(BarColumns { open, high, low, close, volume, ts_event, ts_init })
            }
        })
    }
}

fn columns_error(error: crate::engine::ColumnError) -> PyErr {
    errors::core(CoreError::Columns(error))
}

/// Merges streams of column blocks into an engine by `ts_init` (see `core/src/backtest/feed.rs`).
#[pyclass(name = "ColumnFeed", module = "nautui._core", unsendable)]
pub struct PyColumnFeed {
    feed: ColumnFeed,
    /// Each stream's block as pushed (a dict of its arrays), until it is used up.
    blocks: Vec<Option<(Kind, Py<PyDict>)>>,
}

#[pymethods]
impl PyColumnFeed {
    #[new]
    fn new() -> Self {
        Self { feed: ColumnFeed::new(), blocks: Vec::new() }
    }

    /// Adds a stream: `kind` is quotes, trades, snapshots, deltas or bars; `instrument` the
    /// engine's instrument index (all kinds but quotes); `bar_type` for bars. Returns its index.
    #[pyo3(signature = (engine, kind, instrument=None, bar_type=None))]
    fn add_stream(
        &mut self,
        engine: &Bound<'_, PyEngine>,
        kind: &str,
        instrument: Option<usize>,
        bar_type: Option<&str>,
    ) -> PyResult<usize> {
        let kind = Kind::parse(kind).ok_or_else(|| {
            errors::invalid_value("kind", format!("{kind:?} is not a kind of data"))
        })?;
        let needs = |what: &str| errors::invalid_value(what, format!("{} need one", kind.as_str()));
        let index = match kind {
            Kind::Quotes => 0,
            _ => instrument.ok_or_else(|| needs("instrument"))?,
        };
        let source = match kind {
            Kind::Quotes => Source::Quotes,
            Kind::Trades => Source::Trades(index),
            Kind::Snapshots => Source::Snapshots(index),
            Kind::Deltas => Source::Deltas(index),
            Kind::Bars => {
                let text = bar_type.ok_or_else(|| needs("bar_type"))?;
                let bar_type =
                    BarType::new(text).map_err(|e| errors::identifier("bar_type", &e))?;
                Source::Bars(index, bar_type)
            }
        };
        let feed = &mut self.feed;
        let stream =
            engine.get().read(engine.py(), |e| feed.add(e, source))?.map_err(columns_error)?;
        self.blocks.push(None);
        Ok(stream)
    }

    /// Hands `stream` its next block: a dict of the kind's columns (see the module docs),
    /// whose first row is row `first_row` of its file. Checked whole before any row is used.
    fn push(
        &mut self,
        engine: &Bound<'_, PyEngine>,
        stream: usize,
        first_row: u64,
        columns: &Bound<'_, PyDict>,
    ) -> PyResult<()> {
        let kind = self.feed.kind(stream).map_err(columns_error)?;
        let columns = columns.copy()?;
        let arrays = Arrays::extract(kind, &columns)?;
        let block = arrays.block()?;
        let feed = &mut self.feed;
        engine
            .get()
            .read(engine.py(), |e| feed.push(e, stream, &block, first_row))?
            .map_err(columns_error)?;
        self.blocks[stream] = Some((kind, columns.unbind()));
        Ok(())
    }

    /// `stream` has no more blocks.
    fn finish(&mut self, stream: usize) -> PyResult<()> {
        self.feed.finish(stream).map_err(columns_error)?;
        self.blocks[stream] = None;
        Ok(())
    }

    /// Applies rows in time order until a stream needs its next block (returns its index) or
    /// all are done (None).
    fn run(&mut self, py: Python<'_>, engine: &Bound<'_, PyEngine>) -> PyResult<Option<usize>> {
        let arrays = self
            .blocks
            .iter()
            .map(|held| {
                held.as_ref().map(|(kind, dict)| Arrays::extract(*kind, dict.bind(py))).transpose()
            })
            .collect::<PyResult<Vec<_>>>()?;
        let blocks = arrays
            .iter()
            .map(|a| a.as_ref().map(Arrays::block).transpose())
            .collect::<PyResult<Vec<_>>>()?;
        let feed = &mut self.feed;
        let next = engine.get().call(py, |e| feed.run(e, &blocks))?;
        Ok(match next {
            Next::Need(stream) => {
                // Its block is used up: the feed holds no rows of it any more.
                self.blocks[stream] = None;
                Some(stream)
            }
            Next::Done => None,
        })
    }

    /// Rows pushed into `stream` so far.
    fn rows(&self, stream: usize) -> u64 {
        self.feed.rows(stream)
    }
}

/// `(int64 offsets, uint8 bytes)` of a string column.
fn strings<'py>(
    py: Python<'py>,
    column: &StringColumn,
) -> (Bound<'py, PyArray1<i64>>, Bound<'py, PyArray1<u8>>) {
    (PyArray1::from_slice(py, &column.offsets), PyArray1::from_slice(py, &column.data))
}

fn fills_dict<'py>(py: Python<'py>, f: &FillColumns) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("ts_event", PyArray1::from_slice(py, &f.ts_event))?;
    d.set_item("ts_init", PyArray1::from_slice(py, &f.ts_init))?;
    d.set_item("client_order_id", strings(py, &f.client_order_id))?;
    d.set_item("strategy_id", strings(py, &f.strategy_id))?;
    d.set_item("instrument_id", strings(py, &f.instrument_id))?;
    d.set_item("trade_id", strings(py, &f.trade_id))?;
    d.set_item("side", strings(py, &f.side))?;
    d.set_item("last_qty", PyArray1::from_slice(py, &f.last_qty))?;
    d.set_item("last_px", PyArray1::from_slice(py, &f.last_px))?;
    d.set_item("commission", PyArray1::from_slice(py, &f.commission))?;
    d.set_item("liquidity_side", strings(py, &f.liquidity_side))?;
    Ok(d)
}

fn orders_dict<'py>(py: Python<'py>, o: &OrderColumns) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("client_order_id", strings(py, &o.client_order_id))?;
    d.set_item("strategy_id", strings(py, &o.strategy_id))?;
    d.set_item("instrument_id", strings(py, &o.instrument_id))?;
    d.set_item("side", strings(py, &o.side))?;
    d.set_item("order_type", strings(py, &o.order_type))?;
    d.set_item("time_in_force", strings(py, &o.time_in_force))?;
    d.set_item("quantity", PyArray1::from_slice(py, &o.quantity))?;
    d.set_item(
        "price",
        (PyArray1::from_slice(py, &o.price), PyArray1::from_slice(py, &o.price_valid)),
    )?;
    d.set_item("status", strings(py, &o.status))?;
    d.set_item("filled_qty", PyArray1::from_slice(py, &o.filled_qty))?;
    d.set_item("ts_init", PyArray1::from_slice(py, &o.ts_init))?;
    Ok(d)
}

/// Keeps what a backtest returns from the engine's output (see
/// `core/src/backtest/collector.rs`): the stream hash and the fill and order columns.
#[pyclass(name = "ResultCollector", module = "nautui._core", unsendable)]
pub struct PyResultCollector(ResultCollector, crate::host::Subscription);

#[pymethods]
impl PyResultCollector {
    /// A collector of everything `engine` produces from now on (one of its output's readers).
    #[new]
    fn new(engine: &Bound<'_, PyEngine>) -> Self {
        Self(ResultCollector::new(), engine.get().subscribe_all())
    }

    /// Takes everything the engine produced since the last drain.
    fn drain(&mut self, py: Python<'_>) -> PyResult<()> {
        let received =
            py.allow_threads(|| self.1.read(usize::MAX, Some(std::time::Duration::ZERO)));
        for (batch, range) in &received.parts {
            self.0.feed(&batch[range.clone()]).map_err(|e| errors::codec(&e))?;
        }
        Ok(())
    }

    /// Events seen.
    #[getter]
    fn events(&self) -> u64 {
        self.0.events()
    }

    /// BLAKE3 (hex) of every event's MessagePack, in order.
    #[getter]
    fn stream_hash(&self) -> String {
        self.0.stream_hash().iter().fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
    }

    /// The fills table: numpy columns, strings as `(int64 offsets, uint8 bytes)`.
    fn fills<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        fills_dict(py, self.0.fills())
    }

    /// The orders table, the same way; `price` is `(values, valid)`.
    fn orders<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        orders_dict(py, &self.0.orders())
    }
}

pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyColumnFeed>()?;
    m.add_class::<PyResultCollector>()?;
    Ok(())
}
