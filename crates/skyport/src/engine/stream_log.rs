//! Event logs of a session's SSE streams, so a client whose stream broke can
//! resume it with `Last-Event-ID`: from memory on the replica that wrote it,
//! or, with a shared store, from the store on any replica.
//!
//! Event ids are `{stream}-{seq}`: unique across the session's streams and
//! naming the stream to resume. Stream numbers are random (replicas never
//! collide); odd ones are standalone GET streams, which a client resumes and
//! then keeps as its live stream. Retention is bounded per stream and per session.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use super::fleet::Fleet;

/// Streams kept per session for resumption.
const MAX_STREAMS: usize = 64;

/// One stream's events.
#[derive(Debug)]
pub struct StreamLog {
    id: u64,
    retention: usize,
    /// Where events are also written for other replicas (shared stores only).
    sink: Option<(Arc<Fleet>, String)>,
    state: Mutex<LogState>,
    changed: Notify,
}

#[derive(Debug, Default)]
struct LogState {
    events: VecDeque<(u64, Arc<[u8]>)>,
    next_seq: u64,
    finished: bool,
    /// Times the server asked live readers to disconnect (SEP-1699 polling).
    cuts: u64,
}

/// An event read from a log.
#[derive(Debug, Clone)]
pub struct LoggedEvent {
    /// The SSE id (`{stream}-{seq}`).
    pub id: String,
    /// Sequence within the stream.
    pub seq: u64,
    /// The JSON-RPC message.
    pub data: Arc<[u8]>,
}

impl StreamLog {
    /// A log outside any session (stateless requests): nothing can resume it.
    pub fn ephemeral(retention: usize) -> Arc<Self> {
        Arc::new(Self::new(0, retention, None))
    }

    fn new(id: u64, retention: usize, sink: Option<(Arc<Fleet>, String)>) -> Self {
        Self {
            id,
            retention,
            sink,
            state: Mutex::new(LogState {
                next_seq: 1,
                ..LogState::default()
            }),
            changed: Notify::new(),
        }
    }

    /// The stream number.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// True for a session's standalone (GET) stream.
    pub fn is_standalone(&self) -> bool {
        self.id & 1 == 1
    }

    /// The id of the priming event (sequence 0): resuming from it replays everything.
    pub fn priming_id(&self) -> String {
        format!("{}-0", self.id)
    }

    /// Appends a message and wakes readers; returns its event id.
    pub fn append(&self, data: Vec<u8>) -> String {
        let mut st = self.state.lock().expect("stream log lock");
        let seq = st.next_seq;
        st.next_seq += 1;
        let data: Arc<[u8]> = data.into();
        if let Some((fleet, key)) = &self.sink {
            fleet.log_event(key, seq, data.clone());
        }
        st.events.push_back((seq, data));
        while st.events.len() > self.retention {
            st.events.pop_front();
        }
        drop(st);
        self.changed.notify_waiters();
        format!("{}-{seq}", self.id)
    }

    /// Marks the stream complete (its response was written).
    pub fn finish(&self) {
        let mut st = self.state.lock().expect("stream log lock");
        if !st.finished
            && let Some((fleet, key)) = &self.sink
        {
            fleet.log_finish(key);
        }
        st.finished = true;
        drop(st);
        self.changed.notify_waiters();
    }

    /// Asks the readers that are live now to end their HTTP response; the
    /// log goes on and a reader resuming with `Last-Event-ID` gets the rest.
    pub fn cut(&self) {
        self.state.lock().expect("stream log lock").cuts += 1;
        self.changed.notify_waiters();
    }

    fn cuts(&self) -> u64 {
        self.state.lock().expect("stream log lock").cuts
    }

    /// Events after `seq`, and whether the stream is complete.
    pub fn after(&self, seq: u64) -> (Vec<LoggedEvent>, bool) {
        let st = self.state.lock().expect("stream log lock");
        let events = st
            .events
            .iter()
            .filter(|(s, _)| *s > seq)
            .map(|(s, d)| LoggedEvent {
                id: format!("{}-{s}", self.id),
                seq: *s,
                data: d.clone(),
            })
            .collect();
        (events, st.finished)
    }

