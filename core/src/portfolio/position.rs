//! A netting position and the rule that books a fill into it (the rounding is described in
//! the parent module).

use super::{add, invalid, overflow, sub, PortfolioError};
use crate::events::{Event, OrderFilled, PositionState};
use crate::types::{
    Currency, Instrument, InstrumentId, Money, PositionId, PositionSide, Price, Quantity, Ratio,
    StrategyId, UnixNanos, FIXED_SCALE,
};

/// A netting position: one per instrument and strategy, kept after it goes flat.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Position {
    pub(super) id: PositionId,
    pub(super) instrument_id: InstrumentId,
    pub(super) strategy_id: StrategyId,
    pub(super) quote: Currency,
    pub(super) size_precision: u8,
    pub(super) multiplier: Ratio,
    pub(super) qty: i128,
    pub(super) cost: i128,
    pub(super) realized: i128,
    pub(super) fees: i128,
    pub(super) last_px: Price,
}

impl Position {
    pub(super) fn new(fill: &OrderFilled, instrument: &Instrument) -> Result<Self, PortfolioError> {
        let id = format!("{}-{}", fill.instrument_id, fill.strategy_id);
        Ok(Self {
            id: PositionId::new(&id).map_err(|e| invalid("position id", e.to_string()))?,
            instrument_id: fill.instrument_id,
            strategy_id: fill.strategy_id,
            quote: instrument.quote_currency,
            size_precision: instrument.size_precision,
            multiplier: instrument.multiplier,
            qty: 0,
            cost: 0,
            realized: 0,
            fees: 0,
            last_px: fill.last_px,
        })
    }

    /// The position's identifier, `INSTRUMENT-STRATEGY`.
    pub fn id(&self) -> PositionId {
        self.id
    }
    /// The instrument held.
    pub fn instrument_id(&self) -> InstrumentId {
        self.instrument_id
    }
    /// The strategy that owns the position.
    pub fn strategy_id(&self) -> StrategyId {
        self.strategy_id
    }
    /// Long, short or flat.
    pub fn side(&self) -> PositionSide {
        match self.qty.signum() {
            1 => PositionSide::Long,
            -1 => PositionSide::Short,
            _ => PositionSide::Flat,
        }
    }
    /// Signed open quantity in raw 10^-9 units (negative when short).
    pub fn signed_qty_raw(&self) -> i128 {
        self.qty
    }
    /// Signed cost basis of the open quantity in raw quote units.
    pub fn cost_basis_raw(&self) -> i128 {
        self.cost
    }
    /// Realized P&L over the position's life (gross of fees), in the quote currency.
    pub fn realized_pnl(&self) -> Money {
        Money::from_raw(self.realized, self.quote)
    }
    /// Fees paid over the position's life, in the quote currency.
    pub fn fees(&self) -> Money {
        Money::from_raw(self.fees, self.quote)
    }
    /// Price of the last fill.
    pub fn last_px(&self) -> Price {
        self.last_px
    }
    /// Absolute open quantity, at the instrument's size precision (9 if a fill was finer).
    pub fn quantity(&self) -> Result<Quantity, PortfolioError> {
        let raw = u64::try_from(self.qty.unsigned_abs()).map_err(|_| overflow("quantity"))?;
        let shown = Quantity::from_raw(raw, self.size_precision);
        Ok(shown.or_else(|_| Quantity::from_raw(raw, 9))?)
    }
    /// Average entry price at 9 decimals (truncated toward zero); zero when flat.
    pub fn avg_px_open(&self) -> Result<Price, PortfolioError> {
        avg_px(self.cost, self.qty, self.multiplier)
    }
    /// Unrealized P&L at `mark`, in the quote currency.
    pub fn unrealized_pnl(&self, mark: Price) -> Result<Money, PortfolioError> {
        Ok(Money::from_raw(self.unrealized_raw(mark)?, self.quote))
    }

    pub(super) fn unrealized_raw(&self, mark: Price) -> Result<i128, PortfolioError> {
        if self.qty == 0 {
            return Ok(0);
        }
        value_raw(mark, self.qty, self.multiplier)?.checked_sub(self.cost).ok_or(overflow("pnl"))
    }

    fn state(
        &self,
        avg: Price,
        ts: (UnixNanos, UnixNanos),
    ) -> Result<PositionState, PortfolioError> {
        Ok(PositionState {
            strategy_id: self.strategy_id,
            instrument_id: self.instrument_id,
            position_id: self.id,
            side: self.side(),
            quantity: self.quantity()?,
            avg_px_open: avg,
            last_px: self.last_px,
            realized_pnl: self.realized_pnl(),
            unrealized_pnl: self.unrealized_pnl(self.last_px)?,
            ts_event: ts.0,
            ts_init: ts.1,
        })
    }
}

