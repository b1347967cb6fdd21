//! Widget templates: the keys on each tool that point at them, and the
//! template resources themselves (readable, right mime type, an HTML document).

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;

use super::{csp, ui_tools};
use crate::doctor::client::{ClientError, MCP_APP_MIME};
use crate::doctor::finding::{Code, Finding, resource_subject, tool_subject};
use crate::doctor::meta::{
    Families, KEY_FLAT_RESOURCE_URI, KEY_OUTPUT_TEMPLATE, KEY_UI_RESOURCE_URI, MimeKind,
    TemplateRefs, classify_mime, families_of_mime,
};
use crate::doctor::probe::{Snapshot, json_type};

/// Runs the template checks.
pub(super) fn check(s: &Snapshot, out: &mut Vec<Finding>) {
    let mut families: BTreeMap<&str, Families> = BTreeMap::new();
    for (name, refs) in ui_tools(s) {
        tool_refs(s, name, &refs, out);
        for (uri, fam) in refs.uris() {
            if let Some((key, _)) = s.reads.get_key_value(uri.as_str()) {
                let f = families.entry(key.as_str()).or_default();
                *f = f.union(fam);
            }
        }
    }
    for (uri, read) in &s.reads {
        resource(s, uri, read, families.get(uri.as_str()).copied(), out);
    }
}

/// The template keys of one tool.
fn tool_refs(s: &Snapshot, name: &str, refs: &TemplateRefs, out: &mut Vec<Finding>) {
    let subject = tool_subject(name);
    if refs.ui_not_object {
        out.push(Finding::error(
            Code::TemplateMetaInvalid,
            &subject,
            "_meta.ui is not an object",
            "make _meta.ui an object: {\"resourceUri\": \"ui://…\"}",
        ));
    }
    for (key, value, _) in refs.entries() {
        match value.as_str() {
            None => out.push(Finding::error(
                Code::TemplateMetaInvalid,
                &subject,
                format!("{key} is {}, not a URI string", json_type(value)),
                format!("set {key} to the template's ui:// URI"),
            )),
            Some(uri) if !uri.starts_with("ui://") => out.push(Finding::error(
                Code::TemplateNotUiUri,
                &subject,
                format!("{key} is {uri:?}; hosts only render ui:// resources"),
                format!("serve the template as a ui:// resource (e.g. ui://widget/{name}.html) and point {key} at it"),
            )),
            Some(_) => {}
        }
    }
    let mcp = refs.nested.as_ref().or(refs.flat.as_ref());
    match (mcp, &refs.openai) {
        (Some(_), None) => out.push(Finding::warning(
            Code::TemplateMetaPartial,
            &subject,
            format!("has {} but no {KEY_OUTPUT_TEMPLATE}: the widget renders in MCP Apps hosts only, not in ChatGPT clients that read the Apps SDK key", mcp_key(refs)),
            format!("add {KEY_OUTPUT_TEMPLATE} with the same ui:// URI"),
        )),
        (None, Some(_)) => out.push(Finding::warning(
            Code::TemplateMetaPartial,
            &subject,
            format!("has {KEY_OUTPUT_TEMPLATE} but no {KEY_UI_RESOURCE_URI}: the widget renders in ChatGPT only, not in MCP Apps hosts"),
            format!("add {KEY_UI_RESOURCE_URI} (and {KEY_FLAT_RESOURCE_URI} for older hosts) with a ui:// URI served as {MCP_APP_MIME}"),
        )),
        _ => {}
    }
    if let (Some(n), Some(f)) = (&refs.nested, &refs.flat)
        && n != f
    {
        out.push(Finding::warning(
            Code::TemplateMetaConflict,
            &subject,
            format!(
                "{KEY_UI_RESOURCE_URI} is {n} but {KEY_FLAT_RESOURCE_URI} is {f}; hosts read either"
            ),
            "give both keys the same URI",
        ));
    }
    if refs.nested.is_none() && refs.flat.is_some() {
        out.push(Finding::warning(
            Code::TemplateMetaDeprecated,
            &subject,
            format!("only the deprecated flat {KEY_FLAT_RESOURCE_URI} is set"),
            format!("add {KEY_UI_RESOURCE_URI} (keep the flat key for older hosts)"),
        ));
    }
    for (uri, _) in refs.uris() {
        let Some(Err(e)) = s.reads.get(&uri) else {
            continue;
        };
        if !is_missing(s, &uri, e) {
            continue;
        }
        let keys: Vec<&str> = refs
            .entries()
            .into_iter()
            .filter(|(_, v, _)| v.as_str() == Some(uri.as_str()))
            .map(|(k, _, _)| k)
            .collect();
        let keys = keys.join(", ");
        out.push(Finding::error(
            Code::TemplateMissingResource,
            &subject,
            format!("{keys} point(s) at {uri}, but the server has no such resource ({e})"),
            format!("register a resource at {uri} (mimeType {MCP_APP_MIME}), or point {keys} at an existing one"),
        ));
    }
}

