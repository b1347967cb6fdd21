//! Session-era (2024-11-05 .. 2025-11-25) sessions: what was negotiated at
//! `initialize`, the log level, resource subscriptions, in-flight requests and
//! the channel for unsolicited server messages.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rmcp::model::{ClientCapabilities, Implementation};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use skyport_store::coordination::SessionFields;

use super::fleet::Fleet;
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

/// How [`Negotiated`] is kept in the session store.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct StoredNegotiated {
    version: String,
    capabilities: ClientCapabilities,
    client_info: Option<Implementation>,
}

impl Negotiated {
    fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(&StoredNegotiated {
            version: self.version.as_str().to_owned(),
            capabilities: self.client_capabilities.clone(),
            client_info: self.client_info.clone(),
        })
        .expect("negotiated state serialises")
    }

    fn from_bytes(bytes: &[u8]) -> Option<Self> {
        let s: StoredNegotiated = serde_json::from_slice(bytes).ok()?;
        Some(Self {
            version: Version::parse(&s.version)?,
            client_capabilities: s.capabilities,
            client_info: s.client_info,
        })
    }
}

/// A session field kept in the store (so any replica can serve the session).
#[derive(Debug, Clone)]
pub enum SessionField {
    /// What `initialize` settled.
    Negotiated,
    /// `notifications/initialized` arrived.
    Initialized,
    /// The `logging/setLevel` level.
    LogLevel,
    /// A resource subscription was added (true) or removed (false).
    Subscription(String, bool),
}

const F_NEGOTIATED: &str = "negotiated";
const F_INITIALIZED: &str = "initialized";
const F_LOG_LEVEL: &str = "log_level";
const F_SUB_PREFIX: &str = "sub:";

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
    /// When the store last heard of this session (its TTL there is renewed lazily).
    pub(super) stored_ms: AtomicU64,
    inflight: Mutex<HashMap<OwnedId, CancellationToken>>,
    push: Mutex<Option<mpsc::UnboundedSender<Vec<u8>>>>,
    /// SSE streams of this session, kept for `Last-Event-ID` resumption.
    pub(crate) streams: StreamLogs,
    closed: CancellationToken,
}

pub(super) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

impl Session {
    pub(super) fn new(id: Arc<str>, retention: usize, fleet: Option<&Arc<Fleet>>) -> Self {
        let shared = fleet.filter(|f| f.is_shared()).cloned();
        Self {
            streams: StreamLogs::new(retention, shared.map(|f| (f, id.clone()))),
            id,
            negotiated: OnceLock::new(),
            initialized: AtomicBool::new(false),
            log_level: AtomicU8::new(LEVEL_UNSET),
            subscriptions: Mutex::new(HashSet::new()),
            last_seen_ms: AtomicU64::new(now_ms()),
            stored_ms: AtomicU64::new(now_ms()),
            inflight: Mutex::new(HashMap::new()),
            push: Mutex::new(None),
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

    pub(super) fn idle_for(&self) -> Duration {
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

    /// The value of `field` as the store keeps it (`None`: remove it).
    pub(super) fn field_value(&self, field: &SessionField) -> (String, Option<Vec<u8>>) {
        match field {
            SessionField::Negotiated => (
                F_NEGOTIATED.into(),
                self.negotiated.get().map(Negotiated::to_bytes),
            ),
            SessionField::Initialized => (F_INITIALIZED.into(), Some(b"1".to_vec())),
            SessionField::LogLevel => (F_LOG_LEVEL.into(), self.log_level().map(|l| vec![l as u8])),
            SessionField::Subscription(uri, on) => {
                (format!("{F_SUB_PREFIX}{uri}"), on.then(|| b"1".to_vec()))
            }
        }
    }

    /// Everything the store keeps of this session.
    pub(super) fn to_fields(&self) -> SessionFields {
        let mut fields = SessionFields::new();
        for f in [SessionField::Negotiated, SessionField::LogLevel] {
            if let (name, Some(v)) = self.field_value(&f) {
                fields.insert(name, v);
            }
        }
        if self.initialized.load(Ordering::Relaxed) {
            fields.insert(F_INITIALIZED.into(), b"1".to_vec());
        }
        for uri in self
            .subscriptions
            .lock()
            .expect("subscriptions lock")
            .iter()
        {
            fields.insert(format!("{F_SUB_PREFIX}{uri}"), b"1".to_vec());
        }
        fields
    }

    /// Takes on the state another replica stored.
    pub(super) fn apply_fields(&self, fields: &SessionFields) {
        if self.negotiated.get().is_none()
            && let Some(n) = fields
                .get(F_NEGOTIATED)
                .and_then(|b| Negotiated::from_bytes(b))
        {
            let _ = self.negotiated.set(n);
        }
        if fields.contains_key(F_INITIALIZED) {
            self.initialized.store(true, Ordering::Relaxed);
        }
        if let Some(level) = fields.get(F_LOG_LEVEL).and_then(|b| b.first()) {
            self.log_level.store(*level, Ordering::Relaxed);
        }
        let subs: HashSet<String> = fields
            .keys()
            .filter_map(|k| k.strip_prefix(F_SUB_PREFIX).map(str::to_owned))
            .collect();
        *self.subscriptions.lock().expect("subscriptions lock") = subs;
    }

    pub(super) fn close(&self) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::sessions::Sessions;

    #[tokio::test]
    async fn sessions_are_created_found_and_removed() {
        let s = Sessions::new(Duration::from_secs(60), 16);
        let a = s.create_local();
        assert_eq!(a.id().len(), 32);
        assert!(s.get(a.id()).await.is_some());
        assert!(s.remove(a.id()));
        assert!(a.is_closed());
        assert!(s.get(a.id()).await.is_none());
    }

    #[test]
    fn idle_sessions_expire_but_streaming_ones_stay() {
        let s = Sessions::new(Duration::ZERO, 16);
        let idle = s.create_local();
        let streaming = s.create_local();
        let _rx = streaming.open_push();
        std::thread::sleep(Duration::from_millis(5));
        assert_eq!(s.sweep(), 1);
        assert!(idle.is_closed());
        assert!(!streaming.is_closed());
    }

    #[test]
    fn cancellation_reaches_the_tracked_request() {
        let s = Sessions::new(Duration::from_secs(60), 16);
        let a = s.create_local();
        let id = OwnedId::from_value(&serde_json::json!(3)).unwrap();
        let t = CancellationToken::new();
        a.track(id.clone(), t.clone());
        assert!(a.cancel(&id));
        assert!(t.is_cancelled());
        assert!(!a.cancel(&id));
    }
}
