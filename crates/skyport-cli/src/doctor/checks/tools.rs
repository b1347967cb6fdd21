//! Tool descriptor checks: what hosts and ChatGPT's app review need from
//! every tool, widget or not.

use serde_json::Value;

use crate::doctor::finding::{Code, Finding, tool_subject};
use crate::doctor::probe::{Snapshot, json_type};

/// The annotation hints ChatGPT requires for app submission.
const REQUIRED_HINTS: [&str; 3] = ["readOnlyHint", "destructiveHint", "openWorldHint"];
/// Longest `openai/toolInvocation/*` status text ChatGPT shows.
const MAX_INVOCATION_CHARS: usize = 64;

/// Checks every listed tool descriptor.
pub(super) fn check(s: &Snapshot, out: &mut Vec<Finding>) {
    for tool in &s.tools.items {
        let Some(name) = tool.get("name").and_then(Value::as_str) else {
            continue; // reported as list-malformed
        };
        let before = out.len();
        check_tool(name, tool, out);
        if out.len() == before {
            out.push(Finding::ok(
                Code::ToolOk,
                tool_subject(name),
                "description, object input schema and annotation hints present",
            ));
        }
    }
}

fn check_tool(name: &str, tool: &Value, out: &mut Vec<Finding>) {
    let subject = tool_subject(name);
    if !valid_name(name) {
        out.push(Finding::warning(
            Code::ToolNameInvalid,
            &subject,
            format!("the name {name:?} breaks the MCP naming rule"),
            "use 1-128 characters from A-Z a-z 0-9 _ - .",
        ));
    }
    match tool.get("description") {
        Some(Value::String(d)) if !d.trim().is_empty() => {}
        other => out.push(Finding::error(
            Code::ToolNoDescription,
            &subject,
            match other {
                None | Some(Value::Null) => "the tool has no description: models choose tools by their descriptions".to_owned(),
                Some(v) => format!("the description is {}; models choose tools by their descriptions", describe(v)),
            },
            "add a description that says what the tool does and when to use it (\"Use this when …\")",
        )),
    }
    input_schema(&subject, tool.get("inputSchema"), out);
    if let Some(schema) = tool.get("outputSchema").filter(|v| !v.is_null()) {
        let problem = match schema {
            Value::Object(_) => jsonschema::validator_for(schema)
                .err()
                .map(|e| e.to_string()),
            other => Some(format!("it is {}", json_type(other))),
        };
        if let Some(why) = problem {
            out.push(Finding::error(
                Code::ToolOutputSchemaInvalid,
                &subject,
                format!("outputSchema is not a usable JSON Schema: {why}"),
                "make outputSchema an object JSON Schema (root type \"object\"), or drop it",
            ));
        }
    }
    annotations(&subject, tool.get("annotations"), out);
    for key in [
        "openai/toolInvocation/invoking",
        "openai/toolInvocation/invoked",
    ] {
        let Some(v) = tool.get("_meta").and_then(|m| m.get(key)) else {
            continue;
        };
        match v.as_str() {
            Some(text) if text.chars().count() <= MAX_INVOCATION_CHARS => {}
            Some(text) => out.push(Finding::warning(
                Code::ToolInvocationTooLong,
                &subject,
                format!(
                    "_meta[\"{key}\"] is {} characters; ChatGPT shows at most {MAX_INVOCATION_CHARS}",
                    text.chars().count()
                ),
                format!("shorten _meta[\"{key}\"] to {MAX_INVOCATION_CHARS} characters or fewer"),
            )),
            None => out.push(Finding::warning(
                Code::ToolInvocationTooLong,
                &subject,
                format!("_meta[\"{key}\"] is {}, not a string", json_type(v)),
                format!("make _meta[\"{key}\"] a short string"),
            )),
        }
    }
}

fn input_schema(subject: &str, schema: Option<&Value>, out: &mut Vec<Finding>) {
    let Some(schema) = schema.filter(|v| !v.is_null()) else {
        out.push(Finding::error(
            Code::ToolNoInputSchema,
            subject,
            "the tool has no inputSchema; MCP requires one and hosts drop tools without it",
            "add inputSchema {\"type\":\"object\",\"properties\":{},\"additionalProperties\":false} for a tool without arguments",
        ));
        return;
    };
    let root_type = schema.get("type");
    if !schema.is_object() || root_type != Some(&Value::String("object".into())) {
        let what = match (schema.is_object(), root_type) {
            (false, _) => format!("inputSchema is {}", json_type(schema)),
            (true, None) => "inputSchema has no \"type\"".to_owned(),
            (true, Some(t)) => format!("inputSchema has type {t}"),
        };
        out.push(Finding::error(
            Code::ToolInputSchemaNotObject,
            subject,
            format!(
                "{what}; tool arguments are an object, so the root must be {{\"type\":\"object\"}}"
            ),
            "set the root of inputSchema to {\"type\":\"object\", \"properties\": {…}}",
        ));
    }
}

fn annotations(subject: &str, annotations: Option<&Value>, out: &mut Vec<Finding>) {
    let missing: Vec<&str> = REQUIRED_HINTS
        .into_iter()
        .filter(|h| {
            !annotations
                .and_then(|a| a.get(h))
                .is_some_and(Value::is_boolean)
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    out.push(Finding::warning(
        Code::ToolAnnotationsMissing,
        subject,
        format!(
            "annotations lack {}; ChatGPT requires readOnlyHint, destructiveHint and openWorldHint for app submission",
            missing.join(", ")
        ),
        format!(
            "set {} (each true or false)",
            missing
                .iter()
                .map(|h| format!("annotations.{h}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    ));
}

fn describe(v: &Value) -> String {
    match v {
        Value::String(_) => "empty".to_owned(),
        other => json_type(other).to_owned(),
    }
}

fn valid_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::doctor::finding::Severity;

    fn findings(tool: Value) -> Vec<(Code, Severity)> {
        let mut out = Vec::new();
        check_tool("t", &tool, &mut out);
        out.into_iter().map(|f| (f.code, f.severity)).collect()
    }

    #[test]
    fn a_complete_tool_has_no_findings() {
        let tool = json!({"name": "t", "description": "Use this when…",
            "inputSchema": {"type": "object", "properties": {}},
            "outputSchema": {"type": "object", "properties": {"a": {"type": "string"}}},
            "annotations": {"readOnlyHint": true, "destructiveHint": false, "openWorldHint": false},
            "_meta": {"openai/toolInvocation/invoking": "Loading…"}});
        assert_eq!(findings(tool), []);
    }

    #[test]
    fn each_gap_is_named() {
        let long = "x".repeat(65);
        let tool = json!({"name": "t", "description": "  ", "inputSchema": {"type": "array"},
            "outputSchema": 3, "annotations": {"readOnlyHint": true},
            "_meta": {"openai/toolInvocation/invoked": long}});
        assert_eq!(
            findings(tool),
            [
                (Code::ToolNoDescription, Severity::Error),
                (Code::ToolInputSchemaNotObject, Severity::Error),
                (Code::ToolOutputSchemaInvalid, Severity::Error),
                (Code::ToolAnnotationsMissing, Severity::Warning),
                (Code::ToolInvocationTooLong, Severity::Warning),
            ]
        );
        assert!(
            findings(json!({"description": "d"}))
                .contains(&(Code::ToolNoInputSchema, Severity::Error))
        );
    }
}
