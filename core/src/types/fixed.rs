//! Fixed-point numbers for money. Every value is an integer count of 10^-9 units plus the
//! number of decimals it is shown and validated with. Arithmetic is checked: an overflow is an
//! error, never a wrap. Floats appear only in `as_f64`, for statistics and display.

use super::identifiers::Currency;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt::{self, Write as _};
use std::str::FromStr;

/// Decimals carried by every raw value.
pub const FIXED_PRECISION: u8 = 9;
/// `10^FIXED_PRECISION`: raw units per whole unit.
pub const FIXED_SCALE: i64 = 1_000_000_000;

const POW10: [i64; 10] =
    [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FixedError {
    #[error("{what} overflows the fixed-point range")]
    Overflow { what: &'static str },
    #[error("precision {0} is above the maximum of 9 decimals")]
    InvalidPrecision(u8),
    #[error("cannot parse {input:?} as a decimal number: {reason}")]
    Parse { input: String, reason: &'static str },
    #[error("{what} must not be negative, got {value}")]
    Negative { what: &'static str, value: String },
    #[error("{value} has more than {precision} decimals")]
    PrecisionLoss { value: String, precision: u8 },
    #[error("currency mismatch: {left} vs {right}")]
    CurrencyMismatch { left: Currency, right: Currency },
}

/// Units of 10^-9 per step of the given precision.
#[inline]
fn step(precision: u8) -> i64 {
    POW10[(FIXED_PRECISION - precision) as usize]
}

/// A test of "is a whole number of `precision` steps" without a division (a 64-bit `%` is the
/// costliest step of turning a column of raw values into prices). With `step = 10^k =
/// 2^k * 5^k`, `n` is a multiple of it exactly when `(n * inv(5^k)).rotate_right(k)` is at most
/// `u64::MAX / step`, where `inv` is the inverse modulo 2^64 (Granlund and Montgomery; what
/// compilers emit for `n % CONSTANT == 0`).
#[derive(Clone, Copy)]
struct StepTest {
    inverse: u64,
    shift: u32,
    limit: u64,
}

/// The inverse of an odd number modulo 2^64, by Newton's iteration (each step doubles the
/// correct low bits; `odd * odd == 1 mod 8` gives the first three).
const fn inverse_mod_2_64(odd: u64) -> u64 {
    let mut x = odd;
    let mut i = 0;
    while i < 5 {
        x = x.wrapping_mul(2u64.wrapping_sub(odd.wrapping_mul(x)));
        i += 1;
    }
    x
}

const STEP_TESTS: [StepTest; 10] = {
    let mut tests = [StepTest { inverse: 1, shift: 0, limit: u64::MAX }; 10];
    let mut precision = 0;
    while precision <= FIXED_PRECISION as usize {
        let k = FIXED_PRECISION as usize - precision;
        let five_k = 5u64.pow(k as u32);
        tests[precision] = StepTest {
            inverse: inverse_mod_2_64(five_k),
            shift: k as u32,
            limit: u64::MAX / POW10[k] as u64,
        };
        precision += 1;
    }
    tests
};

/// True when `abs` raw units are a whole number of `precision` steps (`precision <= 9`).
#[inline]
fn whole_steps(abs: u64, precision: u8) -> bool {
    let t = STEP_TESTS[precision as usize];
    abs.wrapping_mul(t.inverse).rotate_right(t.shift) <= t.limit
}

fn check_precision(precision: u8) -> Result<(), FixedError> {
    if precision > FIXED_PRECISION {
        Err(FixedError::InvalidPrecision(precision))
    } else {
        Ok(())
    }
}

/// Parses decimal text (`-12.340`, `1e-3`, `5`) into raw 10^-9 units and the precision the
/// text showed. Exponent notation is accepted because Python's `Decimal` prints tiny values so.
pub(crate) fn parse_decimal(input: &str) -> Result<(i128, u8), FixedError> {
    let err = |reason| FixedError::Parse { input: input.to_owned(), reason };
    let text = input.trim();
    let (mantissa_text, exponent) = match text.find(['e', 'E']) {
        Some(at) => {
            let exp: i32 = text[at + 1..].parse().map_err(|_| err("bad exponent"))?;
            (&text[..at], exp)
        }
        None => (text, 0),
    };
    let (negative, digits) = match mantissa_text.as_bytes().first() {
        Some(b'-') => (true, &mantissa_text[1..]),
        Some(b'+') => (false, &mantissa_text[1..]),
        Some(_) => (false, mantissa_text),
        None => return Err(err("empty")),
    };
    let (int_part, frac_part) = digits.split_once('.').unwrap_or((digits, ""));
    if int_part.is_empty() && frac_part.is_empty() {
        return Err(err("no digits"));
    }
    if !int_part.bytes().chain(frac_part.bytes()).all(|b| b.is_ascii_digit()) {
        return Err(err("not a digit"));
    }
    // value = digits * 10^(exponent - frac_len)
    let mut mantissa: i128 = 0;
    for b in int_part.bytes().chain(frac_part.bytes()) {
        mantissa = mantissa
            .checked_mul(10)
            .and_then(|m| m.checked_add(i128::from(b - b'0')))
            .ok_or(FixedError::Overflow { what: "decimal" })?;
    }
    let decimals = i32::try_from(frac_part.len())
        .ok()
        .and_then(|len| len.checked_sub(exponent))
        .ok_or(FixedError::Overflow { what: "decimal" })?;
    let precision = u8::try_from(decimals.max(0)).map_err(|_| err("too many decimals"))?;
    if precision > FIXED_PRECISION {
        // Trailing zeros beyond 9 decimals lose nothing; anything else does.
        let excess = u32::from(precision - FIXED_PRECISION);
        let divisor = 10_i128.checked_pow(excess).ok_or_else(|| err("too many decimals"))?;
        if mantissa % divisor != 0 {
            return Err(FixedError::PrecisionLoss { value: input.to_owned(), precision: 9 });
        }
        let raw = mantissa / divisor;
        return Ok((if negative { -raw } else { raw }, FIXED_PRECISION));
    }
    let scale_up = i32::from(FIXED_PRECISION)
        .checked_sub(decimals)
        .and_then(|d| u32::try_from(d).ok())
        .ok_or(FixedError::Overflow { what: "decimal" })?;
    let raw = 10_i128
        .checked_pow(scale_up)
        .and_then(|m| mantissa.checked_mul(m))
        .ok_or(FixedError::Overflow { what: "decimal" })?;
    Ok((if negative { -raw } else { raw }, precision))
}

/// Writes `raw` 10^-9 units with exactly `precision` decimals.
fn write_decimal(out: &mut impl fmt::Write, raw: i128, precision: u8) -> fmt::Result {
    let sign = if raw < 0 { "-" } else { "" };
    let abs = raw.unsigned_abs();
    let scale = FIXED_SCALE as u128;
    let whole = abs / scale;
    if precision == 0 {
        return write!(out, "{sign}{whole}");
    }
    let frac = (abs % scale) / (step(precision) as u128);
    write!(out, "{sign}{whole}.{frac:0width$}", width = precision as usize)
}

fn decimal_string(raw: i128, precision: u8) -> String {
    let mut s = String::with_capacity(24);
    let _ = write_decimal(&mut s, raw, precision);
    s
}

/// Precision needed to show `raw` without loss (trailing zeros dropped).
fn natural_precision(raw: i128) -> u8 {
    let mut p = FIXED_PRECISION;
    let mut r = raw;
    while p > 0 && r % 10 == 0 {
        r /= 10;
        p -= 1;
    }
    p
}

macro_rules! decimal_serde {
    ($name:ident) => {
        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(D::Error::custom)
            }
        }
    };
}

// ---------------------------------------------------------------------------------------------

/// A price: may be negative (spreads, some futures). Shown with `precision` decimals.
/// Equal values are equal whatever their display precision (`1.0 == 1.00`), as ordering says.
#[derive(Clone, Copy, Debug, Default)]
pub struct Price {
    raw: i64,
    precision: u8,
}

impl Price {
    /// From raw 10^-9 units; the raw value must be a whole number of `precision` steps.
    pub fn from_raw(raw: i64, precision: u8) -> Result<Self, FixedError> {
        check_precision(precision)?;
        if !whole_steps(raw.unsigned_abs(), precision) {
            return Err(FixedError::PrecisionLoss {
                value: decimal_string(i128::from(raw), FIXED_PRECISION),
                precision,
            });
        }
        Ok(Self { raw, precision })
    }

    /// From an integer count of `precision` steps: `from_mantissa(12345, 2)` is 123.45.
    pub fn from_mantissa(mantissa: i64, precision: u8) -> Result<Self, FixedError> {
        check_precision(precision)?;
        let raw =
            mantissa.checked_mul(step(precision)).ok_or(FixedError::Overflow { what: "price" })?;
        Ok(Self { raw, precision })
    }

    /// Parses decimal text, keeping at least `precision` decimals and refusing more.
    pub fn parse_with_precision(text: &str, precision: u8) -> Result<Self, FixedError> {
        check_precision(precision)?;
        let (raw, shown) = parse_decimal(text)?;
        let raw = i64::try_from(raw).map_err(|_| FixedError::Overflow { what: "price" })?;
        if shown > precision && raw % step(precision) != 0 {
            return Err(FixedError::PrecisionLoss { value: text.to_owned(), precision });
        }
        Ok(Self { raw, precision })
    }

    #[inline]
    pub const fn raw(self) -> i64 {
        self.raw
    }
    #[inline]
    pub const fn precision(self) -> u8 {
        self.precision
    }
    /// The integer count of `precision` steps.
    #[inline]
    pub fn mantissa(self) -> i64 {
        self.raw / step(self.precision)
    }
    /// For statistics and display only, never for money arithmetic.
    #[inline]
    pub fn as_f64(self) -> f64 {
        self.raw as f64 / FIXED_SCALE as f64
    }

    pub fn checked_add(self, other: Self) -> Result<Self, FixedError> {
        let raw = self.raw.checked_add(other.raw).ok_or(FixedError::Overflow { what: "price" })?;
        Ok(Self { raw, precision: self.precision.max(other.precision) })
    }

    pub fn checked_sub(self, other: Self) -> Result<Self, FixedError> {
        let raw = self.raw.checked_sub(other.raw).ok_or(FixedError::Overflow { what: "price" })?;
        Ok(Self { raw, precision: self.precision.max(other.precision) })
    }

    /// Moves the price by `ticks` steps of `tick` (negative moves down).
    pub fn offset_ticks(self, tick: Self, ticks: i64) -> Result<Self, FixedError> {
        let delta = tick.raw.checked_mul(ticks).ok_or(FixedError::Overflow { what: "price" })?;
        let raw = self.raw.checked_add(delta).ok_or(FixedError::Overflow { what: "price" })?;
        Ok(Self { raw, precision: self.precision.max(tick.precision) })
    }
}

impl PartialEq for Price {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}
impl Eq for Price {}
impl std::hash::Hash for Price {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw.hash(state);
    }
}

impl PartialOrd for Price {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Price {
    fn cmp(&self, other: &Self) -> Ordering {
        self.raw.cmp(&other.raw)
    }
}

impl fmt::Display for Price {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_decimal(f, i128::from(self.raw), self.precision)
    }
}

impl FromStr for Price {
    type Err = FixedError;
    fn from_str(text: &str) -> Result<Self, FixedError> {
        let (raw, precision) = parse_decimal(text)?;
        let raw = i64::try_from(raw).map_err(|_| FixedError::Overflow { what: "price" })?;
        Ok(Self { raw, precision })
    }
}

decimal_serde!(Price);

// ---------------------------------------------------------------------------------------------

/// A non-negative quantity (order size, book level size). Shown with `precision` decimals.
/// Equal values are equal whatever their display precision, as ordering says.
#[derive(Clone, Copy, Debug, Default)]
pub struct Quantity {
    raw: u64,
    precision: u8,
}

impl Quantity {
    pub const fn zero(precision: u8) -> Self {
        Self { raw: 0, precision }
    }

    pub fn from_raw(raw: u64, precision: u8) -> Result<Self, FixedError> {
        check_precision(precision)?;
        if !whole_steps(raw, precision) {
            return Err(FixedError::PrecisionLoss {
                value: decimal_string(i128::from(raw), FIXED_PRECISION),
                precision,
            });
        }
        Ok(Self { raw, precision })
    }

    pub fn from_mantissa(mantissa: u64, precision: u8) -> Result<Self, FixedError> {
        check_precision(precision)?;
        let raw = mantissa
            .checked_mul(step(precision) as u64)
            .ok_or(FixedError::Overflow { what: "quantity" })?;
        Ok(Self { raw, precision })
    }

    pub fn parse_with_precision(text: &str, precision: u8) -> Result<Self, FixedError> {
        check_precision(precision)?;
        let q: Self = text.parse()?;
        if q.precision > precision && !q.raw.is_multiple_of(step(precision) as u64) {
            return Err(FixedError::PrecisionLoss { value: text.to_owned(), precision });
        }
        Ok(Self { raw: q.raw, precision })
    }

    #[inline]
    pub const fn raw(self) -> u64 {
        self.raw
    }
    #[inline]
    pub const fn precision(self) -> u8 {
        self.precision
    }
    #[inline]
    pub const fn is_zero(self) -> bool {
        self.raw == 0
    }
    #[inline]
    pub fn mantissa(self) -> u64 {
        self.raw / step(self.precision) as u64
    }
    #[inline]
    pub fn as_f64(self) -> f64 {
        self.raw as f64 / FIXED_SCALE as f64
    }

    pub fn checked_add(self, other: Self) -> Result<Self, FixedError> {
        let raw =
            self.raw.checked_add(other.raw).ok_or(FixedError::Overflow { what: "quantity" })?;
        Ok(Self { raw, precision: self.precision.max(other.precision) })
    }

    /// Subtraction that refuses to go below zero.
    pub fn checked_sub(self, other: Self) -> Result<Self, FixedError> {
        let raw = self.raw.checked_sub(other.raw).ok_or_else(|| FixedError::Negative {
            what: "quantity",
            value: format!("{self} - {other}"),
        })?;
        Ok(Self { raw, precision: self.precision.max(other.precision) })
    }

    /// Subtraction that stops at zero.
    #[must_use]
    pub fn saturating_sub(self, other: Self) -> Self {
        Self {
            raw: self.raw.saturating_sub(other.raw),
            precision: self.precision.max(other.precision),
        }
    }

    #[must_use]
    pub fn min(self, other: Self) -> Self {
        if other.raw < self.raw {
            other
        } else {
            self
        }
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.raw == other.raw
    }
}
impl Eq for Quantity {}
impl std::hash::Hash for Quantity {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.raw.hash(state);
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.raw.cmp(&other.raw)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_decimal(f, i128::from(self.raw), self.precision)
    }
}

