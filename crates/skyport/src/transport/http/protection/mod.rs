//! The protection layer around every route: the client's address, rate
//! limits per address (and, for the auth layer to call, per client), CORS
//! for the MCP and REST endpoints, security headers, and a time limit on
//! requests until their response starts.
//!
//! One service ([`Protect`]) does the per-request work in one future, outside
//! the router (so no route's service is cloned per request), and gives every
//! response its `x-request-id` and security headers in one pass.
//!
//! ```text
//! WithPeer (per connection: ConnectInfo)
//!   └ Protect: client address, per-address limit, time limit;
//!     x-request-id, nosniff, Referrer-Policy, HSTS, framing headers
//!       └ CorsSwitch: CORS on the app endpoints
//!           └ Router
//! ```

pub mod cors;
pub mod headers;
pub mod peer;
pub mod rate_limit;
pub mod request_id;

use std::convert::Infallible;
use std::net::IpAddr;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::future::BoxFuture;
use tower::Service;

pub use cors::CorsSwitch;
pub use peer::{WithPeer, client_ip};
pub use rate_limit::{RateLimiter, Refusal, Scope, per_client};

use crate::server::Config;

/// The router inside the whole protection layer.
pub type Protected = Protect<CorsSwitch<Router>>;

/// Wraps `router` in the protection layer configured by `config`
/// (`[limits]`, `http.trust_forwarded_for`, `http.cors_*`,
/// `http.request_timeout_secs`, `auth.public_url` for HSTS). `limiter`
/// counts the per-address limit (see [`RateLimiter::new`]).
pub fn protect(router: Router, config: &Config, limiter: Arc<RateLimiter>) -> Protected {
    let cors = cors::layer(config.cors_origins(), config.http.cors_allow_credentials);
    let timeout = config.http.request_timeout_secs;
    Protect {
        inner: CorsSwitch::new(router, cors),
        shared: Arc::new(Shared {
            limiter: limiter.limits_ips().then_some(limiter),
            trust_forwarded_for: config.http.trust_forwarded_for,
            timeout: (timeout > 0).then(|| Duration::from_secs(timeout)),
            hsts: headers::hsts_for(config.auth.public_url.as_deref()),
        }),
    }
}

#[derive(Debug)]
struct Shared {
    /// `None` when `limits.per_ip_per_minute` is 0.
    limiter: Option<Arc<RateLimiter>>,
    trust_forwarded_for: bool,
    /// `None` when `http.request_timeout_secs` is 0.
    timeout: Option<Duration>,
    /// `Strict-Transport-Security`, when the public URL is https.
    hsts: Option<HeaderValue>,
}

/// The per-request part of the protection layer: resolves the client's
/// address, counts it against `limits.per_ip_per_minute`, bounds the time
/// until the response starts (`http.request_timeout_secs`; a stream's
/// response starts at once, so streams are not cut), and sets the headers
/// every response carries: `x-request-id`, the security headers, and framing
/// refused outside widget and dev pages.
#[derive(Debug, Clone)]
pub struct Protect<S> {
    inner: S,
    shared: Arc<Shared>,
}

impl<S> Service<Request> for Protect<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = BoxFuture<'static, Result<Response, Infallible>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut req: Request) -> Self::Future {
        let shared = self.shared.clone();
        let frameable = headers::frameable(req.uri().path());
        let request_id = request_id::for_request(req.headers());
        let ip = peer::resolve(&mut req, shared.trust_forwarded_for);
        // The clone that was made ready is the one that is called.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        Box::pin(async move {
            let mut response = match admit(&shared, ip).await {
                Err(refusal) => refusal.into_response(),
                Ok(()) => {
                    let fut = inner.call(req);
                    match shared.timeout {
                        None => fut.await?,
                        Some(limit) => match tokio::time::timeout(limit, fut).await {
                            Ok(r) => r?,
                            Err(_) => timed_out(limit),
                        },
                    }
                }
            };
            headers::finish(
                response.headers_mut(),
                request_id,
                shared.hsts.as_ref(),
                frameable,
            );
            Ok(response)
        })
    }
}

async fn admit(shared: &Shared, ip: Option<IpAddr>) -> Result<(), Refusal> {
    match (&shared.limiter, ip) {
        (Some(limiter), Some(ip)) => limiter.hit_ip(ip).await,
        _ => Ok(()),
    }
}

/// 503 naming `http.request_timeout_secs`.
fn timed_out(limit: Duration) -> Response {
    let body = serde_json::json!({
        "error": "timeout",
        "error_description": format!(
            "The request took longer than http.request_timeout_secs ({} s, env SKYPORT_HTTP_REQUEST_TIMEOUT_SECS) to be answered",
            limit.as_secs()
        ),
    });
    (StatusCode::SERVICE_UNAVAILABLE, axum::Json(body)).into_response()
}
