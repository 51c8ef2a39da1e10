//! How to build an engine: account, venue simulation, latency, risk.

use crate::events::CodecError;
use crate::matching::{BookMode, LatencyConfig, LatencyRange, VenueConfig};
use crate::risk::{QuantityLimit, RateLimit, RiskConfig};
use crate::types::{
    AccountId, AccountType, Currency, FixedError, InstrumentId, Money, UnixNanos, Venue,
};
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

impl EngineConfig {
    /// From `MessagePack` with named fields (what Python's `nautui.config` writes).
    pub fn from_msgpack(bytes: &[u8]) -> Result<Self, CodecError> {
        rmp_serde::from_slice(bytes).map_err(|e| CodecError::Decode(format!("engine config: {e}")))
    }

    /// `MessagePack` with named fields.
    pub fn to_msgpack(&self) -> Result<Vec<u8>, CodecError> {
        rmp_serde::to_vec_named(self).map_err(|e| CodecError::Encode(e.to_string()))
    }

    /// A config with every optional field set, for the Python mirror's drift test.
    pub fn example() -> Result<Self, FixedError> {
        let usdt = Currency::from_static("USDT");
        let instrument = InstrumentId::from_static("BTCUSDT.SIM");
        let range = |min_ns, max_ns| LatencyRange { min_ns, max_ns };
        Ok(Self {
            account_id: AccountId::from_static("SIM-001"),
            account_type: AccountType::Margin,
            starting_balances: vec![Money::parse("1000000.5", usdt)?],
            venue: Some(VenueConfig {
                venue: Venue::from_static("SIM"),
                account_id: AccountId::from_static("SIM-001"),
                book_mode: BookMode::L2,
                outages: vec![(UnixNanos(10), UnixNanos(20))],
                queue_position: true,
                trade_fills: false,
            }),
            latency: LatencyConfig::Random {
                seed: 7,
                submit: range(1, 2),
                cancel: range(3, 4),
                modify: range(5, 6),
                response: range(7, 8),
            },
            risk: RiskConfig {
                max_order_quantity: Some(QuantityLimit::All("10".parse()?)),
                max_notional_per_order: Some(Money::parse("50000", usdt)?),
                price_band: Some("0.05".parse()?),
                max_open_orders: Some(100),
                submit_rate: Some(RateLimit { count: 10, interval_ns: 1_000_000_000 }),
                modify_rate: Some(RateLimit { count: 5, interval_ns: 1_000_000_000 }),
                max_position: Some(QuantityLimit::PerInstrument(
                    [(instrument, "3.5".parse()?)].into_iter().collect(),
                )),
            },
            record_market_data: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_round_trips_through_msgpack() {
        let config = EngineConfig::example().unwrap();
        let back = EngineConfig::from_msgpack(&config.to_msgpack().unwrap()).unwrap();
        assert_eq!(back, config);
    }

    #[test]
    fn unknown_keys_are_refused() {
        let mut value = rmp_serde::to_vec_named(&EngineConfig::example().unwrap()).unwrap();
        value.clear();
        let err = EngineConfig::from_msgpack(&value).unwrap_err();
        assert!(err.to_string().contains("engine config"), "{err}");
    }
}
