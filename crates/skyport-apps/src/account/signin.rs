//! Sign-in sessions and sign-in statistics, kept in the store's key-value
//! records under the namespace `account`:
//!
//! | key | value |
//! |---|---|
//! | `signin/{id}` | a [`SignIn`]: pending until the widget posts valid credentials |
//! | `mcp/{mcp_session_id}` | the sign-in id bound to an MCP session |
//! | `stats/{user_id}/count` | how many times the user signed in (an integer) |
//! | `stats/{user_id}/last` | when they last did (Unix ms) |
//!
//! A sign-in id (`sess_` + 128 random bits) is a bearer capability: whoever
//! holds it can complete the sign-in and then read the profile. It goes to
//! the widget through the result's `_meta`, never to the model. Expired
//! entries are removed when next read, and each new sign-in sweeps a few
//! from a random point of the key space (abandoned forms and the bindings of
//! ended MCP sessions are never read again).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use skyport_store::records::KvEntry;
use skyport_store::{Records, StoreError};

/// The key-value namespace of the account app.
pub(crate) const NS: &str = "account";
/// How long a pending sign-in waits for the form to be submitted.
pub(crate) const PENDING_TTL: Duration = Duration::from_secs(30 * 60);
/// How long a completed sign-in stays valid.
pub(crate) const SIGNED_IN_TTL: Duration = Duration::from_secs(12 * 60 * 60);
const PREFIX: &str = "sess_";

use crate::common::clock::{is_random_id, ms, random_id};
pub(crate) use crate::common::clock::{now_ms, rfc3339};

/// A fresh sign-in id: `sess_` and 32 hex digits (128 random bits).
pub(crate) fn new_id() -> String {
    random_id(PREFIX)
}

/// True for ids [`new_id`] could have made.
pub(crate) fn valid_id(id: &str) -> bool {
    is_random_id(id, PREFIX)
}

/// Where a sign-in stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Status {
    /// Waiting for the widget's form.
    Pending,
    /// A user signed in with it.
    Authenticated,
}

/// One sign-in session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SignIn {
    /// Pending or authenticated.
    pub(crate) status: Status,
    /// The signed-in user, once authenticated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) user_id: Option<String>,
    /// Created, Unix ms.
    pub(crate) created_at: i64,
    /// Past this (Unix ms) it is gone.
    pub(crate) expires_at: i64,
}

impl SignIn {
    /// The signed-in user's id, when authenticated.
    pub(crate) fn user(&self) -> Option<&str> {
        match self.status {
            Status::Authenticated => self.user_id.as_deref(),
            Status::Pending => None,
        }
    }
}

fn key(id: &str) -> String {
    format!("signin/{id}")
}

fn binding_key(mcp_session: &str) -> String {
    format!("mcp/{mcp_session}")
}

/// Creates a pending sign-in (bound to `mcp_session` when given).
pub(crate) async fn create(
    records: &dyn Records,
    mcp_session: Option<&str>,
) -> Result<(String, SignIn), StoreError> {
    let now = now_ms();
    let signin = SignIn {
        status: Status::Pending,
        user_id: None,
        created_at: now,
        expires_at: now + ms(PENDING_TTL),
    };
    let value = serde_json::to_value(&signin).unwrap_or(Value::Null);
    // 128 random bits do not collide; the conditional write makes sure.
    let id = loop {
        let id = new_id();
        match records.kv_put_if(NS, &key(&id), &value, None).await {
            Ok(_) => break id,
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e),
        }
    };
    if let Some(s) = mcp_session {
        // A form opened earlier in this MCP session and not completed is abandoned.
        if let Some(old) = bound(records, s).await?
            && get(records, &old)
                .await?
                .is_some_and(|o| o.user().is_none())
        {
            end(records, &old).await?;
        }
        records.kv_put(NS, &binding_key(s), &json!(id)).await?;
    }
    if let Err(e) = sweep(records).await {
        tracing::warn!(app = NS, error = %e, "sweeping expired sign-ins failed");
    }
    Ok((id, signin))
}

/// Entries looked at per sweep, for each of sign-ins and bindings.
const SWEEP: u32 = 16;

