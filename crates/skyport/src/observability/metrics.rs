//! Prometheus metrics, served at `/metrics`.
//!
//! Handles for every (app, method) pair are created up front and tool handles
//! on first use, so recording is a few atomic adds: no label allocation on
//! the request path.

use std::sync::{Arc, Mutex};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The MCP methods we count separately; anything else is `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// initialize
    Initialize,
    /// ping
    Ping,
    /// tools/list
    ToolsList,
    /// tools/call
    ToolsCall,
    /// resources/list
    ResourcesList,
    /// resources/templates/list
    TemplatesList,
    /// resources/read
    ResourcesRead,
    /// resources/subscribe and unsubscribe
    Subscribe,
    /// prompts/list
    PromptsList,
    /// prompts/get
    PromptsGet,
    /// completion/complete
    Complete,
    /// logging/setLevel
    SetLevel,
    /// server/discover
    Discover,
    /// subscriptions/listen
    Listen,
    /// anything else
    Other,
}

const METHODS: [(MethodKind, &str); 15] = [
    (MethodKind::Initialize, "initialize"),
    (MethodKind::Ping, "ping"),
    (MethodKind::ToolsList, "tools/list"),
    (MethodKind::ToolsCall, "tools/call"),
    (MethodKind::ResourcesList, "resources/list"),
    (MethodKind::TemplatesList, "resources/templates/list"),
    (MethodKind::ResourcesRead, "resources/read"),
    (MethodKind::Subscribe, "resources/subscribe"),
    (MethodKind::PromptsList, "prompts/list"),
    (MethodKind::PromptsGet, "prompts/get"),
    (MethodKind::Complete, "completion/complete"),
    (MethodKind::SetLevel, "logging/setLevel"),
    (MethodKind::Discover, "server/discover"),
    (MethodKind::Listen, "subscriptions/listen"),
    (MethodKind::Other, "other"),
];

impl MethodKind {
    /// Classifies a method name.
    pub fn of(method: &str) -> Self {
        match method {
            "resources/unsubscribe" => MethodKind::Subscribe,
            m => METHODS
                .iter()
                .find(|(_, n)| *n == m)
                .map_or(MethodKind::Other, |(k, _)| *k),
        }
    }

    fn index(self) -> usize {
        METHODS
            .iter()
            .position(|(k, _)| *k == self)
            .unwrap_or(METHODS.len() - 1)
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MethodLabels {
    app: String,
    method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ToolLabels {
    app: String,
    tool: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AppLabels {
    app: String,
}

/// Counters and a latency histogram for one (app, method).
#[derive(Debug, Clone)]
pub struct MethodMetrics {
    /// Requests received.
    pub requests: Counter,
    /// Requests answered with a JSON-RPC error.
    pub errors: Counter,
    /// Time to produce the reply, in seconds.
    pub duration: Histogram,
}

/// Counters for one (app, tool).
#[derive(Debug, Clone)]
pub struct ToolMetrics {
    /// Calls.
    pub calls: Counter,
    /// Calls that ended in `isError` or a JSON-RPC error.
    pub errors: Counter,
}

/// The process-wide registry.
#[derive(Clone)]
pub struct Metrics {
    inner: Arc<Inner>,
}

struct Inner {
    registry: Mutex<Registry>,
    requests: Family<MethodLabels, Counter>,
    errors: Family<MethodLabels, Counter>,
    duration: Family<MethodLabels, Histogram, fn() -> Histogram>,
    tool_calls: Family<ToolLabels, Counter>,
    tool_errors: Family<ToolLabels, Counter>,
    sessions: Family<AppLabels, Gauge>,
    http_rejections: Family<MethodLabels, Counter>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn latency_histogram() -> Histogram {
    // 50 µs .. ~3 s: MCP calls range from in-memory lists to slow upstream APIs.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.00005, 2.5, 13,
    ))
}

impl Metrics {
    /// A registry with Skyport's families registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("skyport");
        let requests = Family::<MethodLabels, Counter>::default();
        let errors = Family::<MethodLabels, Counter>::default();
        let duration = Family::<MethodLabels, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram as fn() -> Histogram,
        );
        let tool_calls = Family::<ToolLabels, Counter>::default();
        let tool_errors = Family::<ToolLabels, Counter>::default();
        let sessions = Family::<AppLabels, Gauge>::default();
        let http_rejections = Family::<MethodLabels, Counter>::default();
        registry.register(
            "mcp_requests",
            "MCP requests received, by app and method",
            requests.clone(),
        );
        registry.register(
            "mcp_errors",
            "MCP requests answered with a JSON-RPC error",
            errors.clone(),
        );
        registry.register(
            "mcp_request_duration_seconds",
            "Time to produce an MCP reply",
            duration.clone(),
        );
        registry.register(
            "tool_calls",
            "Tool calls, by app and tool",
            tool_calls.clone(),
        );
        registry.register(
            "tool_errors",
            "Tool calls that failed (isError or JSON-RPC error)",
            tool_errors.clone(),
        );
        registry.register("sessions", "Open MCP sessions, by app", sessions.clone());
        registry.register(
            "http_rejections",
            "HTTP requests refused before reaching the engine, by app and reason",
            http_rejections.clone(),
        );
        Self {
            inner: Arc::new(Inner {
                registry: Mutex::new(registry),
                requests,
                errors,
                duration,
                tool_calls,
                tool_errors,
                sessions,
                http_rejections,
            }),
        }
    }

    /// Handles for one app.
    pub fn for_app(&self, app: &str) -> AppMetrics {
        let methods = METHODS
            .iter()
            .map(|(_, name)| {
                let l = MethodLabels {
                    app: app.to_owned(),
                    method: (*name).to_owned(),
                };
                MethodMetrics {
                    requests: self.inner.requests.get_or_create(&l).clone(),
                    errors: self.inner.errors.get_or_create(&l).clone(),
                    duration: self.inner.duration.get_or_create(&l).clone(),
                }
            })
            .collect();
        AppMetrics {
            app: app.to_owned(),
            methods,
            metrics: self.clone(),
            sessions: self
                .inner
                .sessions
                .get_or_create(&AppLabels {
                    app: app.to_owned(),
                })
                .clone(),
        }
    }

    /// Counts an HTTP-level rejection (bad Origin, wrong content type, ...).
    pub fn rejection(&self, app: &str, reason: &str) {
        self.inner
            .http_rejections
            .get_or_create(&MethodLabels {
                app: app.into(),
                method: reason.into(),
            })
            .inc();
    }

    /// The OpenMetrics text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let registry = self.inner.registry.lock().expect("metrics registry lock");
        let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
        out
    }
}

/// Pre-created handles for one app.
#[derive(Debug, Clone)]
pub struct AppMetrics {
    app: String,
    methods: Vec<MethodMetrics>,
    metrics: Metrics,
    /// Open sessions.
    pub sessions: Gauge,
}

impl AppMetrics {
    /// The handles of a method.
    pub fn method(&self, kind: MethodKind) -> &MethodMetrics {
        &self.methods[kind.index()]
    }

    /// The handles of a tool; callers keep them (the engine does, per tool).
    pub fn tool_handles(&self, name: &str) -> ToolMetrics {
        let l = ToolLabels {
            app: self.app.clone(),
            tool: name.to_owned(),
        };
        ToolMetrics {
            calls: self.metrics.inner.tool_calls.get_or_create(&l).clone(),
            errors: self.metrics.inner.tool_errors.get_or_create(&l).clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_by_app_method_and_tool() {
        let m = Metrics::new();
        let app = m.for_app("demo");
        app.method(MethodKind::of("tools/call")).requests.inc();
        let greet = app.tool_handles("greet");
        greet.calls.inc();
        greet.errors.inc();
        let text = m.render();
        assert!(
            text.contains(r#"skyport_mcp_requests_total{app="demo",method="tools/call"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"skyport_tool_calls_total{app="demo",tool="greet"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"skyport_tool_errors_total{app="demo",tool="greet"} 1"#),
            "{text}"
        );
        assert_eq!(
            MethodKind::of("resources/unsubscribe"),
            MethodKind::Subscribe
        );
        assert_eq!(MethodKind::of("nope"), MethodKind::Other);
    }
}
