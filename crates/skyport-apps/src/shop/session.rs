//! Shopping sessions, kept in the store's key-value records under the
//! namespace `shop` (so every replica and all four shop apps see them):
//!
//! | key | value |
//! |---|---|
//! | `session/{id}` | a [`ShoppingSession`] |
//!
//! A session id (`shop_` + 128 random bits) is the handle the model passes
//! from tool to tool, across the four apps' endpoints and under the
//! stateless protocol. It ends after [`ShopSettings::idle`] without
//! activity; an ended session's record stays a day so the model hears
//! "expired" rather than "unknown", then the sweep removes it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use skyport::ToolError;
use skyport::store::{Records, StoreError};
use skyport_store::records::KvEntry;

use super::settings::ShopSettings;
use crate::common::clock::{is_random_id, now_ms, random_id};

/// The key-value namespace of the shop.
pub(crate) const NS: &str = "shop";
const PREFIX: &str = "shop_";
/// How long an expired session's record is kept to say "expired".
const TOMBSTONE_MS: i64 = 24 * 60 * 60 * 1000;
/// Entries looked at per sweep.
const SWEEP: u32 = 16;

/// One shopping session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShoppingSession {
    /// Its id (the key; not stored in the value).
    #[serde(skip)]
    pub(crate) id: String,
    /// The session's cart (owned by the session id).
    pub(crate) cart_id: String,
    /// The signed-in user, once signed in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) user_id: Option<String>,
    /// Created, Unix ms.
    pub(crate) created_at: i64,
    /// The last tool call or sign-in that named it, Unix ms.
    pub(crate) last_active_at: i64,
}

impl ShoppingSession {
    /// When it ends without further activity, Unix ms.
    pub(crate) fn expires_at(&self, settings: &ShopSettings) -> i64 {
        self.last_active_at
            .saturating_add(crate::common::clock::ms(settings.idle))
    }
}

fn key(id: &str) -> String {
    format!("session/{id}")
}

/// True for ids this module could have made.
pub(crate) fn valid_id(id: &str) -> bool {
    is_random_id(id, PREFIX)
}

/// Why a session cannot be used: each says what the model should do.
#[derive(Debug, thiserror::Error)]
pub(crate) enum SessionError {
    /// Not an id this shop makes.
    #[error(
        "{0:?} is not a shopping session id (they look like shop_ followed by 32 hex digits). Call create_shopping_session to start one, then pass its sessionId."
    )]
    Malformed(String),
    /// No such session.
    #[error(
        "No shopping session {0} exists (it may have been reset). Call create_shopping_session to start a new one."
    )]
    Unknown(String),
    /// Idle too long.
    #[error(
        "The shopping session {id} expired after {minutes} idle minutes. Call create_shopping_session to start a new one (past orders are kept)."
    )]
    Expired {
        /// The session id.
        id: String,
        /// The idle limit.
        minutes: u64,
    },
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<SessionError> for ToolError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::Store(s) => ToolError::from(s),
            other => ToolError::Failed(other.to_string()),
        }
    }
}

/// Creates a session and its cart, signed in as `user_id` when given.
pub(crate) async fn create(
    records: &dyn Records,
    user_id: Option<&str>,
) -> Result<ShoppingSession, StoreError> {
    let now = now_ms();
    let id = random_id(PREFIX);
    let cart = records.create_cart(&id).await?;
    let session = ShoppingSession {
        id: id.clone(),
        cart_id: cart.id,
        user_id: user_id.map(str::to_owned),
        created_at: now,
        last_active_at: now,
    };
    // 128 random bits do not collide; the conditional write makes sure.
    records
        .kv_put_if(NS, &key(&id), &to_value(&session), None)
        .await?;
    if let Err(e) = sweep(records).await {
        tracing::warn!(error = %e, "sweeping ended shopping sessions failed");
    }
    Ok(session)
}

fn to_value(s: &ShoppingSession) -> Value {
    serde_json::to_value(s).unwrap_or(Value::Null)
}

/// Reads a session whatever its age, with its version.
async fn load(
    records: &dyn Records,
    id: &str,
) -> Result<Option<(ShoppingSession, u64)>, StoreError> {
    let Some(KvEntry { value, version, .. }) = records.kv_get(NS, &key(id)).await? else {
        return Ok(None);
    };
    match serde_json::from_value::<ShoppingSession>(value) {
        Ok(mut s) => {
            s.id = id.to_owned();
            Ok(Some((s, version)))
        }
        Err(_) => {
            records.kv_delete(NS, &key(id)).await?;
            Ok(None)
        }
    }
}

