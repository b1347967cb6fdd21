//! Server-originated events (list changes, resource updates) fanned out to
//! every open stream of an app.
//!
//! In one process this is a broadcast channel; with a shared store, the
//! engine relays every event to the other replicas over the store's bus.

use std::sync::{Arc, OnceLock};

use serde_json::json;
use tokio::sync::{broadcast, mpsc};

use super::session::Session;
use crate::protocol::jsonrpc::notification_bytes;

/// An event that open streams turn into MCP notifications.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "type", content = "uri", rename_all = "snake_case")]
pub enum ServerEvent {
    /// `notifications/tools/list_changed`.
    ToolsListChanged,
    /// `notifications/resources/list_changed`.
    ResourcesListChanged,
    /// `notifications/prompts/list_changed`.
    PromptsListChanged,
    /// `notifications/resources/updated` for subscribers of this URI.
    ResourceUpdated(String),
}

impl ServerEvent {
    /// The notification `session` gets for this event; `None` when the session
    /// did not subscribe to it (resource updates go to subscribers only).
    pub fn notification_for(&self, session: &Session) -> Option<Vec<u8>> {
        let empty = json!({});
        Some(match self {
            ServerEvent::ToolsListChanged => {
                notification_bytes("notifications/tools/list_changed", &empty)
            }
            ServerEvent::ResourcesListChanged => {
                notification_bytes("notifications/resources/list_changed", &empty)
            }
            ServerEvent::PromptsListChanged => {
                notification_bytes("notifications/prompts/list_changed", &empty)
            }
            ServerEvent::ResourceUpdated(uri) if session.is_subscribed(uri) => {
                notification_bytes("notifications/resources/updated", &json!({ "uri": uri }))
            }
            ServerEvent::ResourceUpdated(_) => return None,
        })
    }
}

/// Publishes [`ServerEvent`]s to subscribers.
#[derive(Debug, Clone)]
pub struct Notifier {
    tx: broadcast::Sender<ServerEvent>,
    /// Where events raised here also go (the other replicas), once attached.
    relay: Arc<OnceLock<mpsc::UnboundedSender<ServerEvent>>>,
}

impl Default for Notifier {
    fn default() -> Self {
        Self::new()
    }
}

impl Notifier {
    /// A notifier with room for 1024 undelivered events per subscriber.
    pub fn new() -> Self {
        Self {
            tx: broadcast::channel(1024).0,
            relay: Arc::default(),
        }
    }

    /// Sends an event to this process's streams and, with a shared store,
    /// to every other replica's.
    pub fn send(&self, event: ServerEvent) {
        if let Some(relay) = self.relay.get() {
            let _ = relay.send(event.clone());
        }
        let _ = self.tx.send(event);
    }

    /// Delivers an event another replica raised to this process's streams.
    pub(crate) fn send_local(&self, event: ServerEvent) {
        let _ = self.tx.send(event);
    }

    /// Relays events raised here from now on (once, at start-up).
    pub(crate) fn relay_to(&self, tx: mpsc::UnboundedSender<ServerEvent>) {
        let _ = self.relay.set(tx);
    }

    /// Announces that a resource changed.
    pub fn resource_updated(&self, uri: impl Into<String>) {
        self.send(ServerEvent::ResourceUpdated(uri.into()));
    }

    /// Subscribes to future events.
    pub fn subscribe(&self) -> broadcast::Receiver<ServerEvent> {
        self.tx.subscribe()
    }
}
