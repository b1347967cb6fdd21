//! The catalog's error type.

/// Why a catalog search could not be answered.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// The query itself is unusable (a bad page, page size, price range, rating or
    /// category). The message names the field and the accepted values; fix the query
    /// and ask again.
    #[error("invalid search: {0}")]
    Invalid(String),
    /// The full-text index failed. This is not caused by the query text (user text is
    /// never passed to SQLite as query syntax); it is a bug or resource exhaustion in
    /// this process. Retrying may work; report it if it persists.
    #[error("the product search index failed ({0}); try again, and report it if it persists")]
    Index(String),
}

impl From<rusqlite::Error> for CatalogError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Index(e.to_string())
    }
}
