//! Small closed vocabularies. The wire form is SCREAMING_SNAKE_CASE text.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* #[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            /// Parses the wire text; `None` for anything else.
            pub fn parse(text: &str) -> Option<Self> {
                match text { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_enum!(
    /// Which side an order or a book level is on.
    OrderSide { Buy => "BUY", Sell => "SELL" }
);

impl OrderSide {
    #[must_use]
    pub const fn opposite(self) -> Self {
        match self {
            Self::Buy => Self::Sell,
            Self::Sell => Self::Buy,
        }
    }

    /// +1 for a buy, -1 for a sell: the sign a fill gives the position.
    pub const fn sign(self) -> i64 {
        match self {
            Self::Buy => 1,
            Self::Sell => -1,
        }
    }
}

wire_enum!(
    OrderType {
        Market => "MARKET",
        Limit => "LIMIT",
        StopMarket => "STOP_MARKET",
        StopLimit => "STOP_LIMIT",
    }
);

impl OrderType {
    pub const fn has_price(self) -> bool {
        matches!(self, Self::Limit | Self::StopLimit)
    }

    pub const fn has_trigger(self) -> bool {
        matches!(self, Self::StopMarket | Self::StopLimit)
    }
}

wire_enum!(
    TimeInForce {
        /// Good till canceled.
        Gtc => "GTC",
        /// Immediate or cancel: what cannot fill at once is canceled.
        Ioc => "IOC",
        /// Fill or kill: fills whole at once, or not at all.
        Fok => "FOK",
        /// Good till a date: expires at `expire_time`.
        Gtd => "GTD",
        /// Expires at the end of the UTC day it was accepted on.
        Day => "DAY",
    }
);

wire_enum!(
    OrderStatus {
        Initialized => "INITIALIZED",
        Denied => "DENIED",
        Submitted => "SUBMITTED",
        Accepted => "ACCEPTED",
        Rejected => "REJECTED",
        Canceled => "CANCELED",
        Expired => "EXPIRED",
        Triggered => "TRIGGERED",
        PendingUpdate => "PENDING_UPDATE",
        PendingCancel => "PENDING_CANCEL",
        PartiallyFilled => "PARTIALLY_FILLED",
        Filled => "FILLED",
    }
);

impl OrderStatus {
    /// A terminal status absorbs every later event.
    pub const fn is_terminal(self) -> bool {
        matches!(
            self,
            Self::Denied | Self::Rejected | Self::Canceled | Self::Expired | Self::Filled
        )
    }

    /// Working at the venue: can still fill.
    pub const fn is_open(self) -> bool {
        matches!(
            self,
            Self::Accepted
                | Self::Triggered
                | Self::PendingUpdate
                | Self::PendingCancel
                | Self::PartiallyFilled
        )
    }

    /// Sent but not yet acknowledged by the venue.
    pub const fn is_in_flight(self) -> bool {
        matches!(self, Self::Submitted)
    }
}

wire_enum!(
    /// Which side took liquidity in a market trade.
    AggressorSide { Buyer => "BUYER", Seller => "SELLER", NoAggressor => "NO_AGGRESSOR" }
);

wire_enum!(
    BookAction { Add => "ADD", Update => "UPDATE", Delete => "DELETE", Clear => "CLEAR" }
);

wire_enum!(
    PositionSide { Flat => "FLAT", Long => "LONG", Short => "SHORT" }
);

wire_enum!(
    LiquiditySide { Maker => "MAKER", Taker => "TAKER" }
);

wire_enum!(
    /// What the risk engine lets through.
    TradingState {
        /// Everything that passes the checks.
        Active => "ACTIVE",
        /// Only orders that reduce exposure; cancels always.
        Reducing => "REDUCING",
        /// No new orders or modifications; cancels always.
        Halted => "HALTED",
    }
);

wire_enum!(
    /// How an account is funded.
    AccountType {
        /// Spot: buys need the quote currency, sells the base asset.
        Cash => "CASH",
        /// Derivatives: positions need initial margin out of equity.
        Margin => "MARGIN",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_text_round_trips() {
        for s in OrderStatus::ALL {
            assert_eq!(OrderStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(TimeInForce::parse("FOK"), Some(TimeInForce::Fok));
        assert_eq!(OrderType::parse("limit"), None);
    }

    #[test]
    fn terminal_statuses_are_not_open() {
        for s in OrderStatus::ALL {
            assert!(!(s.is_terminal() && s.is_open()), "{s}");
        }
    }
}
