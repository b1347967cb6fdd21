//! Reading widget metadata out of loose JSON: which templates a tool points
//! at (and for which host family), what kind of mime type a template has,
//! and the two CSP dialects on a resource. Everything here accepts any JSON
//! and reports shapes it cannot use instead of failing.

use serde_json::Value;

use super::csp::CspKind;

/// `_meta.ui.resourceUri` (MCP Apps, preferred).
pub(crate) const KEY_UI_RESOURCE_URI: &str = "_meta.ui.resourceUri";
/// `_meta["ui/resourceUri"]` (MCP Apps, deprecated flat key).
pub(crate) const KEY_FLAT_RESOURCE_URI: &str = "_meta[\"ui/resourceUri\"]";
/// `_meta["openai/outputTemplate"]` (ChatGPT Apps SDK).
pub(crate) const KEY_OUTPUT_TEMPLATE: &str = "_meta[\"openai/outputTemplate\"]";

/// The host families a template must work in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Families {
    /// MCP Apps hosts (Claude, VS Code, Goose, … and ChatGPT's MCP Apps support).
    pub(crate) mcp_apps: bool,
    /// ChatGPT through the Apps SDK keys.
    pub(crate) chatgpt: bool,
}

impl Families {
    /// Both families.
    pub(crate) fn union(self, other: Families) -> Families {
        Families {
            mcp_apps: self.mcp_apps || other.mcp_apps,
            chatgpt: self.chatgpt || other.chatgpt,
        }
    }
}

/// The template keys of one tool descriptor, as found (any JSON type).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TemplateRefs {
    /// `_meta.ui.resourceUri`.
    pub(crate) nested: Option<Value>,
    /// `_meta["ui/resourceUri"]`.
    pub(crate) flat: Option<Value>,
    /// `_meta["openai/outputTemplate"]`.
    pub(crate) openai: Option<Value>,
    /// `_meta.ui` exists but is not an object.
    pub(crate) ui_not_object: bool,
}

impl TemplateRefs {
    /// Reads the keys from a tool descriptor.
    pub(crate) fn of(tool: &Value) -> Self {
        let Some(meta) = tool.get("_meta").and_then(Value::as_object) else {
            return Self::default();
        };
        let ui = meta.get("ui");
        Self {
            nested: ui.and_then(|u| u.get("resourceUri")).cloned(),
            flat: meta.get("ui/resourceUri").cloned(),
            openai: meta.get("openai/outputTemplate").cloned(),
            ui_not_object: ui.is_some_and(|u| !u.is_object() && !u.is_null()),
        }
    }

    /// True when the tool declares a widget in any dialect.
    pub(crate) fn is_ui(&self) -> bool {
        self.nested.is_some() || self.flat.is_some() || self.openai.is_some()
    }

    /// Each present key with its value: `(key name, value, family)`.
    pub(crate) fn entries(&self) -> Vec<(&'static str, &Value, Families)> {
        let mcp = Families {
            mcp_apps: true,
            chatgpt: false,
        };
        let gpt = Families {
            mcp_apps: false,
            chatgpt: true,
        };
        [
            (KEY_UI_RESOURCE_URI, &self.nested, mcp),
            (KEY_FLAT_RESOURCE_URI, &self.flat, mcp),
            (KEY_OUTPUT_TEMPLATE, &self.openai, gpt),
        ]
        .into_iter()
        .filter_map(|(k, v, f)| v.as_ref().map(|v| (k, v, f)))
        .collect()
    }

    /// The string URIs with the families that read them, each URI once.
    pub(crate) fn uris(&self) -> Vec<(String, Families)> {
        let mut out: Vec<(String, Families)> = Vec::new();
        for (_, value, fam) in self.entries() {
            let Some(uri) = value.as_str() else { continue };
            match out.iter_mut().find(|(u, _)| u == uri) {
                Some((_, f)) => *f = f.union(fam),
                None => out.push((uri.to_owned(), fam)),
            }
        }
        out
    }
}

