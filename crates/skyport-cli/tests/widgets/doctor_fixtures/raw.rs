//! A hand-written JSON-RPC responder for faults the skyport library refuses
//! to produce: a tool without a description, a non-object input schema, a
//! server without `resources/*`, an endpoint that answers HTML and one that
//! never answers. The no-description route also answers in SSE and insists
//! on its session id, as other implementations do.

use axum::Router;
use axum::extract::{Json, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

/// Which fault a route serves.
#[derive(Clone, Copy)]
enum Fault {
    NoDescription,
    BadSchema,
    NoResources,
}

fn annotations() -> Value {
    json!({"readOnlyHint": false, "destructiveHint": false, "openWorldHint": false})
}

fn tools(fault: Fault) -> Value {
    match fault {
        Fault::NoDescription => json!([{
            "name": "mystery",
            "inputSchema": {"type": "object", "properties": {}},
            "annotations": annotations()
        }]),
        Fault::BadSchema => json!([{
            "name": "lookup",
            "description": "Use this to look a word up.",
            "inputSchema": {"type": "string"},
            "annotations": annotations()
        }]),
        Fault::NoResources => json!([{
            "name": "show_board",
            "description": "Use this to show the board.",
            "inputSchema": {"type": "object", "properties": {}},
            "annotations": annotations(),
            "_meta": {
                "ui": {"resourceUri": "ui://raw/board.html"},
                "ui/resourceUri": "ui://raw/board.html",
                "openai/outputTemplate": "ui://raw/board.html"
            }
        }]),
    }
}

/// The session id the SSE route issues and then requires.
const SESSION: &str = "raw-session-1";

async fn rpc(State(fault): State<Fault>, headers: HeaderMap, Json(msg): Json<Value>) -> Response {
    let method = msg.get("method").and_then(Value::as_str).unwrap_or("");
    let sse = matches!(fault, Fault::NoDescription);
    let session = headers.get("mcp-session-id").and_then(|v| v.to_str().ok());
    if sse && method != "initialize" && session != Some(SESSION) {
        return (StatusCode::BAD_REQUEST, "missing Mcp-Session-Id").into_response();
    }
    let Some(id) = msg.get("id").cloned() else {
        return StatusCode::ACCEPTED.into_response(); // a notification
    };
    let resources = !matches!(fault, Fault::NoResources);
    let result = match method {
        "initialize" => json!({
            "protocolVersion": "2025-11-25",
            "capabilities": {"tools": {}, "extensions": {"io.modelcontextprotocol/ui": {}}},
            "serverInfo": {"name": "raw-fixture", "version": "0.0.1"}
        }),
        "tools/list" => json!({"tools": tools(fault)}),
        "resources/list" if resources => json!({"resources": []}),
        "resources/templates/list" if resources => json!({"resourceTemplates": []}),
        _ => {
            return Json(json!({"jsonrpc": "2.0", "id": id,
                "error": {"code": -32601, "message": format!("Method not found: {method}")}}))
            .into_response();
        }
    };
    let response = json!({"jsonrpc": "2.0", "id": id, "result": result});
    if !sse {
        return Json(response).into_response();
    }
    // A priming event, a notification, then the response, CRLF-framed.
    let body = format!(
        "id: 0\r\ndata:\r\n\r\n: keep-alive\r\n\r\nevent: message\r\ndata: {}\r\n\r\nevent: message\r\nid: 1\r\ndata: {}\r\n\r\n",
        json!({"jsonrpc": "2.0", "method": "notifications/message", "params": {"level": "info", "data": "hi"}}),
        response
    );
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::HeaderName::from_static("mcp-session-id"), SESSION),
        ],
        body,
    )
        .into_response()
}

async fn never() -> Response {
    tokio::time::sleep(std::time::Duration::from_secs(120)).await;
    StatusCode::GATEWAY_TIMEOUT.into_response()
}

async fn html() -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<!doctype html><html><body>Welcome to our website</body></html>",
    )
        .into_response()
}

/// The raw fixtures on an ephemeral loopback port; stops when dropped.
pub struct RawFixtures {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    shutdown: CancellationToken,
}

impl RawFixtures {
    /// Serves `/nodesc/mcp`, `/badschema/mcp`, `/noresources/mcp`, `/html/mcp` and `/slow/mcp`.
    pub async fn start() -> Self {
        let route = |fault| post(rpc).with_state(fault);
        let app = Router::new()
            .route("/nodesc/mcp", route(Fault::NoDescription))
            .route("/badschema/mcp", route(Fault::BadSchema))
            .route("/noresources/mcp", route(Fault::NoResources))
            .route("/html/mcp", post(html))
            .route("/slow/mcp", post(never));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        let stop = shutdown.clone();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move { stop.cancelled().await })
                .await;
        });
        Self {
            base: format!("http://{addr}"),
            shutdown,
        }
    }

    /// The endpoint of a route.
    pub fn url(&self, name: &str) -> String {
        format!("{}/{name}/mcp", self.base)
    }
}

impl Drop for RawFixtures {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
