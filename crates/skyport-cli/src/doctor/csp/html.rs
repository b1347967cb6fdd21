//! The HTML scan: tag attributes, CSS `url()`/`@import`, and the string
//! literal passed to the usual network calls in scripts.

use super::{CspKind, Scan};

/// Tag attributes that load something, with the list they need.
fn attribute_use(tag: &str, attr: &str, rel: &str) -> Option<(CspKind, &'static str)> {
    use CspKind::*;
    Some(match (tag, attr) {
        ("script", "src") => (Resource, "<script src>"),
        ("img", "src") => (Resource, "<img src>"),
        ("img" | "source", "srcset") => (Resource, "srcset"),
        ("source", "src") => (Resource, "<source src>"),
        ("video", "src") => (Resource, "<video src>"),
        ("video", "poster") => (Resource, "<video poster>"),
        ("audio", "src") => (Resource, "<audio src>"),
        ("track", "src") => (Resource, "<track src>"),
        ("embed", "src") => (Resource, "<embed src>"),
        ("object", "data") => (Resource, "<object data>"),
        ("iframe" | "frame", "src") => (Frame, "<iframe src>"),
        ("link", "href") => {
            // Connection hints load nothing; every other link rel fetches the target.
            if rel
                .split_ascii_whitespace()
                .any(|r| r == "preconnect" || r == "dns-prefetch")
            {
                return None;
            }
            if rel.split_ascii_whitespace().any(|r| r == "stylesheet") {
                (Resource, "<link rel=stylesheet href>")
            } else {
                (Resource, "<link href>")
            }
        }
        _ => return None,
    })
}

/// A minimal tokenizer over start tags: names and attributes, skipping
/// comments and the raw text of `<script>`/`<style>` (their `<` are code).
pub(super) fn scan_tags(html: &str, scan: &mut Scan) {
    let b = html.as_bytes();
    let mut i = 0;
    while let Some(off) = html[i..].find('<') {
        let start = i + off;
        if html[start..].starts_with("<!--") {
            i = html[start..].find("-->").map_or(b.len(), |e| start + e + 3);
            continue;
        }
        if !b.get(start + 1).is_some_and(u8::is_ascii_alphabetic) {
            i = start + 1;
            continue;
        }
        let (tag, attrs, end) = parse_tag(html, start + 1);
        let rel = attrs
            .iter()
            .find(|(n, _)| n == "rel")
            .map(|(_, v)| v.to_ascii_lowercase())
            .unwrap_or_default();
        for (name, value) in &attrs {
            let Some((kind, how)) = attribute_use(&tag, name, &rel) else {
                continue;
            };
            if name == "srcset" {
                for candidate in value.split(',') {
                    if let Some(u) = candidate.split_ascii_whitespace().next() {
                        scan.add(u, kind, how);
                    }
                }
            } else {
                scan.add(value, kind, how);
            }
        }
        i = end;
        if tag == "script" || tag == "style" {
            let close = format!("</{tag}");
            i = find_ci(html, i, &close).unwrap_or(b.len());
        }
    }
}

/// Parses a start tag from the byte after `<`: lower-cased name, attributes
/// (lower-cased names, raw values) and the index after `>`.
fn parse_tag(html: &str, from: usize) -> (String, Vec<(String, String)>, usize) {
    let b = html.as_bytes();
    let mut i = from;
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-') {
        i += 1;
    }
    let tag = html[from..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return (tag, attrs, i);
        }
        if b[i] == b'>' {
            return (tag, attrs, i + 1);
        }
        let name_start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = html[name_start..i].to_ascii_lowercase();
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if b.get(i) == Some(&b'=') {
            i += 1;
            while i < b.len() && b[i].is_ascii_whitespace() {
                i += 1;
            }
            if let Some(&q) = b.get(i).filter(|c| matches!(c, b'"' | b'\'')) {
                let vs = i + 1;
                let ve = html[vs..].find(q as char).map_or(b.len(), |e| vs + e);
                value = html[vs..ve].to_owned();
                i = (ve + 1).min(b.len());
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                value = html[vs..i].to_owned();
            }
        }
        if name.is_empty() {
            i += 1; // a stray character; never loop on it
        } else {
            attrs.push((name, decode_entities(&value)));
        }
    }
}

/// The few entities that appear in URLs.
fn decode_entities(v: &str) -> String {
    v.replace("&amp;", "&")
        .replace("&#47;", "/")
        .replace("&#x2F;", "/")
        .replace("&quot;", "\"")
}

