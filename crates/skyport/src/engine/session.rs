//! Session-era (2024-11-05 .. 2025-11-25) sessions: what was negotiated at
//! `initialize`, the log level, resource subscriptions, in-flight requests and
//! the channel for unsolicited server messages.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use dashmap::DashMap;
use rmcp::model::{ClientCapabilities, Implementation};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::notify::ServerEvent;
use super::stream_log::StreamLogs;
use crate::protocol::OwnedId;
use crate::protocol::meta::LogLevel;
use crate::protocol::version::Version;

/// What `initialize` settled for a session.
#[derive(Debug, Clone)]
pub struct Negotiated {
    /// The protocol version both sides use.
    pub version: Version,
    /// The client's declared capabilities.
    pub client_capabilities: ClientCapabilities,
    /// The client's implementation info.
    pub client_info: Option<Implementation>,
}

const LEVEL_UNSET: u8 = u8::MAX;

/// One client session.
#[derive(Debug)]
pub struct Session {
    id: Arc<str>,
    negotiated: OnceLock<Negotiated>,
    initialized: AtomicBool,
    log_level: AtomicU8,
    subscriptions: Mutex<HashSet<String>>,
    last_seen_ms: AtomicU64,
    inflight: Mutex<HashMap<OwnedId, CancellationToken>>,
    push: Mutex<Option<mpsc::UnboundedSender<Vec<u8>>>>,
    /// SSE streams of this session, kept for `Last-Event-ID` resumption.
    pub(crate) streams: StreamLogs,
    closed: CancellationToken,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Session {
    fn new(id: Arc<str>, retention: usize) -> Self {
        Self {
            id,
            negotiated: OnceLock::new(),
            initialized: AtomicBool::new(false),
            log_level: AtomicU8::new(LEVEL_UNSET),
            subscriptions: Mutex::new(HashSet::new()),
            last_seen_ms: AtomicU64::new(now_ms()),
            inflight: Mutex::new(HashMap::new()),
            push: Mutex::new(None),
            streams: StreamLogs::new(retention),
            closed: CancellationToken::new(),
        }
    }

    /// The session id (sent as `Mcp-Session-Id` or the legacy `sessionId`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Records what `initialize` settled; false when it was already set.
    pub fn set_negotiated(&self, n: Negotiated) -> bool {
        self.negotiated.set(n).is_ok()
    }

    /// What `initialize` settled, once it ran.
    pub fn negotiated(&self) -> Option<&Negotiated> {
        self.negotiated.get()
    }

    /// The negotiated version (2025-03-26 before `initialize`, as the spec assumes).
    pub fn version(&self) -> Version {
        self.negotiated
            .get()
            .map_or(Version::V2025_03_26, |n| n.version)
    }

    /// The client's capabilities, once known.
    pub fn client_capabilities(&self) -> Option<ClientCapabilities> {
        self.negotiated.get().map(|n| n.client_capabilities.clone())
    }

    /// Marks `notifications/initialized` as received.
    pub fn mark_initialized(&self) {
        self.initialized.store(true, Ordering::Relaxed);
    }

    /// The level set by `logging/setLevel`, if any.
    pub fn log_level(&self) -> Option<LogLevel> {
        LogLevel::from_index(self.log_level.load(Ordering::Relaxed))
    }

    /// Sets the log level.
    pub fn set_log_level(&self, level: LogLevel) {
        self.log_level.store(level as u8, Ordering::Relaxed);
    }

    /// Subscribes to updates of a resource.
    pub fn subscribe(&self, uri: String) {
        self.subscriptions
            .lock()
            .expect("subscriptions lock")
            .insert(uri);
    }

    /// Unsubscribes; true when it was subscribed.
    pub fn unsubscribe(&self, uri: &str) -> bool {
        self.subscriptions
            .lock()
            .expect("subscriptions lock")
            .remove(uri)
    }

    /// True when the session subscribed to `uri`.
    pub fn is_subscribed(&self, uri: &str) -> bool {
        self.subscriptions
            .lock()
            .expect("subscriptions lock")
            .contains(uri)
    }

    /// Records activity (sessions expire after an idle period).
    pub fn touch(&self) {
        self.last_seen_ms.store(now_ms(), Ordering::Relaxed);
    }

    fn idle_for(&self) -> Duration {
        Duration::from_millis(now_ms().saturating_sub(self.last_seen_ms.load(Ordering::Relaxed)))
    }

    /// Registers an in-flight request so `notifications/cancelled` can stop it.
    pub(crate) fn track(&self, id: OwnedId, token: CancellationToken) {
        self.inflight
            .lock()
            .expect("inflight lock")
            .insert(id, token);
    }

    /// Forgets a finished request.
    pub(crate) fn untrack(&self, id: &OwnedId) {
        self.inflight.lock().expect("inflight lock").remove(id);
    }

    /// Cancels an in-flight request; false when it is unknown or finished.
    pub fn cancel(&self, id: &OwnedId) -> bool {
        match self.inflight.lock().expect("inflight lock").remove(id) {
            Some(t) => {
                t.cancel();
                true
            }
            None => false,
        }
    }

    /// Opens the channel for unsolicited messages; replaces an earlier one.
    pub(crate) fn open_push(&self) -> mpsc::UnboundedReceiver<Vec<u8>> {
        let (tx, rx) = mpsc::unbounded_channel();
        *self.push.lock().expect("push lock") = Some(tx);
        rx
    }

    /// True when a push channel is open and listened to.
    pub(crate) fn has_push(&self) -> bool {
        self.push
            .lock()
            .expect("push lock")
            .as_ref()
            .is_some_and(|tx| !tx.is_closed())
    }

    /// Closes the push channel.
    pub(crate) fn close_push(&self) {
        *self.push.lock().expect("push lock") = None;
    }

    /// The sender of the push channel, if open (legacy SSE and stdio send responses there too).
    pub(crate) fn push_sender(&self) -> Option<mpsc::UnboundedSender<Vec<u8>>> {
        self.push.lock().expect("push lock").clone()
    }

    /// Sends an unsolicited message; false when no stream is open.
    pub fn push(&self, bytes: Vec<u8>) -> bool {
        self.push
            .lock()
            .expect("push lock")
            .as_ref()
            .is_some_and(|tx| tx.send(bytes).is_ok())
    }

    /// Resolves when the session ends (DELETE, expiry, shutdown).
    pub fn closed(&self) -> tokio_util::sync::WaitForCancellationFuture<'_> {
        self.closed.cancelled()
    }

