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

/// Refuses framing unless the page is [`frameable`].
pub(crate) fn refuse_framing(headers: &mut HeaderMap) {
    if !headers.contains_key(header::X_FRAME_OPTIONS) {
        headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    }
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("frame-ancestors 'none'"),
        );
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
}
