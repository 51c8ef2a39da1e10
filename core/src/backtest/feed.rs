//! The backtest's data feed: streams of column blocks merged by `ts_init` into the engine.
//!
//! A stream is one kind of data of one instrument (quotes may mix instruments: their blocks
//! carry an instrument column), or one bar type. The host hands the feed one block per stream
//! at a time ([`ColumnFeed::push`], checked whole before any row is applied) and calls
//! [`ColumnFeed::run`], which applies rows in time order across every stream until a stream's
//! block is used up and that stream has more to come: it then returns [`Next::Need`] for it, and
//! the host pushes the stream's next block or [`ColumnFeed::finish`]es it. Runs therefore hold
//! one block per stream in memory and are the same whatever the block sizes.
//!
//! Order: by `ts_init`; at equal times quotes, then snapshots, then deltas, then trades, then
//! bars ([`Kind`] order: a book update is applied before the trades printed at its time, and a
//! bar closing at `t` after the data it summarises), then by stream, then by row. Every item is
//! applied as `process` would the same data as an event: time moves to its `ts_init` (venue
//! traffic and timers due by then run first), then it is applied, then everything it causes
//! runs. A book update is the rows up to one with `batch_end`; it may continue in the next
//! block, and its times and sequence fields are its last row's.

use crate::engine::columns::{
    BarColumns, ColumnError, DeltaColumns, QuoteColumns, SnapshotColumns, TradeColumns,
};
use crate::engine::{Engine, EngineError};
use crate::events::{BookDeltas, BookSnapshot, Event};
use crate::types::{BarType, Instrument, UnixNanos};

/// A kind of data, in the order applied at equal `ts_init`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Quotes,
    Snapshots,
    Deltas,
    Trades,
    Bars,
}

impl Kind {
    pub const ALL: [Kind; 5] =
        [Kind::Quotes, Kind::Snapshots, Kind::Deltas, Kind::Trades, Kind::Bars];

