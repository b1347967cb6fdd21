//! The deprecated HTTP+SSE transport (2024-11-05): a GET opens an event
//! stream whose first event names the POST endpoint; each POST is accepted
//! with 202 and its response arrives on the stream.

use std::time::Duration;

use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use super::sse::SseReader;
use super::streamable::parse_sse_message;
use super::{ClientError, Wire, find_response, is_response_to, read_body, send_error};

/// The method name used in messages about the opening GET.
const OPEN: &str = "GET (legacy HTTP+SSE)";

/// An open legacy session: the stream and where to POST.
pub(super) struct Legacy {
    post_url: Url,
    events: SseReader,
}

impl std::fmt::Debug for Legacy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Legacy")
            .field("post_url", &self.post_url.as_str())
            .finish()
    }
}

impl Legacy {
    /// GETs `url` and waits (at most `timeout`) for the `endpoint` event.
    pub(super) async fn open(
        wire: &Wire,
        url: &Url,
        timeout: Duration,
    ) -> Result<Self, ClientError> {
        let fut = async {
            let resp = wire
                .http
                .get(url.clone())
                .headers(wire.headers.clone())
                .header(ACCEPT, "text/event-stream")
                .send()
                .await
                .map_err(|e| send_error(e, url, OPEN, wire.timeout_secs))?;
            let status = resp.status();
            if !status.is_success() {
                return Err(ClientError::Status {
                    method: OPEN.into(),
                    status: status.as_u16(),
                    detail: String::new(),
                });
            }
            let content_type = resp
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("(none)")
                .to_ascii_lowercase();
            if !content_type.starts_with("text/event-stream") {
                return Err(ClientError::ContentType {
                    method: OPEN.into(),
                    content_type,
                });
            }
            let mut events = SseReader::new(resp);
            while let Some(ev) = events.next_event().await? {
                if ev.event.as_deref() == Some("endpoint") {
                    let post_url = url.join(ev.data.trim()).map_err(|e| {
                        ClientError::Malformed(format!(
                            "the endpoint event's data {:?} is not a URL: {e}",
                            ev.data
                        ))
                    })?;
                    return Ok(Self { post_url, events });
                }
            }
            Err(ClientError::NotJsonRpc {
                method: OPEN.into(),
                why: "the event stream ended without an `endpoint` event".into(),
            })
        };
        tokio::time::timeout(timeout, fut)
            .await
            .unwrap_or_else(|_| {
                Err(ClientError::Timeout {
                    method: OPEN.into(),
                    secs: timeout.as_secs(),
                })
            })
    }

    /// POSTs `msg`; for a request, reads the stream up to its response.
    pub(super) async fn send(
        &mut self,
        wire: &Wire,
        msg: &Value,
        id: Option<i64>,
        method: &str,
    ) -> Result<Option<Value>, ClientError> {
        let resp = wire
            .http
            .post(self.post_url.clone())
            .headers(wire.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .body(serde_json::to_vec(msg).unwrap_or_default())
            .send()
            .await
            .map_err(|e| send_error(e, &self.post_url, method, wire.timeout_secs))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(ClientError::Status {
                method: method.into(),
                status: status.as_u16(),
                detail: String::new(),
            });
        }
        let Some(id) = id else {
            return Ok(None);
        };
        // Some servers answer on the POST itself; accept that too.
        let json_body = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if json_body {
            let bytes = read_body(resp).await?;
            if let Ok(body) = serde_json::from_slice::<Value>(&bytes) {
                return find_response(body, id, method).map(Some);
            }
        }
        while let Some(ev) = self.events.next_event().await? {
            if ev.event.as_deref().is_some_and(|e| e != "message") {
                continue;
            }
            if let Some(msg) = parse_sse_message(&ev.data, method)?
                && is_response_to(&msg, id)
            {
                return Ok(Some(msg));
            }
        }
        Err(ClientError::NotJsonRpc {
            method: method.into(),
            why: "the legacy event stream ended before the response".into(),
        })
    }
}
