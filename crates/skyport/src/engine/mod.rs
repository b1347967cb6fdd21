//! The MCP engine: one per app. It turns a parsed JSON-RPC message into a
//! reply, for any transport, in either protocol era.
//!
//! Transports parse the body ([`crate::protocol::jsonrpc`]), call
//! [`Engine::classify`] to learn the era, do their era-specific checks, then
//! call [`Engine::dispatch`]. Plain request/response calls complete without a
//! spawned task; calls that stream return a future the transport drives.

pub mod app;
pub mod app_error;
pub mod app_http;
mod arg_errors;
pub mod context;
mod dispatch;
pub mod fleet;
pub mod notify;
pub mod pagination;
pub mod prompt;
pub mod resource;
pub mod session;
pub mod session_id;
pub mod sessions;
pub mod stream_log;
pub mod tool;
pub mod uri_template;

use std::sync::Arc;
use std::time::Duration;

pub use app::{App, AppBuilder, AppError};
pub use app_http::{HttpContext, RoutesFn};
pub use context::{Outbound, OutboundMsg, OutboundRx, PendingRequests, RequestContext};
pub use dispatch::{CallEnv, Dispatch, Reply, RequestInfo, StatusHint};
pub use fleet::Fleet;
pub use notify::{Notifier, ServerEvent};
pub use prompt::{Completer, PromptArgs, PromptDef};
pub use resource::{ResourceDef, TemplateDef, TemplateVars};
pub use session::{Negotiated, Session, SessionField};
pub use sessions::{SessionStoreError, Sessions};
pub use tool::{
    BoxFuture, Security, ToolBuilder, ToolDef, ToolError, ToolOutput, ToolResult, ToolUi,
    Visibility,
};

use crate::observability::metrics::{AppMetrics, Metrics};

/// Engine settings (from the `[mcp]` config section).
#[derive(Debug, Clone)]
pub struct EngineSettings {
    /// How long a server-to-client request waits for the client's answer.
    pub client_request_timeout: Duration,
    /// Idle time after which a session expires.
    pub session_idle_ttl: Duration,
    /// Events kept per SSE stream for resumption.
    pub event_retention: usize,
}

impl Default for EngineSettings {
    fn default() -> Self {
        Self {
            client_request_timeout: Duration::from_secs(60),
            session_idle_ttl: Duration::from_secs(600),
            event_retention: 1024,
        }
    }
}

/// The engine serving one app.
pub struct Engine {
    app: Arc<App>,
    sessions: Sessions,
    pending: Arc<PendingRequests>,
    settings: EngineSettings,
    metrics: AppMetrics,
    /// Shared by requests nobody can cancel (no session): saves a token per request.
    uncancellable: tokio_util::sync::CancellationToken,
    /// URL of the app's protected-resource metadata, named in the challenge
    /// of tools that need a signed-in caller. Set when the server mounts the app.
    resource_metadata: std::sync::RwLock<Option<Arc<str>>>,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("app", &self.app.name())
            .finish()
    }
}

impl Engine {
    /// Sets the protected-resource metadata URL named in per-tool challenges.
    pub fn set_resource_metadata(&self, url: &str) {
        *self
            .resource_metadata
            .write()
            .expect("resource metadata lock") = Some(url.into());
    }

    /// The protected-resource metadata URL, once the server mounted the app.
    pub fn resource_metadata(&self) -> Option<Arc<str>> {
        self.resource_metadata
            .read()
            .expect("resource metadata lock")
            .clone()
    }

    /// Every scope the app's tools declare, sorted.
    pub fn declared_scopes(&self) -> Vec<String> {
        let mut scopes: Vec<String> = self
            .app
            .catalog
            .load()
            .tools
            .iter()
            .flat_map(|t| t.def.ui().security.scopes().to_vec())
            .collect();
        scopes.sort();
        scopes.dedup();
        scopes
    }

    /// True when some tool accepts or needs an OAuth token.
    pub fn uses_oauth(&self) -> bool {
        self.app
            .catalog
            .load()
            .tools
            .iter()
            .any(|t| t.def.ui().security.accepts_oauth())
    }

