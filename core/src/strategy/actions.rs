//! The actions a strategy outside Rust asks for during one callback, checked when asked (so a
//! mistake raises at its call site) and handed to the engine's `Context` when the callback
//! returns: the one interpreter of such actions, for per-event callbacks and batch callbacks
//! alike. A submit's client order id is known at once: the engine numbers a strategy's orders
//! in the order they are submitted, and the buffer counts the same way.

use super::{client_order_id, Context, OrderRequest, RequestError};
use crate::clock::{Timer, TimerError};
use crate::types::{ClientOrderId, InstrumentId, Price, Quantity, StrategyId, UnixNanos};

/// One thing asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Submit(OrderRequest),
    Cancel(ClientOrderId),
    Modify {
        id: ClientOrderId,
        quantity: Option<Quantity>,
        price: Option<Price>,
        trigger_price: Option<Price>,
    },
    CancelAll(Option<InstrumentId>),
    CloseAll(Option<InstrumentId>),
    SetTimer(Timer),
    CancelTimer(String),
}

/// See the module documentation.
#[derive(Debug)]
pub struct ActionBuffer {
    strategy_id: StrategyId,
    now: UnixNanos,
    /// The strategy's order count when the callback began.
    order_count: u64,
    actions: Vec<Action>,
    submits: u64,
    open: bool,
}

impl ActionBuffer {
    pub fn new(strategy_id: StrategyId) -> Self {
        Self {
            strategy_id,
            now: UnixNanos(0),
            order_count: 0,
            actions: Vec::new(),
            submits: 0,
            open: false,
        }
    }

    /// A callback begins at `now`; the strategy has made `order_count` orders so far.
    pub fn begin(&mut self, now: UnixNanos, order_count: u64) {
        self.now = now;
        self.order_count = order_count;
        self.actions.clear();
        self.submits = 0;
        self.open = true;
    }

    /// True inside a callback: only then can actions be asked for.
    pub fn is_open(&self) -> bool {
        self.open
    }

    pub fn now(&self) -> UnixNanos {
        self.now
    }

    pub fn strategy_id(&self) -> StrategyId {
        self.strategy_id
    }

    /// A checked order request (see `OrderRequest::validate` and `check_instrument`); returns
    /// the client order id the engine will give it (refused when it would not fit).
    pub fn submit(&mut self, request: OrderRequest) -> Result<ClientOrderId, RequestError> {
        let id = client_order_id(self.strategy_id, self.order_count + self.submits + 1)?;
        self.submits += 1;
        self.actions.push(Action::Submit(request));
        Ok(id)
    }

    pub fn push(&mut self, action: Action) {
        self.actions.push(action);
    }

    /// A timer, checked now (positive interval, not in the past); a duplicate name is found
    /// when the engine applies it.
    pub fn set_timer(
        &mut self,
        name: &str,
        at: UnixNanos,
        interval_ns: Option<u64>,
        stop: Option<UnixNanos>,
    ) -> Result<(), TimerError> {
        let timer = Timer {
            name: name.to_owned(),
            strategy_id: Some(self.strategy_id),
            next: at,
            interval_ns,
            stop,
        };
        timer.check(self.now)?;
        self.actions.push(Action::SetTimer(timer));
        Ok(())
    }

    /// Ends the callback: when it `succeeded`, hands every action to `ctx` in order; a failed
    /// callback's half-made actions are dropped.
    pub fn finish(&mut self, ctx: &mut Context<'_>, succeeded: bool) -> Result<(), RequestError> {
        self.open = false;
        let actions = std::mem::take(&mut self.actions);
        if !succeeded {
            return Ok(());
        }
        for action in actions {
            match action {
                Action::Submit(request) => {
                    ctx.submit(request)?;
                }
                Action::Cancel(id) => ctx.cancel(id)?,
                Action::Modify { id, quantity, price, trigger_price } => {
                    ctx.modify(id, quantity, price, trigger_price)?;
                }
                Action::CancelAll(instrument) => ctx.cancel_all(instrument),
                Action::CloseAll(instrument) => ctx.close_all_positions(instrument),
                Action::SetTimer(timer) => {
                    ctx.set_timer(&timer.name, timer.next, timer.interval_ns, timer.stop);
                }
                Action::CancelTimer(name) => ctx.cancel_timer(&name),
            }
        }
        Ok(())
    }
}
