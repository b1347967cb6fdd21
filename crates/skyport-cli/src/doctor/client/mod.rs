//! A small MCP client over HTTP, written for diagnosis: it speaks Streamable
//! HTTP and falls back to the legacy HTTP+SSE transport, bounds every wait,
//! and turns whatever a server answers into either a JSON-RPC result or a
//! [`ClientError`] that says what was wrong with the answer. It never panics
//! on bad input: other implementations are exactly what doctor is pointed at.
//!
//! Layout: [`sse`] parses event streams, [`streamable`] and [`legacy`] are
//! the two transports, this module is the session on top (ids, the
//! `initialize` handshake, timeouts).

mod legacy;
pub(crate) mod sse;
mod streamable;

use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderMap;
use rmcp::model::{
    ClientCapabilities, ExtensionCapabilities, Implementation, InitializeRequestParams,
    ProtocolVersion,
};
use serde_json::{Value, json};

use legacy::Legacy;
use streamable::Streamable;

/// The MCP Apps extension id.
pub(crate) const UI_EXTENSION: &str = "io.modelcontextprotocol/ui";
/// The mime type MCP Apps hosts render.
pub(crate) const MCP_APP_MIME: &str = "text/html;profile=mcp-app";
/// Largest HTTP body doctor reads (a widget template plus slack).
const MAX_BODY_BYTES: usize = 32 * 1024 * 1024;

/// Why a request got no usable answer.
#[derive(Debug, Clone, thiserror::Error)]
pub(crate) enum ClientError {
    /// No TCP/TLS connection.
    #[error("cannot connect: {why} (is the server running, and is the URL right?)")]
    Connect {
        /// The URL tried.
        url: String,
        /// The OS or TLS error.
        why: String,
    },
    /// Nothing came back in time.
    #[error("no answer to {method} within {secs} s (raise --timeout if the server is slow)")]
    Timeout {
        /// The JSON-RPC method.
        method: String,
        /// The limit.
        secs: u64,
    },
    /// An HTTP status other than success.
    #[error("{method}: HTTP {status}{detail}")]
    Status {
        /// The JSON-RPC method.
        method: String,
        /// The status code.
        status: u16,
        /// `: ` and what the body said, or empty.
        detail: String,
    },
    /// A success status with a body type MCP does not use.
    #[error(
        "{method}: the answer has Content-Type {content_type:?}; MCP servers answer application/json or text/event-stream"
    )]
    ContentType {
        /// The JSON-RPC method.
        method: String,
        /// What the server sent.
        content_type: String,
    },
    /// The answer is not JSON, or not a JSON-RPC response.
    #[error("{method}: {why}")]
    NotJsonRpc {
        /// The JSON-RPC method.
        method: String,
        /// What is wrong with it.
        why: String,
    },
    /// The server answered with a JSON-RPC error.
    #[error("{method}: JSON-RPC error {code}: {message}")]
    Rpc {
        /// The JSON-RPC method.
        method: String,
        /// The error code.
        code: i64,
        /// The error message.
        message: String,
    },
    /// The body stream broke.
    #[error("the connection broke while reading the answer: {0}")]
    Stream(String),
    /// Bytes that cannot be framed (an oversized event or body).
    #[error("{0}")]
    Malformed(String),
    /// Streamable HTTP was refused and the legacy transport failed too.
    #[error(
        "Streamable HTTP was refused ({streamable}); the legacy HTTP+SSE transport failed too ({legacy})"
    )]
    Fallback {
        /// Why the POST failed.
        streamable: Box<ClientError>,
        /// Why the GET failed.
        legacy: Box<ClientError>,
    },
}

