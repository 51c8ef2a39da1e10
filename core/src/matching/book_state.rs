//! The venue's own view of one instrument's market: price levels per side, best first, in raw
//! 10^-9 units. In L1 mode each side holds at most the top level from the last quote; in L2
//! mode the levels come from snapshots and deltas.
//!
//! Liquidity the venue's simulated orders take is removed from this view, so two orders cannot
//! take the same volume. It stays removed until market data sets that level again: a delta for
//! that price, the next snapshot, or (L1) the next quote.

use crate::types::OrderSide;

/// One price level.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Level {
    pub price: i64,
    pub size: u64,
}

/// Bids (highest first) and asks (lowest first).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub(crate) struct Depth {
    pub bids: Vec<Level>,
    pub asks: Vec<Level>,
}

/// True when `a` is a better price than `b` for orders on `side`.
#[inline]
pub(crate) fn better(side: OrderSide, a: i64, b: i64) -> bool {
    match side {
        OrderSide::Buy => a > b,
        OrderSide::Sell => a < b,
    }
}

/// True when a taker on `taker_side` with `limit` (`None`: any price) reaches `level_price`.
#[inline]
pub(crate) fn reaches(taker_side: OrderSide, level_price: i64, limit: Option<i64>) -> bool {
    match (taker_side, limit) {
        (_, None) => true,
        (OrderSide::Buy, Some(l)) => level_price <= l,
        (OrderSide::Sell, Some(l)) => level_price >= l,
    }
}

#[inline]
fn set_single(levels: &mut Vec<Level>, price: i64, size: u64) {
    if size == 0 {
        levels.clear();
    } else if let [only] = levels.as_mut_slice() {
        *only = Level { price, size };
    } else {
        levels.clear();
        levels.push(Level { price, size });
    }
}

impl Depth {
    /// The levels of one side of the book (`Buy`: bids).
    #[inline]
    pub fn side(&self, side: OrderSide) -> &[Level] {
        match side {
            OrderSide::Buy => &self.bids,
            OrderSide::Sell => &self.asks,
        }
    }

    fn side_mut(&mut self, side: OrderSide) -> &mut Vec<Level> {
        match side {
            OrderSide::Buy => &mut self.bids,
            OrderSide::Sell => &mut self.asks,
        }
    }

    /// Best price of one side of the book.
    #[inline]
    pub fn best(&self, side: OrderSide) -> Option<i64> {
        self.side(side).first().map(|l| l.price)
    }

    /// Replaces the book by one level a side (a zero size empties that side). No allocation
    /// once each side has held a level.
    #[inline]
    pub fn set_top(&mut self, bid: i64, bid_size: u64, ask: i64, ask_size: u64) {
        set_single(&mut self.bids, bid, bid_size);
        set_single(&mut self.asks, ask, ask_size);
    }

    /// Replaces the whole book; zero-size levels are dropped and each side is sorted.
    pub fn set_all(
        &mut self,
        bids: impl IntoIterator<Item = Level>,
        asks: impl IntoIterator<Item = Level>,
    ) {
        self.bids.clear();
        self.bids.extend(bids.into_iter().filter(|l| l.size > 0));
        self.bids.sort_by_key(|l| std::cmp::Reverse(l.price));
        self.bids.dedup_by_key(|l| l.price);
        self.asks.clear();
        self.asks.extend(asks.into_iter().filter(|l| l.size > 0));
        self.asks.sort_by_key(|l| l.price);
        self.asks.dedup_by_key(|l| l.price);
    }

    /// Empties both sides.
    pub fn clear(&mut self) {
        self.bids.clear();
        self.asks.clear();
    }

    fn find(&self, side: OrderSide, price: i64) -> Result<usize, usize> {
        match side {
            OrderSide::Buy => self.bids.binary_search_by(|l| price.cmp(&l.price)),
            OrderSide::Sell => self.asks.binary_search_by(|l| l.price.cmp(&price)),
        }
    }

