//! Fixed-window rate counters: one atomic upsert per hit.

use std::time::Duration;

use sqlx::Row;

use super::{ms, now_ms};
use crate::coordination::RateDecision;
use crate::sql::pool::SqlPool;
use crate::{Result, StoreError};

pub(super) async fn hit(
    pool: &SqlPool,
    key: &str,
    limit: u64,
    window: Duration,
) -> Result<RateDecision> {
    let window_ms = ms(window);
    if window_ms <= 0 {
        return Err(StoreError::invalid("window", "must be at least 1 ms"));
    }
    let now = now_ms();
    let start = now - now.rem_euclid(window_ms);
    // Every SET expression reads the row as it was: the count restarts when
    // the stored window is an older one.
    let row = sqlx::query(
        "INSERT INTO rate_windows (key, window_start, count, expires_at) VALUES ($1, $2, 1, $3) \
         ON CONFLICT (key) DO UPDATE SET \
         count = CASE WHEN rate_windows.window_start = excluded.window_start THEN rate_windows.count + 1 ELSE 1 END, \
         window_start = excluded.window_start, expires_at = excluded.expires_at RETURNING count",
    )
    .bind(key)
    .bind(start)
    .bind(start + window_ms)
    .fetch_one(&pool.write)
    .await?;
    let count = u64::try_from(row.try_get::<i64, _>("count")?).unwrap_or(0);
    Ok(RateDecision {
        allowed: count <= limit,
        count,
        remaining: limit.saturating_sub(count),
        reset_after: Duration::from_millis(u64::try_from(start + window_ms - now).unwrap_or(0)),
    })
}

pub(super) async fn sweep(pool: &SqlPool) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM rate_windows WHERE key IN (SELECT key FROM rate_windows WHERE expires_at <= $1 LIMIT 1000)",
    )
    .bind(now_ms())
    .execute(&pool.write)
    .await?;
    Ok(done.rows_affected())
}