fn mcp_key(refs: &TemplateRefs) -> &'static str {
    if refs.nested.is_some() {
        KEY_UI_RESOURCE_URI
    } else {
        KEY_FLAT_RESOURCE_URI
    }
}

/// The `resources/list` entry of a URI.
fn list_entry<'a>(s: &'a Snapshot, uri: &str) -> Option<&'a Value> {
    s.resources
        .items
        .iter()
        .find(|r| r.get("uri").and_then(Value::as_str) == Some(uri))
}

/// True when a failed read means "no such resource", rather than a listed
/// (or templated) resource whose read broke.
fn is_missing(s: &Snapshot, uri: &str, e: &ClientError) -> bool {
    if e.is_method_not_found() {
        return false; // reported once as resources-unsupported
    }
    let templated = s.templates.items.iter().any(|t| {
        t.get("uriTemplate")
            .and_then(Value::as_str)
            .and_then(|tpl| tpl.split('{').next())
            .is_some_and(|prefix| !prefix.is_empty() && uri.starts_with(prefix) && tpl_has_var(t))
    });
    let not_found = matches!(e.rpc_code(), Some(-32002 | -32602))
        || e.to_string().to_ascii_lowercase().contains("not found");
    list_entry(s, uri).is_none() && !templated && not_found
}

fn tpl_has_var(t: &Value) -> bool {
    t.get("uriTemplate")
        .and_then(Value::as_str)
        .is_some_and(|s| s.contains('{'))
}

/// Checks one template resource.
fn resource(
    s: &Snapshot,
    uri: &str,
    read: &Result<Value, ClientError>,
    referenced: Option<Families>,
    out: &mut Vec<Finding>,
) {
    let subject = resource_subject(uri);
    let result = match read {
        Ok(r) => r,
        Err(e) if e.is_method_not_found() || is_missing(s, uri, e) => return,
        Err(e) => {
            out.push(Finding::error(
                Code::TemplateUnreadable,
                &subject,
                format!("the template cannot be read ({e})"),
                "make resources/read return the template's HTML for this URI",
            ));
            return;
        }
    };
    let Some(contents) = result.get("contents").and_then(Value::as_array) else {
        out.push(Finding::error(
            Code::TemplateUnreadable,
            &subject,
            "the resources/read result has no contents array",
            "return {\"contents\": [{\"uri\", \"mimeType\", \"text\"}]}",
        ));
        return;
    };
    let Some(item) = contents
        .iter()
        .find(|c| c.get("uri").and_then(Value::as_str) == Some(uri))
        .or_else(|| contents.first())
    else {
        out.push(Finding::error(
            Code::TemplateEmpty,
            &subject,
            "resources/read returns no contents",
            "return one content item with the widget's HTML as text",
        ));
        return;
    };
    let html = match content_text(item) {
        Ok(t) => t,
        Err(why) => {
            out.push(Finding::error(
                Code::TemplateUnreadable,
                &subject,
                why,
                "return the HTML as \"text\" (or base64 \"blob\")",
            ));
            return;
        }
    };
    if html.trim().is_empty() {
        out.push(Finding::error(
            Code::TemplateEmpty,
            &subject,
            "the template's text is empty",
            "return the widget's HTML document",
        ));
        return;
    }
    let list = list_entry(s, uri);
    let mime = item
        .get("mimeType")
        .or_else(|| list.and_then(|l| l.get("mimeType")))
        .and_then(Value::as_str);
    let kind = mime.map_or(MimeKind::Other, classify_mime);
    let families = referenced.unwrap_or_else(|| families_of_mime(kind));
    let before = out.len();
    mime_check(&subject, mime, kind, families, out);
    let lower = html.to_ascii_lowercase();
    if !lower.contains("<html") && !lower.contains("<!doctype html") {
        out.push(Finding::error(
            Code::TemplateNotHtml,
            &subject,
            format!(
                "the template is not an HTML document (no <!doctype html> or <html>): starts with {:?}",
                crate::doctor::client::snippet(&html.chars().take(60).collect::<String>())
            ),
            "return a complete HTML5 document: <!doctype html><html>…</html>",
        ));
        return;
    }
    if out.len() == before {
        out.push(Finding::ok(
            Code::TemplateOk,
            &subject,
            format!(
                "readable, mimeType {}, HTML document of {} bytes",
                mime.unwrap_or("?"),
                html.len()
            ),
        ));
    }
    let content_meta = item.get("_meta");
    let list_meta = list.and_then(|l| l.get("_meta"));
    csp::check(&subject, &html, content_meta, list_meta, families, out);
}

