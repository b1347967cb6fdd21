//! Fetching documents named by untrusted parties (Client ID Metadata
//! Documents, JWKS) without becoming a proxy into the private network.
//!
//! reqwest does the HTTP; what no crate does for us is the SSRF policy: the
//! host is resolved here, every address is checked, and the connection is
//! pinned to a checked address so a second DNS answer cannot redirect it
//! (DNS rebinding). Redirects are not followed; size and time are bounded.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use futures::StreamExt;

/// Why a document could not be fetched. Messages are safe to return to the
/// client that named the URL.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FetchError {
    /// Not an https URL (or http when private fetches are allowed).
    #[error("{0} is not an https URL")]
    Scheme(String),
    /// The host resolves to a loopback, private, link-local or otherwise
    /// non-public address.
    #[error("{0} resolves to a non-public address")]
    PrivateAddress(String),
    /// DNS, connection, TLS or timeout failures.
    #[error("{url} could not be fetched: {why}")]
    Unreachable {
        /// The URL.
        url: String,
        /// What went wrong.
        why: String,
    },
    /// A status other than 200 (redirects included: they are not followed).
    #[error("{url} answered HTTP {status}")]
    Status {
        /// The URL.
        url: String,
        /// The status.
        status: u16,
    },
    /// The body is larger than the limit.
    #[error("{url} is larger than {limit} bytes")]
    TooLarge {
        /// The URL.
        url: String,
        /// The limit.
        limit: usize,
    },
    /// The body is not JSON.
    #[error("{url} is not a JSON document: {why}")]
    NotJson {
        /// The URL.
        url: String,
        /// The parse error.
        why: String,
    },
}

/// A fetched JSON document and how long it may be cached.
#[derive(Debug, Clone)]
pub struct Fetched {
    /// The document.
    pub json: serde_json::Value,
    /// `Cache-Control: max-age`, clamped by the caller.
    pub max_age: Option<Duration>,
}

/// Fetches small JSON documents from public addresses.
#[derive(Debug, Clone)]
pub struct SafeFetch {
    /// Allow loopback/private addresses and plain http (development, tests).
    pub allow_private: bool,
    /// Largest body accepted. Default 64 KiB.
    pub max_bytes: usize,
    /// Whole-request deadline. Default 5 s.
    pub timeout: Duration,
}

impl SafeFetch {
    /// The production policy (public https only), or the development one.
    pub fn new(allow_private: bool) -> Self {
        Self {
            allow_private,
            max_bytes: 64 * 1024,
            timeout: Duration::from_secs(5),
        }
    }

    /// GETs `url` and parses it as JSON, within the policy.
    pub async fn json(&self, url: &str) -> Result<Fetched, FetchError> {
        let parsed = url::Url::parse(url).map_err(|_| FetchError::Scheme(url.to_owned()))?;
        let scheme_ok =
            parsed.scheme() == "https" || (self.allow_private && parsed.scheme() == "http");
        let host = parsed
            .host_str()
            .filter(|_| scheme_ok)
            .ok_or_else(|| FetchError::Scheme(url.to_owned()))?;
        let port = parsed.port_or_known_default().unwrap_or(443);
        let unreachable = |why: String| FetchError::Unreachable {
            url: url.to_owned(),
            why,
        };
        let lookup = tokio::time::timeout(
            self.timeout,
            tokio::net::lookup_host((host.trim_matches(['[', ']']), port)),
        )
        .await
        .map_err(|_| unreachable("DNS lookup timed out".into()))?
        .map_err(|e| unreachable(e.to_string()))?;
        let addrs: Vec<SocketAddr> = lookup.collect();
        if addrs.is_empty() {
            return Err(unreachable("the host has no address".into()));
        }
        if !self.allow_private && addrs.iter().any(|a| !is_public(a.ip())) {
            return Err(FetchError::PrivateAddress(url.to_owned()));
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .connect_timeout(self.timeout)
            .resolve(host, addrs[0])
            .user_agent(concat!("skyport/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| unreachable(e.to_string()))?;
        let response = client
            .get(parsed.as_str())
            .header("accept", "application/json")
            .send()
            .await
            .map_err(|e| unreachable(e.to_string()))?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(FetchError::Status {
                url: url.to_owned(),
                status: response.status().as_u16(),
            });
        }
        let too_large = || FetchError::TooLarge {
            url: url.to_owned(),
            limit: self.max_bytes,
        };
        if response
            .content_length()
            .is_some_and(|n| n > self.max_bytes as u64)
        {
            return Err(too_large());
        }
        let max_age = response
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok())
            .and_then(max_age);
        let mut body = Vec::new();
        let mut stream = response.bytes_stream();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| unreachable(e.to_string()))?;
            if body.len() + chunk.len() > self.max_bytes {
                return Err(too_large());
            }
            body.extend_from_slice(&chunk);
        }
        let json = serde_json::from_slice(&body).map_err(|e| FetchError::NotJson {
            url: url.to_owned(),
            why: e.to_string(),
        })?;
        Ok(Fetched { json, max_age })
    }
}

fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control.split(',').find_map(|d| {
        let d = d.trim();
        d.strip_prefix("max-age=")
            .and_then(|n| n.parse::<u64>().ok())
            .map(Duration::from_secs)
    })
}

/// True for addresses on the public internet: not loopback, private
/// (RFC 1918, ULA), link-local, CGNAT, documentation, multicast, broadcast
/// or unspecified (v4-mapped v6 addresses are judged as v4).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64/10
                || (a == 192 && b == 0 && v4.octets()[2] == 0) // IETF 192.0.0/24
                || a >= 240) // reserved
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
                || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
                || first == 0x2001 && v6.segments()[1] == 0x0db8) // documentation
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "2001:db8::1",
            "224.0.0.1",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "2606:4700::1111", "8.8.8.8"] {
            assert!(is_public(ip.parse().unwrap()), "{ip}");
        }
    }

    #[tokio::test]
    async fn loopback_and_plain_http_are_refused_by_default() {
        let f = SafeFetch::new(false);
        assert!(matches!(
            f.json("http://127.0.0.1:1/x.json").await,
            Err(FetchError::Scheme(_))
        ));
        assert!(matches!(
            f.json("https://127.0.0.1:1/x.json").await,
            Err(FetchError::PrivateAddress(_))
        ));
        assert!(matches!(
            f.json("https://localhost:1/x.json").await,
            Err(FetchError::PrivateAddress(_))
        ));
    }

    #[test]
    fn max_age_is_read_from_cache_control() {
        assert_eq!(
            max_age("public, max-age=300"),
            Some(Duration::from_secs(300))
        );
        assert_eq!(max_age("no-cache"), None);
    }
}
