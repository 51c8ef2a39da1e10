//! What can go wrong with an event log. Every message is one line that names the file and,
//! where one row is at fault, its seq.

use crate::events::CodecError;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: no such event log")]
    NotFound { path: String },
    #[error("{path}: already exists; an event log is never overwritten")]
    Exists { path: String },
    #[error("{path}: not a nautui event log (not an SQLite database with the log's tables)")]
    NotALog { path: String },
    #[error("{path}: schema version {found} is newer than this nautui reads (up to {supported})")]
    NewerSchema { path: String, found: i64, supported: i64 },
    #[error("{path}: seq {seq}: {reason}")]
    Corrupt { path: String, seq: u64, reason: String },
    #[error("{path}: anchor file is missing, so the head of the log cannot be confirmed")]
    MissingAnchor { path: String },
    #[error("{path}: unreadable anchor file: {reason}")]
    BadAnchor { path: String, reason: String },
    #[error("{path}: {message}")]
    Sqlite { path: String, message: String },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error(transparent)]
    Codec(#[from] CodecError),
    #[error("{path}: opened read-only")]
    ReadOnly { path: String },
    #[error("{path}: the writer stopped: {reason}")]
    WriterStopped { path: String, reason: String },
    #[error("{path}: snapshot at seq {seq}: {reason}")]
    Snapshot { path: String, seq: u64, reason: String },
}

impl StoreError {
    pub fn io(path: &Path, error: &std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::NotFound {
            return Self::NotFound { path: path.display().to_string() };
        }
        Self::Io { path: path.display().to_string(), message: error.to_string() }
    }

    pub fn sql(path: &Path, error: &rusqlite::Error) -> Self {
        let message = error.to_string();
        if let rusqlite::Error::SqliteFailure(code, _) = error {
            if code.code == rusqlite::ErrorCode::NotADatabase {
                return Self::NotALog { path: path.display().to_string() };
            }
        }
        Self::Sqlite { path: path.display().to_string(), message }
    }

    pub fn corrupt(path: &Path, seq: u64, reason: impl Into<String>) -> Self {
        Self::Corrupt { path: path.display().to_string(), seq, reason: reason.into() }
    }

    /// The seq at fault, when one row is.
    pub fn seq(&self) -> Option<u64> {
        match self {
            Self::Corrupt { seq, .. } | Self::Snapshot { seq, .. } => Some(*seq),
            _ => None,
        }
    }
}
