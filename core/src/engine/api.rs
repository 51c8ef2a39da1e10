//! The engine's entry points for hosts (the Python bindings, the live node): orders submitted
//! on behalf of a strategy with engine-made ids, and the checks that keep a bad input from
//! changing anything.

use super::{Engine, EngineError};
use crate::events::{
    AccountBalance, CancelAllOrders, CancelOrder, Event, Flatten, Halt, ModifyOrder, Resume,
    SubmitOrder,
};
use crate::orders::OrderError;
use crate::portfolio::PortfolioError;
use crate::strategy::{client_order_id, Context, OrderRequest, RequestError};
use crate::types::{ClientOrderId, InstrumentId, Price, Quantity, StrategyId};

impl Engine {
    /// Submits an order for `strategy_id` with the next deterministic client order id
    /// (`O-<strategy>-<n>`, shared with the strategy's own orders). The request is checked
    /// against the instrument's tick and lot grid first: an error here changes nothing.
    pub fn submit_order(
        &mut self,
        strategy_id: StrategyId,
        request: &OrderRequest,
    ) -> Result<ClientOrderId, EngineError> {
        let instrument = self
            .state
            .instrument(request.instrument_id)
            .ok_or(EngineError::UnknownInstrument(request.instrument_id))?;
        request.check_instrument(instrument)?;
        let n = self.state.order_counts.get(&strategy_id).copied().unwrap_or(0) + 1;
        let id = client_order_id(strategy_id, n)?;
        request
            .validate()
            .map_err(|source| EngineError::InvalidOrder { client_order_id: id, source })?;
        let now = self.clock.stamp();
        let cmd = SubmitOrder {
            strategy_id,
            instrument_id: request.instrument_id,
            client_order_id: id,
            side: request.side,
            order_type: request.order_type,
            quantity: request.quantity,
            price: request.price,
            trigger_price: request.trigger_price,
            time_in_force: request.time_in_force,
            expire_time: request.expire_time,
            post_only: request.post_only,
            reduce_only: request.reduce_only,
            ts_event: now,
            ts_init: now,
        };
        // Counted before processing: callbacks it causes may submit for the same strategy.
        self.state.order_counts.insert(strategy_id, n);
        self.process(cmd.into())?;
        Ok(id)
    }

