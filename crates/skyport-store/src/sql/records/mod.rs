//! The records contract over SQL: one set of queries for SQLite and
//! PostgreSQL. Writes go through `pool.write` (for SQLite one connection, so
//! writers queue); reads through `pool.read`.

mod api_keys;
mod carts;
mod kv;
mod memberships;
mod orders;
mod tasks;
mod users;

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::Row;
use sqlx::any::AnyRow;

use super::pool::SqlPool;
use crate::records::Records;
use crate::{Backend, Result, StoreError};

/// Records in SQLite or PostgreSQL.
#[derive(Debug)]
pub(crate) struct SqlRecords {
    pool: SqlPool,
}

impl SqlRecords {
    /// Records over `pool` (migrations already applied).
    pub(crate) fn new(pool: SqlPool) -> Self {
        Self { pool }
    }
}

impl Records for SqlRecords {
    fn backend(&self) -> Backend {
        self.pool.backend
    }
}

/// Now, in Unix ms.
pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `prefix` + 16 random bytes in hex: unguessable record ids.
pub(super) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{:032x}", rand::random::<u128>())
}

/// True when `e` is a uniqueness violation (a key someone else took first).
pub(super) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

/// A JSON column.
pub(super) fn json_col(row: &AnyRow, col: &str) -> Result<serde_json::Value> {
    let text: String = row.try_get(col)?;
    Ok(serde_json::from_str(&text)?)
}

/// A non-negative integer column as u64.
pub(super) fn u64_col(row: &AnyRow, col: &str) -> Result<u64> {
    let v: i64 = row.try_get(col)?;
    u64::try_from(v).map_err(|_| StoreError::Corrupt(format!("{col} is negative")))
}

/// Refuses empty or oversized identifiers.
pub(super) fn check_id(what: &'static str, value: &str) -> Result<()> {
    if value.is_empty() || value.len() > 512 {
        return Err(StoreError::invalid(what, "must be 1 to 512 bytes"));
    }
    Ok(())
}

/// Refuses page sizes outside 1..=500.
pub(super) fn check_limit(limit: u32) -> Result<i64> {
    if !(1..=500).contains(&limit) {
        return Err(StoreError::invalid("limit", "must be between 1 and 500"));
    }
    Ok(i64::from(limit))
}
