//! A strategy's window on the engine during one callback.

use super::{client_order_id, OrderRequest, Request, RequestError};
use crate::book::OrderBook;
use crate::clock::Timer;
use crate::engine::EngineState;
use crate::events::{CancelAllOrders, CancelOrder, Flatten, ModifyOrder, QuoteTick, SubmitOrder};
use crate::orders::Order;
use crate::portfolio::Position;
use crate::types::{
    ClientOrderId, Currency, Instrument, InstrumentId, Money, Price, Quantity, StrategyId,
    UnixNanos,
};

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
