//! Tool call results: the shape hosts need, `structuredContent` small enough
//! for the model and free of credentials, and matching `outputSchema`.

use serde_json::Value;

use super::secrets::secret_paths;
use crate::doctor::client::snippet;
use crate::doctor::finding::{Code, Finding, SERVER, tool_subject};
use crate::doctor::probe::{CallRecord, Snapshot, json_type};

/// Estimated tokens above which `structuredContent` crowds the model's context.
const MAX_TOKENS: usize = 4096;
/// Bytes per token for the estimate.
const BYTES_PER_TOKEN: usize = 4;

/// Checks every call made.
pub(super) fn check(s: &Snapshot, out: &mut Vec<Finding>) {
    for name in &s.unknown_calls {
        out.push(Finding::error(
            Code::CallUnknownTool,
            SERVER,
            format!("--call names {name:?}, which tools/list does not list; it was not called"),
            "check the tool name (doctor lists every tool it found as `tool NAME`)",
        ));
    }
    for call in &s.calls {
        let tool = s
            .tools
            .items
            .iter()
            .find(|t| t.get("name").and_then(Value::as_str) == Some(call.tool.as_str()));
        check_call(call, tool, out);
    }
}

fn check_call(call: &CallRecord, tool: Option<&Value>, out: &mut Vec<Finding>) {
    let subject = tool_subject(&call.tool);
    let why = if call.auto {
        "doctor called it because it is marked readOnlyHint and requires no arguments; --no-auto-call skips this"
    } else {
        "as asked with --call"
    };
    out.push(Finding::ok(
        Code::ToolCalled,
        &subject,
        format!("called with {} ({why})", call.args),
    ));
    let result = match &call.outcome {
        Ok(r) => r,
        Err(e) => {
            out.push(Finding::warning(
                Code::ToolCallFailed,
                &subject,
                format!("tools/call failed, so its result was not checked: {e}"),
                "fix the tool, or pass working arguments with --call TOOL=JSON",
            ));
            return;
        }
    };
    let Some(obj) = result.as_object() else {
        out.push(Finding::error(
            Code::ToolResultMalformed,
            &subject,
            format!(
                "the tools/call result is {}, not an object",
                json_type(result)
            ),
            "return a CallToolResult: {\"content\": [...], \"structuredContent\": {...}}",
        ));
        return;
    };
    if !obj.get("content").is_some_and(Value::is_array) {
        out.push(Finding::error(
            Code::ToolResultMalformed,
            &subject,
            "the result has no content array; MCP requires one and hosts show it to the model",
            "always return content (e.g. one text block); put widget data in structuredContent",
        ));
    }
    if obj.get("isError") == Some(&Value::Bool(true)) {
        let text = obj
            .get("content")
            .and_then(|c| c.get(0))
            .and_then(|b| b.get("text"))
            .and_then(Value::as_str)
            .unwrap_or("");
        out.push(Finding::warning(
            Code::ToolCallFailed,
            &subject,
            format!(
                "the call returned isError: {}; its structuredContent was not checked",
                snippet(text)
            ),
            "pass arguments that succeed with --call TOOL=JSON",
        ));
        return;
    }
    let before = out.len();
    let structured = obj.get("structuredContent").filter(|v| !v.is_null());
    if let Some(sc) = structured {
        structured_content(&subject, sc, out);
    }
    output_schema(&subject, tool, structured, out);
    if out.len() == before {
        let size = structured.map_or(0, |v| v.to_string().len());
        out.push(Finding::ok(
            Code::StructuredContentOk,
            &subject,
            match structured {
                Some(_) => format!(
                    "structuredContent is ~{} tokens ({size} bytes) with no secret-looking keys",
                    size.div_ceil(BYTES_PER_TOKEN)
                ),
                None => "the result has content and no structuredContent".to_owned(),
            },
        ));
    }
}