/// What a template's mime type means to hosts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MimeKind {
    /// `text/html;profile=mcp-app`: MCP Apps hosts and ChatGPT.
    McpApp,
    /// `text/html+skybridge`: ChatGPT only (legacy).
    Skybridge,
    /// Anything else, `text/html` included: no host renders it as a widget.
    Other,
}

/// Classifies a mime type, ignoring case, spaces and parameter order.
pub(crate) fn classify_mime(mime: &str) -> MimeKind {
    let mut parts = mime.split(';').map(|p| p.trim().to_ascii_lowercase());
    let essence = parts.next().unwrap_or_default();
    let profile_is_app = parts.any(|p| {
        p.split_once('=')
            .is_some_and(|(k, v)| k.trim() == "profile" && v.trim().trim_matches('"') == "mcp-app")
    });
    match essence.as_str() {
        "text/html" if profile_is_app => MimeKind::McpApp,
        "text/html+skybridge" => MimeKind::Skybridge,
        _ => MimeKind::Other,
    }
}

/// The families a mime type is meant for (for templates no tool references).
pub(crate) fn families_of_mime(kind: MimeKind) -> Families {
    match kind {
        MimeKind::Skybridge => Families {
            mcp_apps: false,
            chatgpt: true,
        },
        _ => Families {
            mcp_apps: true,
            chatgpt: true,
        },
    }
}

/// True for a `resources/list` entry that is a widget template.
pub(crate) fn is_ui_resource(resource: &Value) -> bool {
    let uri_ui = resource
        .get("uri")
        .and_then(Value::as_str)
        .is_some_and(|u| u.starts_with("ui://"));
    let mime_ui = resource
        .get("mimeType")
        .and_then(Value::as_str)
        .is_some_and(|m| classify_mime(m) != MimeKind::Other);
    uri_ui || mime_ui
}

/// The two CSP dialects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Dialect {
    /// `_meta.ui.csp` with camelCase keys.
    McpApps,
    /// `_meta["openai/widgetCSP"]` with snake_case keys.
    OpenAi,
}

impl Dialect {
    /// Where the dialect lives, for messages.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Dialect::McpApps => "_meta.ui.csp",
            Dialect::OpenAi => "_meta[\"openai/widgetCSP\"]",
        }
    }

    /// The list key for a kind of load.
    pub(crate) fn key(self, kind: CspKind) -> &'static str {
        match (self, kind) {
            (Dialect::McpApps, CspKind::Resource) => "resourceDomains",
            (Dialect::McpApps, CspKind::Connect) => "connectDomains",
            (Dialect::McpApps, CspKind::Frame) => "frameDomains",
            (Dialect::OpenAi, CspKind::Resource) => "resource_domains",
            (Dialect::OpenAi, CspKind::Connect) => "connect_domains",
            (Dialect::OpenAi, CspKind::Frame) => "frame_domains",
        }
    }

    /// Every list key of the dialect that can hold domains (for the wildcard check).
    fn all_keys(self) -> &'static [&'static str] {
        match self {
            Dialect::McpApps => &[
                "resourceDomains",
                "connectDomains",
                "frameDomains",
                "baseUriDomains",
            ],
            Dialect::OpenAi => &[
                "resource_domains",
                "connect_domains",
                "frame_domains",
                "redirect_domains",
            ],
        }
    }
}

/// One CSP declaration as found on a resource.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Csp {
    /// `(key, entries)` for every list key present with a usable shape.
    pub(crate) lists: Vec<(&'static str, Vec<String>)>,
    /// Shape problems, each a sentence naming the key.
    pub(crate) problems: Vec<String>,
}

impl Csp {
    /// The entries under `key` (empty when absent).
    pub(crate) fn entries(&self, key: &str) -> &[String] {
        self.lists
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_slice())
            .unwrap_or(&[])
    }
}

/// The dialect's object in a `_meta` value, if present.
fn csp_value(meta: Option<&Value>, dialect: Dialect) -> Option<&Value> {
    let meta = meta?;
    match dialect {
        Dialect::McpApps => meta.get("ui")?.get("csp"),
        Dialect::OpenAi => meta.get("openai/widgetCSP"),
    }
}

