//! Key-value app state, namespaced per app.

use async_trait::async_trait;
use serde_json::Value;

use crate::Result;

/// A stored value and its version.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct KvEntry {
    /// The key within its namespace.
    pub key: String,
    /// The value (any JSON).
    pub value: Value,
    /// 1 on first write, then one more per change.
    pub version: u64,
    /// Last change, Unix ms.
    pub updated_at: i64,
}

/// The most keys one [`KvStore::kv_get_many`] call reads.
pub const KV_GET_MANY_MAX: usize = 100;

/// Key-value state. `ns` is the app's name (or another caller-chosen scope).
#[async_trait]
pub trait KvStore: Send + Sync {
    /// The entry, if set.
    async fn kv_get(&self, ns: &str, key: &str) -> Result<Option<KvEntry>>;
    /// The entries of several keys in one round trip, in the order of
    /// `keys` (`None` where unset). At most [`KV_GET_MANY_MAX`] keys.
    async fn kv_get_many(&self, ns: &str, keys: &[&str]) -> Result<Vec<Option<KvEntry>>>;
    /// Sets the value unconditionally; returns the new version.
    async fn kv_put(&self, ns: &str, key: &str, value: &Value) -> Result<u64>;
    /// Sets the value only if the current version is `expected` (`None`: only
    /// if the key is absent); returns the new version, or `Conflict`.
    async fn kv_put_if(
        &self,
        ns: &str,
        key: &str,
        value: &Value,
        expected: Option<u64>,
    ) -> Result<u64>;
    /// The entry, after setting it to `value` if the key was absent. Atomic:
    /// concurrent callers (other replicas too) all get the first value
    /// stored. Runs on the writer, so it opens no reader connection (for
    /// values read once at start-up, such as a deployment's keys).
    async fn kv_get_or_put(&self, ns: &str, key: &str, value: &Value) -> Result<KvEntry>;
    /// Adds `by` to an integer value (absent counts as 0) atomically; returns the new value.
    async fn kv_incr(&self, ns: &str, key: &str, by: i64) -> Result<i64>;
    /// Removes the key; false when it was not set.
    async fn kv_delete(&self, ns: &str, key: &str) -> Result<bool>;
    /// Entries whose key starts with `prefix`, in key order, after the key
    /// `after` (exclusive), at most `limit`.
    async fn kv_list(
        &self,
        ns: &str,
        prefix: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<KvEntry>>;
}
