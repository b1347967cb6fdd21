//! The HTTP transports and what they share: per-app state, request guards,
//! SSE framing.

pub mod api_key;
pub mod bearer;
pub mod guard;
pub mod legacy_sse;
mod listen;
pub mod oauth;
pub mod protection;
pub mod rest;
pub mod sse;
pub mod standalone;
pub mod streamable;
pub mod widget_pages;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use tokio_util::sync::CancellationToken;

use crate::engine::Engine;
use crate::observability::metrics::Metrics;

/// HTTP settings shared by the MCP endpoints (the `[http]` config section).
#[derive(Debug, Clone)]
pub struct HttpSettings {
    /// Hosts accepted in the `Host` header (DNS-rebinding protection).
    pub allowed_hosts: Vec<String>,
    /// Origins accepted in the `Origin` header.
    pub allowed_origins: Vec<String>,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Interval of SSE keep-alive comments.
    pub sse_keep_alive: Duration,
    /// The `retry` hint sent with SSE priming events.
    pub sse_retry: Duration,
    /// No sessions: every POST stands alone; GET and DELETE answer 405.
    pub stateless: bool,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            allowed_hosts: guard::default_allowed_hosts(),
            allowed_origins: guard::default_allowed_origins(),
            max_body_bytes: 4 * 1024 * 1024,
            sse_keep_alive: Duration::from_secs(15),
            sse_retry: Duration::from_secs(3),
            stateless: false,
        }
    }
}

/// What every MCP HTTP handler of one app needs.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The app's engine.
    pub engine: Arc<Engine>,
    /// HTTP settings.
    pub http: Arc<HttpSettings>,
    /// Fires when the server shuts down: open streams end.
    pub shutdown: CancellationToken,
    /// Metrics registry.
    pub metrics: Metrics,
    /// Path prefix of this mount ("/{app}" or "" for the default app).
    pub prefix: String,
    /// Set when the app requires an API key on its MCP and REST endpoints.
    pub api_key: Option<api_key::ApiKeyCheck>,
    /// Set when the app accepts OAuth access tokens.
    pub bearer: Option<Arc<bearer::BearerCheck>>,
}

/// The routes of one app under `prefix` ("/{app}", or "" for the default app):
/// MCP (Streamable HTTP, legacy SSE), the REST tool API and widget pages,
/// plus the app's `guarded` routes (relative to the prefix) behind the same
/// API-key and bearer checks as its MCP endpoint.
pub fn routes(state: AppState, guarded_app_routes: Option<Router>) -> Router {
    let p = state.prefix.clone();
    let check = state.api_key.clone();
    let bearer = state.bearer.clone();
    let state = Arc::new(state);
    let mut guarded = Router::new()
        .route(
            &format!("{p}/mcp"),
            post(streamable::post)
                .get(standalone::get)
                .delete(streamable::delete),
        )
        .route(&format!("{p}/sse"), get(legacy_sse::connect))
        .route(&format!("{p}/messages"), post(legacy_sse::message))
        .merge(rest::routes(&p, &state))
        .with_state(state.clone());
    if let Some(own) = guarded_app_routes {
        guarded = if p.is_empty() {
            guarded.merge(own)
        } else {
            guarded.nest(&p, own)
        };
    }
    // Only apps that can use a token or require a key pay for the checks.
    if let Some(bearer) = bearer {
        guarded = guarded.layer(axum::middleware::from_fn_with_state(
            bearer,
            bearer::authenticate,
        ));
    }
    // Outside the bearer check: a valid key becomes the principal first.
    if let Some(check) = check {
        guarded = guarded.layer(axum::middleware::from_fn_with_state(
            check,
            api_key::require,
        ));
    }
    // Widget pages are public templates: they hold no data and call the REST API.
    Router::new()
        .route(&format!("{p}/widgets/{{name}}"), get(widget_pages::page))
        .with_state(state)
        .merge(guarded)
}

/// Reads a request body up to `http.max_body_bytes`; past it, 413 with a
/// JSON-RPC error body naming the setting.
///
/// Done in the handler rather than with a router-wide `DefaultBodyLimit`
/// layer: that layer wraps every route and costs allocations per request.
pub(crate) async fn read_body(st: &AppState, body: Body) -> Result<Bytes, Response> {
    use crate::protocol::{RpcError, error::code};
    match axum::body::to_bytes(body, st.http.max_body_bytes).await {
        Ok(b) => Ok(b),
        Err(e) => {
            let too_large = e.into_inner().is::<http_body_util::LengthLimitError>();
            let (status, message) = if too_large {
                (
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "Payload Too Large: the body exceeds http.max_body_bytes ({} bytes)",
                        st.http.max_body_bytes
                    ),
                )
            } else {
                (
                    StatusCode::BAD_REQUEST,
                    "The body could not be read: the connection failed mid-body".to_owned(),
                )
            };
            st.metrics.rejection(st.engine.app().name(), "body");
            Err(guard::rpc_error_response(
                status,
                &RpcError::new(code::TRANSPORT_REJECTED, message),
            ))
        }
    }
}