impl FromStr for Quantity {
    type Err = FixedError;
    fn from_str(text: &str) -> Result<Self, FixedError> {
        let (raw, precision) = parse_decimal(text)?;
        if raw < 0 {
            return Err(FixedError::Negative { what: "quantity", value: text.trim().to_owned() });
        }
        let raw = u64::try_from(raw).map_err(|_| FixedError::Overflow { what: "quantity" })?;
        Ok(Self { raw, precision })
    }
}

decimal_serde!(Quantity);

// ---------------------------------------------------------------------------------------------

/// A dimensionless fixed-point factor: fee rates, margin rates, multipliers. May be negative
/// (a maker rebate).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ratio {
    raw: i64,
}

impl Ratio {
    pub const ZERO: Self = Self { raw: 0 };
    pub const ONE: Self = Self { raw: FIXED_SCALE };

    pub const fn from_raw(raw: i64) -> Self {
        Self { raw }
    }
    #[inline]
    pub const fn raw(self) -> i64 {
        self.raw
    }
    pub fn as_f64(self) -> f64 {
        self.raw as f64 / FIXED_SCALE as f64
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_decimal(f, i128::from(self.raw), natural_precision(i128::from(self.raw)))
    }
}

impl FromStr for Ratio {
    type Err = FixedError;
    fn from_str(text: &str) -> Result<Self, FixedError> {
        let (raw, _) = parse_decimal(text)?;
        let raw = i64::try_from(raw).map_err(|_| FixedError::Overflow { what: "ratio" })?;
        Ok(Self { raw })
    }
}