impl ClientError {
    /// The JSON-RPC error code, when the server sent one.
    pub(crate) fn rpc_code(&self) -> Option<i64> {
        match self {
            ClientError::Rpc { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// True when the server says it does not implement the method.
    pub(crate) fn is_method_not_found(&self) -> bool {
        match self {
            ClientError::Rpc { code, .. } => *code == -32601,
            // 2026-era servers answer an unknown method with 404 + -32601.
            ClientError::Status { status, detail, .. } => {
                *status == 404 && detail.contains("-32601")
            }
            _ => false,
        }
    }
}

/// The root cause of an error: reqwest's own message only says "error
/// sending request for url (…)"; the innermost cause says "Connection
/// refused" or "invalid peer certificate".
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut root = e;
    while let Some(next) = root.source() {
        root = next;
    }
    root.to_string()
}

/// Which transport ended up carrying the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TransportKind {
    /// Streamable HTTP (2025-03-26 and later).
    StreamableHttp,
    /// HTTP+SSE (2024-11-05, deprecated).
    LegacySse,
}

/// How to reach the server.
#[derive(Debug, Clone)]
pub(crate) struct ClientConfig {
    /// The MCP endpoint (or the legacy SSE endpoint).
    pub(crate) url: Url,
    /// The limit for every request (and for connecting).
    pub(crate) timeout: Duration,
    /// Extra headers sent on every request (`--header`, e.g. authorization).
    pub(crate) headers: HeaderMap,
}

enum Transport {
    Streamable(Streamable),
    Legacy(Legacy),
}

/// What every transport needs to send a message.
struct Wire {
    http: reqwest::Client,
    headers: HeaderMap,
    /// The request limit, for error messages.
    timeout_secs: u64,
}

/// A connected, initialized MCP session.
pub(crate) struct McpClient {
    wire: Wire,
    transport: Transport,
    timeout: Duration,
    next_id: i64,
    /// Why Streamable HTTP was not used, when the legacy transport was.
    fallback_reason: Option<String>,
}

impl std::fmt::Debug for McpClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("McpClient")
            .field("transport", &self.transport_kind())
            .finish()
    }
}

/// The outcome of a successful handshake.
#[derive(Debug)]
pub(crate) struct Connection {
    /// The session, ready for requests.
    pub(crate) client: McpClient,
    /// The raw `initialize` result.
    pub(crate) init: Value,
}

impl McpClient {
    /// Connects, runs `initialize` and sends `notifications/initialized`.
    /// A POST refused with 404 or 405 makes it try the legacy transport.
    pub(crate) async fn connect(config: ClientConfig) -> Result<Connection, ClientError> {
        let http = build_http(&config)?;
        let wire = Wire {
            http,
            headers: config.headers.clone(),
            timeout_secs: config.timeout.as_secs(),
        };
        let mut client = McpClient {
            wire,
            transport: Transport::Streamable(Streamable::new(config.url.clone())),
            timeout: config.timeout,
            next_id: 0,
            fallback_reason: None,
        };
        let init = match client.request("initialize", initialize_params()).await {
            Ok(init) => init,
            Err(e @ ClientError::Status { status, .. }) if status == 404 || status == 405 => {
                let legacy = Legacy::open(&client.wire, &config.url, config.timeout).await;
                match legacy {
                    Ok(l) => {
                        client.transport = Transport::Legacy(l);
                        client.fallback_reason = Some(e.to_string());
                        client.request("initialize", initialize_params()).await?
                    }
                    Err(le) => {
                        return Err(ClientError::Fallback {
                            streamable: Box::new(e),
                            legacy: Box::new(le),
                        });
                    }
                }
            }
            Err(e) => return Err(e),
        };
        if let Transport::Streamable(s) = &mut client.transport
            && let Some(v) = init.get("protocolVersion").and_then(Value::as_str)
        {
            s.set_protocol_version(v);
        }
        client
            .notify("notifications/initialized", json!({}))
            .await?;
        Ok(Connection { client, init })
    }

    /// The transport in use.
    pub(crate) fn transport_kind(&self) -> TransportKind {
        match self.transport {
            Transport::Streamable(_) => TransportKind::StreamableHttp,
            Transport::Legacy(_) => TransportKind::LegacySse,
        }
    }

    /// Why Streamable HTTP was given up, when it was.
    pub(crate) fn fallback_reason(&self) -> Option<&str> {
        self.fallback_reason.as_deref()
    }

    /// Sends a request and waits (at most the timeout) for its result.
    pub(crate) async fn request(
        &mut self,
        method: &str,
        params: Value,
    ) -> Result<Value, ClientError> {
        let id = self.next_id;
        self.next_id += 1;
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let fut = async {
            let answer = match &mut self.transport {
                Transport::Streamable(s) => s.send(&self.wire, &msg, Some(id), method).await?,
                Transport::Legacy(l) => l.send(&self.wire, &msg, Some(id), method).await?,
            };
            match answer {
                Some(response) => into_result(response, method),
                None => Err(ClientError::NotJsonRpc {
                    method: method.into(),
                    why: "the server accepted the request but sent no response".into(),
                }),
            }
        };
        tokio::time::timeout(self.timeout, fut)
            .await
            .unwrap_or_else(|_| {
                Err(ClientError::Timeout {
                    method: method.into(),
                    secs: self.timeout.as_secs(),
                })
            })
    }

