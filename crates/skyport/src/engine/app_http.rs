//! An app's own HTTP routes (beside its MCP endpoints), such as the account
//! app's `POST /api/authenticate` that its sign-in widget calls.

use std::sync::Arc;

use axum::Router;

/// What an app's routes get when the server mounts them.
#[derive(Debug, Clone)]
pub struct HttpContext {
    /// The app's name.
    pub app: String,
    /// The store, when the server opened one (`Server::open`).
    pub store: Option<skyport_store::Store>,
    /// The server's public base URL (`auth.public_url`), without a trailing
    /// slash, e.g. `https://skyport.example.com`.
    pub public_url: String,
    /// Where the app's MCP endpoint is, relative to `public_url` (`/{app}/mcp`).
    pub mcp_path: String,
}

/// Builds an app's routes. Paths are relative to the app: the server mounts
/// them under `/{app}` and, for the default app, also at the root.
pub type RoutesFn = Arc<dyn Fn(&HttpContext) -> Router + Send + Sync>;
