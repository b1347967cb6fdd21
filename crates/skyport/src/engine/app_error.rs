//! What can be wrong in an app's declaration; every message names the fix.

use crate::widgets::WidgetError;

/// A mistake in an app's declaration, found at start-up.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// Two tools share a name.
    #[error("app {app}: two tools are named {name:?}; tool names must be unique within an app")]
    DuplicateTool {
        /// The app.
        app: String,
        /// The repeated name.
        name: String,
    },
    /// A tool name breaks the MCP naming rule.
    #[error(
        "app {app}: tool name {name:?} is invalid: use 1-128 characters from A-Z a-z 0-9 _ - ."
    )]
    BadToolName {
        /// The app.
        app: String,
        /// The name.
        name: String,
    },
    /// A tool has no description; models pick tools by their descriptions.
    #[error("app {app}: tool {name:?} has no description: add .description(\"Use this when ...\")")]
    MissingDescription {
        /// The app.
        app: String,
        /// The tool.
        name: String,
    },
    /// A schema does not compile.
    #[error("app {app}: the {which} schema of tool {name:?} is not a valid JSON Schema: {why}")]
    BadSchema {
        /// The app.
        app: String,
        /// The tool.
        name: String,
        /// "input" or "output".
        which: &'static str,
        /// The compiler's message.
        why: String,
    },
    /// Two resources share a URI.
    #[error("app {app}: two resources have the URI {uri:?}")]
    DuplicateResource {
        /// The app.
        app: String,
        /// The URI.
        uri: String,
    },
    /// Two prompts share a name.
    #[error("app {app}: two prompts are named {name:?}")]
    DuplicatePrompt {
        /// The app.
        app: String,
        /// The name.
        name: String,
    },
    /// A resource template cannot be parsed.
    #[error("resource template {template:?} is invalid: {why}")]
    BadTemplate {
        /// The template.
        template: String,
        /// Why.
        why: String,
    },
    /// A widget declaration is wrong (name, description, CSP, duplicate).
    #[error(transparent)]
    Widget(#[from] WidgetError),
    /// A tool renders a widget the app does not declare.
    #[error(
        "app {app}: tool {tool:?} renders widget {widget:?}, which the app does not declare; declared widgets: {available}"
    )]
    UnknownWidget {
        /// The app.
        app: String,
        /// The tool.
        tool: String,
        /// The missing widget.
        widget: String,
        /// The widgets that exist.
        available: String,
    },
    /// An `openai/toolInvocation/*` text is too long for ChatGPT.
    #[error("app {app}: tool {tool:?}: the {which} text is over 64 characters; shorten it")]
    BadInvocationText {
        /// The app.
        app: String,
        /// The tool.
        tool: String,
        /// "invoking" or "invoked".
        which: &'static str,
    },
    /// The app name cannot be used in a URL path.
    #[error(
        "app name {0:?} is invalid: use lowercase letters, digits and '-' (it becomes the path /{0}/mcp)"
    )]
    BadAppName(String),
}
