//! Server-level checks: the handshake, the transport, the MCP Apps
//! capability, and whether the list and read methods work.

use rmcp::model::InitializeResult;
use serde_json::Value;

use super::ui_tools;
use crate::doctor::client::{ClientError, TransportKind, UI_EXTENSION};
use crate::doctor::finding::{Code, Finding, SERVER};
use crate::doctor::probe::{ListFailure, Listing, Snapshot};

/// The first version with `structuredContent` and `outputSchema`.
const STRUCTURED_CONTENT_SINCE: &str = "2025-06-18";

/// Runs the server-level checks.
pub(super) fn check(s: &Snapshot, out: &mut Vec<Finding>) {
    handshake(s, out);
    let has_ui = ui_tools(s).next().is_some();
    if has_ui
        && s.init
            .pointer("/capabilities/extensions")
            .and_then(|e| e.get(UI_EXTENSION))
            .is_none()
    {
        out.push(Finding::warning(
            Code::UiExtensionMissing,
            SERVER,
            format!(
                "tools declare widgets, but the initialize result has no capabilities.extensions[\"{UI_EXTENSION}\"]"
            ),
            format!(
                "declare the MCP Apps extension: capabilities.extensions[\"{UI_EXTENSION}\"] = {{}} (hosts use it to know the server serves UI)"
            ),
        ));
    }
    lists(s, has_ui, out);
}

fn handshake(s: &Snapshot, out: &mut Vec<Finding>) {
    let version = s
        .init
        .get("protocolVersion")
        .and_then(Value::as_str)
        .unwrap_or("(none)");
    let name = s
        .init
        .pointer("/serverInfo/name")
        .and_then(Value::as_str)
        .unwrap_or("(unnamed)");
    let server_version = s
        .init
        .pointer("/serverInfo/version")
        .and_then(Value::as_str)
        .unwrap_or("?");
    let transport = match s.transport {
        TransportKind::StreamableHttp => "Streamable HTTP",
        TransportKind::LegacySse => "legacy HTTP+SSE",
    };
    out.push(Finding::ok(
        Code::InitOk,
        SERVER,
        format!("initialized over {transport}: protocol {version}, server {name} {server_version}"),
    ));
    if let Err(e) = serde_json::from_value::<InitializeResult>(s.init.clone()) {
        out.push(Finding::warning(
            Code::InitResultNonconformant,
            SERVER,
            format!("the initialize result does not match the MCP schema: {e}"),
            "return {protocolVersion, capabilities, serverInfo: {name, version}}",
        ));
    }
    if s.transport == TransportKind::LegacySse {
        let why = s.fallback_reason.as_deref().unwrap_or("POST was refused");
        out.push(Finding::warning(
            Code::TransportLegacySse,
            SERVER,
            format!(
                "only the deprecated HTTP+SSE transport answered ({why}); ChatGPT and MCP Apps hosts connect with Streamable HTTP"
            ),
            "serve Streamable HTTP (POST) at the URL you give hosts, e.g. /mcp",
        ));
    }
    if version != "(none)" && version < STRUCTURED_CONTENT_SINCE {
        out.push(Finding::warning(
            Code::ProtocolVersionOld,
            SERVER,
            format!(
                "the server negotiated protocol {version}, which has no structuredContent or outputSchema; widgets get their data from structuredContent"
            ),
            "support protocol 2025-06-18 or later (2025-11-25 is current)",
        ));
    }
}

fn lists(s: &Snapshot, has_ui: bool, out: &mut Vec<Finding>) {
    if let Some(f) = &s.tools.failure {
        out.push(list_failure(f, "tools/list", Code::ToolsListFailed, true));
    }
    let mut unsupported_methods = Vec::new();
    match &s.resources.failure {
        Some(ListFailure::Request(e)) if e.is_method_not_found() => {
            unsupported_methods.push("resources/list");
        }
        Some(f) => out.push(list_failure(
            f,
            "resources/list",
            Code::ResourcesListFailed,
            true,
        )),
        None => {}
    }
    let read_unsupported = s
        .reads
        .values()
        .filter_map(|r| r.as_ref().err())
        .any(ClientError::is_method_not_found);
    if read_unsupported {
        unsupported_methods.push("resources/read");
    }
    if !unsupported_methods.is_empty() {
        out.push(unsupported(&unsupported_methods, has_ui));
    } else if s.resources.failure.is_none() {
        out.push(Finding::ok(
            Code::ResourcesOk,
            SERVER,
            format!(
                "resources/list answers ({} resource(s)); resources/read answers",
                s.resources.items.len()
            ),
        ));
    }
    match &s.templates.failure {
        Some(ListFailure::Request(e)) if e.is_method_not_found() => {}
        Some(f) => out.push(list_failure(
            f,
            "resources/templates/list",
            Code::TemplatesListFailed,
            false,
        )),
        None => {}
    }
    malformed_items(&s.tools, "tools/list", "tools", "name", out);
    malformed_items(&s.resources, "resources/list", "resources", "uri", out);
}

