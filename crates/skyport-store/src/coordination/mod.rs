//! Coordination: short-lived shared state that lets replicas act as one.
//! Sessions with an idle TTL, rate-limit counters, pub/sub, and the SSE
//! event store.
//!
//! # Contract (every backend)
//! - **Sessions** are maps of named byte fields with an idle TTL. A session
//!   not touched (created, read with `session_get`, `session_touch`ed or
//!   written) for its TTL is gone: every method then behaves as if it never
//!   existed. Field writes are per field, so two replicas changing different
//!   fields never overwrite each other.
//! - **Rate limits** are fixed-window counters: `rate_hit` atomically counts
//!   one hit in the current window and says whether it is within the limit.
//!   Hits from every replica sharing the backend count together.
//! - **Pub/sub** delivers each message published after `subscribe` returned
//!   to every subscriber of the channel, in every process sharing the
//!   backend, in publish order per publisher. Delivery is at most once (a
//!   subscriber that falls behind may miss messages; it is told by a
//!   [`Delivery::Lagged`]). Payloads up to 1 MiB work on every backend.
//!   One backend connection serves all of a process's subscriptions.
//! - **Event store**: per stream, events with increasing sequence numbers
//!   chosen by the stream's single writer. `events_append` returns once the
//!   event is readable from every process. Retention is bounded: the newest
//!   `max_events` per stream, and a stream not appended to for `ttl` is
//!   dropped. Every append and `events_finish` publishes a wake-up on
//!   [`events_channel`]`(stream)`, so readers can follow a stream with
//!   `subscribe` + `events_after`.
//! - `sweep` removes what expired; backends whose entries expire by
//!   themselves (Redis) may do nothing. It never blocks other calls for long.

mod memory;

pub use memory::LocalBus;

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;
use futures::stream::BoxStream;

use crate::{Backend, Result};

/// A session's fields.
pub type SessionFields = BTreeMap<String, Vec<u8>>;

/// What `rate_hit` decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    /// True when this hit is within the limit.
    pub allowed: bool,
    /// Hits counted in the current window, this one included.
    pub count: u64,
    /// Hits left in this window.
    pub remaining: u64,
    /// Time until the window resets.
    pub reset_after: Duration,
}

/// One item of a subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    /// A published payload.
    Message(Vec<u8>),
    /// This subscriber missed some messages (it fell behind, or the backend
    /// connection was re-established).
    Lagged,
}

/// A subscription's deliveries; dropping it unsubscribes.
pub type Subscription = BoxStream<'static, Delivery>;

/// Events read from a stream.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventPage {
    /// `(seq, data)` in order, all with `seq` greater than asked.
    pub events: Vec<(u64, Vec<u8>)>,
    /// True once the writer called `events_finish`.
    pub finished: bool,
    /// False when the store knows nothing of this stream (never written, or expired).
    pub known: bool,
}

/// The pub/sub channel on which appends to `stream` are announced.
pub fn events_channel(stream: &str) -> String {
    format!("skyport:events:{stream}")
}

/// Coordination across replicas.
#[async_trait]
pub trait Coordination: Send + Sync + std::fmt::Debug {
    /// Which backend serves this.
    fn backend(&self) -> Backend;

    /// True when other processes can share this state (PostgreSQL, Redis):
    /// the server then routes messages between replicas through pub/sub.
    fn is_shared(&self) -> bool;

    /// Creates (or replaces) a session with these fields.
    async fn session_create(&self, id: &str, fields: &SessionFields, ttl: Duration) -> Result<()>;
    /// A live session's fields (and touches it); `None` when unknown or expired.
    async fn session_get(&self, id: &str, ttl: Duration) -> Result<Option<SessionFields>>;
    /// Extends a live session's TTL; false when unknown or expired.
    async fn session_touch(&self, id: &str, ttl: Duration) -> Result<bool>;
    /// Sets one field of a live session (`None` removes it); false when unknown or expired.
    async fn session_set(
        &self,
        id: &str,
        field: &str,
        value: Option<&[u8]>,
        ttl: Duration,
    ) -> Result<bool>;
    /// Ends a session; false when it was unknown or expired.
    async fn session_delete(&self, id: &str) -> Result<bool>;

    /// Counts a hit on `key` in the current fixed window of `window`.
    async fn rate_hit(&self, key: &str, limit: u64, window: Duration) -> Result<RateDecision>;

    /// Publishes `payload` on `channel`.
    async fn publish(&self, channel: &str, payload: &[u8]) -> Result<()>;
    /// Subscribes to `channel`; messages published after this returns are delivered.
    async fn subscribe(&self, channel: &str) -> Result<Subscription>;

    /// Appends event `seq` to `stream` (the caller makes `seq` increase),
    /// keeping at most `max_events`; the stream expires `ttl` after its last append.
    async fn events_append(
        &self,
        stream: &str,
        seq: u64,
        data: &[u8],
        max_events: usize,
        ttl: Duration,
    ) -> Result<()>;
    /// Marks the stream complete (no more events will come).
    async fn events_finish(&self, stream: &str, ttl: Duration) -> Result<()>;
    /// Retained events with sequence greater than `after`, at most `limit`.
    async fn events_after(&self, stream: &str, after: u64, limit: usize) -> Result<EventPage>;

    /// Removes expired sessions, rate windows and streams; returns how many rows went.
    async fn sweep(&self) -> Result<u64>;
}
