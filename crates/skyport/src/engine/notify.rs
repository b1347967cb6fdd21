//! Server-originated events (list changes, resource updates) fanned out to
//! every open stream of an app.
//!
//! In one process this is a broadcast channel; the store layer bridges it
//! across replicas.

use serde_json::json;
use tokio::sync::broadcast;

use super::session::Session;
use crate::protocol::jsonrpc::notification_bytes;

/// An event that open streams turn into MCP notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
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
        }
    }

    /// Sends an event; nothing happens when no stream is open.
    pub fn send(&self, event: ServerEvent) {
        let _ = self.tx.send(event);
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