/// Case-insensitive search for an ASCII needle from `from`.
fn find_ci(hay: &str, from: usize, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    (from..=h.len().checked_sub(n.len())?).find(|&i| h[i..i + n.len()].eq_ignore_ascii_case(n))
}

/// True when the byte before `at` could continue an identifier (so `at`
/// does not start a call of the name there, e.g. `prefetch(` vs `fetch(`).
fn ident_before(s: &str, at: usize) -> bool {
    s[..at]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '$')
}

/// Every index where `needle` starts, not inside a longer identifier.
fn calls<'a>(s: &'a str, needle: &'a str) -> impl Iterator<Item = usize> + 'a {
    s.match_indices(needle)
        .map(|(i, _)| i)
        .filter(move |&i| !ident_before(s, i))
}

/// CSS `url(...)` and `@import "..."` anywhere (style elements and attributes).
pub(super) fn scan_css(html: &str, scan: &mut Scan) {
    for i in calls(html, "url(") {
        let rest = html[i + 4..].trim_start();
        let value = match rest.chars().next() {
            Some(q @ ('"' | '\'')) => rest[1..].split(q).next().unwrap_or(""),
            _ => rest.split(')').next().unwrap_or(""),
        };
        // `new URL(` in JS is case-different; `url(` is CSS.
        scan.add(value, CspKind::Resource, "CSS url()");
    }
    for (i, _) in html.match_indices("@import") {
        if let Some(s) = string_literal(&html[i + 7..]) {
            scan.add(&s, CspKind::Resource, "CSS @import");
        }
    }
}