/// Deletes expired sign-ins and bindings to gone sign-ins, starting at a
/// random key (so repeated sweeps cover the whole space).
async fn sweep(records: &dyn Records) -> Result<(), StoreError> {
    let from = key(&new_id());
    for e in records.kv_list(NS, "signin/", Some(&from), SWEEP).await? {
        if let Some(id) = e.key.strip_prefix("signin/") {
            load(records, id).await?; // deletes it when expired or unreadable
        }
    }
    let from = binding_key(&new_id());
    for e in records.kv_list(NS, "mcp/", Some(&from), SWEEP).await? {
        let live = match e.value.as_str() {
            Some(id) => load(records, id).await?.is_some(),
            None => false,
        };
        if !live {
            records.kv_delete(NS, &e.key).await?;
        }
    }
    Ok(())
}

/// Reads an entry; expired or unreadable ones are deleted and read as absent.
async fn load(records: &dyn Records, id: &str) -> Result<Option<(SignIn, u64)>, StoreError> {
    if !valid_id(id) {
        return Ok(None);
    }
    let Some(KvEntry { value, version, .. }) = records.kv_get(NS, &key(id)).await? else {
        return Ok(None);
    };
    match serde_json::from_value::<SignIn>(value) {
        Ok(s) if s.expires_at > now_ms() => Ok(Some((s, version))),
        _ => {
            records.kv_delete(NS, &key(id)).await?;
            Ok(None)
        }
    }
}

/// The live sign-in with this id.
pub(crate) async fn get(records: &dyn Records, id: &str) -> Result<Option<SignIn>, StoreError> {
    Ok(load(records, id).await?.map(|(s, _)| s))
}

/// What [`authenticate`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Marked {
    /// The sign-in is now authenticated for the user.
    Done,
    /// It already was, for the same user (a retried submit): nothing changed.
    AlreadyDone,
    /// No live sign-in has this id.
    Unknown,
    /// It was completed by another user; start a new sign-in.
    Used,
}

/// Marks a pending sign-in as authenticated for `user_id` and counts the
/// sign-in in the user's statistics.
pub(crate) async fn authenticate(
    records: &dyn Records,
    id: &str,
    user_id: &str,
) -> Result<Marked, StoreError> {
    for _ in 0..3 {
        let Some((s, version)) = load(records, id).await? else {
            return Ok(Marked::Unknown);
        };
        match s.user() {
            Some(u) if u == user_id => return Ok(Marked::AlreadyDone),
            Some(_) => return Ok(Marked::Used),
            None => {}
        }
        let now = now_ms();
        let done = SignIn {
            status: Status::Authenticated,
            user_id: Some(user_id.to_owned()),
            created_at: s.created_at,
            expires_at: now + ms(SIGNED_IN_TTL),
        };
        let value = serde_json::to_value(&done).unwrap_or(Value::Null);
        match records.kv_put_if(NS, &key(id), &value, Some(version)).await {
            Ok(_) => {
                records
                    .kv_incr(NS, &format!("stats/{user_id}/count"), 1)
                    .await?;
                records
                    .kv_put(NS, &format!("stats/{user_id}/last"), &json!(now))
                    .await?;
                return Ok(Marked::Done);
            }
            // Someone else wrote it between the read and the write: look again.
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(Marked::Used)
}

/// Ends a sign-in; false when there was none.
pub(crate) async fn end(records: &dyn Records, id: &str) -> Result<bool, StoreError> {
    if !valid_id(id) {
        return Ok(false);
    }
    records.kv_delete(NS, &key(id)).await
}

/// The sign-in id bound to an MCP session.
pub(crate) async fn bound(
    records: &dyn Records,
    mcp_session: &str,
) -> Result<Option<String>, StoreError> {
    Ok(records
        .kv_get(NS, &binding_key(mcp_session))
        .await?
        .and_then(|e| e.value.as_str().map(str::to_owned)))
}

/// Forgets an MCP session's sign-in.
pub(crate) async fn unbind(records: &dyn Records, mcp_session: &str) -> Result<bool, StoreError> {
    records.kv_delete(NS, &binding_key(mcp_session)).await
}

/// A user's sign-in count and last sign-in (Unix ms).
pub(crate) async fn stats(
    records: &dyn Records,
    user_id: &str,
) -> Result<(u64, Option<i64>), StoreError> {
    let count = records
        .kv_get(NS, &format!("stats/{user_id}/count"))
        .await?
        .and_then(|e| e.value.as_u64())
        .unwrap_or(0);
    let last = records
        .kv_get(NS, &format!("stats/{user_id}/last"))
        .await?
        .and_then(|e| e.value.as_i64());
    Ok((count, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_sess_and_128_random_bits() {
        let a = new_id();
        assert!(a.starts_with("sess_") && valid_id(&a), "{a}");
        assert!(!valid_id(&a.replacen("sess_", "shop_", 1)));
    }
}
