//! Declaring a widget: its parts (body, style, script), CSP domains, border
//! preference, description and domain, checked at start-up.

use std::borrow::Cow;

use super::WidgetError;

/// The origins a widget may reach, published as MCP Apps `ui.csp` and
/// ChatGPT `openai/widgetCSP`. Hosts block everything not listed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Csp {
    /// Origins for `fetch`/XHR/WebSocket (`connectDomains` / `connect_domains`).
    pub connect: Vec<String>,
    /// Origins for scripts, styles, images, fonts, media (`resourceDomains` / `resource_domains`).
    pub resource: Vec<String>,
    /// Origins the widget may embed in frames (`frameDomains`; hosts review these strictly).
    pub frame: Vec<String>,
    /// Origins `openExternal` may open without ChatGPT's safe-link modal (ChatGPT only).
    pub redirect: Vec<String>,
    /// Origins allowed in `<base href>` (MCP Apps only).
    pub base_uri: Vec<String>,
    /// Also allow `fetch` to this server's own public origin (`auth.public_url`),
    /// resolved when the server publishes the widget.
    pub server: bool,
    /// Also allow images and other resources from this server's own public
    /// origin (for images an app serves itself), resolved like `server`.
    pub server_resources: bool,
}

impl Csp {
    /// An empty policy: the widget reaches nothing outside itself.
    pub fn new() -> Self {
        Self::default()
    }

    /// Allows `fetch`/XHR/WebSocket to `origin`.
    pub fn connect(mut self, origin: impl Into<String>) -> Self {
        self.connect.push(origin.into());
        self
    }

    /// Allows `fetch` to the serving Skyport's own public origin, for widgets
    /// that call their app's HTTP API (the origin is only known at start-up).
    pub fn connect_server(mut self) -> Self {
        self.server = true;
        self
    }

    /// Allows images, styles and other resources from the serving Skyport's
    /// own public origin, for widgets that show images their app serves.
    pub fn resource_server(mut self) -> Self {
        self.server_resources = true;
        self
    }

    /// Allows scripts, styles, images, fonts and media from `origin`.
    pub fn resource(mut self, origin: impl Into<String>) -> Self {
        self.resource.push(origin.into());
        self
    }

    /// Allows frames from `origin`.
    pub fn frame(mut self, origin: impl Into<String>) -> Self {
        self.frame.push(origin.into());
        self
    }

    /// Lets `openExternal` open `origin` directly (ChatGPT).
    pub fn redirect(mut self, origin: impl Into<String>) -> Self {
        self.redirect.push(origin.into());
        self
    }

    /// Allows `origin` in `<base href>`.
    pub fn base_uri(mut self, origin: impl Into<String>) -> Self {
        self.base_uri.push(origin.into());
        self
    }

    /// Every (list name, origins) pair, for validation and reports.
    pub(crate) fn lists(&self) -> [(&'static str, &[String]); 5] {
        [
            ("connect", &self.connect),
            ("resource", &self.resource),
            ("frame", &self.frame),
            ("redirect", &self.redirect),
            ("base_uri", &self.base_uri),
        ]
    }
}

/// A widget: self-contained HTML a host renders in a sandboxed iframe.
///
/// Declared in parts so the framework can inline them (the default: one
/// document, no CDN) or serve them from a CDN (`widgets.base_url`):
/// `body` is the markup inside `<body>`, `style` and `script` the widget's
/// own CSS and JS. The shared bridge (`window.skyport`) and base styles are
/// added by the framework.
#[derive(Debug, Clone)]
pub struct Widget {
    pub(crate) name: String,
    pub(crate) title: Option<String>,
    pub(crate) description: Option<String>,
    pub(crate) body: Cow<'static, str>,
    pub(crate) style: Cow<'static, str>,
    pub(crate) script: Cow<'static, str>,
    pub(crate) csp: Csp,
    pub(crate) prefers_border: bool,
    pub(crate) domain: Option<String>,
}

impl Widget {
    /// Starts a widget called `name` (lowercase letters, digits, `-`).
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            title: None,
            description: None,
            body: Cow::Borrowed(""),
            style: Cow::Borrowed(""),
            script: Cow::Borrowed(""),
            csp: Csp::default(),
            prefers_border: true,
            domain: None,
        }
    }

    /// The document title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// What the widget shows, given to the model when it loads
    /// (`openai/widgetDescription`). Required.
    pub fn description(mut self, text: impl Into<String>) -> Self {
        self.description = Some(text.into());
        self
    }

    /// The markup inside `<body>` (static: data goes in with `textContent`).
    pub fn body(mut self, html: impl Into<Cow<'static, str>>) -> Self {
        self.body = html.into();
        self
    }

    /// The widget's CSS.
    pub fn style(mut self, css: impl Into<Cow<'static, str>>) -> Self {
        self.style = css.into();
        self
    }

    /// The widget's JavaScript (runs after the body, with `window.skyport` ready to use).
    pub fn script(mut self, js: impl Into<Cow<'static, str>>) -> Self {
        self.script = js.into();
        self
    }

    /// The origins it may reach.
    pub fn csp(mut self, csp: Csp) -> Self {
        self.csp = csp;
        self
    }

    /// Whether hosts draw a border around it (default true).
    pub fn prefers_border(mut self, yes: bool) -> Self {
        self.prefers_border = yes;
        self
    }

    /// The dedicated origin ChatGPT serves it from (`openai/widgetDomain`),
    /// required for app submission. Host-specific, so not sent to MCP Apps hosts.
    pub fn domain(mut self, origin: impl Into<String>) -> Self {
        self.domain = Some(origin.into());
        self
    }

    /// The widget's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Checks the declaration; the error names the fix.
    pub(crate) fn validate(&self, app: &str) -> Result<(), WidgetError> {
        let err = |why: String| WidgetError {
            app: app.to_owned(),
            widget: self.name.clone(),
            why,
        };
        let valid_name = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_name {
            return Err(err(
                "the name is invalid: use lowercase letters, digits and '-' (it becomes part of ui:// URIs and /widgets/ paths)".into(),
            ));
        }
        if self
            .description
            .as_deref()
            .is_none_or(|d| d.trim().is_empty())
        {
            return Err(err(
                "it has no description: add .description(\"Shows ...\") (hosts give it to the model)".into(),
            ));
        }
        if self.body.trim().is_empty() {
            return Err(err(
                "it has no body: add .body(include_str!(\"widget/NAME.html\"))".into(),
            ));
        }
        if contains_ci(&self.script, "</script") {
            return Err(err(
                "its script contains \"</script\", which would end the inline <script> early: write it as \"<\\/script\"".into(),
            ));
        }
        if contains_ci(&self.style, "</style") {
            return Err(err(
                "its style contains \"</style\", which would end the inline <style> early".into(),
            ));
        }
        for (list, origins) in self.csp.lists() {
            for origin in origins {
                check_origin(origin).map_err(|why| {
                    err(format!(
                        "CSP {list} domain {origin:?} is not allowed: {why}"
                    ))
                })?;
            }
        }
        if let Some(domain) = &self.domain {
            check_origin(domain).map_err(|why| err(format!("domain {domain:?}: {why}")))?;
        }
        Ok(())
    }
}

