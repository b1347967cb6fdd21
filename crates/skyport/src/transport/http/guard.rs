//! Checks every MCP request passes before the engine sees it: Host and Origin
//! allowlists (DNS-rebinding protection), content type, accepted types.
//!
//! Each rejection names the setting that would allow the request.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::protocol::RpcError;
use crate::protocol::error::code;
use crate::protocol::jsonrpc::error_bytes;

/// Loopback hosts: a local server must not answer a page on another host
/// that rebinds its DNS name to 127.0.0.1.
pub fn default_allowed_hosts() -> Vec<String> {
    vec!["localhost".into(), "127.0.0.1".into(), "[::1]".into()]
}

/// Loopback origins, any port.
pub fn default_allowed_origins() -> Vec<String> {
    ["http", "https"]
        .iter()
        .flat_map(|s| ["localhost", "127.0.0.1", "[::1]"].map(|h| format!("{s}://{h}")))
        .collect()
}

/// A JSON-RPC error body (without id) with an HTTP status.
pub fn rpc_error_response(status: StatusCode, error: &RpcError) -> Response {
    let mut r = (status, error_bytes(None, error)).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

fn forbidden(message: String) -> Response {
    rpc_error_response(
        StatusCode::FORBIDDEN,
        &RpcError::new(code::TRANSPORT_REJECTED, message),
    )
}

fn host_of(authority: &str) -> &str {
    if authority.starts_with('[') {
        return authority.find(']').map_or(authority, |i| &authority[..=i]);
    }
    authority.rsplit_once(':').map_or(authority, |(h, _)| h)
}

/// Checks `Host` and `Origin` against the allowlists (`*` allows any).
pub fn check_host_and_origin(
    headers: &HeaderMap,
    hosts: &[String],
    origins: &[String],
) -> Result<(), Response> {
    if let Some(host) = headers.get(header::HOST) {
        let host = host.to_str().unwrap_or("");
        let name = host_of(host);
        let ok = hosts
            .iter()
            .any(|h| h == "*" || h.eq_ignore_ascii_case(name) || h.eq_ignore_ascii_case(host));
        if !ok {
            return Err(forbidden(format!(
                "Host {host:?} is not allowed: add it to http.allowed_hosts (env SKYPORT_HTTP_ALLOWED_HOSTS) to serve it"
            )));
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN) {
        let origin = origin.to_str().unwrap_or("");
        if !origin_allowed(origin, origins) {
            return Err(forbidden(format!(
                "Origin {origin:?} is not allowed: add it to http.allowed_origins (env SKYPORT_HTTP_ALLOWED_ORIGINS) to accept it"
            )));
        }
    }
    Ok(())
}

/// An entry without a port allows any port of that scheme and host.
pub fn origin_allowed(origin: &str, allowed: &[String]) -> bool {
    let origin_l = origin.to_ascii_lowercase();
    let without_port = match origin_l.split_once("://") {
        Some((scheme, authority)) => format!("{scheme}://{}", host_of(authority)),
        None => origin_l.clone(),
    };
    allowed.iter().any(|a| {
        let a = a.to_ascii_lowercase();
        a == "*" || a == origin_l || a == without_port
    })
}

/// The media types listed in a header, without parameters (no allocation: this runs per request).
fn media_types(headers: &HeaderMap, name: header::HeaderName) -> impl Iterator<Item = &str> {
    headers
        .get_all(name)
        .into_iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.split(';').next().unwrap_or("").trim())
}

/// POST bodies must be JSON (415 otherwise).
pub fn check_json_content_type(headers: &HeaderMap) -> Result<(), Response> {
    let ok = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
    if ok {
        Ok(())
    } else {
        Err(rpc_error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            &RpcError::new(
                code::TRANSPORT_REJECTED,
                "Unsupported Media Type: send the body as Content-Type: application/json",
            ),
        ))
    }
}

/// True when `Accept` admits `wanted` (exactly or by a wildcard).
pub fn accepts(headers: &HeaderMap, wanted: &str) -> bool {
    media_types(headers, header::ACCEPT).any(|t| admits(t, wanted))
}

