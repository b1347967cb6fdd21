//! CORS for the MCP and REST endpoints (`/mcp`, `/sse`, `/messages`,
//! `/mcp/tools/*`, with or without an `/{app}` prefix): origins from
//! `http.cors_origins` (default: the allowed origins), the MCP headers
//! allowed, `Mcp-Session-Id` and `WWW-Authenticate` exposed.
//!
//! Other routes (the OAuth endpoints, apps' own routes) are left to their
//! own CORS rules. A request without `Origin` skips the CORS work.

use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::http::{HeaderName, Method, Request, Response, header};
use futures::future::Either;
use tower::{Layer, Service};
use tower_http::cors::{AllowOrigin, Cors, CorsLayer};

use crate::transport::http::guard;

/// Request headers MCP clients send cross-origin.
pub const ALLOWED_HEADERS: [&str; 9] = [
    "content-type",
    "accept",
    "authorization",
    "mcp-session-id",
    "mcp-protocol-version",
    "last-event-id",
    "mcp-method",
    "mcp-name",
    "x-request-id",
];

/// Response headers browsers may show to the calling page.
pub const EXPOSED_HEADERS: [&str; 8] = [
    "mcp-session-id",
    "www-authenticate",
    "mcp-protocol-version",
    "x-request-id",
    "retry-after",
    "ratelimit-limit",
    "ratelimit-remaining",
    "ratelimit-reset",
];

/// The CORS rules for `origins` (`*` answers any origin). With `*`,
/// credentials are never allowed (the configuration check refuses the pair;
/// a `Config` built in code that has it gets no credentials, and a log line).
pub fn layer(origins: Vec<String>, allow_credentials: bool) -> CorsLayer {
    let any = origins.iter().any(|o| o == "*");
    let allow_credentials = if any && allow_credentials {
        tracing::error!(
            "http.cors_allow_credentials is ignored: it cannot be used with the origin `*`"
        );
        false
    } else {
        allow_credentials
    };
    let allow_origin = if any {
        AllowOrigin::any()
    } else {
        AllowOrigin::predicate(move |origin, _| {
            origin
                .to_str()
                .is_ok_and(|o| guard::origin_allowed(o, &origins))
        })
    };
    CorsLayer::new()
        .allow_origin(allow_origin)
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers(ALLOWED_HEADERS.map(HeaderName::from_static))
        .expose_headers(EXPOSED_HEADERS.map(HeaderName::from_static))
        .allow_credentials(allow_credentials)
        .max_age(Duration::from_secs(600))
}

/// True for the MCP and REST endpoints: `{p}/mcp`, `{p}/sse`,
/// `{p}/messages`, `{p}/mcp/tools/list`, `{p}/mcp/tools/call`, where `{p}`
/// is empty or one `/{app}` segment.
pub fn is_app_endpoint(path: &str) -> bool {
    fn tail(p: &str) -> bool {
        matches!(
            p,
            "/mcp" | "/sse" | "/messages" | "/mcp/tools/list" | "/mcp/tools/call"
        )
    }
    tail(path)
        || path
            .strip_prefix('/')
            .and_then(|r| r.find('/').map(|i| &r[i..]))
            .is_some_and(tail)
}

/// Sends app-endpoint requests that carry `Origin` through the CORS rules,
/// everything else straight to the inner service.
///
/// The CORS service is built per CORS request: cloning it (its header
/// lists) on every request would cost the requests without `Origin`.
#[derive(Debug, Clone)]
pub struct CorsSwitch<S> {
    inner: S,
    rules: Arc<CorsLayer>,
}

impl<S> CorsSwitch<S> {
    /// `inner` with `rules` on the app endpoints.
    pub fn new(inner: S, rules: CorsLayer) -> Self {
        Self {
            inner,
            rules: Arc::new(rules),
        }
    }
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for CorsSwitch<S>
where
    S: Service<Request<ReqBody>, Response = Response<ResBody>> + Clone,
    ResBody: Default,
{
    type Response = Response<ResBody>;
    type Error = S::Error;
    type Future = Either<S::Future, <Cors<S> as Service<Request<ReqBody>>>::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request<ReqBody>) -> Self::Future {
        if req.headers().contains_key(header::ORIGIN) && is_app_endpoint(req.uri().path()) {
            // The ready service goes into the CORS one; a clone stays here.
            let clone = self.inner.clone();
            let ready = std::mem::replace(&mut self.inner, clone);
            Either::Right(self.rules.layer(ready).call(req))
        } else {
            Either::Left(self.inner.call(req))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn app_endpoints() {
        for p in [
            "/mcp",
            "/sse",
            "/messages",
            "/probe/mcp",
            "/probe/mcp/tools/call",
            "/mcp/tools/list",
        ] {
            assert!(is_app_endpoint(p), "{p}");
        }
        for p in [
            "/health",
            "/probe/widgets/x",
            "/.well-known/oauth-protected-resource/probe/mcp",
            "/oauth/token",
            "/a/b/mcp",
            "/mcpx",
        ] {
            assert!(!is_app_endpoint(p), "{p}");
        }
    }
}
