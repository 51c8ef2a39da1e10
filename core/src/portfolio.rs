//! The portfolio: netting positions per (instrument, strategy), cash per currency, realized
//! and unrealized P&L and fees, all in exact integers.
//!
//! # Money arithmetic and rounding
//!
//! Every amount is an `i128` count of 10^-9 units of its currency.
//!
//! * The cash value of a fill is `price * quantity * multiplier`, computed exactly as
//!   [`Instrument::notional`] does it (each division by 10^9 truncated toward zero), signed
//!   `+` for a buy and `-` for a sell. With `price_precision + size_precision <= 9` and a
//!   multiplier of one this is exact.
//! * A position keeps its **cost basis**: the signed sum of the cash values of the fills that
//!   opened it. The average entry price is derived from it for display only.
//! * Reducing a position by `c` out of `|q|` releases `cost * c / |q|` of the cost basis,
//!   truncated toward zero; what the truncation leaves stays with the open quantity and is
//!   released by the fill that closes it. Realized P&L of the reduction is the released cost
//!   minus the cash value of the reducing fill. Nothing is ever dropped, so at all times
//!   `realized - cost_basis == -(sum of the cash values of the position's fills)`.
//! * A fill larger than the open position (a flip) splits its cash value: the closing part is
//!   valued at the fill price as above and the opening part gets the rest of the fill's value,
//!   so the two halves add up to the fill exactly.
//! * Unrealized P&L is the cash value of the open quantity at the mark minus the cost basis.
//! * Realized P&L is gross: fees are kept apart, per position and per currency.
//!
//! Commissions must be in the quote currency (a cash account's quote, a margin account's
//! settlement currency); a fill with a fee in any other currency is refused. A fill also
//! marks its instrument at the fill price.

use crate::events::{AccountBalance, AccountState, Event, OrderFilled};
use crate::types::{
    AccountId, AccountType, Currency, FixedError, Instrument, InstrumentId, Money, Price, Ratio,
    StrategyId, UnixNanos, FIXED_SCALE,
};
use std::collections::BTreeMap;

mod position;

pub use position::Position;
use position::{book_fill, position_events, value_raw};

