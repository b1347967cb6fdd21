//! Placeholder until the SQL records land (being written now).
#![allow(unused_variables)]
use async_trait::async_trait;
use serde_json::Value;

use super::pool::SqlPool;
use crate::records::*;
use crate::{Backend, Result, StoreError};

/// Records in SQLite or PostgreSQL.
#[derive(Debug)]
pub(crate) struct SqlRecords {
    pool: SqlPool,
}

impl SqlRecords {
    /// Records over `pool`.
    pub(crate) fn new(pool: SqlPool) -> Self {
        Self { pool }
    }
}

fn todo<T>() -> Result<T> {
    Err(StoreError::invalid("records", "not built yet"))
}

impl Records for SqlRecords {
    fn backend(&self) -> Backend {
        self.pool.backend
    }
}

#[async_trait]
impl KvStore for SqlRecords {
    async fn kv_get(&self, ns: &str, key: &str) -> Result<Option<KvEntry>> {
        todo()
    }
    async fn kv_put(&self, ns: &str, key: &str, value: &Value) -> Result<u64> {
        todo()
    }
    async fn kv_put_if(
        &self,
        ns: &str,
        key: &str,
        value: &Value,
        expected: Option<u64>,
    ) -> Result<u64> {
        todo()
    }
    async fn kv_incr(&self, ns: &str, key: &str, by: i64) -> Result<i64> {
        todo()
    }
    async fn kv_delete(&self, ns: &str, key: &str) -> Result<bool> {
        todo()
    }
    async fn kv_list(
        &self,
        ns: &str,
        prefix: &str,
        after: Option<&str>,
        limit: u32,
    ) -> Result<Vec<KvEntry>> {
        todo()
    }
}

#[async_trait]
impl UserStore for SqlRecords {
    async fn create_user(&self, new: NewUser) -> Result<User> {
        todo()
    }
    async fn user(&self, id: &str) -> Result<Option<User>> {
        todo()
    }
    async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        todo()
    }
    async fn update_user(&self, id: &str, patch: UserPatch) -> Result<User> {
        todo()
    }
}

#[async_trait]
impl CartStore for SqlRecords {
    async fn create_cart(&self, owner: &str) -> Result<Cart> {
        todo()
    }
    async fn cart(&self, owner: &str, id: &str) -> Result<Option<Cart>> {
        todo()
    }
    async fn cart_add(&self, owner: &str, cart_id: &str, line: CartLine) -> Result<Cart> {
        todo()
    }
    async fn cart_set_quantity(
        &self,
        owner: &str,
        cart_id: &str,
        sku: &str,
        quantity: i64,
    ) -> Result<Cart> {
        todo()
    }
}

#[async_trait]
impl OrderStore for SqlRecords {
    async fn place_order(&self, order: NewOrder) -> Result<Order> {
        todo()
    }
    async fn order(&self, user_id: &str, id: &str) -> Result<Option<Order>> {
        todo()
    }
    async fn orders_for_user(&self, user_id: &str, limit: u32) -> Result<Vec<Order>> {
        todo()
    }
}

#[async_trait]
impl MembershipStore for SqlRecords {
    async fn set_membership(&self, user_id: &str, tier: &str, status: &str) -> Result<Membership> {
        todo()
    }
    async fn membership(&self, user_id: &str) -> Result<Option<Membership>> {
        todo()
    }
}

#[async_trait]
impl TaskStore for SqlRecords {
    async fn create_task(&self, new: NewTask) -> Result<Task> {
        todo()
    }
    async fn task(&self, backlog: &str, id: &str) -> Result<Option<Task>> {
        todo()
    }
    async fn update_task(
        &self,
        backlog: &str,
        id: &str,
        patch: TaskPatch,
        expected_version: Option<u64>,
    ) -> Result<Task> {
        todo()
    }
    async fn delete_task(&self, backlog: &str, id: &str) -> Result<bool> {
        todo()
    }
    async fn list_tasks(&self, query: &TaskQuery) -> Result<Page<Task>> {
        todo()
    }
}