/// The text of a content item: `text`, or a base64 `blob` decoded as UTF-8.
fn content_text(item: &Value) -> Result<String, String> {
    if let Some(t) = item.get("text") {
        return t
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| format!("the content's text is {}", json_type(t)));
    }
    if let Some(b) = item.get("blob") {
        let b = b
            .as_str()
            .ok_or_else(|| format!("the content's blob is {}", json_type(b)))?;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(b.trim())
            .map_err(|e| format!("the content's blob is not base64: {e}"))?;
        return Ok(String::from_utf8_lossy(&bytes).into_owned());
    }
    Err("the content item has neither text nor blob".into())
}

fn mime_check(
    subject: &str,
    mime: Option<&str>,
    kind: MimeKind,
    families: Families,
    out: &mut Vec<Finding>,
) {
    let shown = mime.map_or("missing".to_owned(), |m| format!("{m:?}"));
    let need = match (families.mcp_apps, families.chatgpt, kind) {
        (true, _, MimeKind::McpApp) | (false, true, MimeKind::Skybridge) => return,
        (false, false, _) => return,
        (true, true, MimeKind::Skybridge) => format!(
            "text/html+skybridge renders in ChatGPT only; MCP Apps hosts need {MCP_APP_MIME}"
        ),
        (true, false, _) => format!("MCP Apps hosts render only {MCP_APP_MIME}"),
        (false, true, _) => {
            format!("ChatGPT renders {MCP_APP_MIME} or text/html+skybridge")
        }
        (true, true, _) => format!(
            "MCP Apps hosts need {MCP_APP_MIME} (ChatGPT accepts it too, or text/html+skybridge)"
        ),
    };
    out.push(Finding::error(
        Code::TemplateWrongMime,
        subject,
        format!("the template's mimeType is {shown}; {need}"),
        format!("serve the template with mimeType {MCP_APP_MIME}"),
    ));
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::doctor::finding::Severity;

    fn mime_codes(mime: Option<&str>, mcp_apps: bool, chatgpt: bool) -> usize {
        let mut out = Vec::new();
        let kind = mime.map_or(MimeKind::Other, classify_mime);
        mime_check("r", mime, kind, Families { mcp_apps, chatgpt }, &mut out);
        assert!(
            out.iter()
                .all(|f| f.code == Code::TemplateWrongMime && f.severity == Severity::Error)
        );
        out.len()
    }

    #[test]
    fn mime_types_per_host_family() {
        assert_eq!(mime_codes(Some(MCP_APP_MIME), true, true), 0);
        assert_eq!(mime_codes(Some("text/html+skybridge"), false, true), 0);
        assert_eq!(mime_codes(Some("text/html+skybridge"), true, false), 1);
        assert_eq!(mime_codes(Some("text/html+skybridge"), true, true), 1);
        assert_eq!(mime_codes(Some("text/html"), false, true), 1);
        assert_eq!(mime_codes(Some("text/html"), true, true), 1);
        assert_eq!(mime_codes(None, true, false), 1);
    }

    #[test]
    fn the_wrong_mime_message_names_the_expected_value() {
        let mut out = Vec::new();
        mime_check(
            "r",
            Some("text/html"),
            MimeKind::Other,
            Families {
                mcp_apps: true,
                chatgpt: false,
            },
            &mut out,
        );
        assert!(out[0].message.contains("\"text/html\""));
        assert!(out[0].message.contains(MCP_APP_MIME));
    }

    #[test]
    fn blobs_are_decoded_and_odd_items_explained() {
        assert_eq!(
            content_text(&json!({"blob": "PGh0bWw+"})).unwrap(),
            "<html>"
        );
        assert!(content_text(&json!({"blob": "%%%"})).is_err());
        assert!(content_text(&json!({"text": 5})).is_err());
        assert!(content_text(&json!({"uri": "ui://x"})).is_err());
    }
}
