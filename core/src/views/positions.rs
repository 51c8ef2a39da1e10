//! Positions with their PnL (per instrument and strategy, and totals per currency), and the
//! account's balances.

use crate::engine::{Engine, EngineState};
use crate::events::AccountBalance;
use crate::types::{Currency, InstrumentId, Money, PositionSide, Price, Quantity, StrategyId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One strategy's position in one instrument. `quantity` is unsigned; `side` says which way.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionRow {
    pub instrument_id: InstrumentId,
    pub strategy_id: StrategyId,
    pub side: PositionSide,
    pub quantity: Quantity,
    pub avg_px_open: Option<Price>,
    /// The price unrealized PnL is marked at (the mid, else the last fill), when there is one.
    pub mark: Option<Price>,
    pub realized_pnl: Money,
    pub unrealized_pnl: Money,
    pub fees: Money,
}

/// PnL summed over the positions quoted in one currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PnlTotal {
    pub currency: Currency,
    pub realized_pnl: Money,
    pub unrealized_pnl: Money,
    pub fees: Money,
}

/// Every position that ever traded (flat ones keep their realized PnL), by instrument then
/// strategy, and the totals per currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PositionsView {
    pub rows: Vec<PositionRow>,
    pub totals: Vec<PnlTotal>,
}

pub fn positions(state: &EngineState) -> PositionsView {
    let portfolio = state.portfolio();
    let mut rows = Vec::new();
    let mut totals: BTreeMap<Currency, PnlTotal> = BTreeMap::new();
    for p in portfolio.positions() {
        let currency = p.realized_pnl().currency;
        let mark = state.mid(p.instrument_id()).or_else(|| portfolio.last_price(p.instrument_id()));
        let unrealized =
            mark.and_then(|m| p.unrealized_pnl(m).ok()).unwrap_or(Money::zero(currency));
        let flat = p.signed_qty_raw() == 0;
        let row = PositionRow {
            instrument_id: p.instrument_id(),
            strategy_id: p.strategy_id(),
            side: p.side(),
            quantity: p.quantity().unwrap_or(Quantity::zero(0)),
            avg_px_open: if flat { None } else { p.avg_px_open().ok() },
            mark,
            realized_pnl: p.realized_pnl(),
            unrealized_pnl: unrealized,
            fees: p.fees(),
        };
        let total = totals.entry(currency).or_insert(PnlTotal {
            currency,
            realized_pnl: Money::zero(currency),
            unrealized_pnl: Money::zero(currency),
            fees: Money::zero(currency),
        });
        total.realized_pnl = sum(total.realized_pnl, row.realized_pnl);
        total.unrealized_pnl = sum(total.unrealized_pnl, row.unrealized_pnl);
        total.fees = sum(total.fees, row.fees);
        rows.push(row);
    }
    PositionsView { rows, totals: totals.into_values().collect() }
}

/// Money of one currency added; a sum past the fixed-point range keeps the first term (a total
/// that large is not a number any screen shows).
fn sum(a: Money, b: Money) -> Money {
    a.checked_add(b).unwrap_or(a)
}

/// Every balance of the account, by currency.
pub fn balances(engine: &Engine) -> Vec<AccountBalance> {
    engine.balances().unwrap_or_default()
}
