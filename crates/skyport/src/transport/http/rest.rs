//! Plain HTTP for widgets and scripts (seed 000): `POST /{app}/mcp/tools/list`
//! and `POST /{app}/mcp/tools/call`. Standalone widget pages call these, and
//! so can `curl`. A call runs through the same engine path as MCP's
//! `tools/call` (schema validation, handlers, metrics); answers are the
//! standard `CallToolResult` plus the widget's page URL.
//!
//! Errors are HTTP statuses with `{"error": {"code", "message"}}`: 400 bad
//! body or a call the tool rejected, 404 unknown tool or session, 500 a fault
//! inside the server, 413/415 as for MCP.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::{AppState, guard, read_body};
use crate::engine::{CallEnv, Dispatch};
use crate::protocol::Incoming;
use crate::protocol::error::code;
use crate::protocol::version::Version;

type St = State<Arc<AppState>>;

/// The REST routes under `prefix`, with CORS for the allowed origins: a
/// widget page served from a CDN (`widgets.base_url`) calls them cross-origin.
pub(crate) fn routes(prefix: &str, state: &Arc<AppState>) -> axum::Router<Arc<AppState>> {
    use axum::routing::post;
    use tower_http::cors::{AllowOrigin, CorsLayer};
    let allowed = state.http.allowed_origins.clone();
    let cors = CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| {
            origin
                .to_str()
                .is_ok_and(|o| guard::origin_allowed(o, &allowed))
        }))
        .allow_methods([axum::http::Method::POST])
        .allow_headers([header::CONTENT_TYPE]);
    axum::Router::new()
        .route(&format!("{prefix}/mcp/tools/list"), post(list))
        .route(&format!("{prefix}/mcp/tools/call"), post(call))
        .layer(cors)
}

/// The body of `POST …/mcp/tools/call`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CallBody {
    name: String,
    #[serde(default)]
    arguments: Option<Map<String, Value>>,
    /// An MCP session to run in (its log level and client); optional.
    #[serde(default)]
    session_id: Option<String>,
}

fn api_error(status: StatusCode, code: i32, message: impl Into<String>) -> Response {
    let body = json!({"error": {"code": code, "message": message.into()}});
    json_response(status, &body)
}

fn json_response(status: StatusCode, body: &Value) -> Response {
    let mut r = (status, body.to_string()).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

async fn checked_body(
    st: &AppState,
    request: axum::extract::Request,
) -> Result<axum::body::Bytes, Response> {
    let (parts, body) = request.into_parts();
    guard::check_host_and_origin(
        &parts.headers,
        &st.http.allowed_hosts,
        &st.http.allowed_origins,
    )?;
    guard::check_json_content_type(&parts.headers)?;
    read_body(st, body).await
}

/// `POST /{app}/mcp/tools/list` → `{"tools": [...]}` (every tool, one page).
pub async fn list(State(st): St, request: axum::extract::Request) -> Response {
    if let Err(r) = checked_body(&st, request).await {
        return r;
    }
    let tools = st.engine.app().tool_descriptors();
    json_response(StatusCode::OK, &json!({ "tools": tools }))
}

/// `POST /{app}/mcp/tools/call` → the `CallToolResult` plus `widgetUrl`.
pub async fn call(State(st): St, request: axum::extract::Request) -> Response {
    let principal = request
        .extensions()
        .get::<Arc<crate::auth::Principal>>()
        .cloned();
    let body = match checked_body(&st, request).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let call: CallBody = match serde_json::from_slice(&body) {
        Ok(c) => c,
        Err(e) => {
            return api_error(
                StatusCode::BAD_REQUEST,
                code::INVALID_PARAMS,
                format!(
                    "the body must be {{\"name\": string, \"arguments\": object, \"sessionId\"?: string}}: {e}"
                ),
            );
        }
    };
    let app = st.engine.app();
    if !app.tool_names().contains(&call.name) {
        return api_error(
            StatusCode::NOT_FOUND,
            code::INVALID_PARAMS,
            format!(
                "unknown tool {:?}: this app's tools are {} (POST …/mcp/tools/list)",
                call.name,
                app.tool_names().join(", ")
            ),
        );
    }
    // The REST API is the standalone widget's channel: like MCP Apps hosts,
    // it refuses tools whose visibility keeps them from widgets.
    if app
        .tool_ui(&call.name)
        .is_some_and(|ui| !ui.visibility.app_can_call())
    {
        return api_error(
            StatusCode::FORBIDDEN,
            code::INVALID_REQUEST,
            format!(
                "tool {:?} is model-only (visibility [\"model\"]): widgets and this API may not call it; use MCP tools/call",
                call.name
            ),
        );
    }
    let session = match &call.session_id {
        None => None,
        Some(id) => match st.engine.sessions().get(id).await {
            Some(s) => Some(s),
            None => {
                return api_error(
                    StatusCode::NOT_FOUND,
                    code::INVALID_REQUEST,
                    format!(
                        "session {id:?} does not exist or has expired: omit sessionId or start a new MCP session"
                    ),
                );
            }
        },
    };
    let request = json!({
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": call.name, "arguments": call.arguments.unwrap_or_default()},
    })
    .to_string();
    let reply = match run(&st, request.as_bytes(), session, principal).await {
        Some(r) => r,
        None => {
            return api_error(
                StatusCode::SERVICE_UNAVAILABLE,
                code::INTERNAL_ERROR,
                "the call was cancelled (the server is shutting down)",
            );
        }
    };
    let mut answer: Value = match serde_json::from_slice(&reply) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "a tools/call reply did not parse");
            return api_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                code::INTERNAL_ERROR,
                "internal error",
            );
        }
    };
    if let Some(error) = answer.get_mut("error").map(Value::take) {
        // A fault inside the server is not the caller's: 500, not 400.
        let status = if error["code"] == code::INTERNAL_ERROR {
            StatusCode::INTERNAL_SERVER_ERROR
        } else {
            StatusCode::BAD_REQUEST
        };
        return json_response(status, &json!({ "error": error }));
    }
    let mut result = answer
        .get_mut("result")
        .map(Value::take)
        .unwrap_or_default();
    if let (Some(w), Some(obj)) = (app.tool_widget(&call.name), result.as_object_mut()) {
        obj.insert(
            "widgetUrl".into(),
            format!("{}/widgets/{}", st.prefix, w.name()).into(),
        );
    }
    json_response(StatusCode::OK, &result)
}

/// Dispatches one request through the engine as a session-era call.
async fn run(
    st: &AppState,
    bytes: &[u8],
    session: Option<Arc<crate::engine::Session>>,
    principal: Option<Arc<crate::auth::Principal>>,
) -> Option<Vec<u8>> {
    let crate::protocol::jsonrpc::Body::Single(msg) = Incoming::parse_body(bytes).ok()? else {
        return None;
    };
    let env = CallEnv {
        header_version: Some(
            session
                .as_ref()
                .map_or(Version::V2025_11_25, |s| s.version()),
        ),
        session,
        principal,
        ..CallEnv::default()
    };
    let info = match st.engine.classify(&msg, &env) {
        Ok(i) => i,
        Err(reply) => return Some(reply.bytes),
    };
    match st.engine.dispatch(&msg, info, env) {
        Dispatch::Ready(r) => Some(r.bytes),
        Dispatch::Pending(fut) => fut.await.map(|r| r.bytes),
    }
}