    /// The catalog's name of the kind.
    pub const fn as_str(self) -> &'static str {
        match self {
            Kind::Quotes => "quotes",
            Kind::Snapshots => "snapshots",
            Kind::Deltas => "deltas",
            Kind::Trades => "trades",
            Kind::Bars => "bars",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// What a stream carries: quotes (any loaded instruments), or one kind of one instrument (by
/// engine index), or the bars of one bar type of one instrument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Quotes,
    Trades(usize),
    Snapshots(usize),
    Deltas(usize),
    Bars(usize, BarType),
}

impl Source {
    pub fn kind(&self) -> Kind {
        match self {
            Source::Quotes => Kind::Quotes,
            Source::Trades(_) => Kind::Trades,
            Source::Snapshots(_) => Kind::Snapshots,
            Source::Deltas(_) => Kind::Deltas,
            Source::Bars(..) => Kind::Bars,
        }
    }
}

/// One block of one stream.
#[derive(Debug, Clone, Copy)]
pub enum Block<'a> {
    Quotes(QuoteColumns<'a>),
    Trades(TradeColumns<'a>),
    Snapshots(SnapshotColumns<'a>),
    Deltas(DeltaColumns<'a>),
    Bars(BarColumns<'a>),
}

impl Block<'_> {
    pub fn kind(&self) -> Kind {
        match self {
            Block::Quotes(_) => Kind::Quotes,
            Block::Trades(_) => Kind::Trades,
            Block::Snapshots(_) => Kind::Snapshots,
            Block::Deltas(_) => Kind::Deltas,
            Block::Bars(_) => Kind::Bars,
        }
    }

    fn ts_init(&self) -> &[u64] {
        match self {
            Block::Quotes(c) => c.ts_init,
            Block::Trades(c) => c.ts_init,
            Block::Snapshots(c) => c.ts_init,
            Block::Deltas(c) => c.ts_init,
            Block::Bars(c) => c.ts_init,
        }
    }

    pub fn len(&self) -> usize {
        self.ts_init().len()
    }

    pub fn is_empty(&self) -> bool {
        self.ts_init().is_empty()
    }

    fn batch_end(&self, row: usize) -> bool {
        match self {
            Block::Snapshots(c) => c.batch_end.get(row),
            Block::Deltas(c) => c.batch_end.get(row),
            _ => true,
        }
    }
}

/// What [`ColumnFeed::run`] needs next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// The next block of this stream, or `finish` for it.
    Need(usize),
    /// Every stream is finished and applied.
    Done,
}

/// The book update a stream is assembling (it may continue from one block into the next).
#[derive(Debug)]
enum Update {
    None,
    Snapshot(BookSnapshot),
    Deltas(BookDeltas),
}

#[derive(Debug)]
struct Stream {
    source: Source,
    /// The stream's instrument (none for quotes).
    instrument: Option<Instrument>,
    /// Rows in the block pushed and not used up yet.
    block_len: Option<usize>,
    /// The next row of that block.
    pos: usize,
    /// The last row of the update starting at `pos`, once found.
    update_end: Option<usize>,
    /// Rows of the update being assembled that came from earlier blocks.
    carried: usize,
    update: Update,
    finished: bool,
    last_ts: Option<u64>,
    rows: u64,
}

/// Where the next item of a stream stands in the merge.
enum Head {
    At(u64),
    NeedBlock,
    Finished,
}

/// The merge position of an item: earlier time, then kind, then stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    ts: u64,
    kind: Kind,
    stream: usize,
}

/// Streams of column blocks merged into an engine (see the module docs).
#[derive(Debug, Default)]
pub struct ColumnFeed {
    streams: Vec<Stream>,
}

impl ColumnFeed {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a stream of `source` (its instrument must be loaded in `engine`); returns its index.
    pub fn add(&mut self, engine: &Engine, source: Source) -> Result<usize, ColumnError> {
        let stream = self.streams.len();
        let instrument = match source {
            Source::Quotes => None,
            Source::Trades(i) | Source::Snapshots(i) | Source::Deltas(i) | Source::Bars(i, _) => {
                let state = engine.state().instruments.get(i).ok_or(ColumnError::Stream {
                    stream,
                    reason: "its instrument index is not loaded",
                })?;
                Some(state.instrument.clone())
            }
        };
        let update = match (source, &instrument) {
            (Source::Snapshots(_), Some(i)) => Update::Snapshot(BookSnapshot {
                instrument_id: i.id,
                sequence: 0,
                bids: Vec::new(),
                asks: Vec::new(),
                ts_event: UnixNanos::ZERO,
                ts_init: UnixNanos::ZERO,
            }),
            (Source::Deltas(_), Some(i)) => Update::Deltas(BookDeltas {
                instrument_id: i.id,
                first_sequence: 0,
                sequence: 0,
                prev_sequence: None,
                deltas: Vec::new(),
                ts_event: UnixNanos::ZERO,
                ts_init: UnixNanos::ZERO,
            }),
            _ => Update::None,
        };
        self.streams.push(Stream {
            source,
            instrument,
            block_len: None,
            pos: 0,
            update_end: None,
            carried: 0,
            update,
            finished: false,
            last_ts: None,
            rows: 0,
        });
        Ok(stream)
    }

    /// The number of streams.
    pub fn len(&self) -> usize {
        self.streams.len()
    }

    pub fn is_empty(&self) -> bool {
        self.streams.is_empty()
    }

    /// The kind of data `stream` carries.
    pub fn kind(&self, stream: usize) -> Result<Kind, ColumnError> {
        self.streams
            .get(stream)
            .map(|s| s.source.kind())
            .ok_or(ColumnError::Stream { stream, reason: "there is no such stream" })
    }

    /// Rows pushed into `stream` so far.
    pub fn rows(&self, stream: usize) -> u64 {
        self.streams.get(stream).map_or(0, |s| s.rows)
    }

    /// Hands `stream` its next block, whose first row is row `first_row` of its source (for
    /// errors). The whole block is checked first: a refused block changes nothing. The block
    /// must then be given, unchanged, to every `run` until the feed asks for the next one.
    pub fn push(
        &mut self,
        engine: &Engine,
        stream: usize,
        block: &Block<'_>,
        first_row: u64,
    ) -> Result<(), ColumnError> {
        let s = self
            .streams
            .get_mut(stream)
            .ok_or(ColumnError::Stream { stream, reason: "there is no such stream" })?;
        let refuse = |reason| Err(ColumnError::Stream { stream, reason });
        if s.finished {
            return refuse("it is finished");
        }
        if s.block_len.is_some() {
            return refuse("its block before is not used up");
        }
        if block.kind() != s.source.kind() {
            return refuse("the block is of another kind");
        }
        let after = s.last_ts;
        match (block, &s.instrument) {
            (Block::Quotes(c), _) => c.check(&engine.instrument_list(), first_row, after)?,
            (Block::Trades(c), Some(i)) => c.check(i, first_row, after)?,
            (Block::Snapshots(c), Some(i)) => c.check(i, first_row, after)?,
            (Block::Deltas(c), Some(i)) => c.check(i, first_row, after)?,
            (Block::Bars(c), Some(i)) => c.check(i, first_row, after)?,
            (_, None) => return refuse("the stream has no instrument"),
        }
        if let Some(&last) = block.ts_init().last() {
            s.last_ts = Some(last);
        }
        s.block_len = Some(block.len());
        s.pos = 0;
        s.update_end = None;
        s.rows += block.len() as u64;
        Ok(())
    }

    /// `stream` has no more blocks. Refused when its data ended inside a book update.
    pub fn finish(&mut self, stream: usize) -> Result<(), ColumnError> {
        let s = self
            .streams
            .get_mut(stream)
            .ok_or(ColumnError::Stream { stream, reason: "there is no such stream" })?;
        if s.block_len.is_some() {
            return Err(ColumnError::Stream { stream, reason: "its block is not used up" });
        }
        if s.carried > 0 {
            return Err(ColumnError::OpenUpdate { kind: s.source.kind().as_str() });
        }
        s.finished = true;
        Ok(())
    }

    /// Applies rows of every stream in time order (see the module docs) until one needs its
    /// next block or all are done. `blocks[i]` is stream `i`'s block as pushed (or `None`).
    pub fn run(
        &mut self,
        engine: &mut Engine,
        blocks: &[Option<Block<'_>>],
    ) -> Result<Next, EngineError> {
        if blocks.len() != self.streams.len() {
            return Err(ColumnError::Stream {
                stream: blocks.len(),
                reason: "one block (or none) per stream is needed",
            }
            .into());
        }
        loop {
            let (mut first, mut second): (Option<Key>, Option<Key>) = (None, None);
            for (i, block) in blocks.iter().enumerate() {
                let ts = match self.head(i, block.as_ref())? {
                    Head::At(ts) => ts,
                    Head::NeedBlock => return Ok(Next::Need(i)),
                    Head::Finished => continue,
                };
                let key = Key { ts, kind: self.streams[i].source.kind(), stream: i };
                if first.is_none_or(|f| key < f) {
                    second = first;
                    first = Some(key);
                } else if second.is_none_or(|s| key < s) {
                    second = Some(key);
                }
            }
            let Some(first) = first else { return Ok(Next::Done) };
            if let Some(block) = &blocks[first.stream] {
                self.advance(engine, first.stream, block, second)?;
            }
        }
    }

    /// Where stream `i`'s next item stands; moves the rows of an update cut by the end of its
    /// block into the stream's update.
    fn head(&mut self, i: usize, block: Option<&Block<'_>>) -> Result<Head, ColumnError> {
        let s = &mut self.streams[i];
        let Some(len) = s.block_len else {
            return Ok(if s.finished { Head::Finished } else { Head::NeedBlock });
        };
        let block = match block {
            Some(b) if b.kind() == s.source.kind() && b.len() == len => b,
            _ => {
                return Err(ColumnError::Stream {
                    stream: i,
                    reason: "the block given differs from the one pushed",
                })
            }
        };
        if s.pos < len && matches!(s.source, Source::Snapshots(_) | Source::Deltas(_)) {
            if s.update_end.is_none() {
                s.update_end = (s.pos..len).find(|&r| block.batch_end(r));
            }
            if s.update_end.is_none() {
                // The update continues in the next block.
                s.carry(block, s.pos..len)?;
                s.pos = len;
            }
        }
        if s.pos >= len {
            s.block_len = None;
            return Ok(Head::NeedBlock);
        }
        let ts = block.ts_init();
        Ok(Head::At(ts[s.update_end.unwrap_or(s.pos)]))
    }

    /// Applies stream `i`'s items while they come before `bound` (the next other stream).
    fn advance(
        &mut self,
        engine: &mut Engine,
        i: usize,
        block: &Block<'_>,
        bound: Option<Key>,
    ) -> Result<(), EngineError> {
        let s = &mut self.streams[i];
        let kind = s.source.kind();
        let before = |ts: u64| bound.is_none_or(|b| Key { ts, kind, stream: i } < b);
        let len = s.block_len.unwrap_or(0);
        match (block, &s.instrument) {
            (Block::Quotes(cols), _) => {
                let n = cols.ts_init[s.pos..len].partition_point(|&ts| before(ts));
                engine.run_quote_rows(cols, s.pos..s.pos + n)?;
                s.pos += n;
            }
            (Block::Trades(cols), Some(instrument)) => {
                while s.pos < len && before(cols.ts_init[s.pos]) {
                    engine.process(Event::TradeTick(cols.row(instrument, s.pos)?))?;
                    s.pos += 1;
                }
            }
            (Block::Bars(cols), Some(instrument)) => {
                let Source::Bars(_, bar_type) = s.source else { return Ok(()) };
                while s.pos < len && before(cols.ts_init[s.pos]) {
                    engine.process(Event::Bar(cols.row(instrument, bar_type, s.pos)?))?;
                    s.pos += 1;
                }
            }
            (Block::Snapshots(_) | Block::Deltas(_), Some(_)) => {
                while let Some(end) = s.update_end {
                    if !before(block.ts_init()[end]) {
                        break;
                    }
                    s.carry(block, s.pos..end + 1)?;
                    s.apply_update(engine)?;
                    s.pos = end + 1;
                    s.update_end = (s.pos..len).find(|&r| block.batch_end(r));
                }
            }
            _ => {}
        }
        Ok(())
    }
}

impl Stream {
    /// Adds `rows` of `block` to the update being assembled; the update's header is the last
    /// row's.
    fn carry(
        &mut self,
        block: &Block<'_>,
        rows: std::ops::Range<usize>,
    ) -> Result<(), ColumnError> {
        let Some(instrument) = &self.instrument else { return Ok(()) };
        let Some(last) = rows.end.checked_sub(1) else { return Ok(()) };
        self.carried += rows.len();
        match (&mut self.update, block) {
            (Update::Snapshot(snapshot), Block::Snapshots(cols)) => {
                for row in rows {
                    let (side, level) = cols.level(instrument, row)?;
                    match side {
                        crate::types::OrderSide::Buy => snapshot.bids.push(level),
                        crate::types::OrderSide::Sell => snapshot.asks.push(level),
                    }
                }
                snapshot.sequence = cols.sequence[last];
                snapshot.ts_event = UnixNanos(cols.ts_event[last]);
                snapshot.ts_init = UnixNanos(cols.ts_init[last]);
            }
            (Update::Deltas(deltas), Block::Deltas(cols)) => {
                for row in rows {
                    deltas.deltas.push(cols.delta(instrument, row)?);
                }
                deltas.first_sequence = cols.first_sequence[last];
                deltas.sequence = cols.sequence[last];
                deltas.prev_sequence = cols.prev_sequence(last);
                deltas.ts_event = UnixNanos(cols.ts_event[last]);
                deltas.ts_init = UnixNanos(cols.ts_init[last]);
            }
            _ => {}
        }
        Ok(())
    }

    /// Applies the assembled update and empties it (keeping its buffers).
    fn apply_update(&mut self, engine: &mut Engine) -> Result<(), EngineError> {
        self.carried = 0;
        match &mut self.update {
            Update::Snapshot(snapshot) => {
                let applied = engine.input_book_snapshot(snapshot);
                snapshot.bids.clear();
                snapshot.asks.clear();
                applied
            }
            Update::Deltas(deltas) => {
                let applied = engine.input_book_deltas(deltas);
                deltas.deltas.clear();
                applied
            }
            Update::None => Ok(()),
        }
    }
}
