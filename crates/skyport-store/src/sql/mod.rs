//! The SQL backends (SQLite and PostgreSQL) through one driver-neutral pool.
//!
//! Queries are written once with `$1` placeholders, which both SQLite and
//! PostgreSQL accept; column types are the common subset (`BIGINT`/`INTEGER`
//! → i64, `TEXT` → String, JSON stored as text, times as Unix ms).

pub(crate) mod coordination;
pub(crate) mod pool;
pub(crate) mod records;
