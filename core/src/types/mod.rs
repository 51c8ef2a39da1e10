//! Value types shared by every engine module: fixed-point numbers, identifiers, enums,
//! time and instrument specifications.

mod enums;
mod fixed;
mod identifiers;
mod inline_str;
mod instrument;
mod time;

pub use enums::{
    AccountType, AggressorSide, BookAction, LiquiditySide, OrderSide, OrderStatus, OrderType,
    PositionSide, TimeInForce, TradingState,
};
pub use fixed::{FixedError, Money, Price, Quantity, Ratio, FIXED_PRECISION, FIXED_SCALE};
pub use identifiers::{
    AccountId, BarType, ClientOrderId, Currency, IdHasher, IdMap, IdentifierError, InstrumentId,
    PositionId, StrategyId, TradeId, Venue, VenueOrderId, INLINE_ID_CAPACITY,
};
pub use instrument::{Instrument, InstrumentError};
pub use time::UnixNanos;
