//! The strategy interface. A strategy reacts to callbacks and asks for things through its
//! `Context`; requests are applied by the engine after the callback returns, so a strategy
//! never re-enters the engine. Rust strategies implement `Strategy` directly; Python strategies
//! are adapted to it by the bindings.

use crate::book::OrderBook;
use crate::clock::Timer;
use crate::engine::EngineState;
use crate::events::{
    Bar, CancelAllOrders, CancelOrder, Event, Flatten, ModifyOrder, PositionState, QuoteTick,
    SubmitOrder, TimerFired, TradeTick,
};
use crate::orders::Order;
use crate::portfolio::Position;
use crate::types::{
    ClientOrderId, Currency, IdentifierError, Instrument, InstrumentError, InstrumentId, Money,
    OrderSide, OrderType, Price, Quantity, StrategyId, TimeInForce, UnixNanos,
};

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

/// A structurally invalid request: a bug in the strategy, raised at once.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    #[error("unknown instrument {0}")]
    UnknownInstrument(InstrumentId),
    #[error("unknown order {0}")]
    UnknownOrder(ClientOrderId),
    #[error("{order_type} order needs field {field}")]
    MissingField { order_type: OrderType, field: &'static str },
    #[error("{order_type} order must not have field {field}")]
    UnexpectedField { order_type: OrderType, field: &'static str },
    #[error("quantity must be positive")]
    ZeroQuantity,
    /// The strategy's next client order id does not fit.
    #[error(transparent)]
    Identifier(#[from] IdentifierError),
}

/// The `n`-th client order id of a strategy: `O-<strategy>-<n>`. Refused, naming
/// `client_order_id`, when it is longer than the 36 bytes venues take (a strategy id of up to
/// 20 characters leaves room for 10^13 orders).
pub fn client_order_id(strategy_id: StrategyId, n: u64) -> Result<ClientOrderId, IdentifierError> {
    ClientOrderId::new(&format!("O-{strategy_id}-{n}"))
}

/// `n` when `id` is `client_order_id(strategy_id, n)`: a re-fold of a log counts the engine-made
/// ids it meets, so a recovered engine never hands out one of them again.
pub fn order_number(strategy_id: StrategyId, id: ClientOrderId) -> Option<u64> {
    let rest = id.as_str().strip_prefix("O-")?.strip_prefix(strategy_id.as_str())?;
    let digits = rest.strip_prefix('-')?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.starts_with('0') {
        return None;
    }
    digits.parse().ok()
}

/// Everything needed to submit an order; the engine fills in ids and times.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OrderRequest {
    pub instrument_id: InstrumentId,
    pub side: OrderSide,
    pub order_type: OrderType,
    pub quantity: Quantity,
    pub price: Option<Price>,
    pub trigger_price: Option<Price>,
    pub time_in_force: TimeInForce,
    pub expire_time: Option<UnixNanos>,
    pub post_only: bool,
    pub reduce_only: bool,
}

impl OrderRequest {
    pub fn market(instrument_id: InstrumentId, side: OrderSide, quantity: Quantity) -> Self {
        Self {
            instrument_id,
            side,
            order_type: OrderType::Market,
            quantity,
            price: None,
            trigger_price: None,
            time_in_force: TimeInForce::Ioc,
            expire_time: None,
            post_only: false,
            reduce_only: false,
        }
    }

    pub fn limit(
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        price: Price,
    ) -> Self {
        Self {
            order_type: OrderType::Limit,
            price: Some(price),
            time_in_force: TimeInForce::Gtc,
            ..Self::market(instrument_id, side, quantity)
        }
    }

    /// Checks prices sit on the instrument's tick grid and the quantity on its lot grid and
    /// within its limits.
    pub fn check_instrument(&self, instrument: &Instrument) -> Result<(), InstrumentError> {
        for price in [self.price, self.trigger_price].into_iter().flatten() {
            instrument.check_price(price)?;
        }
        instrument.check_quantity(self.quantity)
    }

    /// Checks the fields fit the order type.
    pub fn validate(&self) -> Result<(), RequestError> {
        let t = self.order_type;
        if self.quantity.is_zero() {
            return Err(RequestError::ZeroQuantity);
        }
        match (t.has_price(), self.price.is_some()) {
            (true, false) => {
                return Err(RequestError::MissingField { order_type: t, field: "price" })
            }
            (false, true) => {
                return Err(RequestError::UnexpectedField { order_type: t, field: "price" })
            }
            _ => {}
        }
        match (t.has_trigger(), self.trigger_price.is_some()) {
            (true, false) => {
                return Err(RequestError::MissingField { order_type: t, field: "trigger_price" })
            }
            (false, true) => {
                return Err(RequestError::UnexpectedField { order_type: t, field: "trigger_price" })
            }
            _ => {}
        }
        if self.time_in_force == TimeInForce::Gtd && self.expire_time.is_none() {
            return Err(RequestError::MissingField { order_type: t, field: "expire_time" });
        }
        Ok(())
    }
}

/// A strategy's window on the engine during one callback: read access to the state and a
/// buffer of requests.
pub struct Context<'a> {
    pub(crate) now: UnixNanos,
    pub(crate) strategy_id: StrategyId,
    pub(crate) state: &'a EngineState,
    pub(crate) requests: &'a mut Vec<Request>,
    pub(crate) order_count: &'a mut u64,
}

