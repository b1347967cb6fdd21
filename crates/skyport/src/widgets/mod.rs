//! Widgets: the HTML a tool renders inside a chat host.
//!
//! - [`declare`]: a widget's parts, CSP origins, border, description, domain.
//! - [`document`]: assembling the document with the shared bridge
//!   (`window.skyport`, `assets/bridge.js`) and base styles, inline or split
//!   for a CDN.
//! - [`publish`]: one declaration published to both host families: versioned
//!   `ui://` templates (`text/html;profile=mcp-app` and `text/html+skybridge`)
//!   and each tool's MCP Apps `ui` / ChatGPT `openai/*` meta.
//! - [`archive`]: earlier versions kept readable after a redeploy.
//! - [`guard`]: checks results for oversize or secret-bearing `structuredContent`.

pub mod archive;
pub mod declare;
pub mod document;
pub mod guard;
pub mod publish;

pub use archive::WidgetArchive;
pub use declare::{Csp, Widget};
pub use publish::{
    MCP_APPS_EXTENSION, MIME_MCP_APP, MIME_SKYBRIDGE, PublishedWidget, WidgetSettings,
};

/// A widget declaration mistake, found at start-up; `why` names the fix.
#[derive(Debug, Clone, thiserror::Error)]
#[error("app {app}: widget {widget:?}: {why}")]
pub struct WidgetError {
    /// The app.
    pub app: String,
    /// The widget.
    pub widget: String,
    /// What is wrong and what to do.
    pub why: String,
}
