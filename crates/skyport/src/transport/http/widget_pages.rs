//! `GET /{app}/widgets/{name}`: every widget as a plain page at a stable URL.
//!
//! This is what standalone mode opens (the bridge then calls
//! `…/mcp/tools/call`), and what a browser tab or a test points at. The page
//! carries the widget's CSP as a header, plus `connect-src 'self'` for the
//! REST calls. `ETag` is the content hash, so a redeploy is picked up at once.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::{AppState, guard};

/// `GET /{app}/widgets/{name}`.
pub async fn page(
    State(st): State<Arc<AppState>>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) =
        guard::check_host_and_origin(&headers, &st.http.allowed_hosts, &st.http.allowed_origins)
    {
        return r;
    }
    let app = st.engine.app();
    let Some(widget) = app.widget(&name) else {
        let names: Vec<String> = app.widgets().iter().map(|w| w.name().to_owned()).collect();
        let body = json!({"error": {"code": 404, "message": format!(
            "app {} has no widget {name:?}; its widgets are: {}",
            app.name(),
            if names.is_empty() { "none".to_owned() } else { names.join(", ") }
        )}});
        return (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response();
    };
    let etag = format!("\"{}\"", widget.hash);
    // If-None-Match uses the weak comparison (RFC 9110 §13.1.2): `W/"x"`
    // matches `"x"` (proxies that compress weaken tags), and `*` matches any.
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',')
                .map(str::trim)
                .any(|t| t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag)
        });
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        widget.page_html.to_string().into_response()
    };
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&widget.page_csp_header()) {
        h.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    response
}
