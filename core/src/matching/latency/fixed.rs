//! The same delay every time.

use super::LatencyModel;

/// Constant delays per kind of message, in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FixedLatency {
    /// Submit delay.
    pub submit_ns: u64,
    /// Cancel delay.
    pub cancel_ns: u64,
    /// Modify delay.
    pub modify_ns: u64,
    /// Response delay.
    pub response_ns: u64,
}

impl FixedLatency {
    /// One delay for commands and one for responses.
    pub const fn new(command_ns: u64, response_ns: u64) -> Self {
        Self { submit_ns: command_ns, cancel_ns: command_ns, modify_ns: command_ns, response_ns }
    }
}

impl LatencyModel for FixedLatency {
    fn submit_ns(&mut self) -> u64 {
        self.submit_ns
    }
    fn cancel_ns(&mut self) -> u64 {
        self.cancel_ns
    }
    fn modify_ns(&mut self) -> u64 {
        self.modify_ns
    }
    fn response_ns(&mut self) -> u64 {
        self.response_ns
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn always_the_same() {
        let mut m = FixedLatency::new(100, 50);
        for _ in 0..3 {
            assert_eq!(m.submit_ns(), 100);
            assert_eq!(m.cancel_ns(), 100);
            assert_eq!(m.modify_ns(), 100);
            assert_eq!(m.response_ns(), 50);
        }
    }
}
