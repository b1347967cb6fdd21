//! Server-Sent Events framing and the response headers every MCP stream carries.

use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::{BufMut, Bytes, BytesMut};
use futures::Stream;
use tokio_util::sync::CancellationToken;

/// `event: message` with an optional id. Each line of `data` becomes a `data:` line.
pub fn message_event(id: Option<&str>, data: &[u8]) -> Bytes {
    let mut b = BytesMut::with_capacity(data.len() + 48);
    b.put_slice(b"event: message\n");
    if let Some(id) = id {
        b.put_slice(b"id: ");
        b.put_slice(id.as_bytes());
        b.put_u8(b'\n');
    }
    for line in data.split(|&c| c == b'\n') {
        b.put_slice(b"data: ");
        b.put_slice(line);
        b.put_u8(b'\n');
    }
    b.put_u8(b'\n');
    b.freeze()
}

/// The 2025-11-25 priming event: an id and an empty `data`, with the reconnect delay.
pub fn priming_event(id: &str, retry: Duration) -> Bytes {
    Bytes::from(format!(
        "id: {id}\nretry: {}\ndata: \n\n",
        retry.as_millis()
    ))
}

/// The legacy transport's first event: where to POST messages.
pub fn endpoint_event(url: &str) -> Bytes {
    Bytes::from(format!("event: endpoint\ndata: {url}\n\n"))
}

/// A comment line that keeps proxies from closing an idle stream.
pub fn keep_alive() -> Bytes {
    Bytes::from_static(b": keep-alive\n\n")
}

/// Wraps a stream of frames: adds keep-alive comments, and ends it when
/// `end_at` fires (server shutdown). Streams that end on their own (a POST's
/// stream ends with its response) pass `None` and drain at shutdown instead.
pub fn with_keep_alive<S>(
    frames: S,
    every: Duration,
    end_at: Option<CancellationToken>,
) -> impl Stream<Item = Bytes> + Send
where
    S: Stream<Item = Bytes> + Send + 'static,
{
    async_stream::stream! {
        let frames = frames;
        tokio::pin!(frames);
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        loop {
            tokio::select! {
                biased;
                _ = async { match &end_at { Some(t) => t.cancelled().await, None => std::future::pending().await } } => break,
                next = futures::StreamExt::next(&mut frames) => match next {
                    Some(f) => yield f,
                    None => break,
                },
                _ = tick.tick() => yield keep_alive(),
            }
        }
    }
}

/// A `text/event-stream` response with the headers proxies need to pass it through unbuffered.
pub fn response<S>(frames: S) -> Response
where
    S: Stream<Item = Bytes> + Send + 'static,
{
    let body = Body::from_stream(futures::StreamExt::map(
        frames,
        Ok::<_, std::convert::Infallible>,
    ));
    let mut r = Response::new(body);
    *r.status_mut() = StatusCode::OK;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert("x-accel-buffering", HeaderValue::from_static("no"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_events() {
        assert_eq!(
            &message_event(Some("1-2"), b"{}")[..],
            b"event: message\nid: 1-2\ndata: {}\n\n"
        );
        assert_eq!(
            &message_event(None, b"a\nb")[..],
            b"event: message\ndata: a\ndata: b\n\n"
        );
        assert_eq!(
            &priming_event("1-0", Duration::from_secs(3))[..],
            b"id: 1-0\nretry: 3000\ndata: \n\n"
        );
        assert_eq!(
            &endpoint_event("/messages?sessionId=x")[..],
            b"event: endpoint\ndata: /messages?sessionId=x\n\n"
        );
    }
}
