//! CSP source expressions: whether one allows an origin, and whether one
//! allows everything.

use reqwest::Url;

/// A CSP source expression, split into its parts.
#[derive(Debug, PartialEq, Eq)]
struct Source<'a> {
    scheme: Option<String>,
    host: Option<&'a str>,
    port: Option<&'a str>,
}

fn parse_source(entry: &str) -> Source<'_> {
    let entry = entry.trim();
    let (scheme, rest) = match entry.find("://") {
        Some(i) => (Some(entry[..i].to_ascii_lowercase()), &entry[i + 3..]),
        None if entry.ends_with(':') && !entry.contains('.') => {
            let scheme = entry.trim_end_matches(':').to_ascii_lowercase();
            return Source {
                scheme: Some(scheme),
                host: None,
                port: None,
            };
        }
        None => (None, entry),
    };
    let hostport = rest.split('/').next().unwrap_or("");
    let (host, port) = if let Some(end) = hostport.strip_prefix('[').and_then(|h| h.find(']')) {
        let host = &hostport[..end + 2];
        let port = hostport[end + 2..].strip_prefix(':');
        (host, port)
    } else {
        match hostport.rsplit_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (hostport, None),
        }
    };
    Source {
        scheme,
        host: Some(host),
        port,
    }
}

/// True when a source expression allows everything (or every host of a
/// scheme): hosts reject such a CSP and reviewers do too.
pub(crate) fn allows_everything(entry: &str) -> bool {
    let e = entry.trim();
    if e == "*" {
        return true;
    }
    let s = parse_source(e);
    s.host.is_none() || s.host == Some("*")
}

/// True when the source expression `entry` allows loading from `origin`
/// (CSP host-source matching: scheme upgrades, `*.` subdomain wildcards, ports).
pub(crate) fn source_matches(entry: &str, origin: &Url) -> bool {
    let e = entry.trim();
    if e == "*" {
        return true;
    }
    let source = parse_source(e);
    let url_scheme = origin.scheme();
    let scheme_ok = match source.scheme.as_deref() {
        // No scheme: the sandbox page is https, so https and wss.
        None => matches!(url_scheme, "https" | "wss"),
        Some(s) if s == url_scheme => true,
        Some("http") => matches!(url_scheme, "https" | "ws" | "wss"),
        Some("https") => url_scheme == "wss",
        Some("ws") => url_scheme == "wss",
        Some(_) => false,
    };
    if !scheme_ok {
        return false;
    }
    let Some(host) = source.host else {
        return true; // a scheme-only source
    };
    let url_host = origin.host_str().unwrap_or_default().to_ascii_lowercase();
    let host = host.to_ascii_lowercase();
    let host_ok = if host == "*" {
        true
    } else if let Some(suffix) = host.strip_prefix("*.") {
        url_host.ends_with(&format!(".{suffix}"))
    } else {
        host == url_host
    };
    if !host_ok {
        return false;
    }
    match source.port {
        Some("*") => true,
        Some(p) => p.parse::<u16>().ok() == origin.port_or_known_default(),
        // No port: the default port of the URL's scheme (an upgraded scheme keeps it too).
        None => origin.port().is_none(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::origin_of;
    use super::*;

    fn url(s: &str) -> Url {
        origin_of(s).unwrap()
    }

    #[test]
    fn wildcard_subdomains_match_subdomains_only() {
        let src = "https://*.example.com";
        assert!(source_matches(src, &url("https://cdn.example.com/x")));
        assert!(source_matches(src, &url("https://a.b.example.com")));
        assert!(!source_matches(src, &url("https://example.com")));
        assert!(!source_matches(src, &url("https://evil-example.com")));
        assert!(!source_matches(src, &url("http://cdn.example.com")));
    }

    #[test]
    fn schemes_ports_and_paths() {
        assert!(source_matches(
            "https://api.example.com",
            &url("wss://api.example.com")
        ));
        assert!(source_matches("http://a.com", &url("https://a.com")));
        assert!(!source_matches("https://a.com", &url("http://a.com")));
        assert!(source_matches("a.com", &url("https://a.com")));
        assert!(!source_matches("a.com", &url("http://a.com")));
        assert!(source_matches("https://a.com/", &url("https://a.com/x")));
        assert!(source_matches(
            "https://a.com/lib/",
            &url("https://a.com/x")
        ));
        assert!(source_matches("https://A.com", &url("https://a.COM")));
        assert!(!source_matches("https://a.com", &url("https://a.com:8443")));
        assert!(source_matches(
            "https://a.com:8443",
            &url("https://a.com:8443")
        ));
        assert!(source_matches(
            "https://a.com:*",
            &url("https://a.com:8443")
        ));
        assert!(source_matches("https://a.com:443", &url("https://a.com")));
        assert!(source_matches(
            "http://localhost:3000",
            &url("http://localhost:3000/x")
        ));
        assert!(source_matches(
            "http://[::1]:3000",
            &url("http://[::1]:3000/x")
        ));
        assert!(source_matches("https:", &url("https://anything.com")));
    }

    #[test]
    fn allow_all_entries_are_detected() {
        for e in ["*", "https:", "https://*", "*://*", "http://*:*"] {
            assert!(allows_everything(e), "{e}");
        }
        for e in [
            "https://*.example.com",
            "https://cdn.example.com",
            "cdn.example.com",
        ] {
            assert!(!allows_everything(e), "{e}");
        }
    }
}
