//! A client that calls any app's tools the way a host does: one connection
//! per app endpoint over one of the three transports a host may use, and
//! optionally a bearer credential (API key or OAuth token) on the stateless
//! transport.

use std::collections::HashMap;

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{
    LATEST_LEGACY, LegacySse, STEP, Server, Session, SseStream, client, init_params, modern,
    notification, request,
};

/// How a [`AppClient`] reaches the apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// Streamable HTTP with one stateful MCP session per app endpoint (2025-11-25).
    Streamable,
    /// The 2024-11-05 HTTP+SSE transport, one stream per app endpoint.
    LegacySse,
    /// The 2026-07-28 stateless protocol: no MCP session at all.
    Modern,
}

/// A connection to one app endpoint.
enum Conn {
    Streamable(Session),
    Legacy(LegacySse),
    Modern,
}

/// Calls app tools the way a host does: one connection per app endpoint,
/// opened on first use.
pub struct AppClient {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub transport: Transport,
    conns: HashMap<String, Conn>,
    next_id: i64,
    /// Sent as `Authorization: Bearer …` (stateless transport only).
    bearer: Option<String>,
}

impl AppClient {
    pub fn new(server: &Server, transport: Transport) -> Self {
        Self {
            base: server.base.clone(),
            transport,
            conns: HashMap::new(),
            next_id: 1,
            bearer: None,
        }
    }

    /// A stateless client that sends `Authorization: Bearer {bearer}`.
    pub fn with_bearer(server: &Server, bearer: &str) -> Self {
        let mut c = Self::new(server, Transport::Modern);
        c.bearer = Some(bearer.to_owned());
        c
    }

    async fn conn(&mut self, app: &str) -> &mut Conn {
        if !self.conns.contains_key(app) {
            let url = format!("{}/{app}/mcp", self.base);
            let conn = match self.transport {
                Transport::Streamable => Conn::Streamable(Session::open(&url, LATEST_LEGACY).await),
                Transport::LegacySse => Conn::Legacy(open_legacy(&self.base, app).await),
                Transport::Modern => Conn::Modern,
            };
            self.conns.insert(app.to_owned(), conn);
        }
        self.conns.get_mut(app).expect("just inserted")
    }

    /// Sends `method` to `app` and returns the JSON-RPC result (panics on a
    /// JSON-RPC error or a transport failure).
    pub async fn rpc(&mut self, app: &str, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let url = format!("{}/{app}/mcp", self.base);
        let auth = self.bearer.as_ref().map(|b| format!("Bearer {b}"));
        match self.conn(app).await {
            Conn::Streamable(s) => s.call(method, params).await,
            Conn::Legacy(l) => {
                l.post(request(id, method, params)).await;
                loop {
                    let msg = l
                        .stream
                        .next_message(STEP)
                        .await
                        .unwrap_or_else(|| panic!("{app}: the SSE stream ended"));
                    if msg["id"] != json!(id) {
                        continue; // a notification, or a server request
                    }
                    return msg
                        .get("result")
                        .unwrap_or_else(|| panic!("{app} {method}: {msg:#}"))
                        .clone();
                }
            }
            Conn::Modern => {
                let headers: Vec<(&str, &str)> =
                    auth.iter().map(|a| ("authorization", a.as_str())).collect();
                let r = modern(&url, id, method, params, &headers).await;
                assert!(
                    r.header("mcp-session-id").is_none(),
                    "the 2026 protocol never gets an MCP session: {r:#?}"
                );
                r.result().clone()
            }
        }
    }

    /// `tools/call` of `tool` on `app`: the whole `CallToolResult`.
    pub async fn call(&mut self, app: &str, tool: &str, args: Value) -> Value {
        self.rpc(
            app,
            "tools/call",
            json!({ "name": tool, "arguments": args }),
        )
        .await
    }

    /// A call that must succeed: its `structuredContent`.
    pub async fn ok(&mut self, app: &str, tool: &str, args: Value) -> Value {
        let r = self.call(app, tool, args.clone()).await;
        assert_eq!(
            r["isError"],
            json!(false),
            "{app}/{tool} {args} failed: {r:#}"
        );
        assert!(
            r["structuredContent"].is_object(),
            "{app}/{tool}: no structuredContent: {r:#}"
        );
        r["structuredContent"].clone()
    }

    /// A call that must be an `isError` result: its text.
    pub async fn err(&mut self, app: &str, tool: &str, args: Value) -> String {
        let r = self.call(app, tool, args.clone()).await;
        assert_eq!(
            r["isError"],
            json!(true),
            "{app}/{tool} {args} should be an isError result: {r:#}"
        );
        let text = r
            .pointer("/content/0/text")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{app}/{tool}: an error result without text: {r:#}"))
            .to_owned();
        assert!(text.len() > 10, "{app}/{tool}: a terse error: {text:?}");
        text
    }
}

/// Opens `GET /{app}/sse`, then `initialize` (2024-11-05) and `initialized`.
pub async fn open_legacy(base: &str, app: &str) -> LegacySse {
    let resp = client()
        .get(format!("{base}/{app}/sse"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .expect("GET /sse");
    assert_eq!(resp.status(), StatusCode::OK, "{app}/sse");
    let mut stream = SseStream::new(resp);
    let ev = stream.next_event(STEP).await.expect("the endpoint event");
    assert_eq!(ev.event.as_deref(), Some("endpoint"), "{ev:?}");
    let mut l = LegacySse {
        stream,
        post_url: format!("{base}{}", ev.data),
    };
    l.post(request(
        0,
        "initialize",
        init_params("2024-11-05", json!({})),
    ))
    .await;
    let init = l
        .stream
        .next_message(STEP)
        .await
        .expect("initialize result");
    assert_eq!(init["id"], 0, "{init:#}");
    assert!(init["result"]["protocolVersion"].is_string(), "{init:#}");
    l.post(notification("notifications/initialized", json!({})))
        .await;
    l
}
