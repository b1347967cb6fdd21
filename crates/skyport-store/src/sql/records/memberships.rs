//! Memberships.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{SqlRecords, check_id, now_ms};
use crate::Result;
use crate::records::{Membership, MembershipStore};

fn membership(row: &AnyRow) -> Result<Membership> {
    Ok(Membership {
        user_id: row.try_get("user_id")?,
        tier: row.try_get("tier")?,
        status: row.try_get("status")?,
        started_at: row.try_get("started_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

#[async_trait]
impl MembershipStore for SqlRecords {
    async fn set_membership(&self, user_id: &str, tier: &str, status: &str) -> Result<Membership> {
        check_id("user_id", user_id)?;
        check_id("tier", tier)?;
        check_id("status", status)?;
        let row = sqlx::query(
            "INSERT INTO memberships (user_id, tier, status, started_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (user_id) DO UPDATE SET \
             tier = excluded.tier, status = excluded.status, updated_at = excluded.updated_at \
             RETURNING user_id, tier, status, started_at, updated_at",
        )
        .bind(user_id)
        .bind(tier)
        .bind(status)
        .bind(now_ms())
        .fetch_one(&self.pool.write)
        .await?;
        membership(&row)
    }

    async fn membership(&self, user_id: &str) -> Result<Option<Membership>> {
        check_id("user_id", user_id)?;
        let row = sqlx::query(
            "SELECT user_id, tier, status, started_at, updated_at FROM memberships WHERE user_id = $1",
        )
        .bind(user_id)
        .fetch_optional(&self.pool.read)
        .await?;
        row.as_ref().map(membership).transpose()
    }
}
