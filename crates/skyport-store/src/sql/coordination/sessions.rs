//! Sessions: a row with its expiry, and one row per field.

use std::time::Duration;

use sqlx::{AnyPool, Row};

use super::{ms, now_ms};
use crate::Result;
use crate::coordination::SessionFields;
use crate::sql::pool::SqlPool;

pub(super) async fn create(
    pool: &SqlPool,
    id: &str,
    fields: &SessionFields,
    ttl: Duration,
) -> Result<()> {
    let mut tx = pool.write.begin().await?;
    sqlx::query(
        "INSERT INTO sessions (id, expires_at) VALUES ($1, $2) \
         ON CONFLICT (id) DO UPDATE SET expires_at = excluded.expires_at",
    )
    .bind(id)
    .bind(now_ms() + ms(ttl))
    .execute(&mut *tx)
    .await?;
    sqlx::query("DELETE FROM session_fields WHERE session_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for (name, value) in fields {
        sqlx::query("INSERT INTO session_fields (session_id, name, value) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(name)
            .bind(value.clone())
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Extends a live session's expiry; false when it is gone.
pub(super) async fn touch(write: &AnyPool, id: &str, ttl: Duration) -> Result<bool> {
    let now = now_ms();
    let done = sqlx::query("UPDATE sessions SET expires_at = $2 WHERE id = $1 AND expires_at > $3")
        .bind(id)
        .bind(now + ms(ttl))
        .bind(now)
        .execute(write)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(super) async fn get(pool: &SqlPool, id: &str, ttl: Duration) -> Result<Option<SessionFields>> {
    if !touch(&pool.write, id, ttl).await? {
        return Ok(None);
    }
    let rows = sqlx::query("SELECT name, value FROM session_fields WHERE session_id = $1")
        .bind(id)
        .fetch_all(&pool.read)
        .await?;
    let mut fields = SessionFields::new();
    for r in rows {
        fields.insert(r.try_get("name")?, r.try_get("value")?);
    }
    Ok(Some(fields))
}

pub(super) async fn set(
    pool: &SqlPool,
    id: &str,
    field: &str,
    value: Option<&[u8]>,
    ttl: Duration,
) -> Result<bool> {
    let mut tx = pool.write.begin().await?;
    let now = now_ms();
    let live = sqlx::query("UPDATE sessions SET expires_at = $2 WHERE id = $1 AND expires_at > $3")
        .bind(id)
        .bind(now + ms(ttl))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    if live.rows_affected() != 1 {
        return Ok(false);
    }
    match value {
        Some(v) => {
            sqlx::query(
                "INSERT INTO session_fields (session_id, name, value) VALUES ($1, $2, $3) \
                 ON CONFLICT (session_id, name) DO UPDATE SET value = excluded.value",
            )
            .bind(id)
            .bind(field)
            .bind(v.to_vec())
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query("DELETE FROM session_fields WHERE session_id = $1 AND name = $2")
                .bind(id)
                .bind(field)
                .execute(&mut *tx)
                .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}

pub(super) async fn delete(pool: &SqlPool, id: &str) -> Result<bool> {
    let row = sqlx::query("DELETE FROM sessions WHERE id = $1 RETURNING expires_at")
        .bind(id)
        .fetch_optional(&pool.write)
        .await?;
    Ok(match row {
        Some(r) => r.try_get::<i64, _>("expires_at")? > now_ms(),
        None => false,
    })
}

pub(super) async fn sweep(pool: &SqlPool) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE expires_at <= $1 LIMIT 1000)",
    )
    .bind(now_ms())
    .execute(&pool.write)
    .await?;
    Ok(done.rows_affected())
}