    /// Sets one level's size; zero deletes it.
    pub fn set_level(&mut self, side: OrderSide, price: i64, new_size: u64) {
        let at = self.find(side, price);
        let levels = self.side_mut(side);
        match (at, new_size) {
            (Ok(i), 0) => {
                levels.remove(i);
            }
            (Ok(i), _) => levels[i].size = new_size,
            (Err(_), 0) => {}
            (Err(i), _) => levels.insert(i, Level { price, size: new_size }),
        }
    }

    /// The size at one price of one side, `None` when there is no such level.
    pub fn level_size(&self, side: OrderSide, price: i64) -> Option<u64> {
        self.find(side, price).ok().map(|i| self.side(side)[i].size)
    }

    /// Volume a taker on `taker_side` can reach at `limit`.
    pub fn available(&self, taker_side: OrderSide, limit: Option<i64>) -> u128 {
        self.side(taker_side.opposite())
            .iter()
            .take_while(|l| reaches(taker_side, l.price, limit))
            .map(|l| u128::from(l.size))
            .sum()
    }

    /// Takes up to `want` for a taker on `taker_side` with `limit`, best level first, calling
    /// `fill(level_price, size)` per level touched, and removes the volume from the view.
    /// Returns the total taken.
    pub fn take(
        &mut self,
        taker_side: OrderSide,
        limit: Option<i64>,
        want: u64,
        mut fill: impl FnMut(i64, u64),
    ) -> u64 {
        let levels = self.side_mut(taker_side.opposite());
        let mut taken = 0;
        let mut emptied = 0;
        for level in levels.iter_mut() {
            if taken == want || !reaches(taker_side, level.price, limit) {
                break;
            }
            let size = level.size.min(want - taken);
            fill(level.price, size);
            taken += size;
            level.size -= size;
            if level.size == 0 {
                emptied += 1;
            }
        }
        levels.drain(..emptied);
        taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lv(price: i64, size: u64) -> Level {
        Level { price, size }
    }

    #[test]
    fn levels_stay_sorted_best_first() {
        let mut d = Depth::default();
        for p in [100, 98, 99] {
            d.set_level(OrderSide::Buy, p, 1);
        }
        for p in [103, 101, 102] {
            d.set_level(OrderSide::Sell, p, 1);
        }
        assert_eq!(d.bids.iter().map(|l| l.price).collect::<Vec<_>>(), [100, 99, 98]);
        assert_eq!(d.asks.iter().map(|l| l.price).collect::<Vec<_>>(), [101, 102, 103]);
        d.set_level(OrderSide::Buy, 99, 0);
        d.set_level(OrderSide::Sell, 101, 7);
        assert_eq!(d.level_size(OrderSide::Buy, 99), None);
        assert_eq!(d.level_size(OrderSide::Sell, 101), Some(7));
        assert_eq!(d.best(OrderSide::Buy), Some(100));
    }

    #[test]
    fn take_walks_levels_and_removes_volume() {
        let mut d = Depth::default();
        d.set_all([lv(99, 5)], [lv(102, 2), lv(101, 3), lv(103, 4), lv(104, 0)]);
        assert_eq!(d.asks, [lv(101, 3), lv(102, 2), lv(103, 4)]);
        assert_eq!(d.available(OrderSide::Buy, Some(102)), 5);
        let mut fills = Vec::new();
        let got = d.take(OrderSide::Buy, Some(102), 4, |p, q| fills.push((p, q)));
        assert_eq!(got, 4);
        assert_eq!(fills, [(101, 3), (102, 1)]);
        assert_eq!(d.asks, [lv(102, 1), lv(103, 4)]);
        let got = d.take(OrderSide::Sell, None, 10, |_, _| {});
        assert_eq!(got, 5);
        assert!(d.bids.is_empty());
    }

    #[test]
    fn set_top_replaces_in_place() {
        let mut d = Depth::default();
        d.set_top(99, 1, 101, 2);
        d.set_top(98, 3, 100, 0);
        assert_eq!(d.bids, [lv(98, 3)]);
        assert!(d.asks.is_empty());
        assert!(better(OrderSide::Sell, 100, 101));
        assert!(!better(OrderSide::Buy, 100, 101));
    }
}
