//! One Redis pub/sub connection per process, shared by every subscription:
//! Redis channels are subscribed while someone in this process listens and
//! fanned out through a [`LocalBus`]. If the connection drops it is
//! re-established, channels are subscribed again, and subscribers are told
//! they may have missed messages.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::StreamExt;
use redis::aio::PubSubSink;

use crate::Result;
use crate::coordination::{LocalBus, Subscription};

/// The shared pub/sub connection.
#[derive(Debug, Clone)]
pub(super) struct Fanout {
    prefix: String,
    bus: LocalBus,
    sink: Arc<tokio::sync::Mutex<PubSubSink>>,
    /// Local subscribers per channel.
    counts: Arc<Mutex<HashMap<String, usize>>>,
}

impl Fanout {
    /// Connects and starts the reader task.
    pub(super) async fn start(client: redis::Client, namespace: &str) -> redis::RedisResult<Self> {
        let (sink, stream) = client.get_async_pubsub().await?.split();
        let fanout = Self {
            prefix: format!("{namespace}:bus:"),
            bus: LocalBus::new(),
            sink: Arc::new(tokio::sync::Mutex::new(sink)),
            counts: Arc::default(),
        };
        tokio::spawn(read(fanout.clone(), client, stream));
        Ok(fanout)
    }

    /// The Redis channel for a logical one.
    pub(super) fn wire_channel(&self, channel: &str) -> String {
        format!("{}{channel}", self.prefix)
    }

    /// Subscribes; returns once Redis confirmed the subscription.
    pub(super) async fn subscribe(&self, channel: &str) -> Result<Subscription> {
        let local = self.bus.subscribe(channel);
        let first = {
            let mut counts = self.counts.lock().expect("pubsub counts lock");
            let n = counts.entry(channel.to_owned()).or_default();
            *n += 1;
            *n == 1
        };
        if first {
            self.sink
                .lock()
                .await
                .subscribe(self.wire_channel(channel))
                .await?;
        }
        let guard = Unsubscribe {
            fanout: self.clone(),
            channel: channel.to_owned(),
        };
        Ok(local
            .map(move |d| {
                let _keep = &guard;
                d
            })
            .boxed())
    }
}

/// Drops the Redis subscription when the last local subscriber goes.
struct Unsubscribe {
    fanout: Fanout,
    channel: String,
}

impl Drop for Unsubscribe {
    fn drop(&mut self) {
        let last = {
            let mut counts = self.fanout.counts.lock().expect("pubsub counts lock");
            match counts.get_mut(&self.channel) {
                Some(n) if *n > 1 => {
                    *n -= 1;
                    false
                }
                _ => {
                    counts.remove(&self.channel);
                    true
                }
            }
        };
        if last && let Ok(rt) = tokio::runtime::Handle::try_current() {
            let (sink, channel) = (
                self.fanout.sink.clone(),
                self.fanout.wire_channel(&self.channel),
            );
            let counts = self.fanout.counts.clone();
            let logical = self.channel.clone();
            rt.spawn(async move {
                // Someone may have subscribed again meanwhile.
                if counts
                    .lock()
                    .expect("pubsub counts lock")
                    .contains_key(&logical)
                {
                    return;
                }
                let _ = sink.lock().await.unsubscribe(channel).await;
            });
        }
    }
}

async fn read(fanout: Fanout, client: redis::Client, mut stream: redis::aio::PubSubStream) {
    loop {
        while let Some(msg) = stream.next().await {
            if let Some(channel) = msg.get_channel_name().strip_prefix(&fanout.prefix) {
                fanout.bus.publish(channel, msg.get_payload_bytes());
            }
        }
        // The connection ended: reconnect, resubscribe, and say messages may be lost.
        fanout.bus.lagged_all();
        loop {
            if Arc::strong_count(&fanout.sink) == 1 {
                return; // the store was dropped
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
            let Ok(pubsub) = client.get_async_pubsub().await else {
                continue;
            };
            let (mut sink, new_stream) = pubsub.split();
            let channels: Vec<String> = fanout
                .counts
                .lock()
                .expect("pubsub counts lock")
                .keys()
                .cloned()
                .collect();
            let mut ok = true;
            for c in channels {
                ok &= sink.subscribe(fanout.wire_channel(&c)).await.is_ok();
            }
            if ok {
                *fanout.sink.lock().await = sink;
                stream = new_stream;
                tracing::info!("redis pub/sub reconnected");
                break;
            }
        }
    }
}
