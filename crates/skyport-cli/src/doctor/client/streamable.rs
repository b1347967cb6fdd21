//! Streamable HTTP (2025-03-26 .. 2025-11-25): every message is a POST whose
//! answer is JSON or an SSE stream; the session id and negotiated version
//! ride on headers.

use reqwest::Url;
use reqwest::header::{ACCEPT, CONTENT_TYPE};
use serde_json::Value;

use super::sse::SseReader;
use super::{ClientError, Wire, find_response, is_response_to, read_body, send_error, snippet};

/// The Accept header every POST must send.
const ACCEPT_BOTH: &str = "application/json, text/event-stream";

/// One Streamable HTTP session.
#[derive(Debug)]
pub(super) struct Streamable {
    url: Url,
    /// `Mcp-Session-Id`, once the server has issued one.
    session: Option<String>,
    /// The negotiated version, sent as `MCP-Protocol-Version` after `initialize`.
    version: Option<String>,
}

impl Streamable {
    /// A session on `url`, not yet initialized.
    pub(super) fn new(url: Url) -> Self {
        Self {
            url,
            session: None,
            version: None,
        }
    }

    /// Records the version `initialize` negotiated.
    pub(super) fn set_protocol_version(&mut self, version: &str) {
        self.version = Some(version.to_owned());
    }

    /// POSTs `msg`; for a request (`id`), reads the answer up to its response.
    pub(super) async fn send(
        &mut self,
        wire: &Wire,
        msg: &Value,
        id: Option<i64>,
        method: &str,
    ) -> Result<Option<Value>, ClientError> {
        let mut req = wire
            .http
            .post(self.url.clone())
            .headers(wire.headers.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(ACCEPT, ACCEPT_BOTH);
        if let Some(s) = &self.session {
            req = req.header("mcp-session-id", s);
        }
        if let Some(v) = &self.version {
            req = req.header("mcp-protocol-version", v);
        }
        let body = serde_json::to_vec(msg).unwrap_or_default();
        let resp = req
            .body(body)
            .send()
            .await
            .map_err(|e| send_error(e, &self.url, method, wire.timeout_secs))?;
        if let Some(s) = resp
            .headers()
            .get("mcp-session-id")
            .and_then(|v| v.to_str().ok())
        {
            self.session = Some(s.to_owned());
        }
        let status = resp.status();
        if !status.is_success() {
            let body = read_body(resp).await.unwrap_or_default();
            return Err(ClientError::Status {
                method: method.into(),
                status: status.as_u16(),
                detail: describe_error_body(&body),
            });
        }
        let Some(id) = id else {
            return Ok(None);
        };
        if status.as_u16() == 202 {
            return Ok(None);
        }
        let content_type = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        if content_type.starts_with("application/json") {
            let bytes = read_body(resp).await?;
            let body: Value =
                serde_json::from_slice(&bytes).map_err(|e| ClientError::NotJsonRpc {
                    method: method.into(),
                    why: format!(
                        "the application/json answer is not JSON ({e}): {}",
                        snippet(&String::from_utf8_lossy(&bytes))
                    ),
                })?;
            return find_response(body, id, method).map(Some);
        }
        if content_type.starts_with("text/event-stream") {
            return read_sse_response(SseReader::new(resp), id, method)
                .await
                .map(Some);
        }
        Err(ClientError::ContentType {
            method: method.into(),
            content_type: if content_type.is_empty() {
                "(none)".into()
            } else {
                content_type
            },
        })
    }

    /// Ends the session with `DELETE` (servers may answer 405; that is fine).
    pub(super) async fn delete_session(&self, wire: &Wire) {
        let Some(session) = &self.session else {
            return;
        };
        let mut req = wire
            .http
            .delete(self.url.clone())
            .headers(wire.headers.clone())
            .header("mcp-session-id", session);
        if let Some(v) = &self.version {
            req = req.header("mcp-protocol-version", v);
        }
        let _ = req.send().await;
    }
}

/// Reads SSE events until the response to `id`, skipping priming events and
/// the notifications or requests a server may send first.
pub(super) async fn read_sse_response(
    mut reader: SseReader,
    id: i64,
    method: &str,
) -> Result<Value, ClientError> {
    while let Some(ev) = reader.next_event().await? {
        if let Some(msg) = parse_sse_message(&ev.data, method)?
            && is_response_to(&msg, id)
        {
            return Ok(msg);
        }
    }
    Err(ClientError::NotJsonRpc {
        method: method.into(),
        why: "the SSE stream ended without the response".into(),
    })
}

/// The JSON message in an event's data; `None` for an empty (priming) event.
pub(super) fn parse_sse_message(data: &str, method: &str) -> Result<Option<Value>, ClientError> {
    if data.trim().is_empty() {
        return Ok(None);
    }
    serde_json::from_str(data)
        .map(Some)
        .map_err(|e| ClientError::NotJsonRpc {
            method: method.into(),
            why: format!("an SSE event's data is not JSON ({e}): {}", snippet(data)),
        })
}

/// What an error body says: a JSON-RPC error's code and message, or the text.
fn describe_error_body(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    if let Ok(v) = serde_json::from_slice::<Value>(body)
        && let Some(err) = v.get("error")
    {
        let code = err.get("code").and_then(Value::as_i64);
        let message = err.get("message").and_then(Value::as_str).unwrap_or("");
        return match code {
            Some(c) => format!(": JSON-RPC error {c}: {message}"),
            None => format!(": {}", snippet(&err.to_string())),
        };
    }
    format!(": {}", snippet(&String::from_utf8_lossy(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_bodies_are_summarised() {
        assert_eq!(describe_error_body(b""), "");
        assert_eq!(
            describe_error_body(
                br#"{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"}}"#
            ),
            ": JSON-RPC error -32001: Session not found"
        );
        assert_eq!(describe_error_body(b"Not Found\n"), ": Not Found");
    }

    #[test]
    fn priming_events_are_skipped_and_bad_data_is_an_error() {
        assert_eq!(parse_sse_message("", "m").unwrap(), None);
        assert!(parse_sse_message("{nope", "m").is_err());
    }
}
