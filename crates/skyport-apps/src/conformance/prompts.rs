//! The fixture prompts and the completion of `test_prompt_with_arguments`.

use std::collections::HashMap;

use rmcp::model::{
    ContentBlock, GetPromptResult, PromptArgument, PromptMessage, ResourceContents, Role,
};
use skyport::engine::{PromptArgs, PromptDef};

use super::fixtures::{PNG_1X1_BASE64, PNG_MIME};

/// Values offered for `arg1`/`arg2` completions.
const SUGGESTIONS: &[&str] = &["test", "testValue1", "testValue2", "paris", "park", "party"];

/// Suggestions starting with `value` (case-insensitive).
pub fn complete(_argument: &str, value: &str, _context: &HashMap<String, String>) -> Vec<String> {
    let v = value.to_lowercase();
    SUGGESTIONS
        .iter()
        .filter(|s| s.to_lowercase().starts_with(&v))
        .map(|s| (*s).to_owned())
        .collect()
}

fn arg(args: &PromptArgs, name: &str) -> String {
    args.get(name).cloned().unwrap_or_default()
}

/// The prompts.
pub fn prompts() -> Vec<PromptDef> {
    vec![
        PromptDef::new(
            "test_simple_prompt",
            "A simple prompt without arguments",
            vec![],
            |_ctx, _args| async move {
                Ok(GetPromptResult::new(vec![PromptMessage::new_text(
                    Role::User,
                    "This is a simple prompt for testing.",
                )]))
            },
        ),
        PromptDef::new(
            "test_prompt_with_arguments",
            "A prompt with two required arguments",
            vec![
                PromptArgument::new("arg1")
                    .with_description("First test argument")
                    .with_required(true),
                PromptArgument::new("arg2")
                    .with_description("Second test argument")
                    .with_required(true),
            ],
            |_ctx, args| async move {
                let text = format!(
                    "Prompt with arguments: arg1='{}', arg2='{}'",
                    arg(&args, "arg1"),
                    arg(&args, "arg2")
                );
                Ok(GetPromptResult::new(vec![PromptMessage::new_text(
                    Role::User,
                    text,
                )]))
            },
        )
        .with_completer(complete),
        PromptDef::new(
            "test_prompt_with_embedded_resource",
            "A prompt that embeds a resource",
            vec![
                PromptArgument::new("resourceUri")
                    .with_description("URI of the resource to embed")
                    .with_required(true),
            ],
            |_ctx, args| async move {
                let uri = arg(&args, "resourceUri");
                let resource =
                    ResourceContents::text("Embedded resource content for testing.", uri)
                        .with_mime_type("text/plain");
                Ok(GetPromptResult::new(vec![
                    PromptMessage::new(Role::User, ContentBlock::resource(resource)),
                    PromptMessage::new_text(
                        Role::User,
                        "Please process the embedded resource above.",
                    ),
                ]))
            },
        ),
        PromptDef::new(
            "test_prompt_with_image",
            "A prompt that includes an image",
            vec![],
            |_ctx, _args| async move {
                Ok(GetPromptResult::new(vec![
                    PromptMessage::new(Role::User, ContentBlock::image(PNG_1X1_BASE64, PNG_MIME)),
                    PromptMessage::new_text(Role::User, "Please analyze the image above."),
                ]))
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completes_by_prefix() {
        let v = complete("arg1", "test", &HashMap::new());
        assert_eq!(v, ["test", "testValue1", "testValue2"]);
        assert!(complete("arg1", "zzz", &HashMap::new()).is_empty());
    }

    #[test]
    fn every_prompt_is_described() {
        for p in prompts() {
            let d = p.descriptor();
            assert!(
                d.description.as_deref().is_some_and(|s| !s.is_empty()),
                "{}",
                d.name
            );
        }
    }
}