decimal_serde!(Ratio);

// ---------------------------------------------------------------------------------------------

/// An amount of one currency, in 10^-9 units with 128 bits so balances and `PnL` sums of any
/// realistic account cannot overflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    #[serde(with = "money_amount")]
    pub amount: i128,
    pub currency: Currency,
}

mod money_amount {
    use super::{decimal_string, natural_precision, parse_decimal};
    use serde::de::Error as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(raw: &i128, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&decimal_string(*raw, natural_precision(*raw)))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i128, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        parse_decimal(&text).map(|(raw, _)| raw).map_err(D::Error::custom)
    }
}

impl Money {
    pub const fn zero(currency: Currency) -> Self {
        Self { amount: 0, currency }
    }

    pub const fn from_raw(amount: i128, currency: Currency) -> Self {
        Self { amount, currency }
    }

    pub fn parse(text: &str, currency: Currency) -> Result<Self, FixedError> {
        let (amount, _) = parse_decimal(text)?;
        Ok(Self { amount, currency })
    }

    pub fn as_f64(self) -> f64 {
        self.amount as f64 / FIXED_SCALE as f64
    }

    pub fn checked_add(self, other: Self) -> Result<Self, FixedError> {
        self.same_currency(other)?;
        let amount =
            self.amount.checked_add(other.amount).ok_or(FixedError::Overflow { what: "money" })?;
        Ok(Self { amount, currency: self.currency })
    }