    /// True once the session ended.
    pub fn is_closed(&self) -> bool {
        self.closed.is_cancelled()
    }

    fn close(&self) {
        self.closed.cancel();
        for (_, t) in self.inflight.lock().expect("inflight lock").drain() {
            t.cancel();
        }
        self.close_push();
    }
}

/// Everything the server sends a session unprompted, in order: messages pushed
/// to it (legacy SSE and stdio replies, server-to-client requests) and the
/// app's notifications it wants. Pushed messages are drained first; the stream
/// ends when the push channel closes or the session ends. Every transport with
/// a session-wide stream (standalone GET, legacy SSE, stdio) reads this.
pub fn outgoing(
    session: Arc<Session>,
    mut push: mpsc::UnboundedReceiver<Vec<u8>>,
    mut events: tokio::sync::broadcast::Receiver<ServerEvent>,
) -> impl futures::Stream<Item = Vec<u8>> + Send {
    use tokio::sync::broadcast::error::RecvError;
    async_stream::stream! {
        loop {
            let bytes = tokio::select! {
                biased;
                m = push.recv() => match m {
                    Some(b) => b,
                    None => break,
                },
                _ = session.closed() => break,
                e = events.recv() => match e {
                    Ok(ev) => match ev.notification_for(&session) {
                        Some(b) => b,
                        None => continue,
                    },
                    Err(RecvError::Lagged(n)) => {
                        tracing::warn!(session = session.id(), missed = n, "a slow stream missed notifications");
                        continue;
                    }
                    Err(RecvError::Closed) => break,
                },
            };
            yield bytes;
        }
    }
}

/// The sessions of one app, in this process.
#[derive(Debug)]
pub struct Sessions {
    map: DashMap<Arc<str>, Arc<Session>>,
    idle_ttl: Duration,
    retention: usize,
}

impl Sessions {
    /// An empty table; sessions idle longer than `idle_ttl` expire.
    pub fn new(idle_ttl: Duration, retention: usize) -> Self {
        Self {
            map: DashMap::new(),
            idle_ttl,
            retention,
        }
    }

    /// Creates a session with a fresh, unguessable id (128 random bits).
    pub fn create(&self) -> Arc<Session> {
        let id: Arc<str> = format!("{:032x}", rand::random::<u128>()).into();
        let s = Arc::new(Session::new(id.clone(), self.retention));
        self.map.insert(id, s.clone());
        s
    }

    /// Finds a live session and records the activity.
    pub fn get(&self, id: &str) -> Option<Arc<Session>> {
        let s = self.map.get(id)?.clone();
        s.touch();
        Some(s)
    }

    /// Ends a session; false when it did not exist.
    pub fn remove(&self, id: &str) -> bool {
        match self.map.remove(id) {
            Some((_, s)) => {
                s.close();
                true
            }
            None => false,
        }
    }

    /// Number of live sessions.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when there is no session.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Ends sessions idle past the TTL that have no open stream; returns how many.
    pub fn sweep(&self) -> usize {
        let expired: Vec<Arc<str>> = self
            .map
            .iter()
            .filter(|e| e.value().idle_for() > self.idle_ttl && !e.value().has_push())
            .map(|e| e.key().clone())
            .collect();
        expired.iter().filter(|id| self.remove(id)).count()
    }

    /// Ends every session (shutdown).
    pub fn close_all(&self) {
        let ids: Vec<Arc<str>> = self.map.iter().map(|e| e.key().clone()).collect();
        for id in ids {
            self.remove(&id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sessions_are_created_found_and_removed() {
        let s = Sessions::new(Duration::from_secs(60), 16);
        let a = s.create();
        assert_eq!(a.id().len(), 32);
        assert!(s.get(a.id()).is_some());
        assert!(s.remove(a.id()));
        assert!(a.is_closed());
        assert!(s.get(a.id()).is_none());
    }

    #[test]
    fn idle_sessions_expire_but_streaming_ones_stay() {
        let s = Sessions::new(Duration::ZERO, 16);
        let idle = s.create();
        let streaming = s.create();
        let _rx = streaming.open_push();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(s.sweep(), 1);
        assert!(idle.is_closed());
        assert!(!streaming.is_closed());
    }

    #[test]
    fn cancellation_reaches_the_tracked_request() {
        let s = Sessions::new(Duration::from_secs(60), 16);
        let a = s.create();
        let id = OwnedId::from_value(&serde_json::json!(3)).unwrap();
        let t = CancellationToken::new();
        a.track(id.clone(), t.clone());
        assert!(a.cancel(&id));
        assert!(t.is_cancelled());
        assert!(!a.cancel(&id));
    }
}
