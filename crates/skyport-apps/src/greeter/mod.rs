//! The greeter app (seed 003): `greet_user {name}` returns a greeting and a
//! timestamp, rendered by the `greeting` widget (`widget/`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use skyport::engine::{AppError, ToolDef, ToolOutput};
use skyport::protocol::model::ToolAnnotations;
use skyport::{App, Csp, ToolError, Widget};

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
    /// When it was made (RFC 3339 with milliseconds, UTC).
    pub timestamp: String,
}

/// The greeting widget: the greeting, the name and the time, with
/// "Greet again" (a tool call from the widget) and "Say hi in chat".
pub fn widget() -> Widget {
    Widget::new("greeting")
        .title("Greeting")
        .description("Shows the greeting for the named person and when it was made, with a button to greet again.")
        .body(include_str!("widget/greeting.html"))
        .style(include_str!("widget/greeting.css"))
        .script(include_str!("widget/greeting.js"))
        .csp(Csp::new())
        .prefers_border(true)
}

/// Builds the greeter app.
pub fn app() -> Result<App, AppError> {
    let greet = ToolDef::builder("greet_user")
        .title("Greet a user")
        .description("Use this when the user asks to be greeted or to greet someone by name. Returns a greeting and the time it was made.")
        .input::<GreetArgs>()
        .output::<Greeting>()
        .annotations(ToolAnnotations::new().read_only(true).destructive(false).idempotent(true).open_world(false))
        .widget("greeting")
        .invoking("Greeting…")
        .invoked("Greeted")
        .typed_handler(|_ctx, args: GreetArgs| async move {
            let name = args.name.trim();
            if name.is_empty() {
                return Err(ToolError::InvalidArguments("`name` must contain a visible character".into()));
            }
            let g = Greeting {
                greeting: format!("Hello, {name}!"),
                timestamp: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            };
            let text = format!("{} (at {})", g.greeting, g.timestamp);
            ToolOutput::structured(&g, text)
        });
    App::builder("greeter")
        .instructions("Greets people by name. Call greet_user with the name to greet.")
        .tool(greet)
        .widget(widget())
        .build()
}
