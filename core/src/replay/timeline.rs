//! The timeline a console scrubs: any point of a log, as the engine state there.

use super::fold::Fold;
use super::recover::fold_from;
use super::source::EventSource;
use super::ReplayError;
use crate::engine::{Engine, EngineConfig};
use crate::events::Event;
use crate::orders::Order;
use crate::types::{ClientOrderId, Instrument, TradingState, UnixNanos};
use std::collections::HashMap;

/// Events worth jumping to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Moment {
    /// An order filled (partly or fully).
    Fill,
    /// The venue refused an order, a modify or a cancel.
    Reject,
    /// Risk refused an order before it left.
    Denial,
    /// The venue disconnected.
    Disconnect,
    /// Trading was halted (the command, or the trading state moving to HALTED).
    Halt,
}

impl Moment {
    pub const ALL: [Self; 5] =
        [Self::Fill, Self::Reject, Self::Denial, Self::Disconnect, Self::Halt];

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Fill => "fill",
            Self::Reject => "reject",
            Self::Denial => "denial",
            Self::Disconnect => "disconnect",
            Self::Halt => "halt",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.name() == name)
    }

    /// The moment an event is, if any.
    pub fn of(event: &Event) -> Option<Self> {
        match event {
            Event::OrderFilled(_) => Some(Self::Fill),
            Event::OrderRejected(_)
            | Event::OrderModifyRejected(_)
            | Event::OrderCancelRejected(_) => Some(Self::Reject),
            Event::OrderDenied(_) => Some(Self::Denial),
            Event::VenueDisconnected(_) => Some(Self::Disconnect),
            Event::Halt(_) => Some(Self::Halt),
            Event::TradingStateChanged(t) if t.state == TradingState::Halted => Some(Self::Halt),
            _ => None,
        }
    }
}

/// How a [`Replay`] indexes its log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReplayOptions {
    /// A checkpoint at least every this many events: a seek re-folds at most this many.
    pub snapshot_every: u64,
    /// How many events up to the current one a view carries.
    pub window: usize,
}

impl Default for ReplayOptions {
    fn default() -> Self {
        Self { snapshot_every: 10_000, window: 50 }
    }
}

/// The state at one point of the log.
pub struct ReplayView<'a> {
    /// The current seq (0: before the first event).
    pub seq: u64,
    /// The engine there: books, orders, positions, balances, risk state.
    pub engine: &'a Engine,
    /// The last `window` events up to and including `seq`.
    pub recent: Vec<(u64, Event)>,
}

/// A log opened for scrubbing. See the module docs of `replay`.
pub struct Replay<S: EventSource> {
    source: S,
    config: EngineConfig,
    instruments: Vec<Instrument>,
    options: ReplayOptions,
    /// (seq the checkpoint was taken after, snapshot bytes), ascending; the first is seq 0. A
    /// snapshot weighs what the live state weighed there (closed orders are a bounded window).
    checkpoints: Vec<(u64, Vec<u8>)>,
    /// Per seq (index seq - 1): bit set of the moments the event is.
    marks: Vec<u8>,
    /// Per seq: the latest `ts_init` up to it (a log's times never go back; this makes sure).
    ts: Vec<u64>,
    orders: HashMap<ClientOrderId, Vec<u64>>,
    /// The fold at the current position (`None` after an error: rebuilt on the next seek).
    fold: Option<Fold>,
    last_seq: u64,
}

