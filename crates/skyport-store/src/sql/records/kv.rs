//! Key-value state.

use async_trait::async_trait;
use serde_json::Value;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{SqlRecords, check_id, check_limit, json_col, now_ms, u64_col};
use crate::records::{KV_GET_MANY_MAX, KvEntry, KvStore};
use crate::{Backend, Result, StoreError};

fn entry(row: &AnyRow) -> Result<KvEntry> {
    Ok(KvEntry {
        key: row.try_get("key")?,
        value: json_col(row, "value")?,
        version: u64_col(row, "version")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Adds to an integer value, creating it.
const INCR: &str = "INSERT INTO kv (ns, key, value, version, updated_at) VALUES ($1, $2, $3, 1, $4) \
     ON CONFLICT (ns, key) DO UPDATE SET value = CAST(CAST(kv.value AS BIGINT) + $5 AS TEXT), \
     version = kv.version + 1, updated_at = excluded.updated_at RETURNING value";

fn not_an_integer(key: &str) -> StoreError {
    StoreError::invalid("key", format!("{key:?} does not hold an integer"))
}

fn check(ns: &str, key: &str) -> Result<()> {
    check_id("namespace", ns)?;
    check_id("key", key)
}

#[async_trait]
impl KvStore for SqlRecords {
    async fn kv_get(&self, ns: &str, key: &str) -> Result<Option<KvEntry>> {
        check(ns, key)?;
        let row = sqlx::query(
            "SELECT key, value, version, updated_at FROM kv WHERE ns = $1 AND key = $2",
        )
        .bind(ns)
        .bind(key)
        .fetch_optional(&self.pool.read)
        .await?;
        row.as_ref().map(entry).transpose()
    }

    async fn kv_get_many(&self, ns: &str, keys: &[&str]) -> Result<Vec<Option<KvEntry>>> {
        if keys.len() > KV_GET_MANY_MAX {
            return Err(StoreError::invalid(
                "keys",
                format!("at most {KV_GET_MANY_MAX} keys per read"),
            ));
        }
        for key in keys {
            check(ns, key)?;
        }
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        // One statement with a placeholder per key ($2, $3, ...).
        let placeholders = (2..keys.len() + 2)
            .map(|i| format!("${i}"))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "SELECT key, value, version, updated_at FROM kv WHERE ns = $1 AND key IN ({placeholders})"
        );
        let mut query = sqlx::query(&sql).bind(ns);
        for key in keys {
            query = query.bind(*key);
        }
        let rows = query.fetch_all(&self.pool.read).await?;
        let mut found = std::collections::HashMap::with_capacity(rows.len());
        for row in &rows {
            let e = entry(row)?;
            found.insert(e.key.clone(), e);
        }
        Ok(keys.iter().map(|k| found.get(*k).cloned()).collect())
    }

    async fn kv_put(&self, ns: &str, key: &str, value: &Value) -> Result<u64> {
        check(ns, key)?;
        let row = sqlx::query(
            "INSERT INTO kv (ns, key, value, version, updated_at) VALUES ($1, $2, $3, 1, $4) \
             ON CONFLICT (ns, key) DO UPDATE SET value = excluded.value, \
             version = kv.version + 1, updated_at = excluded.updated_at RETURNING version",
        )
        .bind(ns)
        .bind(key)
        .bind(value.to_string())
        .bind(now_ms())
        .fetch_one(&self.pool.write)
        .await?;
        u64_col(&row, "version")
    }

    async fn kv_put_if(
        &self,
        ns: &str,
        key: &str,
        value: &Value,
        expected: Option<u64>,
    ) -> Result<u64> {
        check(ns, key)?;
        let row = match expected {
            None => sqlx::query(
                "INSERT INTO kv (ns, key, value, version, updated_at) VALUES ($1, $2, $3, 1, $4) \
                     ON CONFLICT (ns, key) DO NOTHING RETURNING version",
            )
            .bind(ns)
            .bind(key)
            .bind(value.to_string())
            .bind(now_ms())
            .fetch_optional(&self.pool.write)
            .await?,
            Some(v) => {
                sqlx::query(
                    "UPDATE kv SET value = $3, version = version + 1, updated_at = $4 \
                     WHERE ns = $1 AND key = $2 AND version = $5 RETURNING version",
                )
                .bind(ns)
                .bind(key)
                .bind(value.to_string())
                .bind(now_ms())
                .bind(i64::try_from(v).unwrap_or(i64::MAX))
                .fetch_optional(&self.pool.write)
                .await?
            }
        };
        match row {
            Some(r) => u64_col(&r, "version"),
            None => Err(StoreError::conflict(
                "kv",
                key,
                match expected {
                    None => "the key is already set".to_owned(),
                    Some(v) => format!("the key is not at version {v}"),
                },
            )),
        }
    }

    async fn kv_get_or_put(&self, ns: &str, key: &str, value: &Value) -> Result<KvEntry> {
        check(ns, key)?;
        // Two statements on the writer: the insert that loses a race changes
        // nothing, and the select then sees the winner's committed row.
        sqlx::query(
            "INSERT INTO kv (ns, key, value, version, updated_at) VALUES ($1, $2, $3, 1, $4) \
             ON CONFLICT (ns, key) DO NOTHING",
        )
        .bind(ns)
        .bind(key)
        .bind(value.to_string())
        .bind(now_ms())
        .execute(&self.pool.write)
        .await?;
        let row = sqlx::query(
            "SELECT key, value, version, updated_at FROM kv WHERE ns = $1 AND key = $2",
        )
        .bind(ns)
        .bind(key)
        .fetch_optional(&self.pool.write)
        .await?;
        match row {
            Some(row) => entry(&row),
            // Only a delete between the two statements gets here.
            None => Err(StoreError::conflict(
                "kv",
                key,
                "the key was deleted while it was being set; try again",
            )),
        }
    }

    async fn kv_incr(&self, ns: &str, key: &str, by: i64) -> Result<i64> {
        check(ns, key)?;
        let row = if self.pool.backend == Backend::Postgres {
            // One statement, so the row lock lasts only as long as it: a
            // non-integer value fails the cast and nothing changes.
            sqlx::query(INCR)
                .bind(ns)
                .bind(key)
                .bind(by.to_string())
                .bind(now_ms())
                .bind(by)
                .fetch_one(&self.pool.write)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(d) if d.code().as_deref() == Some("22P02") => {
                        not_an_integer(key)
                    }
                    _ => e.into(),
                })?
        } else {
            // SQLite casts any text to an integer silently, so check first;
            // the single writer connection makes check and add one step.
            let mut tx = self.pool.write.begin().await?;
            let current = sqlx::query("SELECT value FROM kv WHERE ns = $1 AND key = $2")
                .bind(ns)
                .bind(key)
                .fetch_optional(&mut *tx)
                .await?;
            if let Some(row) = &current
                && !json_col(row, "value")?.is_i64()
            {
                return Err(not_an_integer(key));
            }
            let row = sqlx::query(INCR)
                .bind(ns)
                .bind(key)
                .bind(by.to_string())
                .bind(now_ms())
                .bind(by)
                .fetch_one(&mut *tx)
                .await?;
            tx.commit().await?;
            row
        };
        let text: String = row.try_get("value")?;
        text.parse()
            .map_err(|_| StoreError::Corrupt(format!("counter {key:?} is not an integer")))
    }

    async fn kv_delete(&self, ns: &str, key: &str) -> Result<bool> {
        check(ns, key)?;
        let done = sqlx::query("DELETE FROM kv WHERE ns = $1 AND key = $2")
            .bind(ns)
            .bind(key)
            .execute(&self.pool.write)
            .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn kv_list(
        &self,
        ns: &str,
        prefix: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<KvEntry>> {
        check_id("namespace", ns)?;
        let limit = check_limit(limit)?;
        let rows = sqlx::query(
            "SELECT key, value, version, updated_at FROM kv \
             WHERE ns = $1 AND substr(key, 1, length($2)) = $2 AND key > $3 \
             ORDER BY key LIMIT $4",
        )
        .bind(ns)
        .bind(prefix)
        .bind(after.unwrap_or(""))
        .bind(limit)
        .fetch_all(&self.pool.read)
        .await?;
        rows.iter().map(entry).collect()
    }
}
