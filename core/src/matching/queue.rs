//! Queue-position model. A resting limit order waits behind the volume that was already at
//! its price when it arrived (`queue_ahead`). Trades at its price eat that volume first; level
//! size decreases cap it at the level's new size (conservative: a cancel anywhere in the level
//! is assumed to come from behind us only when it must). New volume joins behind us.

/// The order's place is not known yet (L1 mode, priced behind the top of book).
pub(crate) const UNKNOWN: u64 = u64::MAX;
/// The order has just come to rest; its place is set when the step's bookkeeping runs.
pub(crate) const PENDING: u64 = u64::MAX - 1;

/// The level at the order's price now shows `size`: the queue ahead can only shrink.
#[inline]
pub(crate) fn cap_to_level(queue_ahead: &mut u64, size: u64) {
    *queue_ahead = if *queue_ahead == UNKNOWN { size } else { (*queue_ahead).min(size) };
}

/// A trade of `size` printed at the order's price: the queue ahead trades first. Returns the
/// volume that reached the order (before sharing it with the venue's other orders).
#[inline]
pub(crate) fn consume_trade(queue_ahead: &mut u64, size: u64) -> u64 {
    if *queue_ahead == UNKNOWN {
        return 0;
    }
    let reached = size.saturating_sub(*queue_ahead);
    *queue_ahead = queue_ahead.saturating_sub(size);
    reached
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trades_eat_the_queue_first() {
        let mut q = 10;
        assert_eq!(consume_trade(&mut q, 4), 0);
        assert_eq!(q, 6);
        assert_eq!(consume_trade(&mut q, 8), 2);
        assert_eq!(q, 0);
        assert_eq!(consume_trade(&mut q, 3), 3);
    }

    #[test]
    fn level_decreases_cap_and_increases_do_not_grow() {
        let mut q = 10;
        cap_to_level(&mut q, 15);
        assert_eq!(q, 10);
        cap_to_level(&mut q, 7);
        assert_eq!(q, 7);
        let mut u = UNKNOWN;
        assert_eq!(consume_trade(&mut u, 100), 0);
        cap_to_level(&mut u, 12);
        assert_eq!(u, 12);
    }
}