impl<S: EventSource> Replay<S> {
    /// Indexes the log in one pass that re-folds every event from the first (which checks the
    /// log event by event) and keeps a checkpoint at least every `options.snapshot_every`
    /// events.
    pub fn new(
        source: S,
        config: EngineConfig,
        instruments: Vec<Instrument>,
        options: ReplayOptions,
    ) -> Result<Self, ReplayError> {
        let last_seq = source.last_seq();
        let every = options.snapshot_every.max(1);
        let capacity = usize::try_from(last_seq).unwrap_or(0);
        let mut marks = Vec::with_capacity(capacity);
        let mut ts = Vec::with_capacity(capacity);
        let mut orders: HashMap<ClientOrderId, Vec<u64>> = HashMap::new();
        let mut fold = fold_from(&config, &instruments, None)?;
        let light = |f: &Fold, seq| {
            f.engine().snapshot().map_err(|source| ReplayError::Snapshot { seq, source })
        };
        let mut checkpoints = vec![(0, light(&fold, 0)?)];
        let mut last_ts = 0;
        for item in source.read_from(1) {
            let (seq, event) = item?;
            marks.push(Moment::of(&event).map_or(0, Moment::bit));
            last_ts = last_ts.max(event.ts_init().0);
            ts.push(last_ts);
            if let Some(id) = event.client_order_id() {
                orders.entry(id).or_default().push(seq);
            }
            fold.apply(seq, &event)?;
            let since = checkpoints.last().map_or(0, |c| c.0);
            if fold.at_boundary() && seq - since >= every {
                checkpoints.push((seq, light(&fold, seq)?));
            }
        }
        let start = fold_from(&config, &instruments, None)?;
        Ok(Self {
            source,
            config,
            instruments,
            options,
            checkpoints,
            marks,
            ts,
            orders,
            fold: Some(start),
            last_seq,
        })
    }

    pub fn last_seq(&self) -> u64 {
        self.last_seq
    }

    /// The current seq (0: before the first event).
    pub fn seq(&self) -> u64 {
        self.fold.as_ref().map_or(0, Fold::seq)
    }

