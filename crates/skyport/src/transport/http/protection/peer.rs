//! The client's address: `ConnectInfo<SocketAddr>` in every request's
//! extensions, from the TCP peer or, with `http.trust_forwarded_for`, from
//! the last hop of `X-Forwarded-For`.

use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::task::{Context, Poll};

use axum::Extension;
use axum::extract::ConnectInfo;
use axum::http::{Extensions, HeaderMap};
use axum::middleware::AddExtension;
use axum::serve::{IncomingStream, Listener};
use tower::{Layer, Service};

/// A make-service for `axum::serve`: each connection's service puts the
/// peer's address into every request as `ConnectInfo<SocketAddr>` (what
/// `Router::into_make_service_with_connect_info` does, for any service).
#[derive(Debug, Clone)]
pub struct WithPeer<S> {
    service: S,
}

impl<S> WithPeer<S> {
    /// Serves `service` on every connection.
    pub fn new(service: S) -> Self {
        Self { service }
    }
}

impl<'a, L, S> Service<IncomingStream<'a, L>> for WithPeer<S>
where
    L: Listener<Addr = SocketAddr>,
    S: Clone,
{
    type Response = AddExtension<S, ConnectInfo<SocketAddr>>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Self::Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, stream: IncomingStream<'a, L>) -> Self::Future {
        let peer = ConnectInfo(*stream.remote_addr());
        std::future::ready(Ok(Extension(peer).layer(self.service.clone())))
    }
}

/// The last address of the last `X-Forwarded-For` header: the one the
/// nearest proxy added (earlier hops are whatever the client wrote).
pub fn last_forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let last = headers.get_all("x-forwarded-for").iter().next_back()?;
    let hop = last.to_str().ok()?.rsplit(',').next()?.trim();
    hop.parse::<IpAddr>()
        .ok()
        .or_else(|| hop.parse::<SocketAddr>().ok().map(|s| s.ip()))
}

/// The client's address for a request. With `trust_forwarded_for`, a
/// well-formed `X-Forwarded-For` wins; the result replaces the
/// `ConnectInfo` in `extensions` (port 0), so handlers reading `ConnectInfo`
/// see the same address. Else the TCP peer's address.
pub(crate) fn resolve<B>(
    request: &mut axum::http::Request<B>,
    trust_forwarded_for: bool,
) -> Option<IpAddr> {
    if trust_forwarded_for && let Some(ip) = last_forwarded_for(request.headers()) {
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::new(ip, 0)));
        return Some(ip);
    }
    client_ip(request.extensions())
}

/// The client address of a request, as the protection layer resolved it
/// (`None` when the server was not started by `Server::serve`).
pub fn client_ip(extensions: &Extensions) -> Option<IpAddr> {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn forwarded_for_takes_the_last_hop() {
        let mut h = HeaderMap::new();
        assert_eq!(last_forwarded_for(&h), None);
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("1.1.1.1, 2.2.2.2"),
        );
        h.append(
            "x-forwarded-for",
            HeaderValue::from_static("9.9.9.9,  203.0.113.5 "),
        );
        assert_eq!(last_forwarded_for(&h), Some("203.0.113.5".parse().unwrap()));
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("[2001:db8::1]:443"),
        );
        assert_eq!(last_forwarded_for(&h), Some("2001:db8::1".parse().unwrap()));
        h.insert("x-forwarded-for", HeaderValue::from_static("garbage"));
        assert_eq!(last_forwarded_for(&h), None);

        let peer: SocketAddr = "10.0.0.1:5555".parse().unwrap();
        let mut req = axum::http::Request::new(());
        req.extensions_mut().insert(ConnectInfo(peer));
        req.headers_mut()
            .insert("x-forwarded-for", HeaderValue::from_static("203.0.113.9"));
        // Not trusted: the peer.
        assert_eq!(resolve(&mut req, false), Some(peer.ip()));
        // Trusted: the header, and handlers see it too.
        let ip: IpAddr = "203.0.113.9".parse().unwrap();
        assert_eq!(resolve(&mut req, true), Some(ip));
        assert_eq!(client_ip(req.extensions()), Some(ip));
    }
}