    /// An engine for `app`, recording into `metrics`.
    pub fn new(app: Arc<App>, settings: EngineSettings, metrics: &Metrics) -> Self {
        let app_metrics = metrics.for_app(app.name());
        Self {
            sessions: Sessions::new(settings.session_idle_ttl, settings.event_retention),
            pending: Arc::new(PendingRequests::new()),
            resource_metadata: std::sync::RwLock::new(None),
            app,
            settings,
            metrics: app_metrics,
            uncancellable: tokio_util::sync::CancellationToken::new(),
        }
    }

    /// The app.
    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// The app's sessions.
    pub fn sessions(&self) -> &Sessions {
        &self.sessions
    }

    /// Server-to-client requests awaiting answers.
    pub fn pending(&self) -> &Arc<PendingRequests> {
        &self.pending
    }

    /// The settings.
    pub fn settings(&self) -> &EngineSettings {
        &self.settings
    }
}

impl Engine {
    /// Keeps this app's sessions, SSE events and notifications in `store`
    /// from now on, so replicas sharing it serve the app as one, and gives
    /// tools the store's records. Call once, before serving.
    pub async fn attach_store(
        self: &Arc<Self>,
        store: &skyport_store::Store,
    ) -> Result<(), skyport_store::StoreError> {
        let fleet = Fleet::new(
            self.app.name(),
            store.records.clone(),
            store.coordination.clone(),
            self.settings.session_idle_ttl,
            self.settings.event_retention,
        )
        .await?;
        self.sessions.attach(fleet.clone());
        if fleet.is_shared() {
            let bus = fleet.subscribe().await?;
            tokio::spawn(fleet::run_bus(
                Arc::downgrade(self),
                bus,
                fleet.replica().to_owned(),
            ));
            let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
            self.app.notifier().relay_to(tx);
            tokio::spawn(fleet::relay_events(fleet, rx));
        }
        Ok(())
    }

    /// Updates the open-sessions gauge.
    pub fn metrics_sessions_set(&self) {
        self.metrics.sessions.set(self.sessions.len() as i64);
    }

    /// 2026-07-28 `x-mcp-header`: arguments a tool's schema marks with
    /// `"x-mcp-header": "Name"` must be repeated in `Mcp-Param-Name` headers,
    /// equal to the body's value. `header` looks a header up by that name.
    pub fn check_param_headers<'h>(
        &self,
        msg: &crate::protocol::Incoming<'_>,
        header: impl Fn(&str) -> Option<&'h str>,
    ) -> Result<(), crate::protocol::RpcError> {
        use crate::protocol::{RpcError, error::code};
        use serde_json::Value;
        #[derive(serde::Deserialize)]
        struct Call {
            name: String,
            #[serde(default)]
            arguments: serde_json::Map<String, Value>,
        }
        let Ok(call) = msg.params_as::<Call>() else {
            return Ok(());
        };
        let catalog = self.app.catalog.load();
        let Some(&i) = catalog.tool_index.get(&call.name) else {
            return Ok(());
        };
        let schema = &catalog.tools[i].def.descriptor.input_schema;
        let Some(Value::Object(props)) = schema.get("properties") else {
            return Ok(());
        };
        for (prop, s) in props {
            let Some(Value::String(h)) = s.get("x-mcp-header") else {
                continue;
            };
            let expected = match call.arguments.get(prop) {
                Some(Value::String(v)) if v.is_ascii() => v.clone(),
                Some(Value::String(v)) => {
                    use base64::Engine as _;
                    format!(
                        "=?base64?{}?=",
                        base64::engine::general_purpose::STANDARD.encode(v)
                    )
                }
                Some(Value::Bool(b)) => b.to_string(),
                Some(Value::Number(n)) if n.is_i64() || n.is_u64() => n.to_string(),
                _ => continue,
            };
            if header(h) != Some(expected.as_str()) {
                return Err(RpcError::new(
                    code::HEADER_MISMATCH,
                    format!("Mcp-Param-{h} header must equal the argument {prop:?} ({expected:?})"),
                ));
            }
        }
        Ok(())
    }
}
