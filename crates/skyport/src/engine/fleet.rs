//! What lets replicas of an app act as one server: sessions kept in the
//! coordination store, SSE event logs written through to it, and a bus
//! (the store's pub/sub) that carries notifications, replies and session
//! changes to whichever replica holds the stream they belong to.
//!
//! One [`Fleet`] per app engine, attached when the server opens its store.
//! With a store one process owns (SQLite) the bus stays in-process and event
//! logs stay in memory; with a shared one (PostgreSQL, Redis) both cross
//! replicas.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use serde::{Deserialize, Serialize};
use skyport_store::coordination::{Delivery, events_channel};
use skyport_store::{Coordination, Records, StoreError};
use tokio::sync::mpsc;

use super::notify::ServerEvent;
use super::session_id::SessionSigner;
use super::stream_log::LoggedEvent;

/// How long a stream nobody appends to stays resumable from the shared store.
const EVENT_TTL: Duration = Duration::from_secs(600);

/// A message between the replicas serving one app.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum BusMessage {
    /// A list change or resource update raised on replica `origin`.
    Event {
        /// The replica that raised it (it already delivered it locally).
        origin: String,
        /// What happened.
        event: ServerEvent,
    },
    /// A message for the stream of `session`, wherever it is held.
    Push {
        /// The session.
        session: String,
        /// The JSON-RPC message.
        message: String,
    },
    /// A client's answer to a server-to-client request, for the replica
    /// whose request waits for it.
    Reply {
        /// The JSON-RPC response.
        message: String,
    },
    /// A session's stored fields changed: replicas holding it re-read them.
    SessionChanged {
        /// The replica that changed them.
        origin: String,
        /// The session.
        session: String,
    },
    /// A session ended: replicas holding it close it.
    SessionEnded {
        /// The replica that ended it.
        origin: String,
        /// The session.
        session: String,
    },
}

/// A write done in order, off the request path.
#[derive(Debug)]
enum Write {
    Event {
        stream: String,
        seq: u64,
        data: Arc<[u8]>,
    },
    Finish {
        stream: String,
    },
    Publish(BusMessage),
    Touch {
        session: String,
    },
    Delete {
        session: String,
    },
}

/// One app's link to the shared store.
#[derive(Debug)]
pub struct Fleet {
    coordination: Arc<dyn Coordination>,
    records: Arc<dyn Records>,
    signer: SessionSigner,
    replica: String,
    channel: String,
    writes: mpsc::UnboundedSender<Write>,
}

impl Fleet {
    /// Connects app `app` to the store: loads the session signing key and
    /// starts the ordered writer.
    pub async fn new(
        app: &str,
        records: Arc<dyn Records>,
        coordination: Arc<dyn Coordination>,
        idle_ttl: Duration,
        event_retention: usize,
    ) -> Result<Arc<Self>, StoreError> {
        let key = SessionSigner::load_key(records.as_ref()).await?;
        let (writes, rx) = mpsc::unbounded_channel();
        let fleet = Arc::new(Self {
            signer: SessionSigner::new(app, &key),
            replica: format!("{:016x}", rand::random::<u64>()),
            channel: format!("skyport:app:{app}"),
            coordination: coordination.clone(),
            records,
            writes,
        });
        tokio::spawn(write_in_order(
            Writer {
                coordination,
                channel: fleet.channel.clone(),
                idle_ttl,
                event_retention,
            },
            rx,
        ));
        Ok(fleet)
    }

    /// This process's id among the replicas.
    pub fn replica(&self) -> &str {
        &self.replica
    }

    /// True when other processes share the store (PostgreSQL, Redis).
    pub fn is_shared(&self) -> bool {
        self.coordination.is_shared()
    }

    /// The records (app data).
    pub fn records(&self) -> &Arc<dyn Records> {
        &self.records
    }

    /// The coordination store.
    pub fn coordination(&self) -> &Arc<dyn Coordination> {
        &self.coordination
    }

    /// Signs and checks session ids.
    pub fn signer(&self) -> &SessionSigner {
        &self.signer
    }

    /// Subscribes to the app's bus.
    pub(crate) async fn subscribe(
        &self,
    ) -> Result<skyport_store::coordination::Subscription, StoreError> {
        self.coordination.subscribe(&self.channel).await
    }

    /// Publishes on the app's bus (in order, off the request path).
    pub(crate) fn publish(&self, message: BusMessage) {
        let _ = self.writes.send(Write::Publish(message));
    }

    /// Publishes and waits until the message is out (session changes that
    /// the client's next request, on any replica, must see).
    pub(crate) async fn publish_now(&self, message: &BusMessage) {
        let payload = serde_json::to_vec(message).expect("bus messages serialise");
        if let Err(e) = self.coordination.publish(&self.channel, &payload).await {
            tracing::warn!(error = %e, "could not publish to the other replicas");
        }
    }

    /// Extends a session's TTL in the store, off the request path.
    pub(crate) fn touch_later(&self, session: &str) {
        let _ = self.writes.send(Write::Touch {
            session: session.to_owned(),
        });
    }

    /// Deletes a session from the store and tells the other replicas.
    pub(crate) fn end_later(&self, session: &str) {
        let _ = self.writes.send(Write::Delete {
            session: session.to_owned(),
        });
        self.publish(BusMessage::SessionEnded {
            origin: self.replica.clone(),
            session: session.to_owned(),
        });
    }

