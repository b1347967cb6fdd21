//! What a widget's HTML loads from other origins, and whether a CSP source
//! list allows it.
//!
//! Hosts build the iframe's Content Security Policy from the domains the
//! template declares and allow nothing else, so every absolute URL the HTML
//! loads (scripts, styles, images, fonts, frames, `fetch`, sockets) must be
//! listed. The scan is a tolerant tokenizer, not a browser: it reads tag
//! attributes, CSS `url()`/`@import` and the string literal passed to the
//! usual network calls, which is where real widgets put their URLs.
//!
//! [`html`] finds the URLs; [`source`] matches origins against CSP source
//! expressions.

mod html;
mod source;

use reqwest::Url;

pub(crate) use source::{allows_everything, source_matches};

/// Which CSP list governs a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum CspKind {
    /// Scripts, styles, images, fonts, media: `resourceDomains`.
    Resource,
    /// `fetch`, XHR, WebSocket, EventSource: `connectDomains`.
    Connect,
    /// Nested iframes: `frameDomains`.
    Frame,
}

/// One URL the HTML uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UrlUse {
    /// The URL as written (protocol-relative URLs get `https:`).
    pub(crate) url: String,
    /// The CSP list it needs.
    pub(crate) kind: CspKind,
    /// Where it was found, e.g. `<script src>` or `fetch()`.
    pub(crate) how: &'static str,
}

/// What [`scan_html`] found.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub(crate) struct Scan {
    /// Absolute `http(s)`/`ws(s)` URLs.
    pub(crate) absolute: Vec<UrlUse>,
    /// Relative URLs: they resolve against the host's sandbox origin, which serves nothing.
    pub(crate) relative: Vec<UrlUse>,
}

impl Scan {
    fn add(&mut self, raw: &str, kind: CspKind, how: &'static str) {
        let v = raw.trim();
        let lower = v.to_ascii_lowercase();
        let ignored = v.is_empty()
            || v.starts_with('#')
            || v.starts_with("${")
            || v.starts_with("{{")
            || ["data:", "blob:", "about:", "javascript:", "mailto:", "tel:"]
                .iter()
                .any(|p| lower.starts_with(p));
        if ignored {
            return;
        }
        let absolute = ["http://", "https://", "ws://", "wss://"]
            .iter()
            .any(|p| lower.starts_with(p));
        let url = if v.starts_with("//") {
            format!("https:{v}")
        } else {
            v.to_owned()
        };
        let entry = UrlUse { url, kind, how };
        if absolute || v.starts_with("//") {
            self.absolute.push(entry);
        } else if !lower.contains(':') {
            self.relative.push(entry);
        }
    }
}

/// Finds the URLs an HTML document (with its inline scripts and styles) loads.
pub(crate) fn scan_html(html: &str) -> Scan {
    let mut scan = Scan::default();
    html::scan_tags(html, &mut scan);
    html::scan_css(html, &mut scan);
    html::scan_js(html, &mut scan);
    scan
}

/// The origin of an absolute URL (`https://cdn.example.com`, default port dropped).
pub(crate) fn origin_of(url: &str) -> Option<Url> {
    let u = Url::parse(url).ok()?;
    let origin = u.origin();
    if !origin.is_tuple() {
        return None;
    }
    Url::parse(&origin.ascii_serialization()).ok()
}
