//! Position, account and system events.

use crate::types::{
    AccountId, AccountType, Currency, InstrumentId, Money, PositionId, PositionSide, Price,
    Quantity, StrategyId, TradingState, UnixNanos, Venue,
};
use serde::{Deserialize, Serialize};

/// A position's state after a fill. The same shape serves opened, changed and closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionState {
    pub strategy_id: StrategyId,
    pub instrument_id: InstrumentId,
    pub position_id: PositionId,
    pub side: PositionSide,
    /// Absolute size; `side` gives the direction.
    pub quantity: Quantity,
    /// Average entry price of the open quantity, at full (9 decimal) precision.
    pub avg_px_open: Price,
    pub last_px: Price,
    pub realized_pnl: Money,
    pub unrealized_pnl: Money,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// One currency's balance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountBalance {
    pub currency: Currency,
    pub total: Money,
    pub locked: Money,
    pub free: Money,
}

/// Balances of an account after a change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountState {
    pub account_id: AccountId,
    pub account_type: AccountType,
    pub balances: Vec<AccountBalance>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueConnected {
    pub venue: Venue,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VenueDisconnected {
    pub venue: Venue,
    pub reason: String,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TradingStateChanged {
    pub state: TradingState,
    pub reason: String,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}

/// A timer fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimerFired {
    pub name: String,
    pub strategy_id: Option<StrategyId>,
    pub ts_event: UnixNanos,
    pub ts_init: UnixNanos,
}
