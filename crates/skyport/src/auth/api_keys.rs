//! API keys (the backlog ADR's phase 1): bearer tokens `sk_{id}_{secret}`.
//! The id is public (listings, logs); only the SHA-256 of the 256-bit random
//! secret is stored. A fast hash is right here: the secret is random, not a
//! password, so there is nothing for a slow hash to protect against.

use std::sync::Arc;

use base64::Engine as _;
use sha2::{Digest, Sha256};
use skyport_store::Records;
use skyport_store::records::ApiKey;

use super::AuthError;

/// A key as the store lists it, and its token (shown once, at creation).
#[derive(Debug)]
pub struct CreatedKey {
    /// The stored record.
    pub key: ApiKey,
    /// `sk_{id}_{secret}`: give it to the client; it cannot be shown again.
    pub token: String,
}

fn secret_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// API keys kept in the store.
#[derive(Debug, Clone)]
pub struct ApiKeys {
    records: Arc<dyn Records>,
}

impl ApiKeys {
    /// Keys in `records`.
    pub fn new(records: Arc<dyn Records>) -> Self {
        Self { records }
    }

    /// Creates a key for `apps` (empty: every app).
    pub async fn create(&self, name: &str, apps: &[String]) -> Result<CreatedKey, AuthError> {
        let id = format!("{:012x}", rand::random::<u64>() >> 16);
        let secret =
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 32]>());
        let key = ApiKey {
            id: id.clone(),
            name: name.to_owned(),
            apps: apps.to_vec(),
            secret_hash: secret_hash(&secret),
            created_at: 0,
            revoked_at: None,
        };
        self.records.create_api_key(&key).await?;
        let key = self.records.api_key(&id).await?.unwrap_or(key);
        Ok(CreatedKey {
            key,
            token: format!("sk_{id}_{secret}"),
        })
    }

    /// The key a bearer token names, if it is valid, not revoked, and allowed for `app`.
    pub async fn verify(&self, token: &str, app: &str) -> Result<ApiKey, AuthError> {
        let Some((id, secret)) = token.strip_prefix("sk_").and_then(|t| t.split_once('_')) else {
            return Err(AuthError::InvalidCredentials);
        };
        if id.len() != 12 || secret.is_empty() || secret.len() > 100 {
            return Err(AuthError::InvalidCredentials);
        }
        let Some(key) = self.records.api_key(id).await? else {
            return Err(AuthError::InvalidCredentials);
        };
        // Comparing digests of a random secret leaks nothing useful through timing.
        let matches = key.secret_hash == secret_hash(secret);
        if !matches || key.revoked_at.is_some() {
            return Err(AuthError::InvalidCredentials);
        }
        if !key.apps.is_empty() && !key.apps.iter().any(|a| a == app) {
            return Err(AuthError::InvalidCredentials);
        }
        Ok(key)
    }

    /// Every key (without secrets).
    pub async fn list(&self) -> Result<Vec<ApiKey>, AuthError> {
        Ok(self.records.api_keys().await?)
    }

    /// Revokes a key; false when it was unknown or already revoked.
    pub async fn revoke(&self, id: &str) -> Result<bool, AuthError> {
        Ok(self.records.revoke_api_key(id).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn tokens_verify_until_revoked_and_only_for_their_apps() {
        let dir = tempfile::tempdir().unwrap();
        let store = skyport_store::open(&skyport_store::StoreConfig {
            data_dir: dir.path().to_path_buf(),
            ..skyport_store::StoreConfig::default()
        })
        .await
        .unwrap();
        let keys = ApiKeys::new(store.records);
        let created = keys.create("ci", &["backlog".into()]).await.unwrap();
        assert!(
            created
                .token
                .starts_with(&format!("sk_{}_", created.key.id))
        );
        assert!(
            !created.key.secret_hash.is_empty()
                && !created.token.contains(&created.key.secret_hash)
        );
        assert_eq!(
            keys.verify(&created.token, "backlog").await.unwrap().id,
            created.key.id
        );
        assert!(
            keys.verify(&created.token, "shop").await.is_err(),
            "another app"
        );
        let mut wrong = created.token.clone();
        wrong.push('x');
        assert!(keys.verify(&wrong, "backlog").await.is_err());
        assert!(keys.verify("sk_nonsense", "backlog").await.is_err());
        assert!(keys.revoke(&created.key.id).await.unwrap());
        assert!(
            keys.verify(&created.token, "backlog").await.is_err(),
            "revoked"
        );
        assert_eq!(keys.list().await.unwrap().len(), 1);
    }
}
