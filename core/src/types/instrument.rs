//! What the engine must know about a tradable instrument.

use super::fixed::{apply_ratio, notional_raw, FixedError, Money, Price, Quantity, Ratio};
use super::identifiers::{Currency, InstrumentId};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstrumentError {
    #[error("price {price} is not a multiple of the tick size {tick} of {instrument}")]
    OffTick { instrument: InstrumentId, price: Price, tick: Price },
    #[error("quantity {quantity} is not a multiple of the lot size {lot} of {instrument}")]
    OffLot { instrument: InstrumentId, quantity: Quantity, lot: Quantity },
    #[error("quantity {quantity} is below the minimum {min} of {instrument}")]
    BelowMinQuantity { instrument: InstrumentId, quantity: Quantity, min: Quantity },
    #[error("quantity {quantity} is above the maximum {max} of {instrument}")]
    AboveMaxQuantity { instrument: InstrumentId, quantity: Quantity, max: Quantity },
    #[error("notional {notional} is below the minimum {min} of {instrument}")]
    BelowMinNotional { instrument: InstrumentId, notional: Money, min: Money },
    #[error("instrument {instrument}: field {field}: {reason}")]
    Invalid { instrument: InstrumentId, field: &'static str, reason: String },
    #[error(transparent)]
    Fixed(#[from] FixedError),
}

/// Tick and lot grid, limits, fees and margin of one instrument.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Instrument {
    pub id: InstrumentId,
    pub price_precision: u8,
    pub size_precision: u8,
    pub tick_size: Price,
    pub lot_size: Quantity,
    pub min_quantity: Option<Quantity>,
    pub max_quantity: Option<Quantity>,
    pub min_notional: Option<Money>,
    pub maker_fee: Ratio,
    pub taker_fee: Ratio,
    pub margin_init: Ratio,
    pub margin_maint: Ratio,
    /// Contract size: notional = price * quantity * multiplier.
    pub multiplier: Ratio,
    /// The asset bought, for spot instruments; `None` for derivatives.
    pub base_currency: Option<Currency>,
    pub quote_currency: Currency,
}

impl Instrument {
    /// A spot pair with the usual defaults: no limits, no fees, full margin.
    pub fn spot(
        id: InstrumentId,
        base: Currency,
        quote: Currency,
        tick_size: Price,
        lot_size: Quantity,
    ) -> Self {
        Self {
            id,
            price_precision: tick_size.precision(),
            size_precision: lot_size.precision(),
            tick_size,
            lot_size,
            min_quantity: None,
            max_quantity: None,
            min_notional: None,
            maker_fee: Ratio::ZERO,
            taker_fee: Ratio::ZERO,
            margin_init: Ratio::ONE,
            margin_maint: Ratio::ONE,
            multiplier: Ratio::ONE,
            base_currency: Some(base),
            quote_currency: quote,
        }
    }

    /// Checks the specification itself is coherent.
    pub fn validate(&self) -> Result<(), InstrumentError> {
        let invalid = |field, reason: &str| InstrumentError::Invalid {
            instrument: self.id,
            field,
            reason: reason.to_owned(),
        };
        if self.tick_size.raw() <= 0 {
            return Err(invalid("tick_size", "must be positive"));
        }
        if self.lot_size.is_zero() {
            return Err(invalid("lot_size", "must be positive"));
        }
        if self.tick_size.precision() > self.price_precision {
            return Err(invalid("tick_size", "has more decimals than price_precision"));
        }
        if self.lot_size.precision() > self.size_precision {
            return Err(invalid("lot_size", "has more decimals than size_precision"));
        }
        if self.multiplier.raw() <= 0 {
            return Err(invalid("multiplier", "must be positive"));
        }
        if self.margin_init.raw() < 0 || self.margin_maint.raw() < 0 {
            return Err(invalid("margin_init", "must not be negative"));
        }
        if let (Some(min), Some(max)) = (self.min_quantity, self.max_quantity) {
            if min > max {
                return Err(invalid("min_quantity", "is above max_quantity"));
            }
        }
        if let Some(min) = self.min_notional {
            if min.currency != self.quote_currency {
                return Err(invalid("min_notional", "must be in the quote currency"));
            }
        }
        Ok(())
    }

    /// The price is on the tick grid.
    pub fn check_price(&self, price: Price) -> Result<(), InstrumentError> {
        if price.raw() % self.tick_size.raw() != 0 {
            return Err(InstrumentError::OffTick {
                instrument: self.id,
                price,
                tick: self.tick_size,
            });
        }
        Ok(())
    }

    /// The quantity is on the lot grid and within the limits.
    pub fn check_quantity(&self, quantity: Quantity) -> Result<(), InstrumentError> {
        if !quantity.raw().is_multiple_of(self.lot_size.raw()) {
            return Err(InstrumentError::OffLot {
                instrument: self.id,
                quantity,
                lot: self.lot_size,
            });
        }
        if let Some(min) = self.min_quantity {
            if quantity < min {
                return Err(InstrumentError::BelowMinQuantity {
                    instrument: self.id,
                    quantity,
                    min,
                });
            }
        }
        if let Some(max) = self.max_quantity {
            if quantity > max {
                return Err(InstrumentError::AboveMaxQuantity {
                    instrument: self.id,
                    quantity,
                    max,
                });
            }
        }
        Ok(())
    }

    /// The notional is at least the instrument's minimum.
    pub fn check_notional(&self, price: Price, quantity: Quantity) -> Result<(), InstrumentError> {
        if let Some(min) = self.min_notional {
            let notional = self.notional(price, quantity)?;
            if notional.amount < min.amount {
                return Err(InstrumentError::BelowMinNotional {
                    instrument: self.id,
                    notional,
                    min,
                });
            }
        }
        Ok(())
    }

    /// `price * quantity * multiplier` in the quote currency.
    pub fn notional(&self, price: Price, quantity: Quantity) -> Result<Money, FixedError> {
        Ok(Money::from_raw(notional_raw(price, quantity, self.multiplier)?, self.quote_currency))
    }

    /// The fee on a fill, in the quote currency (negative for a rebate).
    pub fn fee(&self, price: Price, quantity: Quantity, maker: bool) -> Result<Money, FixedError> {
        let rate = if maker { self.maker_fee } else { self.taker_fee };
        let notional = notional_raw(price, quantity, self.multiplier)?;
        Ok(Money::from_raw(apply_ratio(notional.abs(), rate)?, self.quote_currency))
    }

    /// A price of this instrument from an integer number of ticks' precision steps.
    pub fn price(&self, mantissa: i64) -> Result<Price, FixedError> {
        Price::from_mantissa(mantissa, self.price_precision)
    }

    pub fn quantity(&self, mantissa: u64) -> Result<Quantity, FixedError> {
        Quantity::from_mantissa(mantissa, self.size_precision)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub fn btcusdt() -> Instrument {
        let mut i = Instrument::spot(
            InstrumentId::from_static("BTCUSDT.SIM"),
            Currency::from_static("BTC"),
            Currency::from_static("USDT"),
            "0.01".parse().unwrap(),
            "0.00001".parse().unwrap(),
        );
        i.min_notional = Some(Money::parse("5", i.quote_currency).unwrap());
        i.taker_fee = "0.001".parse().unwrap();
        i.maker_fee = "0.0002".parse().unwrap();
        i
    }

    #[test]
    fn grid_checks_name_the_problem() {
        let i = btcusdt();
        i.validate().unwrap();
        assert!(i.check_price("100.01".parse().unwrap()).is_ok());
        let err = i.check_price("100.015".parse().unwrap()).unwrap_err();
        assert!(err.to_string().contains("tick size"), "{err}");
        assert!(matches!(
            i.check_quantity("0.000015".parse().unwrap()),
            Err(InstrumentError::OffLot { .. })
        ));
        assert!(matches!(
            i.check_notional("100".parse().unwrap(), "0.01".parse().unwrap()),
            Err(InstrumentError::BelowMinNotional { .. })
        ));
    }

    #[test]
    fn fees_follow_the_rate() {
        let i = btcusdt();
        let fee = i.fee("50000".parse().unwrap(), "0.1".parse().unwrap(), false).unwrap();
        assert_eq!(fee.to_string(), "5.00 USDT");
    }

    #[test]
    fn incoherent_specs_are_refused() {
        let mut i = btcusdt();
        i.tick_size = Price::from_mantissa(0, 2).unwrap();
        assert!(i.validate().is_err());
    }
}
