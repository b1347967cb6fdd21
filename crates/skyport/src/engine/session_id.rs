//! Session ids that any replica can check without a store round trip:
//! 128 random bits and an HMAC-SHA256 tag over the app name and those bits.
//! A forged or altered id fails the check and gets 404 before any lookup.
//!
//! The key is shared through the records store (created once, on the first
//! start), so every replica — and the same server after a restart — accepts
//! the ids any of them minted.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use skyport_store::{Records, StoreError};

/// Bytes of the tag kept in the id (96 bits: forging one is 2^96 guesses).
const TAG_BYTES: usize = 12;
const KEY_NS: &str = "skyport";
const KEY_NAME: &str = "session-signing-key";

/// Mints and checks signed session ids for one app.
#[derive(Clone)]
pub struct SessionSigner {
    key: Hmac<Sha256>,
    app: String,
}

impl std::fmt::Debug for SessionSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionSigner")
            .field("app", &self.app)
            .finish_non_exhaustive()
    }
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

impl SessionSigner {
    /// A signer for `app` with `key`.
    pub fn new(app: &str, key: &[u8]) -> Self {
        Self {
            key: Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length"),
            app: app.to_owned(),
        }
    }

    /// Loads the deployment's key from the store, creating it on first use
    /// (the first replica to start stores it; the others read it).
    pub async fn load_key(records: &dyn Records) -> Result<Vec<u8>, StoreError> {
        let fresh = serde_json::Value::String(hex(&rand::random::<[u8; 32]>()));
        let entry = records.kv_get_or_put(KEY_NS, KEY_NAME, &fresh).await?;
        key_of(&entry.value)
    }

    fn tag(&self, random: &str) -> String {
        let mut mac = self.key.clone();
        mac.update(self.app.as_bytes());
        mac.update(b".");
        mac.update(random.as_bytes());
        hex(&mac.finalize().into_bytes()[..TAG_BYTES])
    }

    /// A fresh id: `{32 hex random}.{24 hex tag}`.
    pub fn mint(&self) -> String {
        let random = format!("{:032x}", rand::random::<u128>());
        let tag = self.tag(&random);
        format!("{random}.{tag}")
    }

    /// True when this deployment minted `id` for this app.
    pub fn verify(&self, id: &str) -> bool {
        let Some((random, tag)) = id.split_once('.') else {
            return false;
        };
        if random.len() != 32 || tag.len() != TAG_BYTES * 2 {
            return false;
        }
        // Constant-time comparison through the MAC's own verifier.
        let Some(tag_bytes) = unhex(tag) else {
            return false;
        };
        let mut mac = self.key.clone();
        mac.update(self.app.as_bytes());
        mac.update(b".");
        mac.update(random.as_bytes());
        mac.verify_truncated_left(&tag_bytes).is_ok()
    }
}

fn key_of(value: &serde_json::Value) -> Result<Vec<u8>, StoreError> {
    match value {
        serde_json::Value::String(s) if s.len() >= 32 => Ok(s.clone().into_bytes()),
        _ => Err(StoreError::Corrupt(
            "the stored session signing key is malformed".into(),
        )),
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|b| u8::from_str_radix(b, 16).ok()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minted_ids_verify_and_altered_ones_do_not() {
        let s = SessionSigner::new("shop", b"0123456789abcdef0123456789abcdef");
        let id = s.mint();
        assert!(s.verify(&id));
        let mut altered = id.clone().into_bytes();
        altered[3] = if altered[3] == b'0' { b'1' } else { b'0' };
        assert!(!s.verify(std::str::from_utf8(&altered).unwrap()));
        assert!(!s.verify("nonsense"));
        assert!(!s.verify(&format!("{}.", &id[..32])));
        // Another app (or another deployment's key) does not accept it.
        assert!(!SessionSigner::new("greeter", b"0123456789abcdef0123456789abcdef").verify(&id));
        assert!(!SessionSigner::new("shop", b"another key of thirty-two bytes!").verify(&id));
    }
}