/// How one fill moves a position's cost basis, and the P&L it realizes.
pub(super) struct FillStep {
    pub(super) cost: i128,
    pub(super) realized: i128,
    /// Average entry of the position a flip closed, for the Closed event.
    pub(super) closed_avg: Option<Price>,
}

/// The netting rule (see the module docs for the rounding).
pub(super) fn book_fill(
    pos: &Position,
    fill_qty: i128,
    value: i128,
    px: Price,
) -> Result<FillStep, PortfolioError> {
    let (qty, cost) = (pos.qty, pos.cost);
    if qty == 0 || qty.signum() == fill_qty.signum() {
        return Ok(FillStep { cost: add(cost, value, "cost")?, realized: 0, closed_avg: None });
    }
    let closed_avg = Some(avg_px(cost, qty, pos.multiplier)?);
    if fill_qty.unsigned_abs() <= qty.unsigned_abs() {
        // Truncated toward zero; the remainder stays in the open cost basis.
        let released = cost.checked_mul(fill_qty.abs()).ok_or(overflow("cost"))? / qty.abs();
        let realized = sub(0, add(released, value, "pnl")?, "pnl")?;
        return Ok(FillStep { cost: sub(cost, released, "cost")?, realized, closed_avg });
    }
    // A flip: close all of `qty` at the fill price, open the rest with what is left of `value`.
    let closing_value = value_raw(px, -qty, pos.multiplier)?;
    let realized = sub(0, add(cost, closing_value, "pnl")?, "pnl")?;
    let cost = sub(value, closing_value, "cost")?;
    Ok(FillStep { cost, realized, closed_avg })
}

/// Events for one fill: Opened, Changed, Closed, or Closed then Opened for a flip.
pub(super) fn position_events(
    before: &Position,
    after: &Position,
    closed_avg: Option<Price>,
    ts: (UnixNanos, UnixNanos),
) -> Result<Vec<Event>, PortfolioError> {
    let avg = after.avg_px_open()?;
    let flipped = before.qty != 0 && after.qty != 0 && before.qty.signum() != after.qty.signum();
    Ok(if flipped {
        let mut closed = after.clone();
        closed.qty = 0;
        closed.cost = 0;
        let closed_state = closed.state(closed_avg.unwrap_or_default(), ts)?;
        vec![Event::PositionClosed(closed_state), Event::PositionOpened(after.state(avg, ts)?)]
    } else if after.qty == 0 {
        vec![Event::PositionClosed(after.state(closed_avg.unwrap_or_default(), ts)?)]
    } else if before.qty == 0 {
        vec![Event::PositionOpened(after.state(avg, ts)?)]
    } else {
        vec![Event::PositionChanged(after.state(avg, ts)?)]
    })
}

/// `price * signed quantity * multiplier` in raw quote units, truncated toward zero exactly
/// as [`Instrument::notional`] does (truncation is symmetric, so the sign commutes).
pub(super) fn value_raw(
    px: Price,
    qty_raw: i128,
    multiplier: Ratio,
) -> Result<i128, PortfolioError> {
    let scale = i128::from(FIXED_SCALE);
    let pq = i128::from(px.raw()).checked_mul(qty_raw).ok_or(overflow("notional"))? / scale;
    if multiplier == Ratio::ONE {
        return Ok(pq);
    }
    pq.checked_mul(i128::from(multiplier.raw())).map(|v| v / scale).ok_or(overflow("notional"))
}

/// Average price `cost / (qty * multiplier)` at 9 decimals, truncated toward zero.
fn avg_px(cost: i128, qty: i128, multiplier: Ratio) -> Result<Price, PortfolioError> {
    if qty == 0 {
        return Ok(Price::default());
    }
    let scale = i128::from(FIXED_SCALE);
    let denom = qty.checked_mul(i128::from(multiplier.raw())).filter(|d| *d != 0);
    let exact = cost.checked_mul(scale * scale).zip(denom).map(|(n, d)| n / d);
    // Past the exact range (costs above ~1.7e11 units) divide in two steps instead.
    let raw = if let Some(raw) = exact {
        raw
    } else {
        let per_unit = cost.checked_mul(scale).ok_or(overflow("average price"))? / qty;
        let mult = i128::from(multiplier.raw()).max(1);
        per_unit.checked_mul(scale).ok_or(overflow("average price"))? / mult
    };
    let raw = i64::try_from(raw).map_err(|_| overflow("average price"))?;
    Ok(Price::from_raw(raw, 9)?)
}
