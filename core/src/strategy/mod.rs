//! The strategy interface. A strategy reacts to callbacks and asks for things through its
//! `Context`; requests are applied by the engine after the callback returns, so a strategy
//! never re-enters the engine. Rust strategies implement `Strategy` directly; a strategy in
//! another language (Python) is adapted to it by the bindings, through a [`Link`]: the actions
//! it asks for during a callback ([`ActionBuffer`], interpreted here and nowhere else) and the
//! copy of its own orders, positions and balances it reads between them ([`Mirror`]).

mod actions;
mod context;
mod link;
mod mirror;
mod request;

pub use actions::{Action, ActionBuffer};
pub use context::Context;
pub use link::{ActionError, Link};
pub use mirror::{Mirror, RECENT_CLOSED};
pub use request::{
    client_order_id, default_time_in_force, order_number, OrderRequest, RequestError,
};

use crate::clock::Timer;
use crate::events::{Bar, Event, PositionState, QuoteTick, TimerFired, TradeTick};
use crate::types::{InstrumentId, StrategyId};

/// Which market data callbacks a strategy wants. Order, position and timer callbacks always
/// arrive.
#[allow(clippy::struct_excessive_bools)] // independent flags, one per kind of data
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Subscriptions {
    pub quotes: bool,
    pub trades: bool,
    pub book: bool,
    pub bars: bool,
}

/// A strategy callback failed; the engine stops the run and reports it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("strategy {strategy_id} failed in {callback}: {message}")]
pub struct StrategyError {
    pub strategy_id: StrategyId,
    pub callback: &'static str,
    pub message: String,
}

pub type CallbackResult = Result<(), StrategyError>;

/// A trading strategy. Every callback has a default that does nothing.
#[allow(unused_variables)] // the defaults ignore their arguments by design
pub trait Strategy: Send {
    fn id(&self) -> StrategyId;
    fn subscriptions(&self) -> Subscriptions;
    fn on_start(&mut self, ctx: &mut Context<'_>) -> CallbackResult {
        Ok(())
    }
    fn on_stop(&mut self, ctx: &mut Context<'_>) -> CallbackResult {
        Ok(())
    }
    fn on_quote(&mut self, ctx: &mut Context<'_>, quote: &QuoteTick) -> CallbackResult {
        Ok(())
    }
    fn on_trade(&mut self, ctx: &mut Context<'_>, trade: &TradeTick) -> CallbackResult {
        Ok(())
    }
    /// The book of `instrument_id` changed; read it with `ctx.book`.
    fn on_book(&mut self, ctx: &mut Context<'_>, instrument_id: InstrumentId) -> CallbackResult {
        Ok(())
    }
    fn on_bar(&mut self, ctx: &mut Context<'_>, bar: &Bar) -> CallbackResult {
        Ok(())
    }
    /// Any event of one of this strategy's orders (accepted, rejected, denied, filled, ...).
    fn on_order_event(&mut self, ctx: &mut Context<'_>, event: &Event) -> CallbackResult {
        Ok(())
    }
    /// `kind` is `PositionOpened`, `PositionChanged` or `PositionClosed`.
    fn on_position(
        &mut self,
        ctx: &mut Context<'_>,
        kind: &'static str,
        position: &PositionState,
    ) -> CallbackResult {
        Ok(())
    }
    fn on_timer(&mut self, ctx: &mut Context<'_>, timer: &TimerFired) -> CallbackResult {
        Ok(())
    }
}

/// What a strategy asked for during a callback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// A command event (submit, cancel, modify, cancel-all, flatten).
    Command(Event),
    SetTimer(Timer),
    CancelTimer(String),
}
