//! The only part of doctor that talks to the server: connect, list
//! everything (following cursors), read every widget template, make the
//! tool calls that are allowed. The result is a [`Snapshot`] the checks read
//! without further I/O, so they stay pure and unit-testable.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde_json::{Value, json};

use super::client::{ClientConfig, ClientError, McpClient, TransportKind};
use super::meta::{TemplateRefs, is_ui_resource};

/// Stop following cursors after this many pages.
const MAX_PAGES: usize = 500;

/// A list method's items, and why it stopped early if it did.
#[derive(Debug, Clone, Default)]
pub(crate) struct Listing {
    /// The items of every page read.
    pub(crate) items: Vec<Value>,
    /// Why the listing is incomplete.
    pub(crate) failure: Option<ListFailure>,
}

/// Why a listing is incomplete.
#[derive(Debug, Clone)]
pub(crate) enum ListFailure {
    /// The request failed.
    Request(ClientError),
    /// The result has the wrong shape.
    Malformed(String),
    /// The server keeps returning cursors (a repeated one, or too many pages).
    Loop,
}

/// Which tools to call.
#[derive(Debug, Clone, Default)]
pub(crate) struct CallPlan {
    /// `--call TOOL=JSON`, in order.
    pub(crate) explicit: Vec<(String, Value)>,
    /// Call read-only tools without required arguments with `{}`.
    pub(crate) auto_read_only: bool,
}

/// One tool call and what came back.
#[derive(Debug, Clone)]
pub(crate) struct CallRecord {
    /// The tool.
    pub(crate) tool: String,
    /// The arguments sent.
    pub(crate) args: Value,
    /// True for a call doctor chose (read-only, no required arguments).
    pub(crate) auto: bool,
    /// The result, or why there is none.
    pub(crate) outcome: Result<Value, ClientError>,
}

/// Everything doctor learned from the server.
#[derive(Debug, Clone)]
pub(crate) struct Snapshot {
    /// The transport that worked.
    pub(crate) transport: TransportKind,
    /// Why Streamable HTTP was given up, when it was.
    pub(crate) fallback_reason: Option<String>,
    /// The `initialize` result.
    pub(crate) init: Value,
    /// `tools/list`.
    pub(crate) tools: Listing,
    /// `resources/list`.
    pub(crate) resources: Listing,
    /// `resources/templates/list`.
    pub(crate) templates: Listing,
    /// `resources/read` of every template URI and listed UI resource.
    pub(crate) reads: BTreeMap<String, Result<Value, ClientError>>,
    /// The tool calls made.
    pub(crate) calls: Vec<CallRecord>,
    /// `--call` names that `tools/list` does not have (not called).
    pub(crate) unknown_calls: Vec<String>,
}

/// Connects and gathers the snapshot. Only a failed connection or
/// `initialize` is an `Err`; every later failure is recorded in the snapshot.
pub(crate) async fn probe(config: ClientConfig, plan: &CallPlan) -> Result<Snapshot, ClientError> {
    let conn = McpClient::connect(config).await?;
    let mut client = conn.client;
    let tools = list_all(&mut client, "tools/list", "tools").await;
    let resources = list_all(&mut client, "resources/list", "resources").await;
    let templates = list_all(&mut client, "resources/templates/list", "resourceTemplates").await;

    let mut uris = BTreeSet::new();
    for tool in &tools.items {
        for (uri, _) in TemplateRefs::of(tool).uris() {
            if uri.starts_with("ui://") {
                uris.insert(uri);
            }
        }
    }
    for r in resources.items.iter().filter(|r| is_ui_resource(r)) {
        if let Some(uri) = r.get("uri").and_then(Value::as_str) {
            uris.insert(uri.to_owned());
        }
    }
    let mut reads = BTreeMap::new();
    for uri in uris {
        let answer = client
            .request("resources/read", json!({ "uri": uri }))
            .await;
        reads.insert(uri, answer);
    }

    let (to_call, unknown_calls) = plan_calls(&tools.items, plan);
    let mut calls = Vec::new();
    for (tool, args, auto) in to_call {
        let outcome = client
            .request("tools/call", json!({ "name": tool, "arguments": args }))
            .await;
        calls.push(CallRecord {
            tool,
            args,
            auto,
            outcome,
        });
    }

    let snapshot = Snapshot {
        transport: client.transport_kind(),
        fallback_reason: client.fallback_reason().map(str::to_owned),
        init: conn.init,
        tools,
        resources,
        templates,
        reads,
        calls,
        unknown_calls,
    };
    client.close().await;
    Ok(snapshot)
}