/// `resources/*` not implemented: the host cannot fetch any template.
fn unsupported(methods: &[&str], has_ui: bool) -> Finding {
    let message = format!(
        "{} answer(s) \"method not found\": UI hosts render blank",
        methods.join(" and ")
    );
    let fix = "implement resources/list and resources/read (every endpoint variant, with and without auth)";
    if has_ui {
        Finding::error(Code::ResourcesUnsupported, SERVER, message, fix)
    } else {
        Finding::warning(Code::ResourcesUnsupported, SERVER, message, fix)
    }
}

fn list_failure(f: &ListFailure, method: &str, code: Code, error: bool) -> Finding {
    let (code, message, fix) = match f {
        ListFailure::Request(e) => (
            code,
            format!("{method} failed: {e}"),
            format!("make {method} answer with a result (an empty list is fine)"),
        ),
        ListFailure::Malformed(why) => (
            Code::ListMalformed,
            why.clone(),
            format!("return the {method} result shape from the MCP schema"),
        ),
        ListFailure::Loop => {
            return Finding::warning(
                Code::PaginationLoop,
                SERVER,
                format!(
                    "{method} keeps returning nextCursor (a cursor repeated, or hundreds of pages)"
                ),
                "omit nextCursor on the last page",
            );
        }
    };
    if error {
        Finding::error(code, SERVER, message, fix)
    } else {
        Finding::warning(code, SERVER, message, fix)
    }
}

/// Items that are not objects with their identifying string field.
fn malformed_items(l: &Listing, method: &str, field: &str, key: &str, out: &mut Vec<Finding>) {
    for (i, item) in l.items.iter().enumerate() {
        if item.get(key).and_then(Value::as_str).is_none() {
            out.push(Finding::error(
                Code::ListMalformed,
                SERVER,
                format!("{method}: {field}[{i}] has no string \"{key}\""),
                format!("give every entry of {field} a string \"{key}\""),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::doctor::probe::Snapshot;

    pub(crate) fn snapshot(init: Value, tools: Vec<Value>) -> Snapshot {
        Snapshot {
            transport: TransportKind::StreamableHttp,
            fallback_reason: None,
            init,
            tools: Listing {
                items: tools,
                failure: None,
            },
            resources: Listing::default(),
            templates: Listing::default(),
            reads: Default::default(),
            calls: Vec::new(),
            unknown_calls: Vec::new(),
        }
    }

    fn codes(s: &Snapshot) -> Vec<(Code, crate::doctor::finding::Severity)> {
        let mut out = Vec::new();
        check(s, &mut out);
        out.into_iter().map(|f| (f.code, f.severity)).collect()
    }

    #[test]
    fn missing_ui_extension_with_ui_tools_is_a_warning() {
        let init = json!({"protocolVersion": "2025-11-25", "capabilities": {},
                          "serverInfo": {"name": "x", "version": "1"}});
        let ui_tool = json!({"name": "t", "_meta": {"openai/outputTemplate": "ui://a"}});
        let found = codes(&snapshot(init.clone(), vec![ui_tool]));
        assert!(found.contains(&(
            Code::UiExtensionMissing,
            crate::doctor::finding::Severity::Warning
        )));
        let found = codes(&snapshot(init, vec![json!({"name": "t"})]));
        assert!(!found.iter().any(|(c, _)| *c == Code::UiExtensionMissing));
    }

    #[test]
    fn unsupported_resources_are_an_error_when_widgets_exist() {
        let init = json!({"protocolVersion": "2025-11-25", "capabilities": {},
                          "serverInfo": {"name": "x", "version": "1"}});
        let mut s = snapshot(
            init,
            vec![json!({"name": "t", "_meta": {"ui": {"resourceUri": "ui://a"}}})],
        );
        s.resources.failure = Some(ListFailure::Request(ClientError::Rpc {
            method: "resources/list".into(),
            code: -32601,
            message: "Method not found".into(),
        }));
        let found = codes(&s);
        assert!(found.contains(&(
            Code::ResourcesUnsupported,
            crate::doctor::finding::Severity::Error
        )));
    }

    #[test]
    fn old_protocols_and_odd_init_results_are_warnings() {
        let found = codes(&snapshot(json!({"protocolVersion": "2024-11-05"}), vec![]));
        assert!(found.iter().any(|(c, _)| *c == Code::ProtocolVersionOld));
        assert!(
            found
                .iter()
                .any(|(c, _)| *c == Code::InitResultNonconformant)
        );
    }
}
