//! A template's HTML against its declared CSP: every origin the HTML loads
//! must be listed under the right key, and no list may allow everything.

use std::collections::BTreeMap;

use reqwest::Url;
use serde_json::Value;

use crate::doctor::csp::{CspKind, allows_everything, origin_of, scan_html, source_matches};
use crate::doctor::finding::{Code, Finding};
use crate::doctor::meta::{Csp, Dialect, Families, read_csp};

/// Checks one template's HTML and CSP declarations.
pub(super) fn check(
    subject: &str,
    html: &str,
    content_meta: Option<&Value>,
    list_meta: Option<&Value>,
    families: Families,
    out: &mut Vec<Finding>,
) {
    let before = out.len();
    let mcp = read_csp(content_meta, list_meta, Dialect::McpApps);
    let oai = read_csp(content_meta, list_meta, Dialect::OpenAi);
    for (dialect, csp) in [(Dialect::McpApps, &mcp), (Dialect::OpenAi, &oai)] {
        if let Some(csp) = csp {
            declaration(subject, dialect, csp, out);
        }
    }

    let scan = scan_html(html);
    let mut uses: BTreeMap<(String, CspKind), (Url, &'static str)> = BTreeMap::new();
    for u in &scan.absolute {
        if let Some(origin) = origin_of(&u.url) {
            let name = origin.origin().ascii_serialization();
            uses.entry((name, u.kind)).or_insert((origin, u.how));
        }
    }
    let covered = |csp: &Option<Csp>, dialect: Dialect, kind: CspKind, origin: &Url| {
        csp.as_ref().is_some_and(|c| {
            c.entries(dialect.key(kind))
                .iter()
                .any(|e| source_matches(e, origin))
        })
    };
    for ((name, kind), (origin, how)) in &uses {
        let in_mcp = covered(&mcp, Dialect::McpApps, *kind, origin);
        let in_oai = covered(&oai, Dialect::OpenAi, *kind, origin);
        let mcp_key = format!(
            "{}.{}",
            Dialect::McpApps.path(),
            Dialect::McpApps.key(*kind)
        );
        let oai_key = format!("{}.{}", Dialect::OpenAi.path(), Dialect::OpenAi.key(*kind));
        if families.mcp_apps && !in_mcp {
            // The MCP Apps list also serves ChatGPT; name the legacy list too when it is declared.
            let also = if oai.is_some() && !in_oai {
                format!(" and to {oai_key}")
            } else {
                String::new()
            };
            out.push(Finding::error(
                Code::CspMissingDomain,
                subject,
                format!("the HTML loads {name} ({how}) but {mcp_key} does not list it: hosts block the load"),
                format!("add \"{name}\" to {mcp_key}{also} on the template resource"),
            ));
        } else if families.chatgpt && !in_mcp && !in_oai {
            out.push(Finding::error(
                Code::CspMissingDomain,
                subject,
                format!("the HTML loads {name} ({how}) but neither {oai_key} nor {mcp_key} lists it: ChatGPT blocks the load"),
                format!("add \"{name}\" to {oai_key} (or {mcp_key}) on the template resource"),
            ));
        }
    }

    if !scan.relative.is_empty() {
        let examples: Vec<String> = scan
            .relative
            .iter()
            .take(3)
            .map(|u| format!("{:?} ({})", u.url, u.how))
            .collect();
        out.push(Finding::warning(
            Code::HtmlRelativeUrl,
            subject,
            format!(
                "the HTML loads {} relative URL(s), e.g. {}: widgets run on the host's sandbox origin, where relative URLs find nothing",
                scan.relative.len(),
                examples.join(", ")
            ),
            "inline the asset, or load it from an absolute https:// URL listed in the CSP",
        ));
    }

    if out.len() == before {
        let origins: std::collections::BTreeSet<&str> =
            uses.keys().map(|(n, _)| n.as_str()).collect();
        out.push(Finding::ok(
            Code::CspOk,
            subject,
            if origins.is_empty() {
                "the HTML loads nothing from other origins".to_owned()
            } else {
                format!(
                    "the CSP covers the {} origin(s) the HTML loads",
                    origins.len()
                )
            },
        ));
    }
}

/// Shape problems and allow-everything entries of one declaration.
fn declaration(subject: &str, dialect: Dialect, csp: &Csp, out: &mut Vec<Finding>) {
    for p in &csp.problems {
        out.push(Finding::error(
            Code::CspMalformed,
            subject,
            format!("{p}; hosts ignore a CSP they cannot read"),
            format!(
                "make {} an object of string arrays, e.g. {{\"{}\": [\"https://cdn.example.com\"]}}",
                dialect.path(),
                dialect.key(CspKind::Resource)
            ),
        ));
    }
    for (key, entries) in &csp.lists {
        for e in entries.iter().filter(|e| allows_everything(e)) {
            out.push(Finding::error(
                Code::CspWildcard,
                subject,
                format!(
                    "{}.{key} contains {e:?}, which allows every origin: hosts refuse it and app review rejects it",
                    dialect.path()
                ),
                "list the exact origins instead (subdomain wildcards such as https://*.example.com are fine)",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::doctor::finding::Severity;

    const BOTH: Families = Families {
        mcp_apps: true,
        chatgpt: true,
    };

    fn run(html: &str, content_meta: Value, families: Families) -> Vec<Finding> {
        let mut out = Vec::new();
        check(
            "resource ui://w",
            html,
            Some(&content_meta),
            None,
            families,
            &mut out,
        );
        out
    }

    const HTML: &str = r#"<!doctype html><html><script src="https://cdn.example.com/a.js"></script>
        <script>fetch("https://api.example.com/x")</script></html>"#;

    #[test]
    fn covered_origins_pass() {
        let meta = json!({"ui": {"csp": {
            "resourceDomains": ["https://*.example.com"],
            "connectDomains": ["https://api.example.com"]}}});
        let out = run(HTML, meta, BOTH);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].code, Code::CspOk);
    }

    #[test]
    fn each_missing_origin_names_its_key() {
        let meta = json!({"ui": {"csp": {"resourceDomains": ["https://cdn.example.com"]}}});
        let out = run(HTML, meta, BOTH);
        assert_eq!(out.len(), 1, "{out:?}");
        assert_eq!(out[0].code, Code::CspMissingDomain);
        assert_eq!(out[0].severity, Severity::Error);
        assert!(out[0].message.contains("https://api.example.com"));
        assert!(
            out[0]
                .fix
                .as_deref()
                .unwrap()
                .contains("_meta.ui.csp.connectDomains")
        );
    }

    #[test]
    fn chatgpt_only_templates_may_use_the_openai_dialect() {
        let chatgpt = Families {
            mcp_apps: false,
            chatgpt: true,
        };
        let meta = json!({"openai/widgetCSP": {
            "resource_domains": ["https://cdn.example.com"]}});
        let out = run(HTML, meta, chatgpt);
        assert_eq!(out.len(), 1);
        assert!(out[0].fix.as_deref().unwrap().contains("connect_domains"));
    }

    #[test]
    fn wildcards_and_bad_shapes_are_errors() {
        let meta = json!({"ui": {"csp": {"resourceDomains": ["*"], "connectDomains": "x"}}});
        let out = run("<html></html>", meta, BOTH);
        let codes: Vec<Code> = out.iter().map(|f| f.code).collect();
        assert_eq!(codes, [Code::CspMalformed, Code::CspWildcard]);
    }
}
