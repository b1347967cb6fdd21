//! In-process pub/sub: the bus for a store that one process owns (SQLite),
//! and the local fan-out behind the shared backends' single connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use futures::StreamExt;
use tokio::sync::broadcast::{self, error::RecvError};

use super::{Delivery, Subscription};

/// Messages a slow subscriber may fall behind by before it is told it lagged.
const CAPACITY: usize = 1024;

/// A channel's sender: `Some(payload)` is a message, `None` a lag report.
type Sender = broadcast::Sender<Option<Arc<[u8]>>>;

/// Channel name → broadcast sender. Channels are created on first subscribe
/// and dropped on the first publish that finds no subscriber left.
#[derive(Debug, Clone, Default)]
pub struct LocalBus {
    channels: Arc<Mutex<HashMap<String, Sender>>>,
}

impl LocalBus {
    /// An empty bus.
    pub fn new() -> Self {
        Self::default()
    }

    /// Delivers `payload` to this process's subscribers of `channel`.
    pub fn publish(&self, channel: &str, payload: &[u8]) {
        let mut channels = self.channels.lock().expect("bus lock");
        if let Some(tx) = channels.get(channel)
            && tx.send(Some(payload.into())).is_err()
        {
            channels.remove(channel);
        }
    }

    /// True when someone in this process listens on `channel`.
    pub fn has_subscribers(&self, channel: &str) -> bool {
        self.channels
            .lock()
            .expect("bus lock")
            .get(channel)
            .is_some_and(|tx| tx.receiver_count() > 0)
    }

    /// Tells every subscriber it may have missed messages (the shared
    /// backend's connection was re-established).
    pub fn lagged_all(&self) {
        for tx in self.channels.lock().expect("bus lock").values() {
            let _ = tx.send(None);
        }
    }

    /// Subscribes to `channel` in this process.
    pub fn subscribe(&self, channel: &str) -> Subscription {
        let rx = self
            .channels
            .lock()
            .expect("bus lock")
            .entry(channel.to_owned())
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe();
        futures::stream::unfold(rx, |mut rx| async move {
            let item = match rx.recv().await {
                Ok(Some(bytes)) => Delivery::Message(bytes.to_vec()),
                Ok(None) => Delivery::Lagged,
                Err(RecvError::Lagged(_)) => Delivery::Lagged,
                Err(RecvError::Closed) => return None,
            };
            Some((item, rx))
        })
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn delivers_to_subscribers_of_the_channel_only() {
        let bus = LocalBus::new();
        let mut a = bus.subscribe("a");
        let mut b = bus.subscribe("b");
        bus.publish("a", b"one");
        bus.publish("b", b"two");
        assert_eq!(a.next().await, Some(Delivery::Message(b"one".to_vec())));
        assert_eq!(b.next().await, Some(Delivery::Message(b"two".to_vec())));
        bus.lagged_all();
        assert_eq!(a.next().await, Some(Delivery::Lagged));
    }
}