/// True when the media range `range` (`type/subtype`, `type/*` or `*/*`) covers `wanted`.
fn admits(range: &str, wanted: &str) -> bool {
    let (main, _) = wanted.split_once('/').unwrap_or((wanted, ""));
    range.eq_ignore_ascii_case(wanted)
        || range == "*/*"
        || range
            .strip_suffix("/*")
            .is_some_and(|m| m.eq_ignore_ascii_case(main))
}

/// Streamable HTTP POSTs must accept both JSON and SSE answers (406 otherwise).
///
/// One pass over `Accept` for both types: this runs on every POST.
pub fn check_post_accept(headers: &HeaderMap) -> Result<(), Response> {
    let (mut json, mut sse) = (false, false);
    for range in media_types(headers, header::ACCEPT) {
        json = json || admits(range, "application/json");
        sse = sse || admits(range, "text/event-stream");
        if json && sse {
            return Ok(());
        }
    }
    Err(rpc_error_response(
        StatusCode::NOT_ACCEPTABLE,
        &RpcError::new(
            code::TRANSPORT_REJECTED,
            "Not Acceptable: the Accept header must list both application/json and text/event-stream",
        ),
    ))
}

/// GET streams must accept SSE (406 otherwise).
pub fn check_sse_accept(headers: &HeaderMap) -> Result<(), Response> {
    if accepts(headers, "text/event-stream") {
        Ok(())
    } else {
        Err(rpc_error_response(
            StatusCode::NOT_ACCEPTABLE,
            &RpcError::new(
                code::TRANSPORT_REJECTED,
                "Not Acceptable: the Accept header must list text/event-stream",
            ),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut m = HeaderMap::new();
        for (k, v) in pairs {
            m.append(*k, HeaderValue::from_static(v));
        }
        m
    }

    #[test]
    fn loopback_hosts_and_origins_pass_by_default() {
        let (hosts, origins) = (default_allowed_hosts(), default_allowed_origins());
        assert!(
            check_host_and_origin(
                &h(&[
                    ("host", "127.0.0.1:8787"),
                    ("origin", "http://localhost:3000")
                ]),
                &hosts,
                &origins
            )
            .is_ok()
        );
        assert!(check_host_and_origin(&h(&[("host", "[::1]:8787")]), &hosts, &origins).is_ok());
        let r = check_host_and_origin(&h(&[("host", "evil.example.com")]), &hosts, &origins)
            .unwrap_err();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let r = check_host_and_origin(
            &h(&[("host", "localhost"), ("origin", "http://evil.example.com")]),
            &hosts,
            &origins,
        )
        .unwrap_err();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        assert!(
            check_host_and_origin(
                &h(&[("host", "x"), ("origin", "null")]),
                &["*".into()],
                &origins
            )
            .is_err()
        );
    }

    #[test]
    fn accept_and_content_type_rules() {
        assert!(
            check_post_accept(&h(&[("accept", "application/json, text/event-stream")])).is_ok()
        );
        assert!(check_post_accept(&h(&[("accept", "*/*")])).is_ok());
        assert!(check_post_accept(&h(&[("accept", "application/json")])).is_err());
        assert!(check_post_accept(&h(&[("accept", "text/event-stream")])).is_err());
        assert!(check_post_accept(&h(&[])).is_err());
        // Type wildcards, parameters, case and the two types on separate header lines.
        assert!(check_post_accept(&h(&[("accept", "application/*;q=0.9, TEXT/*")])).is_ok());
        assert!(check_post_accept(&h(&[("accept", "text/*, image/png")])).is_err());
        assert!(
            check_post_accept(&h(&[
                ("accept", "Application/JSON; charset=utf-8"),
                ("accept", "text/event-stream")
            ]))
            .is_ok()
        );
        assert!(
            check_json_content_type(&h(&[("content-type", "application/json; charset=utf-8")]))
                .is_ok()
        );
        assert!(check_json_content_type(&h(&[("content-type", "text/plain")])).is_err());
        assert!(check_json_content_type(&h(&[])).is_err());
    }
}