/// The CSP of a template in one dialect: from the `resources/read` content
/// item when it has one (content wins), else from the `resources/list` entry.
pub(crate) fn read_csp(
    content_meta: Option<&Value>,
    list_meta: Option<&Value>,
    dialect: Dialect,
) -> Option<Csp> {
    let value = csp_value(content_meta, dialect).or_else(|| csp_value(list_meta, dialect))?;
    let mut csp = Csp::default();
    let Some(obj) = value.as_object() else {
        csp.problems
            .push(format!("{} is not an object", dialect.path()));
        return Some(csp);
    };
    for &key in dialect.all_keys() {
        let Some(v) = obj.get(key) else { continue };
        match v.as_array() {
            Some(items) => {
                let mut entries = Vec::new();
                for item in items {
                    match item.as_str() {
                        Some(s) => entries.push(s.to_owned()),
                        None => csp.problems.push(format!(
                            "{}.{key} holds {item}, which is not a string",
                            dialect.path()
                        )),
                    }
                }
                csp.lists.push((key, entries));
            }
            None if v.is_null() => {}
            None => csp.problems.push(format!(
                "{}.{key} is not an array of origins",
                dialect.path()
            )),
        }
    }
    Some(csp)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn mime_types_are_classified_loosely() {
        assert_eq!(classify_mime("text/html;profile=mcp-app"), MimeKind::McpApp);
        assert_eq!(
            classify_mime("Text/HTML; profile=\"mcp-app\""),
            MimeKind::McpApp
        );
        assert_eq!(
            classify_mime("text/html; charset=utf-8; profile=mcp-app"),
            MimeKind::McpApp
        );
        assert_eq!(classify_mime("text/html+skybridge"), MimeKind::Skybridge);
        assert_eq!(classify_mime("text/html"), MimeKind::Other);
        assert_eq!(
            classify_mime("application/json;profile=mcp-app"),
            MimeKind::Other
        );
        assert_eq!(classify_mime(""), MimeKind::Other);
    }

    #[test]
    fn template_refs_read_all_three_keys() {
        let tool = json!({"name": "t", "_meta": {
            "ui": {"resourceUri": "ui://a"},
            "ui/resourceUri": "ui://a",
            "openai/outputTemplate": "ui://b"}});
        let refs = TemplateRefs::of(&tool);
        assert!(refs.is_ui());
        let uris = refs.uris();
        assert_eq!(uris.len(), 2);
        assert_eq!(uris[0].0, "ui://a");
        assert!(uris[0].1.mcp_apps && !uris[0].1.chatgpt);
        assert!(uris[1].1.chatgpt && !uris[1].1.mcp_apps);
        assert!(!TemplateRefs::of(&json!({"name": "t"})).is_ui());
        assert!(TemplateRefs::of(&json!({"_meta": {"ui": 3}})).ui_not_object);
    }

    #[test]
    fn content_csp_wins_over_the_list_entry() {
        let content = json!({"ui": {"csp": {"resourceDomains": ["https://a.com"]}}});
        let list = json!({"ui": {"csp": {"resourceDomains": ["https://b.com"]}},
                          "openai/widgetCSP": {"resource_domains": ["https://c.com"]}});
        let mcp = read_csp(Some(&content), Some(&list), Dialect::McpApps).unwrap();
        assert_eq!(mcp.entries("resourceDomains"), ["https://a.com"]);
        let oai = read_csp(Some(&content), Some(&list), Dialect::OpenAi).unwrap();
        assert_eq!(oai.entries("resource_domains"), ["https://c.com"]);
        assert!(read_csp(None, None, Dialect::McpApps).is_none());
    }

    #[test]
    fn bad_csp_shapes_are_problems() {
        let meta =
            json!({"ui": {"csp": {"connectDomains": "https://a.com", "resourceDomains": [1]}}});
        let csp = read_csp(Some(&meta), None, Dialect::McpApps).unwrap();
        assert_eq!(csp.problems.len(), 2, "{:?}", csp.problems);
        let meta = json!({"openai/widgetCSP": []});
        assert_eq!(
            read_csp(Some(&meta), None, Dialect::OpenAi)
                .unwrap()
                .problems
                .len(),
            1
        );
    }
}