/// Why the portfolio refused a change; the portfolio is left as it was.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PortfolioError {
    #[error("{what} overflows the portfolio's integer range")]
    Overflow { what: &'static str },
    #[error("currency mismatch: expected {expected}, got {got}")]
    CurrencyMismatch { expected: Currency, got: Currency },
    #[error("unknown instrument {0}: no fill or registration has introduced it")]
    UnknownInstrument(InstrumentId),
    #[error("fill is for {fill} but the instrument given is {instrument}")]
    InstrumentMismatch { fill: InstrumentId, instrument: InstrumentId },
    #[error("fill is for account {got}, this portfolio is account {expected}")]
    AccountMismatch { expected: AccountId, got: AccountId },
    #[error("instrument {0} has no base currency, so a cash account cannot hold it")]
    NoBaseCurrency(InstrumentId),
    #[error("invalid {what}: {reason}")]
    Invalid { what: &'static str, reason: String },
    #[error(transparent)]
    Fixed(#[from] FixedError),
}

const fn overflow(what: &'static str) -> PortfolioError {
    PortfolioError::Overflow { what }
}

fn add(a: i128, b: i128, what: &'static str) -> Result<i128, PortfolioError> {
    a.checked_add(b).ok_or(overflow(what))
}

fn sub(a: i128, b: i128, what: &'static str) -> Result<i128, PortfolioError> {
    a.checked_sub(b).ok_or(overflow(what))
}

fn invalid(what: &'static str, reason: impl Into<String>) -> PortfolioError {
    PortfolioError::Invalid { what, reason: reason.into() }
}

/// What one fill changed: position events (a flip gives Closed then Opened) and the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FillEffects {
    /// `PositionOpened`, `PositionChanged` or `PositionClosed`, in order.
    pub position_events: Vec<Event>,
    /// Balances after the fill.
    pub account_state: AccountState,
}

impl FillEffects {
    /// All events in emission order: position events, then the account state.
    pub fn into_events(self) -> Vec<Event> {
        let mut events = self.position_events;
        events.push(Event::AccountState(self.account_state));
        events
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
struct Cash {
    total: i128,
    locked: i128,
}

#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct Market {
    instrument: Instrument,
    mark: Option<Price>,
}

/// Positions, cash, P&L and fees of one account.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Portfolio {
    account_id: AccountId,
    account_type: AccountType,
    cash: BTreeMap<Currency, Cash>,
    fees: BTreeMap<Currency, i128>,
    markets: BTreeMap<InstrumentId, Market>,
    positions: BTreeMap<(InstrumentId, StrategyId), Position>,
}

impl Portfolio {
    /// A portfolio holding `starting` balances (amounts of one currency are summed).
    pub fn new(
        account_id: AccountId,
        account_type: AccountType,
        starting: &[Money],
    ) -> Result<Self, PortfolioError> {
        let mut cash: BTreeMap<Currency, Cash> = BTreeMap::new();
        for money in starting {
            let entry = cash.entry(money.currency).or_default();
            entry.total = add(entry.total, money.amount, "balance")?;
        }
        Ok(Self {
            account_id,
            account_type,
            cash,
            fees: BTreeMap::new(),
            markets: BTreeMap::new(),
            positions: BTreeMap::new(),
        })
    }

    /// The account this portfolio books.
    pub fn account_id(&self) -> AccountId {
        self.account_id
    }
    /// Cash or margin.
    pub fn account_type(&self) -> AccountType {
        self.account_type
    }

    /// Makes an instrument known (for marks before any fill); a fill does this too.
    pub fn add_instrument(&mut self, instrument: &Instrument) {
        self.markets
            .entry(instrument.id)
            .and_modify(|m| m.instrument = instrument.clone())
            .or_insert_with(|| Market { instrument: instrument.clone(), mark: None });
    }

    /// Books a fill: moves the position, the cash and the fees.
    pub fn apply_fill(
        &mut self,
        fill: &OrderFilled,
        instrument: &Instrument,
    ) -> Result<FillEffects, PortfolioError> {
        self.validate_fill(fill, instrument)?;
        let quote = instrument.quote_currency;
        let signed_qty = i128::from(fill.last_qty.raw()) * i128::from(fill.side.sign());
        let value = value_raw(fill.last_px, signed_qty, instrument.multiplier)?;
        let key = (fill.instrument_id, fill.strategy_id);
        let before = match self.positions.get(&key) {
            Some(p) => p.clone(),
            None => Position::new(fill, instrument)?,
        };
        let step = book_fill(&before, signed_qty, value, fill.last_px)?;
        let fee = fill.commission.amount;
        let after = Position {
            multiplier: instrument.multiplier,
            size_precision: instrument.size_precision,
            qty: add(before.qty, signed_qty, "quantity")?,
            cost: step.cost,
            realized: add(before.realized, step.realized, "pnl")?,
            fees: add(before.fees, fee, "fees")?,
            last_px: fill.last_px,
            ..before.clone()
        };
        let new_cash = self.cash_after(fill, instrument, signed_qty, value, step.realized)?;
        let fee_total = add(self.total_fees(quote).amount, fee, "fees")?;
        let ts = (fill.ts_event, fill.ts_init);
        let position_events = position_events(&before, &after, step.closed_avg, ts)?;

        // Everything is computed: commit, keeping what it replaces in case the account
        // state (margin at the new mark) overflows.
        let undo_cash: Vec<_> =
            new_cash.iter().map(|(c, _)| (*c, self.cash.get(c).copied())).collect();
        let undo_fee = self.fees.insert(quote, fee_total);
        let undo_market = self.markets.get(&instrument.id).cloned();
        let undo_position = self.positions.insert(key, after);
        self.cash.extend(new_cash);
        self.add_instrument(instrument);
        if let Some(market) = self.markets.get_mut(&instrument.id) {
            market.mark = Some(fill.last_px);
        }
        match self.account_state(fill.ts_event, fill.ts_init) {
            Ok(account_state) => Ok(FillEffects { position_events, account_state }),
            Err(e) => {
                for (currency, cash) in undo_cash {
                    restore(&mut self.cash, currency, cash);
                }
                restore(&mut self.fees, quote, undo_fee);
                restore(&mut self.markets, instrument.id, undo_market);
                restore(&mut self.positions, key, undo_position);
                Err(e)
            }
        }
    }

    fn validate_fill(
        &self,
        fill: &OrderFilled,
        instrument: &Instrument,
    ) -> Result<(), PortfolioError> {
        if fill.instrument_id != instrument.id {
            return Err(PortfolioError::InstrumentMismatch {
                fill: fill.instrument_id,
                instrument: instrument.id,
            });
        }
        if fill.account_id != self.account_id {
            return Err(PortfolioError::AccountMismatch {
                expected: self.account_id,
                got: fill.account_id,
            });
        }
        if fill.last_qty.is_zero() {
            return Err(invalid("fill", "zero quantity"));
        }
        if fill.commission.amount != 0 && fill.commission.currency != instrument.quote_currency {
            return Err(PortfolioError::CurrencyMismatch {
                expected: instrument.quote_currency,
                got: fill.commission.currency,
            });
        }
        if self.account_type == AccountType::Cash && instrument.base_currency.is_none() {
            return Err(PortfolioError::NoBaseCurrency(instrument.id));
        }
        Ok(())
    }

    /// The balances a fill changes, computed without touching `self`.
    fn cash_after(
        &self,
        fill: &OrderFilled,
        instrument: &Instrument,
        signed_qty: i128,
        value: i128,
        realized: i128,
    ) -> Result<Vec<(Currency, Cash)>, PortfolioError> {
        let quote = instrument.quote_currency;
        let current = |c: Currency| self.cash.get(&c).copied().unwrap_or_default();
        let mut q = current(quote);
        let fee = fill.commission.amount;
        match (self.account_type, instrument.base_currency) {
            (AccountType::Cash, Some(base)) => {
                if base == quote {
                    return Err(invalid("instrument", "base currency equals quote currency"));
                }
                q.total = sub(sub(q.total, value, "balance")?, fee, "balance")?;
                let mut b = current(base);
                b.total = add(b.total, signed_qty, "balance")?;
                Ok(vec![(quote, q), (base, b)])
            }
            (AccountType::Cash, None) => Err(PortfolioError::NoBaseCurrency(instrument.id)),
            (AccountType::Margin, _) => {
                q.total = sub(add(q.total, realized, "balance")?, fee, "balance")?;
                Ok(vec![(quote, q)])
            }
        }
    }

    /// Sets the last price of an instrument for unrealized P&L and margin.
    pub fn mark(
        &mut self,
        instrument_id: InstrumentId,
        price: Price,
    ) -> Result<(), PortfolioError> {
        let market = self.markets.get_mut(&instrument_id);
        market.ok_or(PortfolioError::UnknownInstrument(instrument_id))?.mark = Some(price);
        Ok(())
    }

    /// The last mark (or fill price) of an instrument.
    pub fn last_price(&self, instrument_id: InstrumentId) -> Option<Price> {
        self.markets.get(&instrument_id).and_then(|m| m.mark)
    }

    fn market(&self, id: InstrumentId) -> Result<&Market, PortfolioError> {
        self.markets.get(&id).ok_or(PortfolioError::UnknownInstrument(id))
    }

    /// Unrealized P&L of an instrument at its mark, summed over strategies (zero if unmarked).
    pub fn unrealized_pnl(&self, instrument_id: InstrumentId) -> Result<Money, PortfolioError> {
        let market = self.market(instrument_id)?;
        let mut sum = 0_i128;
        if let Some(mark) = market.mark {
            for p in self.positions_of(instrument_id) {
                sum = add(sum, p.unrealized_raw(mark)?, "pnl")?;
            }
        }
        Ok(Money::from_raw(sum, market.instrument.quote_currency))
    }

    /// Realized P&L of an instrument (gross of fees), summed over strategies.
    pub fn realized_pnl(&self, instrument_id: InstrumentId) -> Result<Money, PortfolioError> {
        let market = self.market(instrument_id)?;
        let sum = sum_checked(self.positions_of(instrument_id).map(|p| p.realized))?;
        Ok(Money::from_raw(sum, market.instrument.quote_currency))
    }

    /// Realized P&L of every instrument quoted in `currency`.
    pub fn total_realized_pnl(&self, currency: Currency) -> Result<Money, PortfolioError> {
        let quoted = self.positions.values().filter(|p| p.quote == currency);
        Ok(Money::from_raw(sum_checked(quoted.map(|p| p.realized))?, currency))
    }

    /// Unrealized P&L at the marks of every instrument quoted in `currency`.
    pub fn total_unrealized_pnl(&self, currency: Currency) -> Result<Money, PortfolioError> {
        let mut sum = 0_i128;
        for (id, market) in &self.markets {
            if market.instrument.quote_currency == currency {
                sum = add(sum, self.unrealized_pnl(*id)?.amount, "pnl")?;
            }
        }
        Ok(Money::from_raw(sum, currency))
    }

    /// Fees paid in `currency` over the portfolio's life.
    pub fn total_fees(&self, currency: Currency) -> Money {
        Money::from_raw(self.fees.get(&currency).copied().unwrap_or(0), currency)
    }

    /// Total, locked and free of one currency. Margin accounts lock initial margin too.
    pub fn balance(&self, currency: Currency) -> Result<AccountBalance, PortfolioError> {
        let cash = self.cash.get(&currency).copied().unwrap_or_default();
        let locked = add(cash.locked, self.margin_used(currency)?.amount, "balance")?;
        let free = sub(cash.total, locked, "balance")?;
        Ok(AccountBalance {
            currency,
            total: Money::from_raw(cash.total, currency),
            locked: Money::from_raw(locked, currency),
            free: Money::from_raw(free, currency),
        })
    }

    /// Reserves `amount` for an open order (the caller checks `free` first).
    pub fn lock(&mut self, amount: Money) -> Result<(), PortfolioError> {
        if amount.amount < 0 {
            return Err(invalid("lock", format!("negative amount {amount}")));
        }
        let cash = self.cash.entry(amount.currency).or_default();
        cash.locked = add(cash.locked, amount.amount, "locked")?;
        Ok(())
    }

    /// Releases a reservation; releasing more than is locked is an error.
    pub fn unlock(&mut self, amount: Money) -> Result<(), PortfolioError> {
        let locked = self.cash.get(&amount.currency).map_or(0, |c| c.locked);
        if amount.amount < 0 || amount.amount > locked {
            let held = Money::from_raw(locked, amount.currency);
            return Err(invalid("unlock", format!("{amount} with {held} locked")));
        }
        if let Some(cash) = self.cash.get_mut(&amount.currency) {
            cash.locked -= amount.amount;
        }
        Ok(())
    }

    /// Signed net quantity of an instrument in raw units, summed over strategies.
    pub fn net_position_raw(&self, instrument_id: InstrumentId) -> i128 {
        self.positions_of(instrument_id).map(|p| p.qty).sum()
    }

    /// The position of one strategy in one instrument, if it ever traded.
    pub fn position(&self, instrument_id: InstrumentId, strategy: StrategyId) -> Option<&Position> {
        self.positions.get(&(instrument_id, strategy))
    }

    /// Every position, flat ones included, ordered by instrument then strategy.
    pub fn positions(&self) -> impl Iterator<Item = &Position> {
        self.positions.values()
    }

    fn positions_of(&self, id: InstrumentId) -> impl Iterator<Item = &Position> {
        self.positions.values().filter(move |p| p.instrument_id == id)
    }

    /// Open positions quoted in `currency`, with their mark (last fill price if unmarked).
    fn open_in(&self, currency: Currency) -> impl Iterator<Item = (&Position, &Market)> {
        let open = self.positions.values().filter(move |p| p.quote == currency && p.qty != 0);
        open.filter_map(|p| self.markets.get(&p.instrument_id).map(|m| (p, m)))
    }

    /// Equity in `currency`. Margin: balance plus unrealized P&L. Cash: balance plus the
    /// marked value of open positions quoted in `currency` (other holdings stay in their own
    /// currency's balance).
    pub fn equity(&self, currency: Currency) -> Result<Money, PortfolioError> {
        let mut sum = self.cash.get(&currency).map_or(0, |c| c.total);
        if self.account_type == AccountType::Margin {
            sum = add(sum, self.total_unrealized_pnl(currency)?.amount, "equity")?;
        } else {
            for (p, market) in self.open_in(currency) {
                let mark = market.mark.unwrap_or(p.last_px);
                sum = add(sum, value_raw(mark, p.qty, p.multiplier)?, "equity")?;
            }
        }
        Ok(Money::from_raw(sum, currency))
    }

    /// Equity in `currency` as `equity` computes it, but with open positions valued at
    /// `mark_of(instrument)` where it gives a price (the portfolio's own mark elsewhere); the
    /// portfolio's marks are left as they are.
    pub fn equity_at(
        &self,
        currency: Currency,
        mark_of: impl Fn(InstrumentId) -> Option<Price>,
    ) -> Result<Money, PortfolioError> {
        let mut sum = self.cash.get(&currency).map_or(0, |c| c.total);
        for (p, market) in self.open_in(currency) {
            let mark = mark_of(p.instrument_id).or(market.mark).unwrap_or(p.last_px);
            let part = if self.account_type == AccountType::Margin {
                p.unrealized_raw(mark)?
            } else {
                value_raw(mark, p.qty, p.multiplier)?
            };
            sum = add(sum, part, "equity")?;
        }
        Ok(Money::from_raw(sum, currency))
    }

    /// Initial margin of open positions quoted in `currency`: the sum over positions of
    /// `|value at mark| * margin_init`, each truncated toward zero. Zero for cash accounts.
    pub fn margin_used(&self, currency: Currency) -> Result<Money, PortfolioError> {
        let mut sum = 0_i128;
        if self.account_type == AccountType::Margin {
            for (p, market) in self.open_in(currency) {
                let value = value_raw(market.mark.unwrap_or(p.last_px), p.qty, p.multiplier)?;
                let margin = apply_ratio_raw(value.unsigned_abs(), market.instrument.margin_init)?;
                sum = add(sum, margin, "margin")?;
            }
        }
        Ok(Money::from_raw(sum, currency))
    }

    /// Every balance, ordered by currency, as an event.
    pub fn account_state(
        &self,
        ts_event: UnixNanos,
        ts_init: UnixNanos,
    ) -> Result<AccountState, PortfolioError> {
        let balances = self.cash.keys().map(|c| self.balance(*c));
        let balances = balances.collect::<Result<Vec<_>, _>>()?;
        let (account_id, account_type) = (self.account_id, self.account_type);
        Ok(AccountState { account_id, account_type, balances, ts_event, ts_init })
    }
}

/// `amount * rate`, truncated toward zero (as the fee rule does).
fn apply_ratio_raw(amount: u128, rate: Ratio) -> Result<i128, PortfolioError> {
    let amount = i128::try_from(amount).map_err(|_| overflow("margin"))?;
    let scaled = amount.checked_mul(i128::from(rate.raw())).ok_or(overflow("margin"))?;
    Ok(scaled / i128::from(FIXED_SCALE))
}

/// Puts back a map entry as it was before a failed change.
fn restore<K: Ord, V>(map: &mut BTreeMap<K, V>, key: K, old: Option<V>) {
    match old {
        Some(v) => map.insert(key, v),
        None => map.remove(&key),
    };
}

fn sum_checked(mut values: impl Iterator<Item = i128>) -> Result<i128, PortfolioError> {
    values.try_fold(0_i128, i128::checked_add).ok_or(overflow("pnl"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::PositionState;
    use crate::rng::SeededRng;
    use crate::types::{
        ClientOrderId, LiquiditySide, OrderSide, OrderType, PositionSide, Quantity, TradeId,
        VenueOrderId,
    };

    fn cur(s: &str) -> Currency {
        Currency::from_static(s)
    }
    fn money(s: &str, c: &str) -> Money {
        Money::parse(s, cur(c)).unwrap()
    }
    fn px(s: &str) -> Price {
        s.parse().unwrap()
    }
    fn acc() -> AccountId {
        AccountId::from_static("SIM-001")
    }
    fn s1() -> StrategyId {
        StrategyId::from_static("S1")
    }

    /// BTCUSD spot: tick 0.01, lot 0.001.
    fn btcusd() -> Instrument {
        Instrument::spot(
            InstrumentId::from_static("BTCUSD.SIM"),
            cur("BTC"),
            cur("USD"),
            px("0.01"),
            "0.001".parse().unwrap(),
        )
    }

    /// ETHBTC spot, quoted in BTC: tick 0.00001, lot 0.01.
    fn ethbtc() -> Instrument {
        Instrument::spot(
            InstrumentId::from_static("ETHBTC.SIM"),
            cur("ETH"),
            cur("BTC"),
            px("0.00001"),
            "0.01".parse().unwrap(),
        )
    }

    /// A USD-settled perpetual with a multiplier and 10% initial margin.
    fn perp(symbol: &str, multiplier: &str) -> Instrument {
        let mut i = btcusd();
        i.id = InstrumentId::new(symbol).unwrap();
        i.base_currency = None;
        i.multiplier = multiplier.parse().unwrap();
        i.margin_init = "0.1".parse().unwrap();
        i.tick_size = px("0.1");
        i.price_precision = 1;
        i.lot_size = "1".parse().unwrap();
        i.size_precision = 0;
        i
    }

    fn fill_at(
        i: &Instrument,
        strategy: StrategyId,
        side: OrderSide,
        qty: Quantity,
        price: Price,
        fee: Money,
    ) -> OrderFilled {
        let t = UnixNanos(1_000);
        OrderFilled {
            strategy_id: strategy,
            instrument_id: i.id,
            client_order_id: ClientOrderId::from_static("O-1"),
            venue_order_id: VenueOrderId::from_static("V-1"),
            account_id: acc(),
            trade_id: TradeId::from_static("T-1"),
            side,
            order_type: OrderType::Market,
            last_qty: qty,
            last_px: price,
            commission: fee,
            liquidity_side: LiquiditySide::Taker,
            ts_event: t,
            ts_init: t.add_ns(5),
        }
    }

    fn fill(i: &Instrument, side: OrderSide, qty: &str, price: &str, fee: &str) -> OrderFilled {
        let fee = Money::parse(fee, i.quote_currency).unwrap();
        fill_at(i, s1(), side, qty.parse().unwrap(), px(price), fee)
    }

    fn state(e: &Event) -> (&'static str, PositionState) {
        match e {
            Event::PositionOpened(s) => ("opened", *s),
            Event::PositionChanged(s) => ("changed", *s),
            Event::PositionClosed(s) => ("closed", *s),
            other => panic!("not a position event: {other:?}"),
        }
    }

    fn margin_book(start: &str) -> Portfolio {
        Portfolio::new(acc(), AccountType::Margin, &[money(start, "USD")]).unwrap()
    }

    #[test]
    fn open_add_reduce_close_by_hand() {
        let i = perp("XBT-PERP.SIM", "1");
        let mut p = margin_book("1000");
        let fx = p.apply_fill(&fill(&i, OrderSide::Buy, "1", "100", "0"), &i).unwrap();
        let (kind, s) = state(&fx.position_events[0]);
        assert_eq!(
            (kind, s.side, s.quantity.to_string()),
            ("opened", PositionSide::Long, "1".into())
        );
        assert_eq!(s.avg_px_open.raw(), px("100").raw());
        assert_eq!((s.ts_event, s.ts_init), (UnixNanos(1_000), UnixNanos(1_005)));

        let fx = p.apply_fill(&fill(&i, OrderSide::Buy, "1", "110", "0"), &i).unwrap();
        let (kind, s) = state(&fx.position_events[0]);
        assert_eq!((kind, s.quantity.to_string()), ("changed", "2".into()));
        assert_eq!(s.avg_px_open.raw(), px("105").raw());
        assert_eq!(s.unrealized_pnl, money("10", "USD"), "2 @ 105 marked at 110");

        // Sell 1 of 2 at 120: releases half the cost basis (105), realizes 15.
        let fx = p.apply_fill(&fill(&i, OrderSide::Sell, "1", "120", "0"), &i).unwrap();
        let (kind, s) = state(&fx.position_events[0]);
        assert_eq!((kind, s.quantity.to_string()), ("changed", "1".into()));
        assert_eq!(s.realized_pnl, money("15", "USD"));
        assert_eq!(s.avg_px_open.raw(), px("105").raw(), "reducing keeps the average");
        assert_eq!(p.balance(cur("USD")).unwrap().total, money("1015", "USD"));

        // Close the last 1 at 100: realizes -5; 10 over the position's life.
        let fx = p.apply_fill(&fill(&i, OrderSide::Sell, "1", "100", "0"), &i).unwrap();
        assert_eq!(fx.position_events.len(), 1);
        let (kind, s) = state(&fx.position_events[0]);
        assert_eq!((kind, s.side, s.quantity.is_zero()), ("closed", PositionSide::Flat, true));
        assert_eq!(
            s.avg_px_open.raw(),
            px("105").raw(),
            "a Closed event shows the entry it closed"
        );
        assert_eq!(s.realized_pnl, money("10", "USD"));
        assert_eq!(s.unrealized_pnl, money("0", "USD"));
        assert_eq!(p.realized_pnl(i.id).unwrap(), money("10", "USD"));
        assert_eq!(p.balance(cur("USD")).unwrap().total, money("1010", "USD"));
        assert_eq!(p.net_position_raw(i.id), 0);
        assert_eq!(p.position(i.id, s1()).unwrap().cost_basis_raw(), 0);
    }

    #[test]
    fn short_side_mirrors_long() {
        let i = perp("XBT-PERP.SIM", "1");
        let mut p = margin_book("1000");
        p.apply_fill(&fill(&i, OrderSide::Sell, "2", "100", "0"), &i).unwrap();
        let pos = p.position(i.id, s1()).unwrap();
        assert_eq!((pos.side(), pos.signed_qty_raw()), (PositionSide::Short, -2 * 1_000_000_000));
        p.mark(i.id, px("90")).unwrap();
        assert_eq!(p.unrealized_pnl(i.id).unwrap(), money("20", "USD"));
        p.apply_fill(&fill(&i, OrderSide::Buy, "1", "95", "0"), &i).unwrap();
        assert_eq!(p.realized_pnl(i.id).unwrap(), money("5", "USD"));
        assert_eq!(p.position(i.id, s1()).unwrap().avg_px_open().unwrap().raw(), px("100").raw());
    }

    #[test]
    fn a_flip_closes_then_reopens_at_the_fill_price() {
        let i = perp("XBT-PERP.SIM", "1");
        let mut p = margin_book("1000");
        p.apply_fill(&fill(&i, OrderSide::Buy, "1", "100", "0"), &i).unwrap();
        let fx = p.apply_fill(&fill(&i, OrderSide::Sell, "3", "90", "0"), &i).unwrap();
        let kinds: Vec<&str> = fx.position_events.iter().map(Event::kind).collect();
        assert_eq!(kinds, ["PositionClosed", "PositionOpened"]);
        let (_, closed) = state(&fx.position_events[0]);
        assert_eq!((closed.side, closed.avg_px_open.raw()), (PositionSide::Flat, px("100").raw()));
        assert_eq!(closed.realized_pnl, money("-10", "USD"));
        let (_, opened) = state(&fx.position_events[1]);
        assert_eq!((opened.side, opened.quantity.to_string()), (PositionSide::Short, "2".into()));
        assert_eq!(opened.avg_px_open.raw(), 90 * FIXED_SCALE);
        assert_eq!(opened.realized_pnl, money("-10", "USD"), "realized is cumulative per position");
        assert_eq!(p.net_position_raw(i.id), -2_000_000_000);
        assert_eq!(p.balance(cur("USD")).unwrap().total, money("990", "USD"));
        let events = fx.into_events();
        assert_eq!(events.last().map(Event::kind), Some("AccountState"));
    }

    #[test]
    fn cost_basis_rounding_is_carried_not_lost() {
        // 3 @ 1.00, 1.00, 1.01: cost 3.01. Selling 1 releases 3.01/3 truncated.
        let mut i = btcusd();
        i.base_currency = None;
        i.lot_size = "1".parse().unwrap();
        i.size_precision = 0;
        let mut p = margin_book("0");
        for price in ["1.00", "1.00", "1.01"] {
            p.apply_fill(&fill(&i, OrderSide::Buy, "1", price, "0"), &i).unwrap();
        }
        let pos = p.position(i.id, s1()).unwrap();
        assert_eq!(pos.cost_basis_raw(), 3_010_000_000);
        assert_eq!(pos.avg_px_open().unwrap().raw(), 1_003_333_333, "truncated toward zero");
        p.apply_fill(&fill(&i, OrderSide::Sell, "1", "1.00", "0"), &i).unwrap();
        assert_eq!(p.realized_pnl(i.id).unwrap().amount, -3_333_333);
        assert_eq!(p.position(i.id, s1()).unwrap().cost_basis_raw(), 2_006_666_667);
        p.apply_fill(&fill(&i, OrderSide::Sell, "2", "1.00", "0"), &i).unwrap();
        assert_eq!(p.realized_pnl(i.id).unwrap().amount, -10_000_000, "exactly -0.01");
        assert_eq!(p.balance(cur("USD")).unwrap().total.amount, -10_000_000);
    }

    #[test]
    fn fees_are_paid_in_quote_and_kept_apart_from_pnl() {
        let i = perp("XBT-PERP.SIM", "1");
        let mut p = margin_book("1000");
        p.apply_fill(&fill(&i, OrderSide::Buy, "2", "100", "0.2"), &i).unwrap();
        p.apply_fill(&fill(&i, OrderSide::Sell, "2", "101", "0.202"), &i).unwrap();
        let pos = p.position(i.id, s1()).unwrap();
        assert_eq!(pos.fees(), money("0.402", "USD"));
        assert_eq!(pos.realized_pnl(), money("2", "USD"), "realized is gross of fees");
        assert_eq!(p.total_fees(cur("USD")), money("0.402", "USD"));
        assert_eq!(p.balance(cur("USD")).unwrap().total, money("1001.598", "USD"));
        // A rebate (negative commission) adds to the balance.
        p.apply_fill(&fill(&i, OrderSide::Buy, "1", "100", "-0.01"), &i).unwrap();
        assert_eq!(p.balance(cur("USD")).unwrap().total, money("1001.608", "USD"));
    }

    #[test]
    fn cash_account_moves_quote_and_base() {
        let i = btcusd();
        let start = [money("100000", "USD"), money("0.5", "BTC")];
        let mut p = Portfolio::new(acc(), AccountType::Cash, &start).unwrap();
        let fx = p.apply_fill(&fill(&i, OrderSide::Buy, "0.25", "20000", "5"), &i).unwrap();
        let b = &fx.account_state.balances;
        assert_eq!(b.iter().map(|b| b.currency.as_str()).collect::<Vec<_>>(), ["BTC", "USD"]);
        assert_eq!(b[0].total, money("0.75", "BTC"));
        assert_eq!(b[1].total, money("94995", "USD"), "100000 - 5000 - 5");
        assert_eq!(fx.account_state.account_type, AccountType::Cash);
        p.mark(i.id, px("22000")).unwrap();
        assert_eq!(p.unrealized_pnl(i.id).unwrap(), money("500", "USD"));
        assert_eq!(p.equity(cur("USD")).unwrap(), money("100495", "USD"), "94995 + 0.25 * 22000");
        assert_eq!(p.margin_used(cur("USD")).unwrap(), money("0", "USD"));
        p.apply_fill(&fill(&i, OrderSide::Sell, "0.75", "21000", "0"), &i).unwrap();
        assert_eq!(p.balance(cur("BTC")).unwrap().total, money("0", "BTC"));
        assert_eq!(p.balance(cur("USD")).unwrap().total, money("110745", "USD"));
        assert_eq!(p.realized_pnl(i.id).unwrap(), money("250", "USD"));
        assert_eq!(p.net_position_raw(i.id), -500_000_000, "sold the starting 0.5 BTC short");
    }

    #[test]
    fn locks_reduce_free_balance() {
        let mut p = Portfolio::new(acc(), AccountType::Cash, &[money("100", "USD")]).unwrap();
        p.lock(money("30", "USD")).unwrap();
        let b = p.balance(cur("USD")).unwrap();
        assert_eq!(
            (b.total, b.locked, b.free),
            (money("100", "USD"), money("30", "USD"), money("70", "USD"))
        );
        assert!(p.unlock(money("31", "USD")).is_err());
        assert!(p.lock(money("-1", "USD")).is_err());
        p.unlock(money("30", "USD")).unwrap();
        assert_eq!(p.balance(cur("USD")).unwrap().free, money("100", "USD"));
        assert_eq!(
            p.balance(cur("EUR")).unwrap().total,
            money("0", "EUR"),
            "unknown currency is zero"
        );
    }

    #[test]
    fn margin_account_locks_initial_margin() {
        let i = perp("XBT-PERP.SIM", "0.5");
        let mut p = margin_book("1000");
        p.apply_fill(&fill(&i, OrderSide::Sell, "4", "100", "0"), &i).unwrap();
        // |4 * 100 * 0.5| * 10% = 20
        assert_eq!(p.margin_used(cur("USD")).unwrap(), money("20", "USD"));
        p.mark(i.id, px("110")).unwrap();
        assert_eq!(p.margin_used(cur("USD")).unwrap(), money("22", "USD"));
        assert_eq!(p.unrealized_pnl(i.id).unwrap(), money("-20", "USD"));
        assert_eq!(p.equity(cur("USD")).unwrap(), money("980", "USD"));
        p.lock(money("8", "USD")).unwrap();
        let b = p.balance(cur("USD")).unwrap();
        assert_eq!(
            (b.total, b.locked, b.free),
            (money("1000", "USD"), money("30", "USD"), money("970", "USD"))
        );
        assert_eq!(p.total_unrealized_pnl(cur("USD")).unwrap(), money("-20", "USD"));
    }

    #[test]
    fn netting_is_per_strategy_and_summed_per_instrument() {
        let i = perp("XBT-PERP.SIM", "1");
        let mut p = margin_book("0");
        let s2 = StrategyId::from_static("S2");
        let q = |s: &str| s.parse::<Quantity>().unwrap();
        let zero = money("0", "USD");
        p.apply_fill(&fill_at(&i, s1(), OrderSide::Buy, q("3"), px("100"), zero), &i).unwrap();
        p.apply_fill(&fill_at(&i, s2, OrderSide::Sell, q("5"), px("101"), zero), &i).unwrap();
        assert_eq!(p.net_position_raw(i.id), -2_000_000_000);
        assert_eq!(p.positions().count(), 2);
        assert_eq!(p.position(i.id, s2).unwrap().id().as_str(), "XBT-PERP.SIM-S2");
        p.mark(i.id, px("102")).unwrap();
        assert_eq!(p.unrealized_pnl(i.id).unwrap(), money("1", "USD"), "+6 - 5");
        // A fill finer than the lot is booked, shown at full precision.
        let fine = fill_at(&i, s1(), OrderSide::Buy, q("0.5"), px("100"), zero);
        let fx = p.apply_fill(&fine, &i).unwrap();
        assert_eq!(state(&fx.position_events[0]).1.quantity.to_string(), "3.500000000");
    }

    #[test]
    fn refusals_leave_the_portfolio_untouched() {
        let i = perp("XBT-PERP.SIM", "1");
        let mut p = margin_book("1000");
        let mut bad = fill(&i, OrderSide::Buy, "1", "100", "0");
        bad.commission = money("1", "EUR");
        assert!(matches!(p.apply_fill(&bad, &i), Err(PortfolioError::CurrencyMismatch { .. })));
        let mut bad = fill(&i, OrderSide::Buy, "1", "100", "0");
        bad.account_id = AccountId::from_static("OTHER");
        assert!(matches!(p.apply_fill(&bad, &i), Err(PortfolioError::AccountMismatch { .. })));
        assert!(matches!(
            p.apply_fill(&fill(&i, OrderSide::Buy, "1", "100", "0"), &btcusd()),
            Err(PortfolioError::InstrumentMismatch { .. })
        ));
        assert!(p.apply_fill(&fill(&i, OrderSide::Buy, "0", "100", "0"), &i).is_err());
        let big = perp("BIG.SIM", "1000");
        let huge = fill(&big, OrderSide::Buy, "18000000000", "9000000000", "0");
        assert!(matches!(p.apply_fill(&huge, &big), Err(PortfolioError::Overflow { .. })));
        assert_eq!(p.positions().count(), 0);
        assert_eq!(p.balance(cur("USD")).unwrap().total, money("1000", "USD"));
        assert!(matches!(p.mark(i.id, px("1")), Err(PortfolioError::UnknownInstrument(_))));
        assert!(p.unrealized_pnl(i.id).is_err());
        // The fill books, but its margin overflows: everything it touched is put back.
        let mut greedy = perp("GREEDY.SIM", "1");
        greedy.margin_init = Ratio::from_raw(i64::MAX);
        let f = fill(&greedy, OrderSide::Buy, "10000000000", "9000000000", "1");
        assert!(matches!(
            p.apply_fill(&f, &greedy),
            Err(PortfolioError::Overflow { what: "margin" })
        ));
        assert_eq!(p.positions().count(), 0);
        assert_eq!(p.balance(cur("USD")).unwrap().total, money("1000", "USD"));
        assert_eq!(p.total_fees(cur("USD")), money("0", "USD"));
        assert!(p.last_price(greedy.id).is_none());
        let mut cash = Portfolio::new(acc(), AccountType::Cash, &[]).unwrap();
        let err = cash.apply_fill(&fill(&i, OrderSide::Buy, "1", "100", "0"), &i).unwrap_err();
        assert!(matches!(err, PortfolioError::NoBaseCurrency(_)), "{err}");
        cash.add_instrument(&i);
        cash.mark(i.id, px("1")).unwrap();
    }

    /// What the test knows without the portfolio: cash flows per currency and the
    /// mark-to-market value of every fill.
    #[derive(Default)]
    struct Ledger {
        flows: BTreeMap<Currency, i128>,
        fees: BTreeMap<Currency, i128>,
        net: BTreeMap<InstrumentId, i128>,
        flips: usize,
    }

    fn notional(i: &Instrument, price: Price, qty: Quantity) -> i128 {
        i.notional(price, qty).unwrap().amount
    }

    /// 10,000 seeded fills over two instruments and two strategies; returns the ledger and
    /// the fills so the caller can mark to market.
    fn random_fills(
        p: &mut Portfolio,
        instruments: &[Instrument],
        seed: u64,
    ) -> (Ledger, Vec<OrderFilled>) {
        let mut rng = SeededRng::new(seed);
        let strategies = [s1(), StrategyId::from_static("S2")];
        let mut mids = [1_000_000_i64, 1_000_000];
        let mut ledger = Ledger::default();
        let mut fills = Vec::new();
        for _ in 0..10_000 {
            let k = rng.range_inclusive(0, 1) as usize;
            let i = &instruments[k];
            mids[k] = (mids[k] + rng.range_inclusive(0, 2_000) as i64 - 1_000).max(1_000);
            let price = i.price(mids[k] + rng.range_inclusive(0, 50) as i64 - 25).unwrap();
            let qty = i.quantity(rng.range_inclusive(1, 400)).unwrap();
            let side =
                if rng.range_inclusive(0, 1) == 0 { OrderSide::Buy } else { OrderSide::Sell };
            let fee = i.fee(price, qty, rng.range_inclusive(0, 1) == 0).unwrap();
            let strategy = strategies[rng.range_inclusive(0, 1) as usize];
            let f = fill_at(i, strategy, side, qty, price, fee);
            let effects = p.apply_fill(&f, i).unwrap();
            ledger.flips += usize::from(effects.position_events.len() == 2);

            let sign = i128::from(side.sign());
            let quote = i.quote_currency;
            *ledger.fees.entry(quote).or_default() += fee.amount;
            *ledger.net.entry(i.id).or_default() += sign * i128::from(qty.raw());
            let flow = ledger.flows.entry(quote).or_default();
            match (p.account_type(), i.base_currency) {
                (AccountType::Cash, Some(base)) => {
                    *flow -= sign * notional(i, price, qty) + fee.amount;
                    *ledger.flows.entry(base).or_default() += sign * i128::from(qty.raw());
                }
                _ => *flow -= fee.amount,
            }
            fills.push(f);
        }
        (ledger, fills)
    }

    /// Σ over fills of side * (value at mark - value at fill price), per quote currency.
    fn mark_to_market(
        fills: &[OrderFilled],
        instruments: &[Instrument],
        marks: &[Price],
    ) -> BTreeMap<Currency, i128> {
        let mut mtm = BTreeMap::new();
        for f in fills {
            let k = instruments.iter().position(|i| i.id == f.instrument_id).unwrap();
            let i = &instruments[k];
            let gain = notional(i, marks[k], f.last_qty) - notional(i, f.last_px, f.last_qty);
            *mtm.entry(i.quote_currency).or_default() += i128::from(f.side.sign()) * gain;
        }
        mtm
    }

    fn starting() -> Vec<Money> {
        vec![money("1000000", "USD"), money("10", "BTC"), money("100", "ETH")]
    }

    fn start_of(c: Currency) -> i128 {
        starting().iter().filter(|m| m.currency == c).map(|m| m.amount).sum()
    }

    #[test]
    fn cash_books_balance_to_the_last_unit_after_10000_random_fills() {
        let instruments = [btcusd(), ethbtc()];
        let mut p = Portfolio::new(acc(), AccountType::Cash, &starting()).unwrap();
        let (ledger, fills) = random_fills(&mut p, &instruments, 0x5eed);
        assert!(ledger.flips > 50, "the walk exercises flips: {}", ledger.flips);
        for (currency, flow) in &ledger.flows {
            let total = p.balance(*currency).unwrap().total.amount;
            assert_eq!(total, start_of(*currency) + flow, "{currency}");
        }
        for i in &instruments {
            assert_eq!(p.net_position_raw(i.id), ledger.net[&i.id]);
        }
        let marks =
            [instruments[0].price(1_234_567).unwrap(), instruments[1].price(987_654).unwrap()];
        for (i, mark) in instruments.iter().zip(marks) {
            p.mark(i.id, mark).unwrap();
        }
        for (currency, expected) in mark_to_market(&fills, &instruments, &marks) {
            let pnl = p.total_realized_pnl(currency).unwrap().amount
                + p.total_unrealized_pnl(currency).unwrap().amount;
            assert_eq!(pnl, expected, "{currency}");
        }
    }

    #[test]
    fn margin_books_balance_to_the_last_unit_after_10000_random_fills() {
        let instruments = [perp("XBT-PERP.SIM", "1"), perp("ETH-PERP.SIM", "0.5")];
        let mut p = margin_book("1000000");
        let (ledger, fills) = random_fills(&mut p, &instruments, 0xfeed);
        let usd = cur("USD");
        let fees = ledger.fees[&usd];
        assert_eq!(p.total_fees(usd).amount, fees);
        let realized = p.total_realized_pnl(usd).unwrap().amount;
        assert_eq!(p.balance(usd).unwrap().total.amount, start_of(usd) + realized - fees);

        let marks =
            [instruments[0].price(1_001_234).unwrap(), instruments[1].price(999_999).unwrap()];
        for (i, mark) in instruments.iter().zip(marks) {
            p.mark(i.id, mark).unwrap();
        }
        let mtm = mark_to_market(&fills, &instruments, &marks)[&usd];
        let unrealized = p.total_unrealized_pnl(usd).unwrap().amount;
        assert_eq!(realized + unrealized, mtm);

        // Flatten every position at the mark, free of fees: all of it is now realized cash.
        let open: Vec<(InstrumentId, StrategyId, i128)> = p
            .positions()
            .map(|x| (x.instrument_id(), x.strategy_id(), x.signed_qty_raw()))
            .collect();
        for (id, strategy, qty) in open.into_iter().filter(|o| o.2 != 0) {
            let k = instruments.iter().position(|i| i.id == id).unwrap();
            let side = if qty > 0 { OrderSide::Sell } else { OrderSide::Buy };
            let q = Quantity::from_raw(u64::try_from(qty.unsigned_abs()).unwrap(), 0).unwrap();
            let f = fill_at(&instruments[k], strategy, side, q, marks[k], Money::zero(usd));
            p.apply_fill(&f, &instruments[k]).unwrap();
        }
        assert!(instruments.iter().all(|i| p.net_position_raw(i.id) == 0));
        assert_eq!(p.total_unrealized_pnl(usd).unwrap().amount, 0);
        assert_eq!(p.total_realized_pnl(usd).unwrap().amount, mtm);
        assert_eq!(p.balance(usd).unwrap().total.amount, start_of(usd) + mtm - fees);
        assert_eq!(p.margin_used(usd).unwrap().amount, 0);
    }
}
