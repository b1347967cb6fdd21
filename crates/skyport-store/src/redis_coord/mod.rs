//! The coordination contract in Redis. Every key and channel is prefixed
//! with the namespace. Sessions are hashes with a TTL (a `~` field keeps an
//! empty session alive); rate windows are counters that expire with their
//! window; each SSE stream is a Redis stream (ids `{seq}-0`) trimmed to its
//! retention, plus a finished flag. Redis expires keys itself, so `sweep` has
//! nothing to do.

mod pubsub;

use std::time::Duration;

use async_trait::async_trait;
use redis::AsyncCommands;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

use crate::coordination::{
    Coordination, EventPage, RateDecision, SessionFields, Subscription, events_channel,
};
use crate::location::redact;
use crate::{Backend, Result, StoreError};

/// The field that marks a session hash as live even with no other field.
const LIVE: &str = "~";

/// Coordination in Redis.
#[derive(Debug)]
pub(crate) struct RedisCoordination {
    conn: ConnectionManager,
    namespace: String,
    pubsub: pubsub::Fanout,
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX).max(1)
}

impl RedisCoordination {
    /// Connects to `url`; `namespace` prefixes every key and channel.
    pub(crate) async fn connect(url: &str, namespace: &str) -> Result<Self> {
        let unreachable = |reason: String| StoreError::Unreachable {
            setting: "store.redis_url",
            target: redact(url),
            reason,
        };
        let client = redis::Client::open(url).map_err(|e| StoreError::BadSetting {
            setting: "store.redis_url",
            reason: format!("{}: {e}", redact(url)),
        })?;
        let config = ConnectionManagerConfig::new()
            .set_number_of_retries(2)
            .set_connection_timeout(Some(Duration::from_secs(5)))
            .set_response_timeout(Some(Duration::from_secs(10)));
        let mut conn = tokio::time::timeout(
            Duration::from_secs(10),
            client.get_connection_manager_with_config(config),
        )
        .await
        .map_err(|_| unreachable("no answer within 10 s".into()))?
        .map_err(|e| unreachable(e.to_string()))?;
        let _: String = redis::cmd("PING")
            .query_async(&mut conn)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        let pubsub = pubsub::Fanout::start(client, namespace)
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        Ok(Self {
            conn,
            namespace: namespace.to_owned(),
            pubsub,
        })
    }

    fn key(&self, kind: &str, name: &str) -> String {
        format!("{}:{kind}:{name}", self.namespace)
    }
}

/// Sets or removes a field only while the session lives, renewing its TTL.
const SET_FIELD: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if ARGV[1] == '1' then redis.call('HSET', KEYS[1], ARGV[2], ARGV[3]) else redis.call('HDEL', KEYS[1], ARGV[2]) end
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1";

/// Reads a live session's fields and renews its TTL.
const GET_SESSION: &str = r"
if redis.call('PEXPIRE', KEYS[1], ARGV[1]) == 0 then return false end
return redis.call('HGETALL', KEYS[1])";

/// Counts a hit in a window key that expires with the window.
const RATE_HIT: &str = r"
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return {n, redis.call('PTTL', KEYS[1])}";

#[async_trait]
impl Coordination for RedisCoordination {
    fn backend(&self) -> Backend {
        Backend::Redis
    }

    fn is_shared(&self) -> bool {
        true
    }

    async fn session_create(&self, id: &str, fields: &SessionFields, ttl: Duration) -> Result<()> {
        let key = self.key("session", id);
        let mut pipe = redis::pipe();
        pipe.atomic()
            .del(&key)
            .ignore()
            .hset(&key, LIVE, "1")
            .ignore();
        for (name, value) in fields {
            pipe.hset(&key, name, value.as_slice()).ignore();
        }
        pipe.pexpire(&key, ms(ttl)).ignore();
        let mut conn = self.conn.clone();
        let () = pipe.query_async(&mut conn).await?;
        Ok(())
    }

    async fn session_get(&self, id: &str, ttl: Duration) -> Result<Option<SessionFields>> {
        let mut conn = self.conn.clone();
        let fields: Option<Vec<(String, Vec<u8>)>> = redis::Script::new(GET_SESSION)
            .key(self.key("session", id))
            .arg(ms(ttl))
            .invoke_async(&mut conn)
            .await?;
        Ok(fields.map(|f| f.into_iter().filter(|(k, _)| k != LIVE).collect()))
    }

    async fn session_touch(&self, id: &str, ttl: Duration) -> Result<bool> {
        let mut conn = self.conn.clone();
        let touched: bool = conn.pexpire(self.key("session", id), ms(ttl)).await?;
        Ok(touched)
    }