    /// Sends a notification.
    pub(crate) async fn notify(&mut self, method: &str, params: Value) -> Result<(), ClientError> {
        let msg = json!({"jsonrpc": "2.0", "method": method, "params": params});
        let fut = async {
            match &mut self.transport {
                Transport::Streamable(s) => s.send(&self.wire, &msg, None, method).await,
                Transport::Legacy(l) => l.send(&self.wire, &msg, None, method).await,
            }
        };
        match tokio::time::timeout(self.timeout, fut).await {
            Ok(r) => r.map(|_| ()),
            Err(_) => Err(ClientError::Timeout {
                method: method.into(),
                secs: self.timeout.as_secs(),
            }),
        }
    }

    /// Ends the session politely (Streamable HTTP `DELETE`); errors are ignored.
    pub(crate) async fn close(self) {
        if let Transport::Streamable(s) = &self.transport {
            let _ = tokio::time::timeout(self.timeout, s.delete_session(&self.wire)).await;
        }
    }
}

fn build_http(config: &ClientConfig) -> Result<reqwest::Client, ClientError> {
    let mut b = reqwest::Client::builder()
        .connect_timeout(config.timeout)
        .user_agent(concat!("skyport-doctor/", env!("CARGO_PKG_VERSION")));
    // A proxy cannot reach this machine's loopback: talk to local servers directly.
    let host = config.url.host_str().unwrap_or_default();
    let loopback = host.eq_ignore_ascii_case("localhost")
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<std::net::IpAddr>()
            .is_ok_and(|a| a.is_loopback());
    if loopback {
        b = b.no_proxy();
    }
    b.build().map_err(|e| ClientError::Connect {
        url: config.url.to_string(),
        why: error_chain(&e),
    })
}

/// The `initialize` params: the newest session-era version, and the MCP Apps
/// extension, because servers may register UI tools only for hosts that declare it.
fn initialize_params() -> Value {
    let mut ui = serde_json::Map::new();
    ui.insert("mimeTypes".into(), json!([MCP_APP_MIME]));
    let mut extensions = ExtensionCapabilities::new();
    extensions.insert(UI_EXTENSION.into(), ui);
    let mut caps = ClientCapabilities::default();
    caps.extensions = Some(extensions);
    let params = InitializeRequestParams::new(
        caps,
        Implementation::new("skyport-doctor", env!("CARGO_PKG_VERSION")),
    )
    .with_protocol_version(ProtocolVersion::V_2025_11_25);
    serde_json::to_value(params).unwrap_or_else(|_| json!({}))
}

/// True when `msg` is the response to request `id` (ids compared loosely:
/// some servers echo a numeric id as a string).
fn is_response_to(msg: &Value, id: i64) -> bool {
    let is_response = msg.get("result").is_some() || msg.get("error").is_some();
    is_response
        && match msg.get("id") {
            Some(Value::Number(n)) => n.as_i64() == Some(id),
            Some(Value::String(s)) => s == &id.to_string(),
            _ => false,
        }
}

/// Picks the response to `id` out of a JSON body (one message or a batch).
fn find_response(body: Value, id: i64, method: &str) -> Result<Value, ClientError> {
    let not_rpc = |why: String| ClientError::NotJsonRpc {
        method: method.into(),
        why,
    };
    match body {
        Value::Array(items) => items
            .into_iter()
            .find(|m| is_response_to(m, id))
            .ok_or_else(|| {
                not_rpc("the JSON array answer holds no response to the request".into())
            }),
        msg if is_response_to(&msg, id) => Ok(msg),
        Value::Object(m) if m.contains_key("result") || m.contains_key("error") => {
            Err(not_rpc(format!(
                "the response id {} does not match the request id {id}",
                m.get("id").map_or("(none)".into(), Value::to_string)
            )))
        }
        other => Err(not_rpc(format!(
            "the answer is not a JSON-RPC response: {}",
            snippet(&other.to_string())
        ))),
    }
}