/// Opens a live session for a tool call and records the activity.
pub(crate) async fn open(
    records: &dyn Records,
    id: &str,
    settings: &ShopSettings,
) -> Result<ShoppingSession, SessionError> {
    let id = id.trim();
    if !valid_id(id) {
        return Err(SessionError::Malformed(id.chars().take(80).collect()));
    }
    for _ in 0..3 {
        let Some((mut s, version)) = load(records, id).await? else {
            return Err(SessionError::Unknown(id.to_owned()));
        };
        let now = now_ms();
        if s.expires_at(settings) <= now {
            return Err(SessionError::Expired {
                id: id.to_owned(),
                minutes: settings.idle_minutes(),
            });
        }
        // Refreshing at most every few seconds keeps a burst of calls to one write.
        let refresh_ms = (crate::common::clock::ms(settings.idle) / 4).min(5_000);
        if now - s.last_active_at < refresh_ms {
            return Ok(s);
        }
        s.last_active_at = now;
        match records
            .kv_put_if(NS, &key(id), &to_value(&s), Some(version))
            .await
        {
            Ok(_) => return Ok(s),
            // Someone else touched it at the same moment: read it again.
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    // Three lost races in a row: the session is certainly active.
    load(records, id)
        .await?
        .map(|(s, _)| s)
        .ok_or_else(|| SessionError::Unknown(id.to_owned()))
}

/// What [`sign_in`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SignedIn {
    /// The session is now signed in as the user (or already was).
    Done(ShoppingSession),
    /// It is signed in as someone else: start a new session.
    OtherUser,
}

/// Signs a live session in as `user_id`.
pub(crate) async fn sign_in(
    records: &dyn Records,
    id: &str,
    user_id: &str,
    settings: &ShopSettings,
) -> Result<SignedIn, SessionError> {
    for _ in 0..5 {
        let s = open(records, id, settings).await?;
        match s.user_id.as_deref() {
            Some(u) if u == user_id => return Ok(SignedIn::Done(s)),
            Some(_) => return Ok(SignedIn::OtherUser),
            None => {}
        }
        let Some((_, version)) = load(records, id).await? else {
            return Err(SessionError::Unknown(id.to_owned()));
        };
        let done = ShoppingSession {
            user_id: Some(user_id.to_owned()),
            last_active_at: now_ms(),
            ..s
        };
        match records
            .kv_put_if(NS, &key(id), &to_value(&done), Some(version))
            .await
        {
            Ok(_) => return Ok(SignedIn::Done(done)),
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(SessionError::Store(StoreError::conflict(
        "shopping session",
        id,
        "it changed too often while signing in; try again",
    )))
}

/// Gives the session a new cart after `old` was checked out, and returns the
/// session's cart id: the new one, or the one a concurrent call already put
/// in (then `new` stays empty and unused).
pub(crate) async fn roll_cart(
    records: &dyn Records,
    id: &str,
    old: &str,
    new: &str,
) -> Result<String, StoreError> {
    for _ in 0..5 {
        let Some((s, version)) = load(records, id).await? else {
            return Err(StoreError::not_found("shopping session", id));
        };
        if s.cart_id != old {
            return Ok(s.cart_id);
        }
        let next = ShoppingSession {
            cart_id: new.to_owned(),
            ..s
        };
        match records
            .kv_put_if(NS, &key(id), &to_value(&next), Some(version))
            .await
        {
            Ok(_) => return Ok(new.to_owned()),
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Err(StoreError::conflict(
        "shopping session",
        id,
        "it changed too often while starting a new cart; try again",
    ))
}

/// Clears the shop's key-value state (demo reset): ends every session and
/// forgets stock sold and checkout locks; returns how many sessions there were.
pub(crate) async fn end_all(records: &dyn Records) -> Result<u64, StoreError> {
    let mut ended = 0;
    loop {
        let page = records.kv_list(NS, "", None, 200).await?;
        if page.is_empty() {
            return Ok(ended);
        }
        let mut deleted = false;
        for e in page {
            let gone = records.kv_delete(NS, &e.key).await?;
            deleted |= gone;
            if gone && e.key.starts_with("session/") {
                ended += 1;
            }
        }
        if !deleted {
            return Ok(ended);
        }
    }
}

/// Deletes the records of sessions ended over a day ago, starting at a
/// random key (so repeated sweeps cover the whole space).
async fn sweep(records: &dyn Records) -> Result<(), StoreError> {
    let from = key(&random_id(PREFIX));
    let now = now_ms();
    for e in records.kv_list(NS, "session/", Some(&from), SWEEP).await? {
        let stale = serde_json::from_value::<ShoppingSession>(e.value)
            .map_or(true, |s| now - s.last_active_at > TOMBSTONE_MS);
        if stale {
            records.kv_delete(NS, &e.key).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_shop_and_128_random_bits() {
        let id = random_id(PREFIX);
        assert!(valid_id(&id), "{id}");
        assert!(!valid_id("sess_0123456789abcdef0123456789abcdef"));
        assert!(!valid_id("shop_../../x"));
    }

    #[test]
    fn errors_tell_the_model_what_to_do() {
        let e = SessionError::Expired {
            id: "shop_x".into(),
            minutes: 10,
        }
        .to_string();
        assert!(
            e.contains("expired after 10 idle minutes") && e.contains("create_shopping_session")
        );
        assert!(
            SessionError::Malformed("x".into())
                .to_string()
                .contains("create_shopping_session")
        );
    }
}
