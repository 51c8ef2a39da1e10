//! Outage windows: half-open time ranges `[start, end)` during which the venue's gateway is
//! down and refuses every command. Matching keeps running: orders already resting still fill
//! from market data, as at a real exchange whose order entry failed but whose engine did not.

use crate::types::UnixNanos;

/// Sorted, merged outage windows.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Outages {
    windows: Vec<(UnixNanos, UnixNanos)>,
}

impl Outages {
    /// Builds the windows; empty ones (`end <= start`) are dropped, overlapping ones merged.
    pub fn new(windows: &[(UnixNanos, UnixNanos)]) -> Self {
        let mut sorted: Vec<(UnixNanos, UnixNanos)> =
            windows.iter().copied().filter(|(s, e)| e > s).collect();
        sorted.sort_unstable();
        let mut merged: Vec<(UnixNanos, UnixNanos)> = Vec::with_capacity(sorted.len());
        for (start, end) in sorted {
            match merged.last_mut() {
                Some(last) if start <= last.1 => last.1 = last.1.max(end),
                _ => merged.push((start, end)),
            }
        }
        Self { windows: merged }
    }

    /// True when `now` falls inside a window.
    pub fn is_down(&self, now: UnixNanos) -> bool {
        // The last window starting at or before `now` is the only one that can contain it.
        let after = self.windows.partition_point(|(start, _)| *start <= now);
        after > 0 && now < self.windows[after - 1].1
    }

    /// The windows after sorting and merging.
    pub fn windows(&self) -> &[(UnixNanos, UnixNanos)] {
        &self.windows
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(n: u64) -> UnixNanos {
        UnixNanos(n)
    }

    #[test]
    fn windows_are_half_open() {
        let o = Outages::new(&[(t(10), t(20))]);
        assert!(!o.is_down(t(9)));
        assert!(o.is_down(t(10)));
        assert!(o.is_down(t(19)));
        assert!(!o.is_down(t(20)));
    }

    #[test]
    fn overlapping_windows_merge_and_empty_ones_drop() {
        let o = Outages::new(&[(t(30), t(40)), (t(10), t(20)), (t(15), t(32)), (t(50), t(50))]);
        assert_eq!(o.windows(), &[(t(10), t(40))]);
        assert!(o.is_down(t(35)));
        assert!(!o.is_down(t(50)));
        assert!(!Outages::default().is_down(t(0)));
    }
}
