//! The greeter app (seed 003): `greet_user {name}` returns a greeting and a timestamp.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skyport::engine::{AppError, ToolDef, ToolOutput};
use skyport::protocol::model::ToolAnnotations;
use skyport::{App, ToolError};

#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct GreetArgs {
    /// The name of the person to greet.
    #[schemars(length(min = 1, max = 100))]
    name: String,
}

/// What the greeting widget and the model see.
#[derive(Debug, Serialize, JsonSchema)]
pub struct Greeting {
    /// The greeting text.
    pub greeting: String,
    /// When it was made (RFC 3339, UTC).
    pub timestamp: String,
}

/// Builds the greeter app.
pub fn app() -> Result<App, AppError> {
    let greet = ToolDef::builder("greet_user")
        .title("Greet a user")
        .description("Use this when the user asks to be greeted or to greet someone by name. Returns a greeting and the time it was made.")
        .input::<GreetArgs>()
        .output::<Greeting>()
        .annotations(ToolAnnotations::new().read_only(true).destructive(false).idempotent(true).open_world(false))
        .meta("openai/toolInvocation/invoking", "Greeting…".into())
        .meta("openai/toolInvocation/invoked", "Greeted".into())
        .typed_handler(|_ctx, args: GreetArgs| async move {
            let name = args.name.trim();
            if name.is_empty() {
                return Err(ToolError::InvalidArguments("`name` must contain a visible character".into()));
            }
            let g = Greeting {
                greeting: format!("Hello, {name}!"),
                timestamp: humantime::format_rfc3339_seconds(std::time::SystemTime::now()).to_string(),
            };
            let text = format!("{} (at {})", g.greeting, g.timestamp);
            ToolOutput::structured(&g, text)
        });
    App::builder("greeter")
        .instructions("Greets people by name. Call greet_user with the name to greet.")
        .tool(greet)
        .build()
}
