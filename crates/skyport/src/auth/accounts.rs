//! Sign-up and sign-in over the store's users.

use std::sync::Arc;

use skyport_store::records::{NewUser, User};
use skyport_store::{Records, StoreError};

use super::passwords;

/// Why an account operation failed. Messages are safe to show a user: they
/// never say whether an email has an account when signing in.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AuthError {
    /// Wrong email or password (deliberately not saying which).
    #[error("the email or password is not correct")]
    InvalidCredentials,
    /// Sign-up with an email that has an account.
    #[error("an account with this email already exists: sign in instead")]
    EmailTaken,
    /// The input cannot be used (a short password, a malformed email).
    #[error("{0}")]
    Invalid(String),
    /// Too many sign-in attempts for this account or from this address.
    #[error("too many sign-in attempts: try again in {retry_after} seconds")]
    Throttled {
        /// Seconds until attempts are allowed again.
        retry_after: u64,
    },
    /// The store failed.
    #[error("the account store is unavailable: {0}")]
    Store(StoreError),
}

impl From<StoreError> for AuthError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { .. } => AuthError::EmailTaken,
            StoreError::Invalid { reason, .. } => AuthError::Invalid(reason),
            other => AuthError::Store(other),
        }
    }
}

/// User accounts: the store's users with argon2id-hashed passwords.
#[derive(Debug, Clone)]
pub struct Accounts {
    records: Arc<dyn Records>,
    throttle: Option<super::SignInThrottle>,
}

impl Accounts {
    /// Accounts kept in `records`.
    pub fn new(records: Arc<dyn Records>) -> Self {
        Self {
            records,
            throttle: None,
        }
    }

    /// Accounts over an opened store, with sign-in throttled through its
    /// rate counters (shared by every replica on the same store).
    pub fn from_store(store: &skyport_store::Store) -> Self {
        Self {
            records: store.records.clone(),
            throttle: Some(super::SignInThrottle::new(store.coordination.clone())),
        }
    }

    /// Replaces the sign-in throttle (to change its limits).
    pub fn with_throttle(mut self, throttle: super::SignInThrottle) -> Self {
        self.throttle = Some(throttle);
        self
    }

    /// The user with this id.
    pub async fn user(&self, id: &str) -> Result<Option<User>, AuthError> {
        Ok(self.records.user(id).await?)
    }

    /// Creates an account. Hashing runs on a blocking thread (it takes tens
    /// of milliseconds by design).
    pub async fn sign_up(
        &self,
        email: &str,
        name: &str,
        password: &str,
    ) -> Result<User, AuthError> {
        passwords::check_new(password).map_err(|e| AuthError::Invalid(e.to_string()))?;
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Err(AuthError::Invalid(
                "the name must be 1 to 200 characters".into(),
            ));
        }
        let password = password.to_owned();
        let password_hash = tokio::task::spawn_blocking(move || passwords::hash(&password))
            .await
            .map_err(|_| AuthError::Invalid("hashing was interrupted; try again".into()))?;
        let user = self
            .records
            .create_user(NewUser {
                email: email.to_owned(),
                name: name.to_owned(),
                password_hash,
                profile: serde_json::json!({}),
            })
            .await?;
        Ok(user)
    }

    /// Checks an email and password. Unknown emails cost the same time as
    /// wrong passwords, so timing does not reveal who has an account. With a
    /// throttle, attempts past its limits (per account, per `ip`) fail with
    /// `Throttled` before any password is checked.
    pub async fn sign_in(
        &self,
        email: &str,
        password: &str,
        ip: Option<std::net::IpAddr>,
    ) -> Result<User, AuthError> {
        if let Some(t) = &self.throttle {
            t.attempt(email, ip).await?;
        }
        let user = self.records.user_by_email(email).await?;
        let password = password.to_owned();
        let phc = user.as_ref().map(|u| u.password_hash.clone());
        let ok = tokio::task::spawn_blocking(move || match phc {
            Some(phc) => passwords::verify(&password, &phc),
            None => {
                passwords::verify_nothing(&password);
                false
            }
        })
        .await
        .unwrap_or(false);
        match user {
            Some(u) if ok => Ok(u),
            _ => Err(AuthError::InvalidCredentials),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn accounts() -> (Accounts, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let store = skyport_store::open(&skyport_store::StoreConfig {
            data_dir: dir.path().to_path_buf(),
            ..skyport_store::StoreConfig::default()
        })
        .await
        .unwrap();
        (Accounts::from_store(&store), dir)
    }

    #[tokio::test]
    async fn sign_up_then_sign_in_with_the_right_password_only() {
        let (a, _dir) = accounts().await;
        let u = a
            .sign_up("Ada@example.com", "Ada", "correct horse battery")
            .await
            .unwrap();
        assert!(u.password_hash.starts_with("$argon2id$"));
        assert!(!u.password_hash.contains("correct horse"));
        assert_eq!(
            a.sign_in("ada@EXAMPLE.com", "correct horse battery", None)
                .await
                .unwrap()
                .id,
            u.id
        );
        assert!(matches!(
            a.sign_in("ada@example.com", "wrong password!", None).await,
            Err(AuthError::InvalidCredentials)
        ));
        assert!(matches!(
            a.sign_in("nobody@example.com", "whatever123", None).await,
            Err(AuthError::InvalidCredentials)
        ));
        assert!(matches!(
            a.sign_up("ada@example.com", "Ada 2", "another password")
                .await,
            Err(AuthError::EmailTaken)
        ));
        assert!(matches!(
            a.sign_up("b@example.com", "B", "short").await,
            Err(AuthError::Invalid(_))
        ));
        assert!(matches!(
            a.sign_up("not-an-email", "B", "long enough pw").await,
            Err(AuthError::Invalid(_))
        ));
    }

    #[tokio::test]
    async fn the_eleventh_attempt_on_one_account_is_throttled_even_with_the_right_password() {
        let (a, _dir) = accounts().await;
        a.sign_up("eve@example.com", "Eve", "right password")
            .await
            .unwrap();
        let ip = Some("192.0.2.7".parse().unwrap());
        for _ in 0..10 {
            assert!(matches!(
                a.sign_in("eve@example.com", "guess guess", ip).await,
                Err(AuthError::InvalidCredentials)
            ));
        }
        match a.sign_in("EVE@example.com", "right password", ip).await {
            Err(AuthError::Throttled { retry_after }) => assert!(retry_after <= 900),
            other => panic!("expected Throttled, got {other:?}"),
        }
        // Another account from another address is unaffected.
        a.sign_up("bob@example.com", "Bob", "bobs password")
            .await
            .unwrap();
        assert!(
            a.sign_in(
                "bob@example.com",
                "bobs password",
                Some("192.0.2.8".parse().unwrap())
            )
            .await
            .is_ok()
        );
    }
}