/// Network calls in scripts: the string literal passed as the URL.
pub(super) fn scan_js(html: &str, scan: &mut Scan) {
    let first_arg: [(&str, CspKind, &'static str); 5] = [
        ("fetch(", CspKind::Connect, "fetch()"),
        ("new WebSocket(", CspKind::Connect, "new WebSocket()"),
        ("new EventSource(", CspKind::Connect, "new EventSource()"),
        ("sendBeacon(", CspKind::Connect, "navigator.sendBeacon()"),
        ("import(", CspKind::Resource, "import()"),
    ];
    for (needle, kind, how) in first_arg {
        for i in calls(html, needle) {
            if let Some(s) = string_literal(&html[i + needle.len()..]) {
                scan.add(&s, kind, how);
            }
        }
    }
    if html.contains("XMLHttpRequest") {
        // xhr.open("GET", "https://…"): the URL is the second argument.
        for (i, _) in html.match_indices(".open(") {
            let rest = &html[i + 6..];
            let Some(method) = string_literal(rest) else {
                continue;
            };
            let after = rest.trim_start();
            let skip = method.len() + 2;
            let Some(tail) = after.get(skip..).map(str::trim_start) else {
                continue;
            };
            if let Some(url) = tail.strip_prefix(',').and_then(string_literal) {
                scan.add(&url, CspKind::Connect, "XMLHttpRequest.open()");
            }
        }
    }
    // ES module imports from absolute URLs: `import x from "https://…"`, `import "https://…"`.
    for needle in ["from", "import"] {
        for i in calls(html, needle) {
            if html[..i].ends_with('@') {
                continue; // CSS `@import`, scanned as CSS
            }
            let rest = &html[i + needle.len()..];
            if !rest.starts_with(|c: char| c.is_whitespace() || c == '"' || c == '\'') {
                continue;
            }
            if let Some(s) = string_literal(rest) {
                let lower = s.to_ascii_lowercase();
                if lower.starts_with("http") || s.starts_with("//") {
                    scan.add(&s, CspKind::Resource, "import");
                }
            }
        }
    }
}

/// The string literal at the start of `s` (after whitespace): `"…"`, `'…'`,
/// or a template literal up to its first `${`.
fn string_literal(s: &str) -> Option<String> {
    let s = s.trim_start();
    let q = s.chars().next().filter(|c| matches!(c, '"' | '\'' | '`'))?;
    let mut out = String::new();
    let mut chars = s[1..].chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.extend(chars.next()),
            c if c == q => return Some(out),
            '$' if q == '`' && chars.clone().next() == Some('{') => return Some(out),
            '\n' if q != '`' => return None,
            c => out.push(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::{origin_of, scan_html};
    use super::*;

    fn origins(html: &str) -> Vec<(String, CspKind, &'static str)> {
        scan_html(html)
            .absolute
            .into_iter()
            .map(|u| {
                let o = origin_of(&u.url).unwrap();
                (o.origin().ascii_serialization(), u.kind, u.how)
            })
            .collect()
    }

    #[test]
    fn tag_attributes_are_found_with_their_lists() {
        let html = r#"<!doctype html><html><head>
            <script src="https://cdn.example.com/app.js"></script>
            <link rel="stylesheet" href='https://fonts.example.com/a.css'>
            <link rel="preconnect" href="https://skip.example.com">
            <a href="https://nav.example.com/">not a load</a>
            </head><body><img src=https://img.example.com/x.png alt=x>
            <img srcset="https://s1.example.com/a.png 1x, https://s2.example.com/b.png 2x">
            <iframe src="https://embed.example.com/v"></iframe>
            <!-- <script src="https://commented.example.com/x.js"></script> -->
            </body></html>"#;
        let found = origins(html);
        let names: Vec<&str> = found.iter().map(|(o, _, _)| o.as_str()).collect();
        assert_eq!(
            names,
            [
                "https://cdn.example.com",
                "https://fonts.example.com",
                "https://img.example.com",
                "https://s1.example.com",
                "https://s2.example.com",
                "https://embed.example.com",
            ]
        );
        assert_eq!(found[0].1, CspKind::Resource);
        assert_eq!(found[5].1, CspKind::Frame);
    }

    #[test]
    fn css_and_script_urls_are_found() {
        let html = r#"<html><style>
            @import "https://imp.example.com/x.css";
            .a { background: url('https://bg.example.com/a.png') }
            .b { background: url(https://bg2.example.com:8443/b.png) }
            .c { filter: url(#f) } .d { background: url(data:image/png;base64,AAAA) }
            </style><div style="background:url(//proto.example.com/x.png)"></div>
            <script type="module">
            import { x } from "https://esm.example.com/x.js";
            const r = await fetch("https://api.example.com/v1/items?q=1");
            window.fetch(`https://api2.example.com/u/${id}`);
            prefetch("https://not-a-call.example.com/");
            const ws = new WebSocket('wss://ws.example.com/live');
            const es = new EventSource("https://events.example.com/s");
            const x = new XMLHttpRequest(); x.open("GET", "https://xhr.example.com/d");
            const u = new URL("https://just-a-string.example.com");
            </script></html>"#;
        let found = origins(html);
        let get = |o: &str| found.iter().find(|(x, _, _)| x == o).map(|(_, k, _)| *k);
        assert_eq!(get("https://imp.example.com"), Some(CspKind::Resource));
        assert_eq!(get("https://bg.example.com"), Some(CspKind::Resource));
        assert_eq!(get("https://bg2.example.com:8443"), Some(CspKind::Resource));
        assert_eq!(get("https://proto.example.com"), Some(CspKind::Resource));
        assert_eq!(get("https://esm.example.com"), Some(CspKind::Resource));
        assert_eq!(get("https://api.example.com"), Some(CspKind::Connect));
        assert_eq!(get("https://api2.example.com"), Some(CspKind::Connect));
        assert_eq!(get("wss://ws.example.com"), Some(CspKind::Connect));
        assert_eq!(get("https://events.example.com"), Some(CspKind::Connect));
        assert_eq!(get("https://xhr.example.com"), Some(CspKind::Connect));
        assert_eq!(get("https://not-a-call.example.com"), None);
        assert_eq!(get("https://just-a-string.example.com"), None);
        assert_eq!(found.len(), 10, "{found:?}");
    }

    #[test]
    fn relative_urls_are_reported_separately() {
        let s = scan_html(
            r##"<html><script src="/app.js"></script><img src="logo.png"><a href="/x">x</a>
               <script>fetch("/api/data")</script><img src="#"></html>"##,
        );
        assert!(s.absolute.is_empty());
        let rel: Vec<&str> = s.relative.iter().map(|u| u.url.as_str()).collect();
        assert_eq!(rel, ["/app.js", "logo.png", "/api/data"]);
    }

    #[test]
    fn garbage_never_panics() {
        for html in [
            "",
            "<",
            "<a",
            "<a href=",
            "<a href=\"",
            "<script",
            "<script src='x",
            "url(",
            "fetch(",
            "fetch(\"",
            "@import",
            "<!--",
            "<img src=\u{e9}\u{e9}>",
            "x.open(\"GET\"",
            "XMLHttpRequest .open(\"G\",",
            "<\u{1F600}>",
            "import",
            "from '",
        ] {
            let _ = scan_html(html);
        }
    }

    #[test]
    fn string_literals() {
        assert_eq!(string_literal(" 'a\\'b' ").as_deref(), Some("a'b"));
        assert_eq!(string_literal("`x${y}`").as_deref(), Some("x"));
        assert_eq!(string_literal("x"), None);
        assert_eq!(string_literal("\"open"), None);
    }
}
