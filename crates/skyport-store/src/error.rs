//! The store's typed error. Every variant says what to do about it.

/// Result of a store operation.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A setting (`store.url`, `store.redis_url`, `data_dir`) is malformed.
    #[error("{setting} is invalid: {reason}")]
    BadSetting {
        /// The setting's name as the user writes it (`store.url`).
        setting: &'static str,
        /// Why, and what a valid value looks like.
        reason: String,
    },
    /// The backend could not be reached at start-up.
    #[error("cannot reach the store named by {setting} ({target}): {reason}")]
    Unreachable {
        /// The setting that names the backend.
        setting: &'static str,
        /// The URL with any password removed.
        target: String,
        /// The driver's message.
        reason: String,
    },
    /// A record that must exist does not.
    #[error("{kind} {id:?} not found")]
    NotFound {
        /// Record kind (`cart`, `task`, ...).
        kind: &'static str,
        /// Its id.
        id: String,
    },
    /// A uniqueness rule or an expected version was violated: someone else
    /// wrote first. Re-read and retry, or report the conflict.
    #[error("conflict on {kind} {id:?}: {reason}")]
    Conflict {
        /// Record kind.
        kind: &'static str,
        /// Its id (or the unique key that clashed).
        id: String,
        /// What clashed.
        reason: String,
    },
    /// Input the store refuses (an empty key, a negative quantity, ...).
    #[error("invalid {what}: {reason}")]
    Invalid {
        /// The field or argument.
        what: &'static str,
        /// Why.
        reason: String,
    },
    /// The SQL backend failed (connection lost, disk full, ...).
    #[error("database error: {0}")]
    Sql(#[from] sqlx::Error),
    /// Applying migrations failed at start-up.
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Redis failed.
    #[error("redis error: {0}")]
    Redis(#[from] redis::RedisError),
    /// A stored value could not be decoded (written by a newer version?).
    #[error("stored data is not readable: {0}")]
    Corrupt(String),
}

impl StoreError {
    /// Shorthand for [`StoreError::NotFound`].
    pub fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        Self::NotFound {
            kind,
            id: id.into(),
        }
    }

    /// Shorthand for [`StoreError::Conflict`].
    pub fn conflict(kind: &'static str, id: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::Conflict {
            kind,
            id: id.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`StoreError::Invalid`].
    pub fn invalid(what: &'static str, reason: impl Into<String>) -> Self {
        Self::Invalid {
            what,
            reason: reason.into(),
        }
    }

    /// True for errors a caller may fix by retrying later (the backend was
    /// briefly unavailable), as opposed to bad input or missing records.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Sql(_) | Self::Redis(_))
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::Corrupt(e.to_string())
    }
}
