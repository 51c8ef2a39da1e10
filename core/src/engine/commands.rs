//! Commands into the engine: orders go through risk, then to the venue after the submit
//! latency (or out to a live adapter); operator commands fan out to orders.

use super::{Dispatch, Engine, EngineError, InstrumentState, Route};
use crate::events::{
    CancelAllOrders, CancelOrder, Event, Flatten, Halt, ModifyOrder, OrderCancelRejected,
    OrderDenied, OrderInitialized, OrderModifyRejected, OrderPendingCancel, OrderPendingUpdate,
    OrderSubmitted, Resume, SubmitOrder,
};
use crate::matching::AccountView;
use crate::orders::Order;
use crate::portfolio::Portfolio;
use crate::risk::{reference_price, RiskView, WorkingOrder};
use crate::strategy::OrderRequest;
use crate::types::{
    ClientOrderId, IdMap, InstrumentId, OrderSide, OrderType, Quantity, StrategyId, TimeInForce,
    TradingState,
};

impl Engine {
    pub(super) fn on_submit(&mut self, cmd: SubmitOrder) -> Result<(), EngineError> {
        let now = self.clock.now();
        let index = self.index_of_instrument(cmd.instrument_id)?;
        if self.state.knows_order(cmd.client_order_id) {
            return Err(EngineError::DuplicateOrder(cmd.client_order_id));
        }
        if let Some(n) = crate::strategy::order_number(cmd.strategy_id, cmd.client_order_id) {
            // Counted here too, so a log re-folded without its strategies still counts them.
            let count = self.state.order_counts.entry(cmd.strategy_id).or_insert(0);
            *count = (*count).max(n);
            let highest = self.state.initialized.entry(cmd.strategy_id).or_insert(0);
            *highest = (*highest).max(n);
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
        })?;

        self.emit(cmd.into());
        let init = OrderInitialized {
            strategy_id: cmd.strategy_id,
            instrument_id: cmd.instrument_id,
            client_order_id: cmd.client_order_id,
            side: cmd.side,
            order_type: cmd.order_type,
            quantity: cmd.quantity,
            price: cmd.price,
            trigger_price: cmd.trigger_price,
            time_in_force: cmd.time_in_force,
            expire_time: cmd.expire_time,
            post_only: cmd.post_only,
            reduce_only: cmd.reduce_only,
            ts_event: now,
            ts_init: now,
        };
        self.state.orders.insert(cmd.client_order_id, Box::new(Order::new(&init)));
        self.counters.orders += 1;
        self.emit(init.into());