fn contains_ci(haystack: &str, needle: &str) -> bool {
    haystack.to_ascii_lowercase().contains(needle)
}

/// Checks a CSP origin: `https://host[:port]`, a subdomain wildcard
/// `https://*.example.com`, or plain-HTTP loopback for local development.
///
/// Hand-written: CSP source expressions are not URLs (`*.` hosts), so URL
/// parsers either reject or normalise them.
pub(crate) fn check_origin(origin: &str) -> Result<(), String> {
    const LIST: &str = "list the exact origins, e.g. https://api.example.com";
    let o = origin.trim();
    if o == "*" || o.is_empty() {
        return Err(format!("CSP wildcard not allowed: {LIST}"));
    }
    let Some((scheme, rest)) = o.split_once("://") else {
        return Err(format!("not an origin (scheme://host): {LIST}"));
    };
    let secure = match scheme {
        "https" | "wss" => true,
        "http" | "ws" => false,
        _ => return Err(format!("scheme {scheme:?} is not allowed: use https")),
    };
    if rest.contains(['/', '?', '#']) {
        return Err(
            "an origin has no path, query or fragment: drop everything after the host".into(),
        );
    }
    let (host, port) = match rest.strip_prefix('[') {
        Some(v6) => match v6.split_once(']') {
            Some((_, tail)) => (&rest[..v6.len() - tail.len() + 1], tail.strip_prefix(':')),
            None => return Err("an IPv6 host needs its closing ']'".into()),
        },
        None => match rest.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (rest, None),
        },
    };
    if let Some(port) = port
        && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("port {port:?} is not a number"));
    }
    if host == "*" || host.starts_with("*.") && host[2..].split('.').count() < 2 {
        return Err(format!("CSP wildcard not allowed: {LIST}"));
    }
    let bare = host.strip_prefix("*.").unwrap_or(host);
    if bare.contains('*') {
        return Err(format!("CSP wildcard not allowed: {LIST}"));
    }
    let loopback = matches!(bare, "localhost" | "127.0.0.1" | "[::1]");
    if !secure && !loopback {
        return Err("plain http is only allowed for localhost: use https".into());
    }
    let valid = !bare.is_empty()
        && bare
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'[' | b']' | b':'));
    if !valid {
        return Err("the host has characters a domain cannot have".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_checked() {
        for ok in [
            "https://api.example.com",
            "https://cdn.example.com:8443",
            "https://*.example.com",
            "http://localhost:3000",
            "http://127.0.0.1:8787",
            "wss://live.example.com",
        ] {
            assert!(check_origin(ok).is_ok(), "{ok}");
        }
        for (bad, why) in [
            ("*", "wildcard"),
            ("https://*", "wildcard"),
            ("https://*.com", "wildcard"),
            ("https://a*.example.com", "wildcard"),
            ("example.com", "scheme://host"),
            ("https://example.com/path", "no path"),
            ("http://example.com", "localhost"),
            ("data:", "scheme://host"),
            ("javascript://x", "scheme"),
            ("https://exa mple.com", "characters"),
        ] {
            let e = check_origin(bad).unwrap_err();
            assert!(e.contains(why), "{bad}: {e}");
        }
    }

    #[test]
    fn declarations_name_their_fix() {
        let ok = Widget::new("card").description("A card").body("<p></p>");
        assert!(ok.validate("app").is_ok());
        let e = Widget::new("card")
            .body("<p></p>")
            .validate("app")
            .unwrap_err();
        assert!(e.to_string().contains(".description("), "{e}");
        let e = ok
            .clone()
            .csp(Csp::new().connect("*"))
            .validate("app")
            .unwrap_err();
        assert!(e.to_string().contains("CSP wildcard not allowed"), "{e}");
        let e = Widget::new("Card!").validate("app").unwrap_err();
        assert!(e.to_string().contains("name is invalid"), "{e}");
    }
}
