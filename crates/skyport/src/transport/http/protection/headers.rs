//! Security headers on every response: `X-Content-Type-Options: nosniff`,
//! `Referrer-Policy: no-referrer`, `Strict-Transport-Security` when the
//! public URL is https, and framing refused (`X-Frame-Options: DENY`,
//! `Content-Security-Policy: frame-ancestors 'none'`) except on the pages
//! hosts frame: widget pages (`/{app}/widgets/*`) and the dev host (`/dev`).
//!
//! A header a handler already set is kept.

use axum::http::{HeaderMap, HeaderValue, header};

/// `Strict-Transport-Security` for an https public URL: one year. Without
/// `includeSubDomains`: other hosts of the domain are not ours to pin.
pub const HSTS: &str = "max-age=31536000";

/// The HSTS value for `public_url`, `None` unless it is https.
pub fn hsts_for(public_url: Option<&str>) -> Option<HeaderValue> {
    let https = public_url.is_some_and(|u| {
        u.get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    });
    https.then(|| HeaderValue::from_static(HSTS))
}

/// True for pages that hosts show in frames: `/{app}/widgets/…` (and
/// `/widgets/…` of the default app) and `/dev`, `/dev/…`.
pub fn frameable(path: &str) -> bool {
    if path == "/dev" || path.starts_with("/dev/") || path.starts_with("/widgets/") {
        return true;
    }
    // "/{app}/widgets/…"
    path.strip_prefix('/')
        .and_then(|r| r.find('/').map(|i| &r[i..]))
        .is_some_and(|rest| rest.starts_with("/widgets/"))
}

/// The headers every response leaves with, set in one pass (one hash per
/// header): `x-request-id`, `nosniff`, `Referrer-Policy`, HSTS when
/// configured, and framing refused unless `frameable`. A header the handler
/// already set is kept.
pub(crate) fn finish(
    headers: &mut HeaderMap,
    request_id: HeaderValue,
    hsts: Option<&HeaderValue>,
    frameable: bool,
) {
    headers.reserve(6);
    headers
        .entry(super::request_id::X_REQUEST_ID)
        .or_insert(request_id);
    headers
        .entry(header::X_CONTENT_TYPE_OPTIONS)
        .or_insert(HeaderValue::from_static("nosniff"));
    headers
        .entry(header::REFERRER_POLICY)
        .or_insert(HeaderValue::from_static("no-referrer"));
    if let Some(hsts) = hsts {
        headers
            .entry(header::STRICT_TRANSPORT_SECURITY)
            .or_insert_with(|| hsts.clone());
    }
    if !frameable {
        headers
            .entry(header::X_FRAME_OPTIONS)
            .or_insert(HeaderValue::from_static("DENY"));
        headers
            .entry(header::CONTENT_SECURITY_POLICY)
            .or_insert(HeaderValue::from_static("frame-ancestors 'none'"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn which_pages_may_be_framed() {
        for p in [
            "/dev",
            "/dev/",
            "/dev/assets/x.js",
            "/probe/widgets/board",
            "/widgets/card",
        ] {
            assert!(frameable(p), "{p}");
        }
        for p in [
            "/health",
            "/mcp",
            "/probe/mcp",
            "/developer",
            "/oauth/authorize",
            "/probe/widgets",
            "/a/b/widgets/x",
        ] {
            assert!(!frameable(p), "{p}");
        }
        assert!(hsts_for(Some("HTTPS://x.example")).is_some());
        assert!(hsts_for(Some("http://x.example")).is_none());
        assert!(hsts_for(None).is_none());
    }

    #[test]
    fn finish_keeps_what_the_handler_set() {
        let mut h = HeaderMap::new();
        h.insert(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("SAMEORIGIN"),
        );
        h.insert(header::REFERRER_POLICY, HeaderValue::from_static("origin"));
        let hsts = HeaderValue::from_static(HSTS);
        finish(&mut h, HeaderValue::from_static("7"), Some(&hsts), false);
        assert_eq!(h["x-request-id"], "7");
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::REFERRER_POLICY], "origin");
        assert_eq!(h[header::STRICT_TRANSPORT_SECURITY], HSTS);
        assert_eq!(h[header::X_FRAME_OPTIONS], "SAMEORIGIN");
        assert_eq!(h[header::CONTENT_SECURITY_POLICY], "frame-ancestors 'none'");
        assert_eq!(h.len(), 6);

        let mut framed = HeaderMap::new();
        finish(&mut framed, HeaderValue::from_static("8"), None, true);
        assert!(!framed.contains_key(header::X_FRAME_OPTIONS));
        assert!(!framed.contains_key(header::CONTENT_SECURITY_POLICY));
        assert!(!framed.contains_key(header::STRICT_TRANSPORT_SECURITY));
        assert_eq!(framed.len(), 3);
    }
}
