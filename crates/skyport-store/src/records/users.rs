//! User accounts. Password hashing is the auth layer's job: the store keeps
//! the PHC string it is given and never sees a plaintext password.

use async_trait::async_trait;

use crate::Result;

/// A user account.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct User {
    /// Opaque id (`usr_` + random).
    pub id: String,
    /// Unique, compared case-insensitively; stored lower-cased.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Argon2id PHC string. Never serialised.
    #[serde(skip)]
    pub password_hash: String,
    /// Free-form profile fields (address, payment summary, preferences).
    pub profile: serde_json::Value,
    /// Created, Unix ms.
    pub created_at: i64,
    /// Last change, Unix ms.
    pub updated_at: i64,
}

/// A user to create.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Email (unique, case-insensitive).
    pub email: String,
    /// Display name.
    pub name: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Initial profile (`{}` when none).
    pub profile: serde_json::Value,
}

/// Fields to change; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct UserPatch {
    /// New display name.
    pub name: Option<String>,
    /// New password hash.
    pub password_hash: Option<String>,
    /// Replaces the profile.
    pub profile: Option<serde_json::Value>,
}

/// User accounts.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// Creates a user; `Conflict` when the email is taken.
    async fn create_user(&self, new: NewUser) -> Result<User>;
    /// The user with this id.
    async fn user(&self, id: &str) -> Result<Option<User>>;
    /// The user with this email (any case).
    async fn user_by_email(&self, email: &str) -> Result<Option<User>>;
    /// Applies a patch; `NotFound` when the user does not exist.
    async fn update_user(&self, id: &str, patch: UserPatch) -> Result<User>;
}
