//! The anchor: the head of the chain (last seq and its hash) kept outside the database, in
//! `<log>.anchor`, so a rewrite of the whole log (every hash recomputed) is still detected.
//! Replaced atomically (temp file, then rename) after each commit. It also records the last
//! seq committed under synchronous=FULL: a log that ends before that seq lost acknowledged
//! events (truncation), while one that ends between it and the head only lost a tail that was
//! never synced.

use super::chain::{from_hex, to_hex, Hash};
use super::error::StoreError;
use std::path::{Path, PathBuf};

const MAGIC: &str = "nautui-eventlog-anchor v1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    pub seq: u64,
    pub hash: Hash,
    /// The last seq committed under synchronous=FULL.
    pub durable: u64,
}

pub fn path_for(log: &Path) -> PathBuf {
    let mut name = log.as_os_str().to_owned();
    name.push(".anchor");
    PathBuf::from(name)
}

impl Anchor {
    pub fn to_line(&self) -> String {
        format!("{MAGIC} seq={} hash={} durable={}\n", self.seq, to_hex(&self.hash), self.durable)
    }

    pub fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim_end().split(' ');
        let (a, b) = (parts.next()?, parts.next()?);
        if format!("{a} {b}") != MAGIC {
            return None;
        }
        let seq = parts.next()?.strip_prefix("seq=")?.parse().ok()?;
        let hash = from_hex(parts.next()?.strip_prefix("hash=")?)?;
        let durable = parts.next()?.strip_prefix("durable=")?.parse().ok()?;
        parts.next().is_none().then_some(Self { seq, hash, durable })
    }

    /// Reads the anchor of the log at `log`.
    pub fn read(log: &Path) -> Result<Self, StoreError> {
        let path = path_for(log);
        let text = std::fs::read_to_string(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                StoreError::MissingAnchor { path: path.display().to_string() }
            }
            _ => StoreError::io(&path, &e),
        })?;
        Self::parse(&text).ok_or_else(|| StoreError::BadAnchor {
            path: path.display().to_string(),
            reason: "expected one line `nautui-eventlog-anchor v1 seq=N hash=HEX durable=N`".into(),
        })
    }

    /// Writes the anchor beside `log`: a temp file, then a rename over the old one.
    pub fn write(&self, log: &Path) -> Result<(), StoreError> {
        let path = path_for(log);
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        std::fs::write(&tmp, self.to_line()).map_err(|e| StoreError::io(&tmp, &e))?;
        std::fs::rename(&tmp, &path).map_err(|e| StoreError::io(&path, &e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_round_trips_and_junk_is_refused() {
        let a = Anchor { seq: 42, hash: [7; 32], durable: 40 };
        assert_eq!(Anchor::parse(&a.to_line()), Some(a));
        assert_eq!(Anchor::parse("hello"), None);
        assert_eq!(Anchor::parse(&a.to_line().replace("seq=42", "seq=x")), None);
        assert_eq!(Anchor::parse(&format!("{} extra", a.to_line().trim_end())), None);
    }

    #[test]
    fn write_replaces_and_read_finds_it() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("run.db");
        assert!(matches!(Anchor::read(&log), Err(StoreError::MissingAnchor { .. })));
        Anchor { seq: 1, hash: [1; 32], durable: 0 }.write(&log).unwrap();
        Anchor { seq: 2, hash: [2; 32], durable: 2 }.write(&log).unwrap();
        assert_eq!(Anchor::read(&log).unwrap(), Anchor { seq: 2, hash: [2; 32], durable: 2 });
        assert!(path_for(&log).to_string_lossy().ends_with("run.db.anchor"));
    }
}
