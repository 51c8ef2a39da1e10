//! The venue's checks on a submit or a modify. Each refusal is a reason string that starts
//! with a stable code (`OFF_TICK: price 100.015 is not a multiple of tick 0.01`), so
//! strategies and tests can match on the code and people can read the rest.

use super::book_state::{reaches, Depth};
use super::order::{quantity_of, VenueOrder};
use super::{AccountView, SimulatedVenue};
use crate::events::{ModifyOrder, SubmitOrder};
use crate::types::{
    AccountType, Instrument, InstrumentId, Money, OrderSide, OrderType, Price, Quantity, Ratio,
    TimeInForce, UnixNanos, FIXED_SCALE,
};

/// A refusal reason: `CODE: detail`.
pub(crate) fn reason(code: &str, detail: impl std::fmt::Display) -> String {
    format!("{code}: {detail}")
}

/// `price * qty * multiplier` in raw quote units, saturating (a saturated value fails any
/// balance check, which is the safe side).
pub(crate) fn notional_raw(price_raw: i64, qty_raw: u64, multiplier: Ratio) -> i128 {
    let scale = i128::from(FIXED_SCALE);
    let pq = i128::from(price_raw).saturating_mul(i128::from(qty_raw)) / scale;
    if multiplier == Ratio::ONE {
        pq
    } else {
        pq.saturating_mul(i128::from(multiplier.raw())) / scale
    }
}

fn times(amount: i128, rate: Ratio) -> i128 {
    amount.saturating_mul(i128::from(rate.raw())) / i128::from(FIXED_SCALE)
}

/// The tick grid.
pub(crate) fn check_tick(instrument: &Instrument, what: &str, price: Price) -> Result<(), String> {
    if instrument.check_price(price).is_err() {
        return Err(reason(
            "OFF_TICK",
            format_args!("{what} {price} is not a multiple of tick {}", instrument.tick_size),
        ));
    }
    Ok(())
}

/// Positive, on the lot grid, within the instrument's limits.
pub(crate) fn check_quantity(instrument: &Instrument, qty: Quantity) -> Result<(), String> {
    if qty.is_zero() {
        return Err(reason("INVALID_QUANTITY", "quantity must be positive"));
    }
    if !qty.raw().is_multiple_of(instrument.lot_size.raw()) {
        return Err(reason(
            "OFF_LOT",
            format_args!("quantity {qty} is not a multiple of lot {}", instrument.lot_size),
        ));
    }
    if let Some(min) = instrument.min_quantity.filter(|m| qty < *m) {
        return Err(reason(
            "BELOW_MIN_QUANTITY",
            format_args!("quantity {qty} is below the minimum {min}"),
        ));
    }
    if let Some(max) = instrument.max_quantity.filter(|m| qty > *m) {
        return Err(reason(
            "ABOVE_MAX_QUANTITY",
            format_args!("quantity {qty} is above the maximum {max}"),
        ));
    }
    Ok(())
}

/// At least the instrument's minimum notional.
fn check_notional(instrument: &Instrument, notional: i128) -> Result<(), String> {
    match instrument.min_notional {
        Some(min) if notional < min.amount => Err(reason(
            "BELOW_MIN_NOTIONAL",
            format_args!(
                "notional {} is below the minimum {min}",
                Money::from_raw(notional, instrument.quote_currency)
            ),
        )),
        _ => Ok(()),
    }
}

/// A reduce-only order of `leaves_raw` on `side` must not grow or flip the position.
pub(crate) fn check_reduce_only(
    instrument: &Instrument,
    side: OrderSide,
    leaves_raw: u64,
    position: i128,
) -> Result<(), String> {
    let reducible = match side {
        OrderSide::Buy => -position,
        OrderSide::Sell => position,
    };
    if i128::from(leaves_raw) > reducible {
        let shown = |raw: i128| {
            let abs = quantity_of(
                u64::try_from(raw.unsigned_abs()).unwrap_or(u64::MAX),
                instrument.size_precision,
            );
            if raw < 0 {
                format!("-{abs}")
            } else {
                abs.to_string()
            }
        };
        return Err(reason(
            "REDUCE_ONLY_WOULD_INCREASE",
            format_args!(
                "{side} {} against a net position of {}",
                shown(i128::from(leaves_raw)),
                shown(position)
            ),
        ));
    }
    Ok(())
}

