//! User accounts.

use async_trait::async_trait;
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{SqlRecords, check_id, is_unique_violation, json_col, new_id, now_ms};
use crate::records::{NewUser, User, UserPatch, UserStore};
use crate::{Result, StoreError};

const COLUMNS: &str = "id, email, name, password_hash, profile, created_at, updated_at";

fn user(row: &AnyRow) -> Result<User> {
    Ok(User {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        profile: json_col(row, "profile")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn normalise_email(email: &str) -> Result<String> {
    let e = email.trim().to_lowercase();
    if e.len() < 3 || e.len() > 320 || !e.contains('@') {
        return Err(StoreError::invalid(
            "email",
            "must be an address like name@example.com",
        ));
    }
    Ok(e)
}

#[async_trait]
impl UserStore for SqlRecords {
    async fn create_user(&self, new: NewUser) -> Result<User> {
        let email = normalise_email(&new.email)?;
        check_id("password_hash", &new.password_hash)?;
        let now = now_ms();
        let id = new_id("usr");
        let profile = if new.profile.is_null() {
            serde_json::json!({})
        } else {
            new.profile
        };
        let row = sqlx::query(&format!(
            "INSERT INTO users ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COLUMNS}"
        ))
        .bind(&id)
        .bind(&email)
        .bind(&new.name)
        .bind(&new.password_hash)
        .bind(profile.to_string())
        .bind(now)
        .fetch_one(&self.pool.write)
        .await
        .map_err(|e| {
            if is_unique_violation(&e) {
                StoreError::conflict("user", &email, "an account with this email exists")
            } else {
                e.into()
            }
        })?;
        user(&row)
    }

    async fn user(&self, id: &str) -> Result<Option<User>> {
        check_id("id", id)?;
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool.read)
            .await?;
        row.as_ref().map(user).transpose()
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        let Ok(email) = normalise_email(email) else {
            return Ok(None);
        };
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM users WHERE email = $1"))
            .bind(email)
            .fetch_optional(&self.pool.read)
            .await?;
        row.as_ref().map(user).transpose()
    }

    async fn update_user(&self, id: &str, patch: UserPatch) -> Result<User> {
        check_id("id", id)?;
        let row = sqlx::query(&format!(
            "UPDATE users SET name = COALESCE($2, name), password_hash = COALESCE($3, password_hash), \
             profile = COALESCE($4, profile), updated_at = $5 WHERE id = $1 RETURNING {COLUMNS}"
        ))
        .bind(id)
        .bind(patch.name)
        .bind(patch.password_hash)
        .bind(patch.profile.map(|p| p.to_string()))
        .bind(now_ms())
        .fetch_optional(&self.pool.write)
        .await?;
        match row {
            Some(r) => user(&r),
            None => Err(StoreError::not_found("user", id)),
        }
    }
}
