//! What a strategy (or an operator) asks for: an order request, checked against the order type
//! and the instrument's grid, and the deterministic client order ids the engine gives orders.

use crate::types::{
    ClientOrderId, IdentifierError, Instrument, InstrumentError, InstrumentId, OrderSide,
    OrderType, Price, Quantity, StrategyId, TimeInForce, UnixNanos,
};

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

/// The time in force an order gets when none is given: IOC for a market order (it never rests),
/// GTC for every other type.
pub fn default_time_in_force(order_type: OrderType) -> TimeInForce {
    if order_type == OrderType::Market {
        TimeInForce::Ioc
    } else {
        TimeInForce::Gtc
    }
}

impl OrderRequest {
    /// An order of `order_type` with its default time in force and no prices yet.
    pub fn new(
        instrument_id: InstrumentId,
        side: OrderSide,
        quantity: Quantity,
        order_type: OrderType,
    ) -> Self {
        Self {
            instrument_id,
            side,
            order_type,
            quantity,
            price: None,
            trigger_price: None,
            time_in_force: default_time_in_force(order_type),
            expire_time: None,
            post_only: false,
            reduce_only: false,
        }
    }

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
