//! API keys: only a hash of each key's secret is kept.

use async_trait::async_trait;

use crate::Result;

/// An API key's record (never its secret).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ApiKey {
    /// Public id (part of the token, shown in listings).
    pub id: String,
    /// What it is for.
    pub name: String,
    /// Apps it may call; empty means every app.
    pub apps: Vec<String>,
    /// SHA-256 of the secret, hex. Never serialised.
    #[serde(skip)]
    pub secret_hash: String,
    /// Created, Unix ms.
    pub created_at: i64,
    /// Revoked, Unix ms.
    pub revoked_at: Option<i64>,
}

/// API keys.
#[async_trait]
pub trait ApiKeyStore: Send + Sync {
    /// Stores a new key (`revoked_at` ignored); `Conflict` when the id exists.
    async fn create_api_key(&self, key: &ApiKey) -> Result<()>;
    /// The key with this id, revoked or not.
    async fn api_key(&self, id: &str) -> Result<Option<ApiKey>>;
    /// Every key, oldest first.
    async fn api_keys(&self) -> Result<Vec<ApiKey>>;
    /// Revokes a key; false when it does not exist or was already revoked.
    async fn revoke_api_key(&self, id: &str) -> Result<bool>;
}
