//! Placeholder until the Redis coordination lands (being written now).
#![allow(unused_variables)]

use std::time::Duration;

use async_trait::async_trait;

use crate::coordination::*;
use crate::{Backend, Result, StoreError};

/// Coordination in Redis.
#[derive(Debug)]
pub(crate) struct RedisCoordination {
    namespace: String,
}

impl RedisCoordination {
    /// Connects to `url`; `namespace` prefixes every key and channel.
    pub(crate) async fn connect(url: &str, namespace: &str) -> Result<Self> {
        Ok(Self {
            namespace: namespace.to_owned(),
        })
    }
}

fn todo<T>() -> Result<T> {
    Err(StoreError::invalid("coordination", "not built yet"))
}

#[async_trait]
impl Coordination for RedisCoordination {
    fn backend(&self) -> Backend {
        Backend::Redis
    }
    fn is_shared(&self) -> bool {
        true
    }
    async fn session_create(&self, id: &str, fields: &SessionFields, ttl: Duration) -> Result<()> {
        todo()
    }
    async fn session_get(&self, id: &str, ttl: Duration) -> Result<Option<SessionFields>> {
        todo()
    }
    async fn session_touch(&self, id: &str, ttl: Duration) -> Result<bool> {
        todo()
    }
    async fn session_set(
        &self,
        id: &str,
        field: &str,
        value: Option<&[u8]>,
        ttl: Duration,
    ) -> Result<bool> {
        todo()
    }
    async fn session_delete(&self, id: &str) -> Result<bool> {
        todo()
    }
    async fn rate_hit(&self, key: &str, limit: u64, window: Duration) -> Result<RateDecision> {
        todo()
    }
    async fn publish(&self, channel: &str, payload: &[u8]) -> Result<()> {
        todo()
    }
    async fn subscribe(&self, channel: &str) -> Result<Subscription> {
        todo()
    }
    async fn events_append(
        &self,
        stream: &str,
        seq: u64,
        data: &[u8],
        max_events: usize,
        ttl: Duration,
    ) -> Result<()> {
        todo()
    }
    async fn events_finish(&self, stream: &str, ttl: Duration) -> Result<()> {
        todo()
    }
    async fn events_after(&self, stream: &str, after: u64, limit: usize) -> Result<EventPage> {
        todo()
    }
    async fn sweep(&self) -> Result<u64> {
        todo()
    }
}
