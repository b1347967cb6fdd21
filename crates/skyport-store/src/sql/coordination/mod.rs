//! The coordination contract over SQL. SQLite: one process owns the file, so
//! pub/sub stays in-process ([`LocalBus`]). PostgreSQL: several replicas share
//! it; messages are rows announced with `NOTIFY` and fanned out locally by
//! one `LISTEN`ing connection per process (`notify.rs`).

mod events;
mod notify;
mod rate;
mod sessions;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use tokio_util::sync::{CancellationToken, DropGuard};

use super::pool::SqlPool;
use crate::coordination::{
    Coordination, EventPage, LocalBus, RateDecision, SessionFields, Subscription, events_channel,
};
use crate::{Backend, Result};

/// Coordination in the SQL database.
#[derive(Debug)]
pub(crate) struct SqlCoordination {
    pool: SqlPool,
    bus: LocalBus,
    /// The NOTIFY channel (PostgreSQL), from the namespace.
    notify_channel: String,
    /// Stops the LISTEN task when this goes away.
    _listener: Option<DropGuard>,
}

pub(super) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

pub(super) fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl SqlCoordination {
    /// Coordination over `pool`; `namespace` names the NOTIFY channel.
    pub(crate) async fn new(pool: SqlPool, namespace: &str) -> Result<Self> {
        let bus = LocalBus::new();
        let notify_channel = notify::channel_name(namespace);
        let listener = match &pool.postgres_url {
            Some(url) => {
                let stop = CancellationToken::new();
                notify::start(
                    url,
                    &notify_channel,
                    pool.read.clone(),
                    bus.clone(),
                    stop.clone(),
                )
                .await?;
                Some(stop.drop_guard())
            }
            None => None,
        };
        Ok(Self {
            pool,
            bus,
            notify_channel,
            _listener: listener,
        })
    }

    fn shared(&self) -> bool {
        self.pool.backend == Backend::Postgres
    }

    /// Announces an append or finish to readers following `stream`.
    async fn wake(&self, stream: &str) -> Result<()> {
        let channel = events_channel(stream);
        if self.shared() {
            notify::wake(&self.pool.write, &self.notify_channel, &channel).await
        } else {
            self.bus.publish(&channel, b"");
            Ok(())
        }
    }
}

#[async_trait]
impl Coordination for SqlCoordination {
    fn backend(&self) -> Backend {
        self.pool.backend
    }

    fn is_shared(&self) -> bool {
        self.shared()
    }

    async fn session_create(&self, id: &str, fields: &SessionFields, ttl: Duration) -> Result<()> {
        sessions::create(&self.pool, id, fields, ttl).await
    }

    async fn session_get(&self, id: &str, ttl: Duration) -> Result<Option<SessionFields>> {
        sessions::get(&self.pool, id, ttl).await
    }

    async fn session_touch(&self, id: &str, ttl: Duration) -> Result<bool> {
        sessions::touch(&self.pool.write, id, ttl).await
    }

    async fn session_set(
        &self,
        id: &str,
        field: &str,
        value: Option<&[u8]>,
        ttl: Duration,
    ) -> Result<bool> {
        sessions::set(&self.pool, id, field, value, ttl).await
    }

    async fn session_delete(&self, id: &str) -> Result<bool> {
        sessions::delete(&self.pool, id).await
    }

    async fn rate_hit(&self, key: &str, limit: u64, window: Duration) -> Result<RateDecision> {
        rate::hit(&self.pool, key, limit, window).await
    }

    async fn publish(&self, channel: &str, payload: &[u8]) -> Result<()> {
        if self.shared() {
            notify::publish(&self.pool.write, &self.notify_channel, channel, payload).await
        } else {
            self.bus.publish(channel, payload);
            Ok(())
        }
    }

    async fn subscribe(&self, channel: &str) -> Result<Subscription> {
        // The LISTEN connection is already up: a local subscriber sees every
        // message published after this returns.
        Ok(self.bus.subscribe(channel))
    }

    async fn events_append(
        &self,
        stream: &str,
        seq: u64,
        data: &[u8],
        max_events: usize,
        ttl: Duration,
    ) -> Result<()> {
        events::append(&self.pool, stream, seq, data, max_events, ttl).await?;
        self.wake(stream).await
    }

    async fn events_finish(&self, stream: &str, ttl: Duration) -> Result<()> {
        events::finish(&self.pool, stream, ttl).await?;
        self.wake(stream).await
    }

    async fn events_after(&self, stream: &str, after: u64, limit: usize) -> Result<EventPage> {
        events::after(&self.pool, stream, after, limit).await
    }

    async fn sweep(&self) -> Result<u64> {
        let mut removed = sessions::sweep(&self.pool).await?;
        removed += rate::sweep(&self.pool).await?;
        removed += events::sweep(&self.pool).await?;
        if self.shared() {
            removed += notify::sweep(&self.pool).await?;
        }
        Ok(removed)
    }
}