    async fn session_set(
        &self,
        id: &str,
        field: &str,
        value: Option<&[u8]>,
        ttl: Duration,
    ) -> Result<bool> {
        if field == LIVE {
            return Err(StoreError::invalid("field", "`~` is reserved"));
        }
        let mut conn = self.conn.clone();
        let done: i64 = redis::Script::new(SET_FIELD)
            .key(self.key("session", id))
            .arg(if value.is_some() { "1" } else { "0" })
            .arg(field)
            .arg(value.unwrap_or_default())
            .arg(ms(ttl))
            .invoke_async(&mut conn)
            .await?;
        Ok(done == 1)
    }

    async fn session_delete(&self, id: &str) -> Result<bool> {
        let mut conn = self.conn.clone();
        let n: i64 = conn.del(self.key("session", id)).await?;
        Ok(n > 0)
    }

    async fn rate_hit(&self, key: &str, limit: u64, window: Duration) -> Result<RateDecision> {
        let window_ms = ms(window);
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0);
        let window_no = now / window_ms;
        let mut conn = self.conn.clone();
        let (count, pttl): (i64, i64) = redis::Script::new(RATE_HIT)
            .key(self.key("rate", &format!("{key}:{window_no}")))
            .arg(window_ms)
            .invoke_async(&mut conn)
            .await?;
        let count = u64::try_from(count).unwrap_or(0);
        Ok(RateDecision {
            allowed: count <= limit,
            count,
            remaining: limit.saturating_sub(count),
            reset_after: Duration::from_millis(u64::try_from(pttl).unwrap_or(0)),
        })
    }

    async fn publish(&self, channel: &str, payload: &[u8]) -> Result<()> {
        let mut conn = self.conn.clone();
        let _: i64 = conn
            .publish(self.pubsub.wire_channel(channel), payload)
            .await?;
        Ok(())
    }

    async fn subscribe(&self, channel: &str) -> Result<Subscription> {
        self.pubsub.subscribe(channel).await
    }

    async fn events_append(
        &self,
        stream: &str,
        seq: u64,
        data: &[u8],
        max_events: usize,
        ttl: Duration,
    ) -> Result<()> {
        let key = self.key("events", stream);
        let mut conn = self.conn.clone();
        let added: redis::RedisResult<String> = redis::cmd("XADD")
            .arg(&key)
            .arg("MAXLEN")
            .arg(max_events.max(1))
            .arg(format!("{seq}-0"))
            .arg("d")
            .arg(data)
            .query_async(&mut conn)
            .await;
        // A retried append of an event already stored is not an error.
        if let Err(e) = added
            && !e.to_string().contains("equal or smaller")
        {
            return Err(e.into());
        }
        let _: bool = conn.pexpire(&key, ms(ttl)).await?;
        let _: bool = conn
            .pexpire(self.key("events-done", stream), ms(ttl))
            .await?;
        self.publish(&events_channel(stream), b"").await
    }

    async fn events_finish(&self, stream: &str, ttl: Duration) -> Result<()> {
        let mut conn = self.conn.clone();
        let () = conn
            .pset_ex(
                self.key("events-done", stream),
                "1",
                u64::try_from(ms(ttl)).unwrap_or(1),
            )
            .await?;
        let _: bool = conn.pexpire(self.key("events", stream), ms(ttl)).await?;
        self.publish(&events_channel(stream), b"").await
    }

    async fn events_after(&self, stream: &str, after: u64, limit: usize) -> Result<EventPage> {
        let key = self.key("events", stream);
        let mut conn = self.conn.clone();
        let (entries, finished, exists): (redis::streams::StreamRangeReply, bool, bool) =
            redis::pipe()
                .cmd("XRANGE")
                .arg(&key)
                .arg(format!("({after}-0"))
                .arg("+")
                .arg("COUNT")
                .arg(limit.max(1))
                .exists(self.key("events-done", stream))
                .exists(&key)
                .query_async(&mut conn)
                .await?;
        let mut events = Vec::with_capacity(entries.ids.len());
        for entry in entries.ids {
            let seq = entry
                .id
                .split('-')
                .next()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| StoreError::Corrupt(format!("event id {}", entry.id)))?;
            let data: Vec<u8> = match entry.map.get("d") {
                Some(v) => redis::FromRedisValue::from_redis_value(v.clone())
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                None => Vec::new(),
            };
            events.push((seq, data));
        }
        Ok(EventPage {
            events,
            finished,
            known: finished || exists,
        })
    }

    async fn sweep(&self) -> Result<u64> {
        Ok(0)
    }
}
