//! How to build an engine: account, venue simulation, latency, risk.

use crate::matching::{LatencyConfig, VenueConfig};
use crate::risk::RiskConfig;
use crate::types::{AccountId, AccountType, Money};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EngineConfig {
    pub account_id: AccountId,
    pub account_type: AccountType,
    pub starting_balances: Vec<Money>,
    /// The simulated venue; `None` sends commands out to a live adapter instead.
    pub venue: Option<VenueConfig>,
    /// Latency of commands to, and responses from, the simulated venue.
    pub latency: LatencyConfig,
    pub risk: RiskConfig,
    /// Also keep market data in the output stream (off for fast backtests: data is already in
    /// the catalog, and a replay reads it from there).
    pub record_market_data: bool,
}
