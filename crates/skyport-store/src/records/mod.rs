//! Records: what the apps remember. Key-value app state and the typed
//! records (users, carts, orders, memberships, tasks, API keys).
//!
//! # Contract (every backend)
//! - **Durable on return.** When a method returns `Ok`, the write is
//!   committed: it survives a restart and a `kill -9` of the process.
//! - **Atomic.** Each method is one transaction: it happens entirely or not
//!   at all. Methods that change counts or quantities (`kv_incr`,
//!   `cart_add`) are single atomic updates, never read-modify-write from
//!   the caller, so concurrent callers never lose each other's updates.
//! - **Versioned.** Records that callers edit (`KvEntry`, `Cart`, `Task`)
//!   carry a `version` that grows by one per change; methods taking an
//!   `expected_version` fail with [`StoreError::Conflict`] when it differs.
//! - **Idempotent where hosts retry.** `place_order` and `create_task` take
//!   an idempotency key: a retry with the same key returns the first result
//!   and writes nothing.
//! - **Scoped.** Keys and ids never leak across namespaces, owners or
//!   backlogs: reading another owner's record answers `None`/`NotFound`.
//! - Times are Unix milliseconds; money is integer cents.
//!
//! [`StoreError::Conflict`]: crate::StoreError::Conflict

mod api_keys;
mod carts;
mod kv;
mod memberships;
mod orders;
mod tasks;
mod users;

pub use api_keys::{ApiKey, ApiKeyStore};
pub use carts::{Cart, CartLine, CartStore};
pub use kv::{KV_GET_MANY_MAX, KvEntry, KvStore};
pub use memberships::{Membership, MembershipStore};
pub use orders::{NewOrder, Order, OrderStore};
pub use tasks::{NewTask, Task, TaskCount, TaskGroup, TaskPatch, TaskQuery, TaskSort, TaskStore};
pub use users::{NewUser, User, UserPatch, UserStore};

use crate::Backend;

/// Every record kind, from one backend. Apps hold an `Arc<dyn Records>`.
pub trait Records:
    KvStore
    + UserStore
    + CartStore
    + OrderStore
    + MembershipStore
    + TaskStore
    + ApiKeyStore
    + std::fmt::Debug
{
    /// Which backend serves these records.
    fn backend(&self) -> Backend;
}

/// One page of a listing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// How many items match in all.
    pub total: u64,
}