/// A response message into its result or a typed error.
fn into_result(msg: Value, method: &str) -> Result<Value, ClientError> {
    if let Some(err) = msg.get("error") {
        return Err(ClientError::Rpc {
            method: method.into(),
            code: err.get("code").and_then(Value::as_i64).unwrap_or(0),
            message: err
                .get("message")
                .and_then(Value::as_str)
                .unwrap_or("(no message)")
                .to_owned(),
        });
    }
    match msg.get("jsonrpc").and_then(Value::as_str) {
        Some("2.0") => {}
        _ => {
            return Err(ClientError::NotJsonRpc {
                method: method.into(),
                why: "the response lacks \"jsonrpc\": \"2.0\"".into(),
            });
        }
    }
    match msg {
        Value::Object(mut m) => Ok(m.remove("result").unwrap_or(Value::Null)),
        _ => Err(ClientError::NotJsonRpc {
            method: method.into(),
            why: "the response is not an object".into(),
        }),
    }
}

/// Reads a whole body, at most [`MAX_BODY_BYTES`].
async fn read_body(resp: reqwest::Response) -> Result<Vec<u8>, ClientError> {
    use futures::StreamExt;
    let mut out = Vec::new();
    let mut stream = resp.bytes_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| ClientError::Stream(error_chain(&e)))?;
        out.extend_from_slice(&chunk);
        if out.len() > MAX_BODY_BYTES {
            return Err(ClientError::Malformed(format!(
                "the answer is larger than {} MiB",
                MAX_BODY_BYTES / 1024 / 1024
            )));
        }
    }
    Ok(out)
}

/// The first ~200 characters of a text, on one line.
pub(crate) fn snippet(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let trimmed = one_line.trim();
    match trimmed.char_indices().nth(200) {
        Some((i, _)) => format!("{}…", &trimmed[..i]),
        None => trimmed.to_owned(),
    }
}

/// A connection-level reqwest error as a [`ClientError`].
fn send_error(e: reqwest::Error, url: &Url, method: &str, secs: u64) -> ClientError {
    if e.is_timeout() {
        ClientError::Timeout {
            method: method.into(),
            secs,
        }
    } else if e.is_connect() {
        ClientError::Connect {
            url: url.to_string(),
            why: error_chain(&e),
        }
    } else {
        ClientError::Stream(error_chain(&e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn responses_match_by_id_loosely() {
        assert!(is_response_to(&json!({"id": 3, "result": {}}), 3));
        assert!(is_response_to(&json!({"id": "3", "result": {}}), 3));
        assert!(!is_response_to(&json!({"id": 3, "method": "ping"}), 3));
        assert!(!is_response_to(&json!({"id": 4, "result": {}}), 3));
    }

    #[test]
    fn wrong_answers_become_errors_not_panics() {
        assert!(matches!(
            find_response(json!("hello"), 1, "m"),
            Err(ClientError::NotJsonRpc { .. })
        ));
        assert!(matches!(
            find_response(json!({"jsonrpc": "2.0", "id": 9, "result": {}}), 1, "m"),
            Err(ClientError::NotJsonRpc { .. })
        ));
        let batch = json!([{"jsonrpc": "2.0", "id": 1, "result": {"a": 1}}]);
        assert_eq!(
            into_result(find_response(batch, 1, "m").unwrap(), "m").unwrap(),
            json!({"a": 1})
        );
        let err = into_result(
            json!({"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": "nope"}}),
            "m",
        )
        .unwrap_err();
        assert!(err.is_method_not_found());
        assert!(matches!(
            into_result(json!({"id": 1, "result": {}}), "m"),
            Err(ClientError::NotJsonRpc { .. })
        ));
    }

    #[test]
    fn the_initialize_params_declare_mcp_apps() {
        let p = initialize_params();
        assert_eq!(p["protocolVersion"], "2025-11-25");
        assert_eq!(
            p["capabilities"]["extensions"][UI_EXTENSION]["mimeTypes"][0],
            MCP_APP_MIME
        );
        assert_eq!(p["clientInfo"]["name"], "skyport-doctor");
    }

    #[test]
    fn snippets_are_short_and_one_line() {
        assert_eq!(snippet(" a\nb "), "a b");
        assert_eq!(snippet(&"x".repeat(300)).chars().count(), 201);
    }
}