fn structured_content(subject: &str, sc: &Value, out: &mut Vec<Finding>) {
    if !sc.is_object() {
        out.push(Finding::warning(
            Code::ToolResultMalformed,
            subject,
            format!(
                "structuredContent is {}; protocols up to 2025-11-25 require an object",
                json_type(sc)
            ),
            "wrap the data in an object, e.g. {\"items\": [...]}",
        ));
    }
    let bytes = sc.to_string().len();
    let tokens = bytes.div_ceil(BYTES_PER_TOKEN);
    if tokens > MAX_TOKENS {
        out.push(Finding::warning(
            Code::StructuredContentOversize,
            subject,
            format!(
                "structuredContent is ~{tokens} tokens ({bytes} bytes), over ~{MAX_TOKENS}: ChatGPT puts it in the model's context verbatim"
            ),
            "return a concise summary in structuredContent and move bulky widget-only data to the result _meta",
        ));
    }
    for path in secret_paths(sc) {
        out.push(Finding::error(
            Code::StructuredContentSecret,
            subject,
            format!(
                "structuredContent has a secret-looking key at {path}: the model and the widget's devtools both see it"
            ),
            format!("remove {path} from the result (keep credentials on the server)"),
        ));
    }
}

fn output_schema(
    subject: &str,
    tool: Option<&Value>,
    structured: Option<&Value>,
    out: &mut Vec<Finding>,
) {
    let Some(schema) = tool
        .and_then(|t| t.get("outputSchema"))
        .filter(|s| s.is_object())
    else {
        return;
    };
    let Some(sc) = structured else {
        out.push(Finding::error(
            Code::OutputSchemaMismatch,
            subject,
            "the tool declares outputSchema but the result has no structuredContent",
            "return structuredContent that matches outputSchema",
        ));
        return;
    };
    // An uncompilable schema is reported as tool-output-schema-invalid.
    let Ok(validator) = jsonschema::validator_for(schema) else {
        return;
    };
    let errors: Vec<String> = validator
        .iter_errors(sc)
        .take(3)
        .map(|e| {
            let at = e.instance_path().to_string();
            let at = if at.is_empty() { "/".to_owned() } else { at };
            format!("at {at}: {e}")
        })
        .collect();
    if !errors.is_empty() {
        out.push(Finding::error(
            Code::OutputSchemaMismatch,
            subject,
            format!(
                "structuredContent does not match outputSchema: {}",
                snippet(&errors.join("; "))
            ),
            "make the result match outputSchema, or correct the schema",
        ));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::doctor::finding::Severity;

    fn run(result: Value, tool: Value) -> Vec<(Code, Severity)> {
        let call = CallRecord {
            tool: "t".into(),
            args: json!({}),
            auto: true,
            outcome: Ok(result),
        };
        let mut out = Vec::new();
        check_call(&call, Some(&tool), &mut out);
        out.into_iter().map(|f| (f.code, f.severity)).collect()
    }

    #[test]
    fn a_good_result_passes() {
        let r =
            json!({"content": [{"type": "text", "text": "hi"}], "structuredContent": {"a": "b"}});
        let t =
            json!({"outputSchema": {"type": "object", "properties": {"a": {"type": "string"}}}});
        assert_eq!(
            run(r, t),
            [
                (Code::ToolCalled, Severity::Ok),
                (Code::StructuredContentOk, Severity::Ok)
            ]
        );
    }

    #[test]
    fn oversize_secret_and_schema_mismatch_are_found() {
        let big = "x".repeat(20_000);
        let r = json!({"content": [], "structuredContent": {"a": 1, "blob": big, "auth": {"apiKey": "k"}}});
        let t =
            json!({"outputSchema": {"type": "object", "properties": {"a": {"type": "string"}}}});
        assert_eq!(
            run(r, t),
            [
                (Code::ToolCalled, Severity::Ok),
                (Code::StructuredContentOversize, Severity::Warning),
                (Code::StructuredContentSecret, Severity::Error),
                (Code::OutputSchemaMismatch, Severity::Error),
            ]
        );
    }

    #[test]
    fn malformed_and_failed_results() {
        assert!(run(json!([1]), json!({})).contains(&(Code::ToolResultMalformed, Severity::Error)));
        assert!(
            run(json!({"structuredContent": {}}), json!({}))
                .contains(&(Code::ToolResultMalformed, Severity::Error))
        );
        let failed = json!({"content": [{"type": "text", "text": "bad"}], "isError": true});
        assert!(run(failed, json!({})).contains(&(Code::ToolCallFailed, Severity::Warning)));
    }
}