    pub fn checked_sub(self, other: Self) -> Result<Self, FixedError> {
        self.same_currency(other)?;
        let amount =
            self.amount.checked_sub(other.amount).ok_or(FixedError::Overflow { what: "money" })?;
        Ok(Self { amount, currency: self.currency })
    }

    fn same_currency(self, other: Self) -> Result<(), FixedError> {
        if self.currency == other.currency {
            Ok(())
        } else {
            Err(FixedError::CurrencyMismatch { left: self.currency, right: other.currency })
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_decimal(f, self.amount, natural_precision(self.amount).max(2))?;
        f.write_char(' ')?;
        f.write_str(self.currency.as_str())
    }
}

/// `price * quantity * multiplier` in raw 10^-9 units of the quote currency, rounded toward
/// zero at the last unit.
pub fn notional_raw(
    price: Price,
    quantity: Quantity,
    multiplier: Ratio,
) -> Result<i128, FixedError> {
    let scale = i128::from(FIXED_SCALE);
    let pq = i128::from(price.raw())
        .checked_mul(i128::from(quantity.raw()))
        .ok_or(FixedError::Overflow { what: "notional" })?
        / scale;
    if multiplier == Ratio::ONE {
        return Ok(pq);
    }
    pq.checked_mul(i128::from(multiplier.raw()))
        .map(|v| v / scale)
        .ok_or(FixedError::Overflow { what: "notional" })
}

/// `amount * rate` in raw units, rounded toward zero.
pub fn apply_ratio(amount: i128, rate: Ratio) -> Result<i128, FixedError> {
    amount
        .checked_mul(i128::from(rate.raw()))
        .map(|v| v / i128::from(FIXED_SCALE))
        .ok_or(FixedError::Overflow { what: "money" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parse_and_display_keep_precision() {
        let p: Price = "65000.10".parse().unwrap();
        assert_eq!(p.precision(), 2);
        assert_eq!(p.raw(), 65_000_100_000_000);
        assert_eq!(p.to_string(), "65000.10");
        assert_eq!(p.mantissa(), 6_500_010);
        let n: Price = "-0.5".parse().unwrap();
        assert_eq!(n.to_string(), "-0.5");
        let e: Price = "1E-7".parse().unwrap();
        assert_eq!(e.to_string(), "0.0000001");
    }

    #[test]
    fn quantity_refuses_negative_and_overflow() {
        assert!(matches!("-1".parse::<Quantity>(), Err(FixedError::Negative { .. })));
        assert!(matches!(
            "99999999999999999999".parse::<Quantity>(),
            Err(FixedError::Overflow { .. })
        ));
        let a = Quantity::from_mantissa(1, 0).unwrap();
        let b = Quantity::from_mantissa(2, 0).unwrap();
        assert!(a.checked_sub(b).is_err());
        assert!(Quantity::from_raw(u64::MAX - 5, 9).unwrap().checked_add(b).is_err());
    }

    #[test]
    fn price_overflow_is_an_error() {
        let big = Price::from_raw(i64::MAX - 1, 9).unwrap();
        assert!(big.checked_add(Price::from_mantissa(1, 0).unwrap()).is_err());
        assert!(Price::from_mantissa(i64::MAX / 10, 0).is_err());
    }

    #[test]
    fn too_many_decimals_is_refused_unless_trailing_zeros() {
        assert!(matches!(
            Price::parse_with_precision("1.234", 2),
            Err(FixedError::PrecisionLoss { .. })
        ));
        assert_eq!(Price::parse_with_precision("1.2300", 2).unwrap().to_string(), "1.23");
        assert_eq!(Price::parse_with_precision("1", 2).unwrap().to_string(), "1.00");
        assert!(matches!("0.0000000001".parse::<Price>(), Err(FixedError::PrecisionLoss { .. })));
        assert_eq!("1.0000000000".parse::<Price>().unwrap().raw(), FIXED_SCALE);
    }

    #[test]
    fn equality_ignores_display_precision() {
        let a: Price = "1.0".parse().unwrap();
        let b: Price = "1.00".parse().unwrap();
        assert_eq!(a, b);
        assert_eq!(a.cmp(&b), Ordering::Equal);
        let set: std::collections::HashSet<Price> = [a, b].into_iter().collect();
        assert_eq!(set.len(), 1);
    }

    #[test]
    fn huge_exponents_are_errors() {
        assert!("1e2147483647".parse::<Price>().is_err());
        assert!("1e-2147483648".parse::<Price>().is_err());
        assert!("1.5e-2147483647".parse::<Price>().is_err());
    }

    #[test]
    fn garbage_is_a_parse_error() {
        for bad in ["", "-", "1.2.3", "abc", "1e", "--1", " . "] {
            assert!(matches!(bad.parse::<Price>(), Err(FixedError::Parse { .. })), "{bad}");
        }
    }

    #[test]
    fn notional_and_fee() {
        let p: Price = "100.5".parse().unwrap();
        let q: Quantity = "2".parse().unwrap();
        let n = notional_raw(p, q, Ratio::ONE).unwrap();
        assert_eq!(n, 201 * i128::from(FIXED_SCALE));
        let fee = apply_ratio(n, "0.001".parse().unwrap()).unwrap();
        assert_eq!(fee, 201_000_000);
    }

    #[test]
    fn money_display_and_mismatch() {
        let usd = Currency::from_static("USD");
        let m = Money::parse("12.5", usd).unwrap();
        assert_eq!(m.to_string(), "12.50 USD");
        assert!(m.checked_add(Money::zero(Currency::from_static("EUR"))).is_err());
    }

    #[test]
    fn whole_steps_at_the_edges() {
        for precision in 0..=FIXED_PRECISION {
            let s = step(precision) as u64;
            for raw in [0, s, 2 * s, s - 1, s + 1, u64::MAX, u64::MAX - u64::MAX % s, 1 << 63] {
                assert_eq!(whole_steps(raw, precision), raw % s == 0, "{raw} at {precision}");
            }
        }
        assert!(Price::from_raw(i64::MIN, 9).is_ok());
        assert!(Price::from_raw(-1_000_000_000, 0).is_ok());
        assert!(Price::from_raw(-1_000_000_001, 0).is_err());
    }

    proptest! {
        #[test]
        fn whole_steps_agrees_with_the_remainder(raw in any::<u64>(), precision in 0u8..=9) {
            prop_assert_eq!(whole_steps(raw, precision), raw % step(precision) as u64 == 0);
        }

        #[test]
        fn whole_steps_on_multiples(m in any::<u64>(), precision in 0u8..=9) {
            let raw = m.wrapping_mul(step(precision) as u64);
            if raw / step(precision) as u64 == m {
                prop_assert!(whole_steps(raw, precision));
            }
        }

        #[test]
        fn price_text_round_trips(m in -1_000_000_000_000i64..1_000_000_000_000, p in 0u8..=9) {
            if let Ok(price) = Price::from_mantissa(m, p) {
                let back: Price = price.to_string().parse().unwrap();
                prop_assert_eq!(back, price);
                prop_assert_eq!(back.precision(), p);
            }
        }

        #[test]
        fn quantity_add_sub_inverse(a in 0u64..u64::MAX / 4, b in 0u64..u64::MAX / 4) {
            let qa = Quantity::from_raw(a, 9).unwrap();
            let qb = Quantity::from_raw(b, 9).unwrap();
            prop_assert_eq!(qa.checked_add(qb).unwrap().checked_sub(qb).unwrap(), qa);
        }
    }
}