    /// Seqs after which a checkpoint is kept.
    pub fn checkpoint_seqs(&self) -> impl Iterator<Item = u64> + '_ {
        self.checkpoints.iter().map(|s| s.0)
    }

    /// The engine at the current seq.
    pub fn engine(&self) -> Option<&Engine> {
        self.fold.as_ref().map(Fold::engine)
    }

    /// Moves to `seq` (0..=last): restores the nearest checkpoint at or before it, unless the
    /// current position is already between that checkpoint and `seq`, then folds forward.
    pub fn seek(&mut self, seq: u64) -> Result<ReplayView<'_>, ReplayError> {
        if seq > self.last_seq {
            return Err(ReplayError::OutOfRange { seq, last: self.last_seq });
        }
        let at = self.checkpoints.partition_point(|s| s.0 <= seq).saturating_sub(1);
        let checkpoint_seq = self.checkpoints.get(at).map_or(0, |s| s.0);
        let current = self.fold.as_ref().map(Fold::seq);
        if !current.is_some_and(|c| (checkpoint_seq..=seq).contains(&c)) {
            self.fold = None;
            let fold = match self.checkpoints.get(at) {
                Some((0, _)) | None => fold_from(&self.config, &self.instruments, None)?,
                Some((s, bytes)) => fold_from(&self.config, &self.instruments, Some((*s, bytes)))?,
            };
            self.fold = Some(fold);
        }
        let Some(mut fold) = self.fold.take() else {
            return Err(ReplayError::OutOfRange { seq, last: self.last_seq });
        };
        if fold.seq() < seq {
            for item in self.source.read_from(fold.seq() + 1) {
                let (s, event) = item?;
                fold.apply(s, &event)?;
                if s >= seq {
                    break;
                }
            }
        }
        self.fold = Some(fold);
        self.view()
    }

    /// Moves to the last event at or before time `ts` (seq 0 if there is none).
    pub fn seek_ts(&mut self, ts: UnixNanos) -> Result<ReplayView<'_>, ReplayError> {
        let seq = self.ts.partition_point(|t| *t <= ts.0) as u64;
        self.seek(seq)
    }

    /// One event forward (stays at the end).
    pub fn step_forward(&mut self) -> Result<ReplayView<'_>, ReplayError> {
        let seq = (self.seq() + 1).min(self.last_seq);
        self.seek(seq)
    }

    /// One event back (stays at 0).
    pub fn step_back(&mut self) -> Result<ReplayView<'_>, ReplayError> {
        let seq = self.seq().saturating_sub(1);
        self.seek(seq)
    }

    /// Moves to the next event of this kind after the current one; `None` (not moving) if
    /// there is none.
    pub fn next_of_kind(&mut self, moment: Moment) -> Result<Option<ReplayView<'_>>, ReplayError> {
        let from = usize::try_from(self.seq()).unwrap_or(usize::MAX);
        let found = self.marks.iter().skip(from).position(|m| m & moment.bit() != 0);
        match found {
            Some(offset) => self.seek((from + offset + 1) as u64).map(Some),
            None => Ok(None),
        }
    }

    /// Moves to the previous event of this kind before the current one.
    pub fn prev_of_kind(&mut self, moment: Moment) -> Result<Option<ReplayView<'_>>, ReplayError> {
        let before = usize::try_from(self.seq().saturating_sub(1)).unwrap_or(usize::MAX);
        let found =
            self.marks[..before.min(self.marks.len())].iter().rposition(|m| m & moment.bit() != 0);
        match found {
            Some(index) => self.seek(index as u64 + 1).map(Some),
            None => Ok(None),
        }
    }

    /// Moves to the next event of one order after the current one.
    pub fn next_for_order(
        &mut self,
        id: ClientOrderId,
    ) -> Result<Option<ReplayView<'_>>, ReplayError> {
        let current = self.seq();
        let next = self
            .orders
            .get(&id)
            .and_then(|seqs| seqs.get(seqs.partition_point(|s| *s <= current)).copied());
        match next {
            Some(seq) => self.seek(seq).map(Some),
            None => Ok(None),
        }
    }

    /// Moves to the previous event of one order before the current one.
    pub fn prev_for_order(
        &mut self,
        id: ClientOrderId,
    ) -> Result<Option<ReplayView<'_>>, ReplayError> {
        let current = self.seq();
        let prev = self.orders.get(&id).and_then(|seqs| {
            seqs.partition_point(|s| *s < current).checked_sub(1).map(|i| seqs[i])
        });
        match prev {
            Some(seq) => self.seek(seq).map(Some),
            None => Ok(None),
        }
    }

    /// Any order as it was at the current seq (None if it was not made yet): from the engine
    /// when it is live or closed recently, else rebuilt from its events in the log.
    pub fn order(&self, id: ClientOrderId) -> Result<Option<Order>, ReplayError> {
        let seq = self.seq();
        if let Some(order) = self.engine().and_then(|e| e.state().order(id)) {
            return Ok(Some(order.clone()));
        }
        let Some(seqs) = self.orders.get(&id) else { return Ok(None) };
        let mut events = Vec::new();
        for &at in seqs.iter().take_while(|&&s| s <= seq) {
            let Some(item) = self.source.read_from(at).next() else { break };
            events.push(item?.1);
        }
        Ok(Order::from_events(&events))
    }

    /// The state at the current seq, with the recent events window.
    pub fn view(&self) -> Result<ReplayView<'_>, ReplayError> {
        let Some(fold) = self.fold.as_ref() else {
            return Err(ReplayError::OutOfRange { seq: 0, last: self.last_seq });
        };
        let seq = fold.seq();
        let window = self.options.window as u64;
        let first = seq.saturating_sub(window.saturating_sub(1)).max(1);
        let recent = if seq == 0 || window == 0 {
            Vec::new()
        } else {
            self.source
                .read_from(first)
                .take_while(|item| item.as_ref().map_or(true, |(s, _)| *s <= seq))
                .collect::<Result<Vec<_>, _>>()?
        };
        Ok(ReplayView { seq, engine: fold.engine(), recent })
    }
}
