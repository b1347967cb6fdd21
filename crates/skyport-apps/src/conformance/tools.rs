//! The fixture tools: content types, logging, progress, errors, sampling,
//! elicitation, a JSON Schema 2020-12 input schema and SSE reconnection.

use std::time::Duration;

use rmcp::model::{ContentBlock, ResourceContents};
use serde::Deserialize;
use serde_json::{Value, json};
use skyport::engine::{ToolDef, ToolOutput};
use skyport::protocol::meta::LogLevel;
use skyport::{RequestContext, ToolError, ToolResult};

use super::elicit;
use super::fixtures::{
    EMBEDDED_TEXT, EMBEDDED_URI, PNG_1X1_BASE64, PNG_MIME, WAV_BASE64, WAV_MIME,
};

/// The pause between the notifications of the logging and progress tools.
const STEP: Duration = Duration::from_millis(50);

/// How long `test_reconnection` keeps working after closing its stream.
const RECONNECT_DELAY: Duration = Duration::from_millis(200);

fn embedded() -> ContentBlock {
    ContentBlock::resource(
        ResourceContents::text(EMBEDDED_TEXT, EMBEDDED_URI).with_mime_type("text/plain"),
    )
}

/// A tool that takes no arguments and returns fixed content.
fn fixed(name: &str, description: &str, content: fn() -> Vec<ContentBlock>) -> ToolDef {
    ToolDef::builder(name)
        .description(description)
        .handler(move |_ctx, _args| async move { Ok(ToolOutput::content(content())) })
}

async fn with_logging(ctx: RequestContext) -> ToolResult {
    let steps = [
        "Tool execution started",
        "Tool processing data",
        "Tool execution completed",
    ];
    for (i, step) in steps.iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(STEP).await;
        }
        ctx.log(LogLevel::Info, Some("conformance"), json!(step));
    }
    Ok(ToolOutput::text("Tool with logging executed successfully"))
}

async fn with_progress(ctx: RequestContext) -> ToolResult {
    for (i, p) in [0.0, 50.0, 100.0].into_iter().enumerate() {
        if i > 0 {
            tokio::time::sleep(STEP).await;
        }
        ctx.progress(p, Some(100.0), Some(&format!("Completed step {i} of 2")));
    }
    Ok(ToolOutput::text("Tool with progress executed successfully"))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct SamplingArgs {
    prompt: String,
}

async fn sampling(ctx: RequestContext, args: SamplingArgs) -> ToolResult {
    let result = ctx
        .ask(
            "sampling",
            "sampling/createMessage",
            elicit::sampling_params(&args.prompt),
        )
        .await?;
    let text = elicit::sampled_text(&result).unwrap_or_else(|| result.to_string());
    Ok(ToolOutput::text(format!("LLM response: {text}")))
}

#[derive(Deserialize, schemars::JsonSchema)]
struct ElicitArgs {
    message: String,
}

async fn elicit_with(ctx: RequestContext, params: Value) -> ToolResult {
    let answer = ctx.ask("elicitation", "elicitation/create", params).await?;
    Ok(ToolOutput::text(elicit::describe_answer(&answer)))
}

async fn reconnection(ctx: RequestContext) -> ToolResult {
    // SEP-1699: end the POST's stream now; the client resumes with GET + Last-Event-ID.
    ctx.close_sse_stream();
    tokio::time::sleep(RECONNECT_DELAY).await;
    Ok(ToolOutput::text(
        "Reconnection test completed: the result arrived on the resumed stream",
    ))
}

/// The input schema of `json_schema_2020_12_tool`, kept verbatim in `tools/list`.
pub fn schema_2020_12() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "$defs": {
            "address": {
                "type": "object",
                "properties": {
                    "street": { "type": "string" },
                    "city": { "type": "string" },
                },
            },
        },
        "properties": {
            "name": { "type": "string" },
            "address": { "$ref": "#/$defs/address" },
        },
        "additionalProperties": false,
    })
}

