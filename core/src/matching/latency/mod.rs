//! Latency models: how long a command takes to reach the venue and a response to come back.
//! The venue itself is instantaneous; the engine asks a model for each delay and schedules the
//! command's arrival (and the venue's responses) that much later.

mod fixed;
mod random;

pub use fixed::FixedLatency;
pub use random::{LatencyRange, RandomLatency};

use serde::{Deserialize, Serialize};

/// Nanosecond delays, drawn once per message.
pub trait LatencyModel: Send {
    /// Delay of a submit on its way to the venue.
    fn submit_ns(&mut self) -> u64;
    /// Delay of a cancel on its way to the venue.
    fn cancel_ns(&mut self) -> u64;
    /// Delay of a modify on its way to the venue.
    fn modify_ns(&mut self) -> u64;
    /// Delay of a venue response (ack, fill, rejection) on its way back.
    fn response_ns(&mut self) -> u64;
    /// The generator state a snapshot must carry (`None` for a model without state).
    fn rng_state(&self) -> Option<u64> {
        None
    }
    /// Continues from a state `rng_state` returned.
    fn set_rng_state(&mut self, _state: u64) {}
}

/// A latency setting as written in a config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LatencyConfig {
    /// The same delay every time, per kind of message.
    Fixed {
        /// Submit delay.
        submit_ns: u64,
        /// Cancel delay.
        cancel_ns: u64,
        /// Modify delay.
        modify_ns: u64,
        /// Response delay.
        response_ns: u64,
    },
    /// Uniform in `[min_ns, max_ns]` per kind of message, from a seeded generator.
    Random {
        /// Seed of the generator.
        seed: u64,
        /// Submit delays.
        submit: LatencyRange,
        /// Cancel delays.
        cancel: LatencyRange,
        /// Modify delays.
        modify: LatencyRange,
        /// Response delays.
        response: LatencyRange,
    },
}

/// A latency setting that cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LatencyError {
    /// A range whose minimum is above its maximum.
    #[error("latency range for {kind}: min_ns {min_ns} is above max_ns {max_ns}")]
    InvertedRange {
        /// Which message kind.
        kind: &'static str,
        /// The range's minimum.
        min_ns: u64,
        /// The range's maximum.
        max_ns: u64,
    },
}

impl LatencyConfig {
    /// Builds the model the config describes.
    pub fn build(&self) -> Result<Box<dyn LatencyModel>, LatencyError> {
        match *self {
            Self::Fixed { submit_ns, cancel_ns, modify_ns, response_ns } => {
                Ok(Box::new(FixedLatency { submit_ns, cancel_ns, modify_ns, response_ns }))
            }
            Self::Random { seed, submit, cancel, modify, response } => {
                for (kind, r) in [
                    ("submit", submit),
                    ("cancel", cancel),
                    ("modify", modify),
                    ("response", response),
                ] {
                    if r.min_ns > r.max_ns {
                        return Err(LatencyError::InvertedRange {
                            kind,
                            min_ns: r.min_ns,
                            max_ns: r.max_ns,
                        });
                    }
                }
                Ok(Box::new(RandomLatency::new(seed, submit, cancel, modify, response)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn configs_deserialize_and_build() {
        let fixed: LatencyConfig = serde_json::from_str(
            r#"{"kind":"fixed","submit_ns":5,"cancel_ns":6,"modify_ns":7,"response_ns":8}"#,
        )
        .unwrap();
        let mut m = fixed.build().unwrap();
        assert_eq!((m.submit_ns(), m.cancel_ns(), m.modify_ns(), m.response_ns()), (5, 6, 7, 8));

        let text = r#"{"kind":"random","seed":3,
            "submit":{"min_ns":10,"max_ns":20},"cancel":{"min_ns":10,"max_ns":20},
            "modify":{"min_ns":10,"max_ns":20},"response":{"min_ns":1,"max_ns":1}}"#;
        let random: LatencyConfig = serde_json::from_str(text).unwrap();
        let mut m = random.build().unwrap();
        assert!((10..=20).contains(&m.submit_ns()));
        assert_eq!(m.response_ns(), 1);
    }

    #[test]
    fn unknown_fields_and_inverted_ranges_are_refused() {
        let bad =
            r#"{"kind":"fixed","submit_ns":5,"cancel_ns":6,"modify_ns":7,"response_ns":8,"x":1}"#;
        assert!(serde_json::from_str::<LatencyConfig>(bad).is_err());
        let r = LatencyRange { min_ns: 9, max_ns: 3 };
        let ok = LatencyRange { min_ns: 1, max_ns: 3 };
        let cfg =
            LatencyConfig::Random { seed: 1, submit: ok, cancel: r, modify: ok, response: ok };
        assert!(matches!(cfg.build(), Err(LatencyError::InvertedRange { kind: "cancel", .. })));
    }
}