        let state = &mut self.state;
        let view = Self::risk_view(
            &state.instruments,
            &state.open_orders,
            &state.orders,
            &state.portfolio,
            index,
        );
        if let Err(denial) = state.risk.check_submit(&cmd, &view, now) {
            self.counters.denials += 1;
            let denied = OrderDenied {
                strategy_id: cmd.strategy_id,
                instrument_id: cmd.instrument_id,
                client_order_id: cmd.client_order_id,
                reason: denial.reason,
                ts_event: now,
                ts_init: now,
            };
            return self.apply_local(denied.into());
        }
        let submitted = OrderSubmitted {
            strategy_id: cmd.strategy_id,
            instrument_id: cmd.instrument_id,
            client_order_id: cmd.client_order_id,
            account_id: self.state.portfolio.account_id(),
            ts_event: now,
            ts_init: now,
        };
        self.state.open_orders.push(cmd.client_order_id);
        self.submitted_at.insert(cmd.client_order_id, now);
        self.apply_local(submitted.into())?;
        let latency = if self.venue.is_some() { Some(self.latency.submit_ns()) } else { None };
        self.route(Event::SubmitOrder(cmd), latency);
        Ok(())
    }

    pub(super) fn on_cancel(&mut self, cmd: CancelOrder) -> Result<(), EngineError> {
        let now = self.clock.now();
        let order = self
            .state
            .order(cmd.client_order_id)
            .ok_or(EngineError::UnknownOrder(cmd.client_order_id))?;
        let venue_order_id = order.venue_order_id();
        let open = order.is_open() || order.is_in_flight();
        let status = order.status();
        self.emit(cmd.into());
        if !open {
            // Nothing to cancel: say so without touching the order, which is already final.
            let rejected = OrderCancelRejected {
                strategy_id: cmd.strategy_id,
                instrument_id: cmd.instrument_id,
                client_order_id: cmd.client_order_id,
                venue_order_id,
                reason: format!("ORDER_NOT_OPEN: order is {status}"),
                ts_event: now,
                ts_init: now,
            };
            let strategy_id = cmd.strategy_id;
            self.emit_and_notify(rejected.into(), |e| Dispatch::Order(strategy_id, Box::new(e)));
            return Ok(());
        }
        let pending = OrderPendingCancel {
            strategy_id: cmd.strategy_id,
            instrument_id: cmd.instrument_id,
            client_order_id: cmd.client_order_id,
            venue_order_id,
            ts_event: now,
            ts_init: now,
        };
        self.apply_local(pending.into())?;
        let latency = if self.venue.is_some() { Some(self.latency.cancel_ns()) } else { None };
        self.route(Event::CancelOrder(cmd), latency);
        Ok(())
    }

    pub(super) fn on_modify(&mut self, cmd: ModifyOrder) -> Result<(), EngineError> {
        let now = self.clock.now();
        let order = self
            .state
            .order(cmd.client_order_id)
            .ok_or(EngineError::UnknownOrder(cmd.client_order_id))?;
        let venue_order_id = order.venue_order_id();
        let status = order.status();
        let working = order.is_open().then(|| WorkingOrder {
            side: order.side(),
            order_type: order.order_type(),
            quantity: order.quantity(),
            filled_qty: order.filled_qty(),
            price: order.price(),
            trigger_price: order.trigger_price(),
        });
        self.emit(cmd.into());
        let index = self.index_of_instrument(cmd.instrument_id)?;
        let state = &mut self.state;
        let view = Self::risk_view(
            &state.instruments,
            &state.open_orders,
            &state.orders,
            &state.portfolio,
            index,
        );
        let verdict = match working {
            Some(working) => {
                state.risk.check_modify(&cmd, &working, &view, now).map_err(|d| d.reason)
            }
            None => Err(format!("ORDER_NOT_OPEN: order is {status}")),
        };
        if let Err(reason) = verdict {
            let rejected = OrderModifyRejected {
                strategy_id: cmd.strategy_id,
                instrument_id: cmd.instrument_id,
                client_order_id: cmd.client_order_id,
                venue_order_id,
                reason,
                ts_event: now,
                ts_init: now,
            };
            let strategy_id = cmd.strategy_id;
            self.emit_and_notify(rejected.into(), |e| Dispatch::Order(strategy_id, Box::new(e)));
            return Ok(());
        }
        let pending = OrderPendingUpdate {
            strategy_id: cmd.strategy_id,
            instrument_id: cmd.instrument_id,
            client_order_id: cmd.client_order_id,
            venue_order_id,
            ts_event: now,
            ts_init: now,
        };
        self.apply_local(pending.into())?;
        let latency = if self.venue.is_some() { Some(self.latency.modify_ns()) } else { None };
        self.route(Event::ModifyOrder(cmd), latency);
        Ok(())
    }

    pub(super) fn on_cancel_all(&mut self, cmd: CancelAllOrders) {
        let targets = self.open_orders_in_scope(cmd.strategy_id, cmd.instrument_id);
        self.emit(cmd.into());
        self.cancel_each(targets);
    }

    /// Cancels open orders in scope, then closes each position in scope with a reduce-only
    /// market order.
    pub(super) fn on_flatten(&mut self, cmd: Flatten) -> Result<(), EngineError> {
        let now = self.clock.now();
        let targets = self.open_orders_in_scope(cmd.strategy_id, cmd.instrument_id);
        let mut positions: Vec<(InstrumentId, StrategyId, i128)> = self
            .state
            .portfolio
            .positions()
            .filter(|p| cmd.strategy_id.is_none_or(|s| s == p.strategy_id()))
            .filter(|p| cmd.instrument_id.is_none_or(|i| i == p.instrument_id()))
            .map(|p| (p.instrument_id(), p.strategy_id(), p.signed_qty_raw()))
            .filter(|&(_, _, q)| q != 0)
            .collect();
        // Portfolio iteration order is not part of the contract; the log's order must be.
        positions.sort_by(|a, b| (a.0.as_str(), a.1.as_str()).cmp(&(b.0.as_str(), b.1.as_str())));
        self.emit(cmd.into());
        self.cancel_each(targets);
        for (instrument_id, strategy_id, signed) in positions {
            let size_precision =
                self.state.instrument(instrument_id).map_or(0, |i| i.size_precision);
            let quantity = Quantity::from_raw(signed.unsigned_abs() as u64, size_precision)?;
            let side = if signed > 0 { OrderSide::Sell } else { OrderSide::Buy };
            let client_order_id = self.next_order_id(strategy_id)?;
            let submit = SubmitOrder {
                strategy_id,
                instrument_id,
                client_order_id,
                side,
                order_type: OrderType::Market,
                quantity,
                price: None,
                trigger_price: None,
                time_in_force: TimeInForce::Ioc,
                expire_time: None,
                post_only: false,
                reduce_only: true,
                ts_event: now,
                ts_init: now,
            };
            self.pending.push_back(submit.into());
        }
        Ok(())
    }

    pub(super) fn on_halt(&mut self, cmd: Halt) {
        let now = self.clock.now();
        let reason = format!("{} ({})", cmd.reason, cmd.source);
        self.emit(cmd.into());
        if let Some(changed) = self.state.risk.set_state(TradingState::Halted, &reason, now) {
            self.emit(changed.into());
        }
    }

    pub(super) fn on_resume(&mut self, cmd: Resume) {
        let now = self.clock.now();
        let reason = format!("{} ({})", cmd.reason, cmd.source);
        self.emit(cmd.into());
        if let Some(changed) = self.state.risk.set_state(TradingState::Active, &reason, now) {
            self.emit(changed.into());
        }
    }

    fn open_orders_in_scope(
        &self,
        strategy: Option<StrategyId>,
        instrument: Option<InstrumentId>,
    ) -> Vec<(StrategyId, InstrumentId, ClientOrderId)> {
        self.state
            .open_orders()
            .filter(|o| strategy.is_none_or(|s| s == o.strategy_id()))
            .filter(|o| instrument.is_none_or(|i| i == o.instrument_id()))
            .filter(|o| o.status() != crate::types::OrderStatus::PendingCancel)
            .map(|o| (o.strategy_id(), o.instrument_id(), o.client_order_id()))
            .collect()
    }

    fn cancel_each(&mut self, targets: Vec<(StrategyId, InstrumentId, ClientOrderId)>) {
        let now = self.clock.now();
        for (strategy_id, instrument_id, client_order_id) in targets {
            self.pending.push_back(
                CancelOrder {
                    strategy_id,
                    instrument_id,
                    client_order_id,
                    ts_event: now,
                    ts_init: now,
                }
                .into(),
            );
        }
    }

    /// The next deterministic client order id of a strategy.
    pub(super) fn next_order_id(
        &mut self,
        strategy_id: StrategyId,
    ) -> Result<ClientOrderId, EngineError> {
        let count = self.state.order_counts.entry(strategy_id).or_insert(0);
        let id = crate::strategy::client_order_id(strategy_id, *count + 1)?;
        *count += 1;
        Ok(id)
    }

    /// Sends a command on: to the simulated venue after `latency_ns`, or out to the live adapter.
    fn route(&mut self, command: Event, latency_ns: Option<u64>) {
        match latency_ns {
            Some(ns) => {
                // One ordered connection: a command never overtakes an earlier one, whatever
                // latency each draws.
                let at = self.clock.now().add_ns(ns).max(self.last_to_venue);
                self.last_to_venue = at;
                self.queue.push(at, Route::ToVenue, command);
            }
            None => self.outbound.push(command),
        }
    }

    /// A command reaches the simulated venue.
    pub(super) fn deliver_to_venue(&mut self, command: &Event) {
        let now = self.clock.now();
        let Some(venue) = self.venue.as_mut() else { return };
        let account = &self.state.portfolio;
        match command {
            Event::SubmitOrder(c) => venue.on_submit(c, now, account, &mut self.venue_buf),
            Event::CancelOrder(c) => venue.on_cancel(c, now, &mut self.venue_buf),
            Event::ModifyOrder(c) => venue.on_modify(c, now, account, &mut self.venue_buf),
            _ => {}
        }
        self.schedule_venue_responses();
    }

    /// What risk needs to know about one instrument's market and open orders.
    /// What risk needs to know about one instrument's market and open orders. It borrows the
    /// state field by field so the risk engine itself stays free to be borrowed mutably.
    fn risk_view<'a>(
        instruments: &'a [InstrumentState],
        open_orders: &[ClientOrderId],
        orders: &IdMap<ClientOrderId, Box<Order>>,
        portfolio: &Portfolio,
        index: usize,
    ) -> RiskView<'a> {
        let instrument_state = &instruments[index];
        let id = instrument_state.instrument.id;
        let (mut open_buy_raw, mut open_sell_raw) = (0u128, 0u128);
        for order in open_orders.iter().filter_map(|o| orders.get(o)) {
            if order.instrument_id() != id {
                continue;
            }
            let leaves = u128::from(order.leaves_qty().raw());
            match order.side() {
                OrderSide::Buy => open_buy_raw += leaves,
                OrderSide::Sell => open_sell_raw += leaves,
            }
        }
        RiskView {
            instrument: &instrument_state.instrument,
            reference_price: reference_price(
                instrument_state.quote.map(|q| (q.bid_price, q.ask_price)),
                instrument_state.last_trade.map(|t| t.price),
            ),
            open_orders: open_orders.len(),
            net_position_raw: portfolio.net_position_raw(id),
            open_buy_raw,
            open_sell_raw,
        }
    }

    fn index_of_instrument(&self, id: InstrumentId) -> Result<usize, EngineError> {
        self.state.instrument_index(id).ok_or(EngineError::UnknownInstrument(id))
    }
}

/// The simulated venue checks balances against the engine's portfolio (positions it keeps
/// itself, from its own fills).
impl AccountView for Portfolio {
    fn free_balance(&self, currency: crate::types::Currency) -> i128 {
        self.balance(currency).map_or(0, |b| b.free.amount)
    }
    fn account_type(&self) -> crate::types::AccountType {
        Portfolio::account_type(self)
    }
}