/// Every fixture tool, in listing order.
pub fn tools() -> Vec<ToolDef> {
    vec![
        fixed("test_simple_text", "Tests simple text content response", || {
            vec![ContentBlock::text("This is a simple text response for testing.")]
        }),
        fixed("test_image_content", "Tests image content response", || {
            vec![ContentBlock::image(PNG_1X1_BASE64, PNG_MIME)]
        }),
        fixed("test_audio_content", "Tests audio content response", || {
            vec![ContentBlock::audio(WAV_BASE64, WAV_MIME)]
        }),
        fixed("test_embedded_resource", "Tests embedded resource content response", || {
            vec![embedded()]
        }),
        fixed(
            "test_multiple_content_types",
            "Tests response with multiple content types (text, image, resource)",
            || {
                vec![
                    ContentBlock::text("Multiple content types test:"),
                    ContentBlock::image(PNG_1X1_BASE64, PNG_MIME),
                    embedded(),
                ]
            },
        ),
        ToolDef::builder("test_tool_with_logging")
            .description("Tests tool that emits log messages during execution")
            .handler(|ctx, _args| with_logging(ctx)),
        ToolDef::builder("test_tool_with_progress")
            .description("Tests tool that reports progress notifications")
            .handler(|ctx, _args| with_progress(ctx)),
        ToolDef::builder("test_error_handling")
            .description("Tests error response handling")
            .handler(|_ctx, _args| async move {
                Err(ToolError::Failed("This tool intentionally returns an error for testing".into()))
            }),
        ToolDef::builder("test_sampling")
            .description("Tests server-initiated sampling (LLM completion request)")
            .input_schema(json!({
                "type": "object",
                "properties": { "prompt": { "type": "string", "description": "The prompt to send to the LLM" } },
                "required": ["prompt"],
            }))
            .typed_handler(sampling),
        ToolDef::builder("test_elicitation")
            .description("Tests server-initiated elicitation (user input request)")
            .input_schema(json!({
                "type": "object",
                "properties": { "message": { "type": "string", "description": "The message to show the user" } },
                "required": ["message"],
            }))
            .typed_handler(|ctx, args: ElicitArgs| {
                elicit_with(ctx, elicit::user_info_params(&args.message))
            }),
        ToolDef::builder("test_elicitation_sep1034_defaults")
            .description("Tests elicitation with default values for all primitive types (SEP-1034)")
            .handler(|ctx, _args| elicit_with(ctx, elicit::defaults_params())),
        ToolDef::builder("test_elicitation_sep1330_enums")
            .description("Tests elicitation with enum schema improvements (SEP-1330)")
            .handler(|ctx, _args| elicit_with(ctx, elicit::enums_params())),
        ToolDef::builder("json_schema_2020_12_tool")
            .description("Tool with a JSON Schema 2020-12 input schema ($schema, $defs, additionalProperties)")
            .input_schema(schema_2020_12())
            .handler(|_ctx, args| async move {
                Ok(ToolOutput::text(format!(
                    "JSON Schema 2020-12 tool called with: {}",
                    Value::Object(args)
                )))
            }),
        ToolDef::builder("test_reconnection")
            .description("Tests SSE stream disconnection and client reconnection (SEP-1699): closes the stream mid-call")
            .handler(|ctx, _args| reconnection(ctx)),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_tool_is_described_and_unique() {
        let tools = tools();
        let mut names: Vec<&str> = tools.iter().map(|t| t.name()).collect();
        assert_eq!(names.len(), 14);
        for t in &tools {
            let d = t.descriptor();
            assert!(
                d.description.as_deref().is_some_and(|s| !s.is_empty()),
                "{}",
                d.name
            );
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), 14);
    }

    #[test]
    fn the_2020_12_schema_is_kept_verbatim() {
        let tools = tools();
        let t = tools
            .iter()
            .find(|t| t.name() == "json_schema_2020_12_tool")
            .unwrap();
        let s = &t.descriptor().input_schema;
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
        assert!(s["$defs"]["address"].is_object());
        assert_eq!(s["additionalProperties"], false);
    }
}