    /// Runs `act` as a callback of `strategy_id` outside the event loop (a batch callback, after
    /// the block it looked at), then applies what it asked for exactly as after any callback.
    pub fn act_as(
        &mut self,
        strategy_id: StrategyId,
        act: impl FnOnce(&mut Context<'_>) -> Result<(), RequestError>,
    ) -> Result<(), EngineError> {
        let mut requests = Vec::new();
        let mut count = self.state.order_counts.get(&strategy_id).copied().unwrap_or(0);
        let mut ctx = Context {
            now: self.clock.now(),
            strategy_id,
            state: &self.state,
            requests: &mut requests,
            order_count: &mut count,
        };
        // A refused action applies nothing, and uses no order number.
        act(&mut ctx).map_err(|source| EngineError::Request { strategy_id, source })?;
        if count > 0 {
            self.state.order_counts.insert(strategy_id, count);
        }
        self.apply_requests(strategy_id, &mut requests)?;
        self.run_now()
    }

    /// Cancels one order on behalf of its strategy.
    pub fn cancel_order(&mut self, id: ClientOrderId) -> Result<(), EngineError> {
        let order = self.state.order(id).ok_or(EngineError::UnknownOrder(id))?;
        let now = self.clock.stamp();
        let cmd = CancelOrder {
            strategy_id: order.strategy_id(),
            instrument_id: order.instrument_id(),
            client_order_id: id,
            ts_event: now,
            ts_init: now,
        };
        self.process(cmd.into())
    }

    /// Changes an order's quantity and/or prices; new values are checked against the
    /// instrument's grid first.
    pub fn modify_order(
        &mut self,
        id: ClientOrderId,
        quantity: Option<Quantity>,
        price: Option<Price>,
        trigger_price: Option<Price>,
    ) -> Result<(), EngineError> {
        let order = self.state.order(id).ok_or(EngineError::UnknownOrder(id))?;
        let (strategy_id, instrument_id) = (order.strategy_id(), order.instrument_id());
        let instrument = self
            .state
            .instrument(instrument_id)
            .ok_or(EngineError::UnknownInstrument(instrument_id))?;
        for p in [price, trigger_price].into_iter().flatten() {
            instrument.check_price(p)?;
        }
        if let Some(q) = quantity {
            instrument.check_quantity(q)?;
        }
        let now = self.clock.stamp();
        let cmd = ModifyOrder {
            strategy_id,
            instrument_id,
            client_order_id: id,
            quantity,
            price,
            trigger_price,
            ts_event: now,
            ts_init: now,
        };
        self.process(cmd.into())
    }

    /// Cancels open orders, of one strategy and/or instrument or all.
    pub fn cancel_all_orders(
        &mut self,
        strategy_id: Option<StrategyId>,
        instrument_id: Option<InstrumentId>,
        source: &str,
    ) -> Result<(), EngineError> {
        let now = self.clock.stamp();
        let source = source.to_owned();
        let cmd =
            CancelAllOrders { strategy_id, instrument_id, source, ts_event: now, ts_init: now };
        self.process(cmd.into())
    }

    /// Cancels open orders and closes positions at market, in scope.
    pub fn flatten(
        &mut self,
        strategy_id: Option<StrategyId>,
        instrument_id: Option<InstrumentId>,
        source: &str,
    ) -> Result<(), EngineError> {
        let now = self.clock.stamp();
        let source = source.to_owned();
        let cmd = Flatten { strategy_id, instrument_id, source, ts_event: now, ts_init: now };
        self.process(cmd.into())
    }

    /// Stops all trading (HALTED) until `resume`.
    pub fn halt(&mut self, reason: &str, source: &str) -> Result<(), EngineError> {
        let now = self.clock.stamp();
        let (reason, source) = (reason.to_owned(), source.to_owned());
        self.process(Halt { reason, source, ts_event: now, ts_init: now }.into())
    }

    /// Returns to ACTIVE trading.
    pub fn resume(&mut self, reason: &str, source: &str) -> Result<(), EngineError> {
        let now = self.clock.stamp();
        let (reason, source) = (reason.to_owned(), source.to_owned());
        self.process(Resume { reason, source, ts_event: now, ts_init: now }.into())
    }

    /// Every balance of the account, ordered by currency.
    pub fn balances(&self) -> Result<Vec<AccountBalance>, PortfolioError> {
        let now = self.clock.now();
        Ok(self.state.portfolio.account_state(now, now)?.balances)
    }

    /// The checks on a command that need the engine's state, made before anything moves, so
    /// a refused command leaves counters, orders and clock as they were.
    pub(super) fn check_command(&self, event: &Event) -> Result<(), EngineError> {
        match event {
            Event::SubmitOrder(cmd) => {
                if self.state.knows_order(cmd.client_order_id) {
                    return Err(EngineError::DuplicateOrder(cmd.client_order_id));
                }
                OrderRequest {
                    instrument_id: cmd.instrument_id,
                    side: cmd.side,
                    order_type: cmd.order_type,
                    quantity: cmd.quantity,
                    price: cmd.price,
                    trigger_price: cmd.trigger_price,
                    time_in_force: cmd.time_in_force,
                    expire_time: cmd.expire_time,
                    post_only: cmd.post_only,
                    reduce_only: cmd.reduce_only,
                }
                .validate()
                .map_err(|source| EngineError::InvalidOrder {
                    client_order_id: cmd.client_order_id,
                    source,
                })
            }
            Event::CancelOrder(c) => {
                self.check_known(c.client_order_id, c.strategy_id, c.instrument_id, event.kind())
            }
            Event::ModifyOrder(c) => {
                self.check_known(c.client_order_id, c.strategy_id, c.instrument_id, event.kind())
            }
            _ => Ok(()),
        }
    }

    /// The order exists and belongs to the strategy and instrument the command names.
    fn check_known(
        &self,
        id: ClientOrderId,
        strategy_id: StrategyId,
        instrument_id: InstrumentId,
        event: &'static str,
    ) -> Result<(), EngineError> {
        let order = self.state.order(id).ok_or(EngineError::UnknownOrder(id))?;
        let mismatch = |field, expected: String, actual: String| {
            Err(EngineError::from(OrderError::HeaderMismatch {
                client_order_id: id,
                event,
                field,
                expected,
                actual,
            }))
        };
        if order.strategy_id() != strategy_id {
            return mismatch(
                "strategy_id",
                order.strategy_id().to_string(),
                strategy_id.to_string(),
            );
        }
        if order.instrument_id() != instrument_id {
            let expected = order.instrument_id().to_string();
            return mismatch("instrument_id", expected, instrument_id.to_string());
        }
        Ok(())
    }
}
