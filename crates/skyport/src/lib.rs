//! # Skyport
//!
//! A server and framework for apps that live inside AI chat hosts: MCP servers
//! whose tools return data for the model plus interactive widgets, published
//! to ChatGPT (Apps SDK) and MCP Apps hosts alike.
//!
//! ## Layout
//! - [`protocol`]: the wire: JSON-RPC framing, versions, errors, `_meta`; rmcp's model types.
//! - [`engine`]: apps (tools, resources, prompts), the per-request context,
//!   sessions, and the dispatcher that answers both protocol eras.
//! - [`transport`]: Streamable HTTP (stateful and stateless), legacy HTTP+SSE, stdio.
//! - [`widgets`]: widget declarations, the shared bridge, dual-dialect
//!   publishing (MCP Apps and ChatGPT), versioned templates, the result guard.
//! - [`auth`]: user accounts (argon2id password hashes), sign-up and sign-in.
//! - [`store`]: the store (re-exported `skyport_store`): records and coordination.
//! - [`server`]: configuration, the HTTP router for all apps, health, metrics, shutdown.
//! - [`devhost`]: the `/dev` page of `skyport dev` (a local ChatGPT / MCP Apps host).
//! - [`observability`]: logs and Prometheus metrics.

pub mod auth;
pub mod devhost;
pub mod engine;
pub mod observability;
pub mod protocol;
pub mod server;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transport;
pub mod widgets;

pub use engine::{
    App, AppBuilder, RequestContext, Security, ToolDef, ToolError, ToolOutput, ToolResult,
    Visibility,
};
pub use widgets::{Csp, Widget};

/// The store: records (SQLite, PostgreSQL) and coordination (SQL or Redis).
pub use skyport_store as store;
