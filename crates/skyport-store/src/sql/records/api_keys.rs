//! API keys.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{SqlRecords, check_id, is_unique_violation, json_col, now_ms};
use crate::records::{ApiKey, ApiKeyStore};
use crate::{Result, StoreError};

const COLUMNS: &str = "id, name, apps, secret_hash, created_at, revoked_at";

fn api_key(row: &AnyRow) -> Result<ApiKey> {
    Ok(ApiKey {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        apps: serde_json::from_value(json_col(row, "apps")?)?,
        secret_hash: row.try_get("secret_hash")?,
        created_at: row.try_get("created_at")?,
        revoked_at: row.try_get("revoked_at")?,
    })
}

#[async_trait]
impl ApiKeyStore for SqlRecords {
    async fn create_api_key(&self, key: &ApiKey) -> Result<()> {
        check_id("id", &key.id)?;
        check_id("secret_hash", &key.secret_hash)?;
        sqlx::query(&format!(
            "INSERT INTO api_keys ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, NULL)"
        ))
        .bind(&key.id)
        .bind(&key.name)
        .bind(serde_json::to_string(&key.apps)?)
        .bind(&key.secret_hash)
        .bind(if key.created_at > 0 {
            key.created_at
        } else {
            now_ms()
        })
        .execute(&self.pool.write)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::conflict("api key", &key.id, "an API key with this id exists")
            } else {
                e.into()
            }
        })?;
        Ok(())
    }

    async fn api_key(&self, id: &str) -> Result<Option<ApiKey>> {
        check_id("id", id)?;
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM api_keys WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool.read)
            .await?;
        row.as_ref().map(api_key).transpose()
    }

    async fn api_keys(&self) -> Result<Vec<ApiKey>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM api_keys ORDER BY created_at, id"
        ))
        .fetch_all(&self.pool.read)
        .await?;
        rows.iter().map(api_key).collect()
    }

    async fn revoke_api_key(&self, id: &str) -> Result<bool> {
        check_id("id", id)?;
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
                .bind(id)
                .bind(now_ms())
                .execute(&self.pool.write)
                .await?;
        Ok(done.rows_affected() == 1)
    }
}