/// Funds for `notional` more on `side` (and `base_raw` more of the base asset for a spot sell).
fn check_funds(
    instrument: &Instrument,
    account: &dyn AccountView,
    side: OrderSide,
    notional: i128,
    base_raw: u64,
    reduce_only: bool,
) -> Result<(), String> {
    let quote = instrument.quote_currency;
    match account.account_type() {
        AccountType::Cash => {
            if let (OrderSide::Sell, Some(base)) = (side, instrument.base_currency) {
                let free = account.free_balance(base);
                if free < i128::from(base_raw) {
                    return Err(reason(
                        "INSUFFICIENT_BALANCE",
                        format_args!(
                            "need {} free {}",
                            Money::from_raw(i128::from(base_raw), base),
                            Money::from_raw(free, base)
                        ),
                    ));
                }
                return Ok(());
            }
            let need = notional.saturating_add(times(notional, instrument.taker_fee).max(0));
            let free = account.free_balance(quote);
            if free < need {
                return Err(reason(
                    "INSUFFICIENT_BALANCE",
                    format_args!(
                        "need {} (notional + taker fee), free {}",
                        Money::from_raw(need, quote),
                        Money::from_raw(free, quote)
                    ),
                ));
            }
        }
        AccountType::Margin => {
            if reduce_only {
                return Ok(());
            }
            let need = times(notional, instrument.margin_init);
            let free = account.free_balance(quote);
            if free < need {
                return Err(reason(
                    "INSUFFICIENT_MARGIN",
                    format_args!(
                        "need {} initial margin, free {}",
                        Money::from_raw(need, quote),
                        Money::from_raw(free, quote)
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Notional a market order of `qty_raw` would trade walking `depth` (what fills, not what the
/// book lacks), and the best price it would meet.
fn market_notional(
    depth: &Depth,
    instrument: &Instrument,
    side: OrderSide,
    qty_raw: u64,
) -> (i128, Option<i64>) {
    let mut left = qty_raw;
    let mut notional = 0i128;
    for level in depth.side(side.opposite()) {
        if left == 0 {
            break;
        }
        let q = level.size.min(left);
        notional = notional.saturating_add(notional_raw(level.price, q, instrument.multiplier));
        left -= q;
    }
    (notional, depth.best(side.opposite()))
}

/// True when a limit at `limit` on `side` would take liquidity from `depth` now.
pub(crate) fn would_cross(depth: &Depth, side: OrderSide, limit: i64) -> bool {
    depth.best(side.opposite()).is_some_and(|best| reaches(side, best, Some(limit)))
}

/// A post-only order at `price` on `side` must not take liquidity from `depth`.
pub(crate) fn check_post_only(depth: &Depth, side: OrderSide, price: Price) -> Result<(), String> {
    if would_cross(depth, side, price.raw()) {
        return Err(reason(
            "POST_ONLY_WOULD_CROSS",
            format_args!("{side} at {price} would take liquidity"),
        ));
    }
    Ok(())
}

/// The limit and trigger prices the order type needs.
fn required_prices(cmd: &SubmitOrder) -> Result<(Option<Price>, Option<Price>), String> {
    let limit = match (cmd.order_type.has_price(), cmd.price) {
        (true, None) => {
            return Err(reason(
                "MISSING_PRICE",
                format_args!("{} order needs a price", cmd.order_type),
            ))
        }
        (true, Some(p)) => Some(p),
        (false, _) => None,
    };
    let trigger = match (cmd.order_type.has_trigger(), cmd.trigger_price) {
        (true, None) => {
            return Err(reason(
                "MISSING_TRIGGER_PRICE",
                format_args!("{} order needs a trigger price", cmd.order_type),
            ))
        }
        (true, Some(p)) => Some(p),
        (false, _) => None,
    };
    Ok((limit, trigger))
}

impl SimulatedVenue {
    /// Checks a submit; returns the instrument index when the venue accepts it.
    pub(crate) fn check_submit(
        &self,
        cmd: &SubmitOrder,
        now: UnixNanos,
        account: &dyn AccountView,
    ) -> Result<usize, String> {
        if self.outages.is_down(now) {
            return Err(reason(
                "VENUE_DOWN",
                format_args!("{} is down at {now}", self.config.venue),
            ));
        }
        let idx = self.instrument_checked(cmd.instrument_id)?;
        let id = cmd.client_order_id;
        if self.working.contains_key(&id) || self.closed_ids.contains(id) {
            return Err(reason(
                "DUPLICATE_CLIENT_ORDER_ID",
                format_args!("client order id {} was already used", cmd.client_order_id),
            ));
        }
        let state = &self.states[idx];
        let instrument = &state.instrument;
        let (limit, trigger) = required_prices(cmd)?;
        if let Some(p) = limit {
            check_tick(instrument, "price", p)?;
        }
        if let Some(p) = trigger {
            check_tick(instrument, "trigger price", p)?;
        }
        check_quantity(instrument, cmd.quantity)?;
        if cmd.time_in_force == TimeInForce::Gtd {
            match cmd.expire_time {
                None => {
                    return Err(reason(
                        "GTD_WITHOUT_EXPIRE_TIME",
                        "a GTD order needs an expire_time",
                    ))
                }
                Some(t) if t <= now => {
                    return Err(reason(
                        "GTD_ALREADY_EXPIRED",
                        format_args!("expire_time {t} is not after {now}"),
                    ))
                }
                Some(_) => {}
            }
        }
        let qty_raw = cmd.quantity.raw();
        // A market order is measured at the best price it would meet, when there is one,
        // and funds are checked on what walking the book would trade.
        let notional = if let Some(p) = limit.or(trigger) {
            let n = notional_raw(p.raw(), qty_raw, instrument.multiplier);
            check_notional(instrument, n)?;
            n
        } else {
            let (walked, best) = market_notional(&state.depth, instrument, cmd.side, qty_raw);
            if let Some(best) = best {
                check_notional(instrument, notional_raw(best, qty_raw, instrument.multiplier))?;
            }
            walked
        };
        if cmd.post_only && cmd.order_type == OrderType::Limit {
            if let Some(p) = limit {
                check_post_only(&state.depth, cmd.side, p)?;
            }
        }
        if cmd.reduce_only {
            check_reduce_only(instrument, cmd.side, qty_raw, state.position.get())?;
        }
        check_funds(instrument, account, cmd.side, notional, qty_raw, cmd.reduce_only)?;
        Ok(idx)
    }

    fn instrument_checked(&self, id: InstrumentId) -> Result<usize, String> {
        self.instrument_index(id).ok_or_else(|| {
            reason(
                "UNKNOWN_INSTRUMENT",
                format_args!("{id} is not listed at {}", self.config.venue),
            )
        })
    }

    /// Finds a working order: its instrument index and position.
    pub(crate) fn find_open(
        &self,
        cmd_id: crate::types::ClientOrderId,
    ) -> Result<(usize, usize), String> {
        match self.working.get(&cmd_id) {
            None if self.closed_ids.contains(cmd_id) => {
                Err(reason("ORDER_CLOSED", format_args!("order {cmd_id} is no longer working")))
            }
            None => Err(reason("UNKNOWN_ORDER", format_args!("no order {cmd_id} at the venue"))),
            Some(idx) => self.states[*idx]
                .orders
                .iter()
                .position(|o| o.client_order_id == cmd_id)
                .map(|pos| (*idx, pos))
                .ok_or_else(|| {
                    reason("UNKNOWN_ORDER", format_args!("no order {cmd_id} at the venue"))
                }),
        }
    }

    /// Checks a modify of a working order; returns the new quantity, price and trigger.
    pub(crate) fn check_modify(
        &self,
        idx: usize,
        o: &VenueOrder,
        cmd: &ModifyOrder,
        account: &dyn AccountView,
    ) -> Result<(Quantity, Option<Price>, Option<Price>), String> {
        let state = &self.states[idx];
        let instrument = &state.instrument;
        if cmd.price.is_some() && !o.order_type.has_price() {
            return Err(reason(
                "INVALID_MODIFY",
                format_args!("a {} order has no price", o.order_type),
            ));
        }
        if cmd.trigger_price.is_some() && !o.is_pending_stop() {
            return Err(reason(
                "INVALID_MODIFY",
                "only a stop waiting for its trigger can change the trigger",
            ));
        }
        let qty = cmd.quantity.unwrap_or(o.quantity);
        let price = cmd.price.or(o.price);
        let trigger = cmd.trigger_price.or(o.trigger_price);
        if let Some(p) = cmd.price {
            check_tick(instrument, "price", p)?;
        }
        if let Some(p) = cmd.trigger_price {
            check_tick(instrument, "trigger price", p)?;
        }
        check_quantity(instrument, qty)?;
        if qty.raw() <= o.filled_raw {
            return Err(reason(
                "QUANTITY_BELOW_FILLED",
                format_args!(
                    "new quantity {qty} must be above the filled {}",
                    quantity_of(o.filled_raw, instrument.size_precision)
                ),
            ));
        }
        let reference = if o.order_type.has_price() { price } else { trigger };
        let leaves = qty.raw() - o.filled_raw;
        let notional =
            reference.map_or(0, |p| notional_raw(p.raw(), qty.raw(), instrument.multiplier));
        check_notional(instrument, notional)?;
        if o.post_only && !o.is_pending_stop() {
            if let Some(p) = price {
                check_post_only(&state.depth, o.side, p)?;
            }
        }
        if o.reduce_only {
            check_reduce_only(instrument, o.side, leaves, state.position.get())?;
        }
        // Only what the modify adds needs funds; the rest was checked at submit.
        let old_reference = if o.order_type.has_price() { o.price } else { o.trigger_price };
        let old = old_reference
            .map_or(0, |p| notional_raw(p.raw(), o.leaves_raw(), instrument.multiplier));
        let new = reference.map_or(0, |p| notional_raw(p.raw(), leaves, instrument.multiplier));
        let extra_base = leaves.saturating_sub(o.leaves_raw());
        if new > old || extra_base > 0 {
            check_funds(
                instrument,
                account,
                o.side,
                (new - old).max(0),
                extra_base,
                o.reduce_only,
            )?;
        }
        Ok((qty, price, trigger))
    }
}
