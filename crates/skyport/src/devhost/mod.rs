//! The dev host (`skyport dev`): a page at `/dev` that lists the apps and
//! their tools, calls tools over MCP, and renders their widgets in a
//! sandboxed iframe acting as ChatGPT (`window.openai`) or as an MCP Apps
//! host, with a live log of bridge messages. App authors build and test
//! widgets here without ChatGPT or a tunnel.
//!
//! The page is plain HTML/JS embedded in the binary (`assets/`); it talks to
//! the apps' real MCP endpoints, plus two small JSON endpoints:
//! - `GET /dev/api/apps`: the apps, their endpoints and widgets;
//! - `POST /dev/api/inspect`: the result guard's findings for a tool result.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::engine::Engine;
use crate::transport::http::{HttpSettings, guard};
use crate::widgets::guard::inspect_value;

const INDEX_HTML: &str = include_str!("assets/index.html");

/// The embedded assets: name, content type, contents.
const ASSETS: [(&str, &str, &str); 3] = [
    (
        "devhost.css",
        "text/css; charset=utf-8",
        include_str!("assets/devhost.css"),
    ),
    (
        "devhost.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/devhost.js"),
    ),
    (
        "frame-shims.js",
        "text/javascript; charset=utf-8",
        include_str!("assets/frame-shims.js"),
    ),
];

/// One app as the dev host sees it.
#[derive(Debug, Clone)]
pub struct DevApp {
    /// The app's engine.
    pub engine: Arc<Engine>,
    /// One line about it.
    pub summary: String,
}

struct DevState {
    apps: Vec<DevApp>,
    default_app: Option<String>,
    http: Arc<HttpSettings>,
}

/// The `/dev` routes for `apps`.
pub fn routes(apps: Vec<DevApp>, default_app: Option<String>, http: Arc<HttpSettings>) -> Router {
    let state = Arc::new(DevState {
        apps,
        default_app,
        http,
    });
    Router::new()
        .route("/dev", get(index))
        .route("/dev/", get(index))
        .route("/dev/assets/{file}", get(asset))
        .route("/dev/api/apps", get(list_apps))
        .route("/dev/api/inspect", post(inspect))
        .with_state(state)
}

fn check(st: &DevState, headers: &HeaderMap) -> Result<(), Response> {
    guard::check_host_and_origin(headers, &st.http.allowed_hosts, &st.http.allowed_origins)
}

fn text(content_type: &'static str, body: &'static str) -> Response {
    let mut r = body.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // The dev host changes with every rebuild; never serve a stale one.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    r
}

fn json_error(status: StatusCode, message: String) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        json!({"error": {"code": status.as_u16(), "message": message}}).to_string(),
    )
        .into_response()
}

async fn index(State(st): State<Arc<DevState>>, headers: HeaderMap) -> Response {
    if let Err(r) = check(&st, &headers) {
        return r;
    }
    text("text/html; charset=utf-8", INDEX_HTML)
}

async fn asset(
    State(st): State<Arc<DevState>>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = check(&st, &headers) {
        return r;
    }
    match ASSETS.iter().find(|(name, _, _)| *name == file) {
        Some((_, content_type, body)) => text(content_type, body),
        None => json_error(StatusCode::NOT_FOUND, format!("no dev host asset {file:?}")),
    }
}

async fn list_apps(State(st): State<Arc<DevState>>, headers: HeaderMap) -> Response {
    if let Err(r) = check(&st, &headers) {
        return r;
    }
    let apps: Vec<Value> = st
        .apps
        .iter()
        .map(|a| {
            let app = a.engine.app();
            let name = app.name();
            let widgets: Vec<Value> = app
                .widgets()
                .iter()
                .map(|w| {
                    json!({
                        "name": w.name(),
                        "uri": w.uri,
                        "skybridgeUri": w.skybridge_uri,
                        "page": format!("/{name}/widgets/{}", w.name()),
                        "tool": w.tool,
                        "hash": w.hash,
                        "archived": w.archived,
                    })
                })
                .collect();
            json!({
                "name": name,
                "summary": a.summary,
                "mcp": format!("/{name}/mcp"),
                "widgets": widgets,
            })
        })
        .collect();
    Json(json!({"apps": apps, "defaultApp": st.default_app})).into_response()
}

/// `POST /dev/api/inspect` body.
#[derive(Debug, Deserialize)]
struct InspectBody {
    #[serde(default)]
    result: Value,
}

async fn inspect(
    State(st): State<Arc<DevState>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = check(&st, &headers) {
        return r;
    }
    let parsed: InspectBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return json_error(
                StatusCode::BAD_REQUEST,
                format!("the body must be {{\"result\": <CallToolResult>}}: {e}"),
            );
        }
    };
    let findings = match parsed.result.get("structuredContent") {
        Some(sc) if !sc.is_null() => inspect_value(sc),
        _ => Vec::new(),
    };
    Json(json!({ "findings": findings })).into_response()
}
