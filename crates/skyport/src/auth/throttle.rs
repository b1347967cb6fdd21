//! Sign-in throttling against password guessing: attempts are counted per
//! account and per client IP in the store's rate counters, so every replica
//! sharing the store sees the same counts.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use sha2::{Digest, Sha256};
use skyport_store::Coordination;

use super::AuthError;

/// Limits on sign-in attempts (successful ones count too: a person signs in
/// a few times a day, a guesser thousands of times).
#[derive(Debug, Clone)]
pub struct SignInThrottle {
    coordination: Arc<dyn Coordination>,
    /// Attempts per account per window. Default 10.
    pub per_account: u64,
    /// Attempts per client IP per window. Default 50 (a shared office NAT).
    pub per_ip: u64,
    /// The window. Default 15 minutes.
    pub window: Duration,
}

impl SignInThrottle {
    /// Default limits over `coordination`'s counters.
    pub fn new(coordination: Arc<dyn Coordination>) -> Self {
        Self {
            coordination,
            per_account: 10,
            per_ip: 50,
            window: Duration::from_secs(15 * 60),
        }
    }

    /// Counts one attempt for `email` from `ip`; `Throttled` past a limit.
    /// The email is hashed into the key, so counters never hold addresses.
    pub async fn attempt(&self, email: &str, ip: Option<IpAddr>) -> Result<(), AuthError> {
        let digest = Sha256::digest(email.trim().to_lowercase().as_bytes());
        let account_key = format!("signin:acct:{}", hex16(&digest));
        let account = self
            .coordination
            .rate_hit(&account_key, self.per_account, self.window)
            .await
            .map_err(AuthError::Store)?;
        if !account.allowed {
            return Err(AuthError::Throttled {
                retry_after: account.reset_after.as_secs().max(1),
            });
        }
        if let Some(ip) = ip {
            let by_ip = self
                .coordination
                .rate_hit(&format!("signin:ip:{ip}"), self.per_ip, self.window)
                .await
                .map_err(AuthError::Store)?;
            if !by_ip.allowed {
                return Err(AuthError::Throttled {
                    retry_after: by_ip.reset_after.as_secs().max(1),
                });
            }
        }
        Ok(())
    }
}

fn hex16(bytes: &[u8]) -> String {
    bytes[..8].iter().map(|b| format!("{b:02x}")).collect()
}