    /// Follows the log from after `seq` until it finishes (or, for a live
    /// reader, until the server cuts the stream): each item is an event.
    pub fn follow(
        self: Arc<Self>,
        mut seq: u64,
    ) -> impl futures::Stream<Item = LoggedEvent> + Send {
        let cuts_at_start = self.cuts();
        async_stream::stream! {
            loop {
                let changed = self.changed.notified();
                tokio::pin!(changed);
                changed.as_mut().enable();
                let (events, finished) = self.after(seq);
                for e in events {
                    seq = e.seq;
                    yield e;
                }
                if finished || self.cuts() > cuts_at_start {
                    break;
                }
                changed.await;
            }
        }
    }
}

/// Open logs by id, and their ids oldest first (for eviction).
type OpenLogs = (HashMap<u64, Arc<StreamLog>>, VecDeque<u64>);

/// The logs of one session's streams.
#[derive(Debug)]
pub struct StreamLogs {
    retention: usize,
    /// The store link and the session id, for shared stores.
    sink: Option<(Arc<Fleet>, Arc<str>)>,
    streams: Mutex<OpenLogs>,
}

/// The store key of a session's stream.
pub(crate) fn stream_key(session: &str, stream: u64) -> String {
    format!("{session}/{stream}")
}

/// Splits a `Last-Event-ID` into stream and sequence numbers.
pub(crate) fn parse_event_id(last_event_id: &str) -> Option<(u64, u64)> {
    let (stream, seq) = last_event_id.split_once('-')?;
    Some((stream.parse().ok()?, seq.parse().ok()?))
}

impl StreamLogs {
    /// Keeps up to `retention` events per stream; with a sink, writes them
    /// through to the shared store under the session's id.
    pub fn new(retention: usize, sink: Option<(Arc<Fleet>, Arc<str>)>) -> Self {
        Self {
            retention: retention.max(1),
            sink,
            streams: Mutex::new((HashMap::new(), VecDeque::new())),
        }
    }

    /// Opens a new stream log (`standalone`: the session's GET stream).
    pub fn open(&self, standalone: bool) -> Arc<StreamLog> {
        // 52 random bits: exact in any client that parses ids as doubles.
        let id = ((rand::random::<u64>() >> 12) & !1) | u64::from(standalone) | 2;
        let sink = self
            .sink
            .as_ref()
            .map(|(fleet, session)| (fleet.clone(), stream_key(session, id)));
        let log = Arc::new(StreamLog::new(id, self.retention, sink));
        let mut guard = self.streams.lock().expect("stream logs lock");
        let (streams, order) = &mut *guard;
        while order.len() >= MAX_STREAMS {
            // Drop the oldest streams first; a client resuming one of those starts afresh.
            if let Some(old) = order.pop_front() {
                streams.remove(&old);
            }
        }
        streams.insert(id, log.clone());
        order.push_back(id);
        log
    }

    /// Finds the stream and position named by a `Last-Event-ID`, in this process.
    pub fn resume_point(&self, last_event_id: &str) -> Option<(Arc<StreamLog>, u64)> {
        let (stream, seq) = parse_event_id(last_event_id)?;
        let log = self
            .streams
            .lock()
            .expect("stream logs lock")
            .0
            .get(&stream)?
            .clone();
        Some((log, seq))
    }

    /// The store link, when streams are written through to a shared store.
    pub(crate) fn shared(&self) -> Option<&(Arc<Fleet>, Arc<str>)> {
        self.sink.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[tokio::test]
    async fn resumes_after_the_last_seen_event() {
        let logs = StreamLogs::new(10, None);
        let log = logs.open(false);
        let first = log.append(b"a".to_vec());
        log.append(b"b".to_vec());
        let (resumed, seq) = logs.resume_point(&first).unwrap();
        let reader = tokio::spawn(async move {
            resumed
                .follow(seq)
                .map(|e| e.data.to_vec())
                .collect::<Vec<_>>()
                .await
        });
        tokio::task::yield_now().await;
        log.append(b"c".to_vec());
        log.finish();
        assert_eq!(reader.await.unwrap(), vec![b"b".to_vec(), b"c".to_vec()]);
    }

    #[test]
    fn retention_is_bounded_and_unknown_ids_do_not_resume() {
        let logs = StreamLogs::new(2, None);
        let log = logs.open(false);
        for i in 0..5u8 {
            log.append(vec![i]);
        }
        assert_eq!(log.after(0).0.len(), 2);
        assert!(logs.resume_point("99-1").is_none());
        assert!(logs.resume_point("garbage").is_none());
    }
}