impl Context<'_> {
    pub fn now(&self) -> UnixNanos {
        self.now
    }
    pub fn strategy_id(&self) -> StrategyId {
        self.strategy_id
    }
    pub fn instrument(&self, id: InstrumentId) -> Option<&Instrument> {
        self.state.instrument(id)
    }
    /// Every loaded instrument, in load order.
    pub fn instruments(&self) -> impl Iterator<Item = &Instrument> {
        self.state.instruments()
    }
    pub fn instrument_count(&self) -> usize {
        self.state.instruments.len()
    }
    /// Every balance of the account, ordered by currency.
    pub fn balances(&self) -> Vec<crate::events::AccountBalance> {
        self.state
            .portfolio()
            .account_state(self.now, self.now)
            .map(|s| s.balances)
            .unwrap_or_default()
    }
    pub fn quote(&self, id: InstrumentId) -> Option<&QuoteTick> {
        self.state.quote(id)
    }
    pub fn book(&self, id: InstrumentId) -> Option<&OrderBook> {
        self.state.book(id)
    }
    pub fn order(&self, id: ClientOrderId) -> Option<&Order> {
        self.state.order(id)
    }
    /// This strategy's open orders, oldest first.
    pub fn open_orders(&self) -> impl Iterator<Item = &Order> {
        let me = self.strategy_id;
        self.state.open_orders().filter(move |o| o.strategy_id() == me)
    }
    pub fn position(&self, id: InstrumentId) -> Option<&Position> {
        self.state.portfolio().position(id, self.strategy_id)
    }
    pub fn balance_total(&self, currency: Currency) -> Money {
        self.state.portfolio().balance(currency).map_or(Money::zero(currency), |b| b.total)
    }

    /// Orders this strategy has created so far (the `n` of its last client order id).
    pub fn order_count(&self) -> u64 {
        *self.order_count
    }

    /// The next client order id: `O-<strategy>-<n>`, unique and the same on every run.
    fn next_order_id(&mut self) -> Result<ClientOrderId, RequestError> {
        let id = client_order_id(self.strategy_id, *self.order_count + 1)?;
        *self.order_count += 1;
        Ok(id)
    }

    /// Submits an order; returns its client order id. Risk checks happen in the engine and
    /// arrive as an `OrderDenied` event, never as an error here.
    pub fn submit(&mut self, request: OrderRequest) -> Result<ClientOrderId, RequestError> {
        request.validate()?;
        if self.state.instrument(request.instrument_id).is_none() {
            return Err(RequestError::UnknownInstrument(request.instrument_id));
        }
        let client_order_id = self.next_order_id()?;
        self.requests.push(Request::Command(
            SubmitOrder {
                strategy_id: self.strategy_id,
                instrument_id: request.instrument_id,
                client_order_id,
                side: request.side,
                order_type: request.order_type,
                quantity: request.quantity,
                price: request.price,
                trigger_price: request.trigger_price,
                time_in_force: request.time_in_force,
                expire_time: request.expire_time,
                post_only: request.post_only,
                reduce_only: request.reduce_only,
                ts_event: self.now,
                ts_init: self.now,
            }
            .into(),
        ));
        Ok(client_order_id)
    }

    pub fn cancel(&mut self, client_order_id: ClientOrderId) -> Result<(), RequestError> {
        let order =
            self.state.order(client_order_id).ok_or(RequestError::UnknownOrder(client_order_id))?;
        self.requests.push(Request::Command(
            CancelOrder {
                strategy_id: self.strategy_id,
                instrument_id: order.instrument_id(),
                client_order_id,
                ts_event: self.now,
                ts_init: self.now,
            }
            .into(),
        ));
        Ok(())
    }

    pub fn modify(
        &mut self,
        client_order_id: ClientOrderId,
        quantity: Option<Quantity>,
        price: Option<Price>,
        trigger_price: Option<Price>,
    ) -> Result<(), RequestError> {
        let order =
            self.state.order(client_order_id).ok_or(RequestError::UnknownOrder(client_order_id))?;
        self.requests.push(Request::Command(
            ModifyOrder {
                strategy_id: self.strategy_id,
                instrument_id: order.instrument_id(),
                client_order_id,
                quantity,
                price,
                trigger_price,
                ts_event: self.now,
                ts_init: self.now,
            }
            .into(),
        ));
        Ok(())
    }

    /// Cancels this strategy's open orders (of one instrument, or all).
    pub fn cancel_all(&mut self, instrument_id: Option<InstrumentId>) {
        self.requests.push(Request::Command(
            CancelAllOrders {
                strategy_id: Some(self.strategy_id),
                instrument_id,
                source: self.strategy_id.to_string(),
                ts_event: self.now,
                ts_init: self.now,
            }
            .into(),
        ));
    }

    /// Cancels this strategy's open orders and closes its positions at market.
    pub fn close_all_positions(&mut self, instrument_id: Option<InstrumentId>) {
        self.requests.push(Request::Command(
            Flatten {
                strategy_id: Some(self.strategy_id),
                instrument_id,
                source: self.strategy_id.to_string(),
                ts_event: self.now,
                ts_init: self.now,
            }
            .into(),
        ));
    }

    /// A timer firing at `at`, then every `interval_ns` (if given) until `stop` (if given).
    pub fn set_timer(
        &mut self,
        name: &str,
        at: UnixNanos,
        interval_ns: Option<u64>,
        stop: Option<UnixNanos>,
    ) {
        self.requests.push(Request::SetTimer(Timer {
            name: name.to_owned(),
            strategy_id: Some(self.strategy_id),
            next: at,
            interval_ns,
            stop,
        }));
    }

    pub fn cancel_timer(&mut self, name: &str) {
        self.requests.push(Request::CancelTimer(name.to_owned()));
    }
}

#[cfg(test)]
mod order_number_tests {
    use super::*;

    #[test]
    fn only_engine_made_ids_of_that_strategy_have_a_number() {
        let s = StrategyId::from_static("ema-1");
        assert_eq!(order_number(s, client_order_id(s, 42).unwrap()), Some(42));
        let other = StrategyId::from_static("ema");
        assert_eq!(order_number(other, client_order_id(s, 42).unwrap()), None);
        for id in ["M-1", "O-ema-1-x", "O-ema-1-", "O-ema-1-07", "O-ema-1-+3"] {
            assert_eq!(order_number(s, ClientOrderId::from_static(id)), None, "{id}");
        }
    }

    #[test]
    fn an_order_id_longer_than_venues_take_is_refused() {
        let s = StrategyId::from_static("a-strategy-of-twenty");
        assert_eq!(client_order_id(s, 9_999_999_999_999).unwrap().as_str().len(), 36);
        let err = client_order_id(s, 10_000_000_000_000).unwrap_err();
        assert!(err.to_string().starts_with("client_order_id: \"O-a-strategy-of-twenty-1"));
    }
}