/// Reads every page of a list method.
async fn list_all(client: &mut McpClient, method: &str, field: &str) -> Listing {
    let mut listing = Listing::default();
    let mut cursor: Option<String> = None;
    let mut seen = HashSet::new();
    for _ in 0..MAX_PAGES {
        let params = match &cursor {
            Some(c) => json!({ "cursor": c }),
            None => json!({}),
        };
        let result = match client.request(method, params).await {
            Ok(r) => r,
            Err(e) => {
                listing.failure = Some(ListFailure::Request(e));
                return listing;
            }
        };
        match result.get(field) {
            Some(Value::Array(items)) => listing.items.extend(items.iter().cloned()),
            Some(other) => {
                listing.failure = Some(ListFailure::Malformed(format!(
                    "{method} returned \"{field}\" as {}, not an array",
                    json_type(other)
                )));
                return listing;
            }
            None => {
                listing.failure = Some(ListFailure::Malformed(format!(
                    "{method} result has no \"{field}\" array"
                )));
                return listing;
            }
        }
        match result.get("nextCursor") {
            None | Some(Value::Null) => return listing,
            // An empty cursor is read as "no more pages": lenient with servers that send "".
            Some(Value::String(c)) if c.is_empty() => return listing,
            Some(Value::String(c)) => {
                if !seen.insert(c.clone()) {
                    listing.failure = Some(ListFailure::Loop);
                    return listing;
                }
                cursor = Some(c.clone());
            }
            Some(other) => {
                listing.failure = Some(ListFailure::Malformed(format!(
                    "{method} returned nextCursor as {}, not a string",
                    json_type(other)
                )));
                return listing;
            }
        }
    }
    listing.failure = Some(ListFailure::Loop);
    listing
}

/// The calls to make: `(tool, args, auto)`, and the `--call` names that no
/// listed tool has.
pub(crate) fn plan_calls(
    tools: &[Value],
    plan: &CallPlan,
) -> (Vec<(String, Value, bool)>, Vec<String>) {
    let names: HashSet<&str> = tools
        .iter()
        .filter_map(|t| t.get("name").and_then(Value::as_str))
        .collect();
    let mut calls = Vec::new();
    let mut unknown = Vec::new();
    for (tool, args) in &plan.explicit {
        if names.contains(tool.as_str()) {
            calls.push((tool.clone(), args.clone(), false));
        } else {
            unknown.push(tool.clone());
        }
    }
    if plan.auto_read_only {
        for t in tools {
            let Some(name) = t.get("name").and_then(Value::as_str) else {
                continue;
            };
            let already = plan.explicit.iter().any(|(n, _)| n == name);
            if !already && safe_to_call(t) {
                calls.push((name.to_owned(), json!({}), true));
            }
        }
    }
    (calls, unknown)
}

/// A tool that says it only reads (`readOnlyHint: true`) and whose object
/// input schema requires nothing: calling it with `{}` has no side effects,
/// by its own declaration.
pub(crate) fn safe_to_call(tool: &Value) -> bool {
    let read_only = tool.pointer("/annotations/readOnlyHint") == Some(&Value::Bool(true));
    let Some(schema) = tool.get("inputSchema").and_then(Value::as_object) else {
        return false;
    };
    let object = schema.get("type").and_then(Value::as_str) == Some("object");
    let requires_nothing = match schema.get("required") {
        None | Some(Value::Null) => true,
        Some(Value::Array(r)) => r.is_empty(),
        Some(_) => false,
    };
    read_only && object && requires_nothing
}

/// The JSON type name of a value, for messages.
pub(crate) fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_read_only_tools_without_required_arguments_are_called_by_default() {
        let tools = vec![
            json!({"name": "ro", "annotations": {"readOnlyHint": true},
                   "inputSchema": {"type": "object", "properties": {}}}),
            json!({"name": "ro_req", "annotations": {"readOnlyHint": true},
                   "inputSchema": {"type": "object", "required": ["q"]}}),
            json!({"name": "rw", "annotations": {"readOnlyHint": false},
                   "inputSchema": {"type": "object"}}),
            json!({"name": "unannotated", "inputSchema": {"type": "object"}}),
            json!({"name": "explicit", "inputSchema": {"type": "object"}}),
        ];
        let plan = CallPlan {
            explicit: vec![
                ("explicit".into(), json!({"a": 1})),
                ("nope".into(), json!({})),
            ],
            auto_read_only: true,
        };
        let (calls, unknown) = plan_calls(&tools, &plan);
        let names: Vec<(&str, bool)> = calls.iter().map(|(n, _, a)| (n.as_str(), *a)).collect();
        assert_eq!(names, [("explicit", false), ("ro", true)]);
        assert_eq!(unknown, ["nope"]);
        let plan = CallPlan {
            auto_read_only: false,
            ..plan
        };
        assert_eq!(plan_calls(&tools, &plan).0.len(), 1);
    }
}