    /// A sender whose messages reach `session`'s stream on whichever replica
    /// holds it (legacy SSE answers to a POST that landed elsewhere).
    pub(crate) fn remote_push(self: &Arc<Self>, session: &str) -> mpsc::UnboundedSender<Vec<u8>> {
        let (tx, mut rx) = mpsc::unbounded_channel::<Vec<u8>>();
        let fleet = self.clone();
        let session = session.to_owned();
        tokio::spawn(async move {
            while let Some(bytes) = rx.recv().await {
                fleet.publish(BusMessage::Push {
                    session: session.clone(),
                    message: String::from_utf8_lossy(&bytes).into_owned(),
                });
            }
        });
        tx
    }

    /// Records an SSE event in the shared store (shared stores only).
    pub(crate) fn log_event(&self, stream: &str, seq: u64, data: Arc<[u8]>) {
        let _ = self.writes.send(Write::Event {
            stream: stream.to_owned(),
            seq,
            data,
        });
    }

    /// Marks a stream complete in the shared store.
    pub(crate) fn log_finish(&self, stream: &str) {
        let _ = self.writes.send(Write::Finish {
            stream: stream.to_owned(),
        });
    }

    /// Follows a stream another replica wrote, from after `seq`, until it
    /// finishes; `None` when the store does not know it.
    pub(crate) async fn follow_remote(
        self: &Arc<Self>,
        stream: String,
        display_id: u64,
        seq: u64,
    ) -> Option<impl futures::Stream<Item = LoggedEvent> + Send + 'static> {
        let coordination = self.coordination.clone();
        // Subscribe before the first read, so no wake-up falls in between.
        let mut wakeups = coordination
            .subscribe(&events_channel(&stream))
            .await
            .ok()?;
        // The writer may not have stored the stream's first events yet (the
        // client can reconnect faster than the write lands): wait a little.
        let mut first = coordination.events_after(&stream, seq, 1024).await.ok()?;
        for _ in 0..20 {
            if first.known {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            first = coordination.events_after(&stream, seq, 1024).await.ok()?;
        }
        if !first.known {
            return None;
        }
        Some(async_stream::stream! {
            let mut seq = seq;
            let mut page = first;
            loop {
                for (s, data) in page.events {
                    seq = s;
                    yield LoggedEvent { id: format!("{display_id}-{s}"), seq: s, data: data.into() };
                }
                if page.finished {
                    break;
                }
                // Wait for an append (or re-check now and then, in case a wake-up was missed).
                let _ = tokio::time::timeout(Duration::from_secs(2), wakeups.next()).await;
                page = match coordination.events_after(&stream, seq, 1024).await {
                    Ok(p) => p,
                    Err(e) => {
                        tracing::warn!(error = %e, "resumed stream: the event store failed");
                        break;
                    }
                };
            }
        })
    }
}

/// What the ordered writer needs.
struct Writer {
    coordination: Arc<dyn Coordination>,
    channel: String,
    idle_ttl: Duration,
    event_retention: usize,
}

/// Applies writes one at a time, in the order they were queued: a stream's
/// events land in sequence, and a publish never overtakes the write before it.
async fn write_in_order(w: Writer, mut rx: mpsc::UnboundedReceiver<Write>) {
    while let Some(job) = rx.recv().await {
        let c = &w.coordination;
        let result = match &job {
            Write::Event { stream, seq, data } => {
                c.events_append(stream, *seq, data, w.event_retention, EVENT_TTL)
                    .await
            }
            Write::Finish { stream } => c.events_finish(stream, EVENT_TTL).await,
            Write::Publish(m) => {
                let payload = serde_json::to_vec(m).expect("bus messages serialise");
                c.publish(&w.channel, &payload).await
            }
            Write::Touch { session } => c.session_touch(session, w.idle_ttl).await.map(|_| ()),
            Write::Delete { session } => c.session_delete(session).await.map(|_| ()),
        };
        if let Err(e) = result {
            tracing::warn!(error = %e, "store write failed");
        }
    }
}

/// Sends events raised in this process to the other replicas.
pub(crate) async fn relay_events(fleet: Arc<Fleet>, mut rx: mpsc::UnboundedReceiver<ServerEvent>) {
    while let Some(event) = rx.recv().await {
        fleet.publish(BusMessage::Event {
            origin: fleet.replica.clone(),
            event,
        });
    }
}

/// Acts on what the other replicas say, for as long as the engine lives.
pub(crate) async fn run_bus(
    engine: std::sync::Weak<super::Engine>,
    mut bus: skyport_store::coordination::Subscription,
    replica: String,
) {
    while let Some(delivery) = bus.next().await {
        let Some(engine) = engine.upgrade() else {
            break;
        };
        let bytes = match delivery {
            Delivery::Message(b) => b,
            Delivery::Lagged => {
                tracing::warn!(
                    app = engine.app().name(),
                    "missed messages from other replicas"
                );
                continue;
            }
        };
        let Ok(message) = serde_json::from_slice::<BusMessage>(&bytes) else {
            tracing::warn!("ignored a malformed message from another replica");
            continue;
        };
        match message {
            BusMessage::Event { origin, event } if origin != replica => {
                engine.app().notifier().send_local(event);
            }
            BusMessage::Push { session, message } => {
                if let Some(s) = engine.sessions().local(&session) {
                    s.push(message.into_bytes());
                }
            }
            BusMessage::Reply { message } => {
                if let Ok(crate::protocol::jsonrpc::Body::Single(m)) =
                    crate::protocol::jsonrpc::Incoming::parse_body(message.as_bytes())
                    && let Some(id) = m.id
                {
                    engine.pending().deliver(id, m.result, m.error);
                }
            }
            BusMessage::SessionChanged { origin, session } if origin != replica => {
                engine.sessions().refresh(&session).await;
            }
            BusMessage::SessionEnded { origin, session } if origin != replica => {
                engine.sessions().forget(&session);
            }
            _ => {}
        }
    }
}
