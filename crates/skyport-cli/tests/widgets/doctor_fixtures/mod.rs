//! Deliberately broken MCP servers for the `skyport doctor` tests.
//!
//! Each app differs from the clean one in exactly one way, so the test can
//! check that doctor names that fault and nothing else as an error. Apps the
//! skyport library would refuse to build (a tool without a description) or
//! transports it would not produce are served by [`raw`], a hand-written
//! JSON-RPC responder.

#![allow(dead_code, unreachable_pub)]

pub mod raw;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Value, json};
use skyport::App;
use skyport::engine::{AppBuilder, ResourceDef, ToolBuilder, ToolDef, ToolOutput};
use skyport::protocol::RpcError;
use skyport::protocol::model::{
    JsonObject, MetaObject, Resource, ResourceContents, ToolAnnotations,
};
use skyport::server::{Config, Server};
use tokio_util::sync::CancellationToken;

/// The MCP Apps extension id.
pub const UI_EXT: &str = "io.modelcontextprotocol/ui";
/// The template mime type every host renders.
pub const MCP_APP: &str = "text/html;profile=mcp-app";
/// The origins the good HTML loads.
pub const CDN: &str = "https://cdn.example.com";
pub const API: &str = "https://api.example.com";

/// A widget that loads a script from the CDN and data from the API.
pub const GOOD_HTML: &str = r#"<!doctype html>
<html><head><meta charset="utf-8"><script src="https://cdn.example.com/widget.js"></script></head>
<body><div id="root"></div>
<script>fetch("https://api.example.com/items").then(r => r.json());</script>
</body></html>"#;

/// The same widget plus an image from a host its CSP does not list.
pub const IMAGE_HTML: &str = r#"<!doctype html>
<html><head><script src="https://cdn.example.com/widget.js"></script></head>
<body><img src="https://images.example.net/logo.png" alt="logo">
<script>fetch("https://api.example.com/items")</script></body></html>"#;

fn obj(v: Value) -> JsonObject {
    match v {
        Value::Object(m) => m,
        _ => JsonObject::new(),
    }
}

fn read_only() -> ToolAnnotations {
    ToolAnnotations::new()
        .read_only(true)
        .destructive(false)
        .idempotent(true)
        .open_world(false)
}

/// A tool with complete dual-dialect widget meta (protocols.md §8) and no arguments.
fn widget_tool(name: &str, uri: &str) -> ToolBuilder {
    ToolDef::builder(name)
        .title("Show the board")
        .description("Use this when the user wants to see their board.")
        .input_schema(json!({"type": "object", "properties": {}, "additionalProperties": false}))
        .annotations(read_only())
        .meta(
            "ui",
            json!({"resourceUri": uri, "visibility": ["model", "app"]}),
        )
        .meta("ui/resourceUri", uri.into())
        .meta("openai/outputTemplate", uri.into())
        .meta("openai/widgetAccessible", true.into())
        .meta(
            "openai/toolInvocation/invoking",
            "Loading the board…".into(),
        )
        .meta("openai/toolInvocation/invoked", "Board ready".into())
}

/// A small board result.
fn board() -> ToolOutput {
    ToolOutput::structured(
        &json!({"items": [{"id": 1, "title": "Plan"}]}),
        "1 item on the board.",
    )
    .expect("serializes")
}

/// CSP meta in both dialects.
pub fn csp(resource: &[&str], connect: &[&str]) -> Value {
    json!({
        "ui": {"csp": {"resourceDomains": resource, "connectDomains": connect}, "prefersBorder": true},
        "openai/widgetCSP": {"resource_domains": resource, "connect_domains": connect},
        "openai/widgetDescription": "The user's board."
    })
}

/// A template resource with `meta` on the content item and the list entry.
fn template(uri: &str, mime: &str, html: &str, meta: Value) -> ResourceDef {
    let meta = MetaObject::from(obj(meta));
    let contents = ResourceContents::text(html, uri)
        .with_mime_type(mime)
        .with_meta(meta.clone());
    ResourceDef::fixed(
        Resource::new(uri, "board-widget")
            .with_mime_type(mime)
            .with_meta(meta),
        vec![contents],
    )
}

/// An app that declares the MCP Apps extension.
fn app(name: &str) -> AppBuilder {
    App::builder(name).extension(UI_EXT, JsonObject::new())
}

/// One widget tool and its template, with the given HTML, mime type and CSP.
fn widget_app(name: &str, mime: &str, html: &str, meta: Value) -> App {
    let uri = format!("ui://{name}/board.html");
    app(name)
        .tool(widget_tool("show_board", &uri).handler(|_, _| async { Ok(board()) }))
        .resource(template(&uri, mime, html, meta))
        .build()
        .expect("fixture app builds")
}

/// The clean app: a correct widget tool (auto-called: read-only, no
/// arguments) and a destructive tool doctor must never call on its own.
fn clean(destructive_calls: Arc<AtomicUsize>) -> App {
    let uri = "ui://clean/board.html";
    let show = widget_tool("show_board", uri)
        .output_schema(json!({"type": "object", "properties": {"items": {"type": "array"}}, "required": ["items"]}))
        .handler(|_, _| async { Ok(board()) });
    let delete = ToolDef::builder("delete_board")
        .description("Use this when the user asks to delete their board.")
        .input_schema(json!({"type": "object", "properties": {}}))
        .annotations(
            ToolAnnotations::new()
                .read_only(false)
                .destructive(true)
                .open_world(false),
        )
        .handler(move |_, _| {
            destructive_calls.fetch_add(1, Ordering::SeqCst);
            async { Ok(ToolOutput::text("deleted")) }
        });
    // One item per list page: doctor must follow nextCursor.
    app("clean")
        .page_size(1)
        .tool(show)
        .tool(delete)
        .resource(template(uri, MCP_APP, GOOD_HTML, csp(&[CDN], &[API])))
        .build()
        .expect("clean app builds")
}

/// Every skyport-built fixture app.
fn apps(destructive_calls: Arc<AtomicUsize>) -> Vec<App> {
    let good_csp = || csp(&[CDN], &[API]);
    let missing = app("missing")
        .tool(
            widget_tool("show_board", "ui://missing/board.html")
                .handler(|_, _| async { Ok(board()) }),
        )
        .build()
        .expect("builds");
    let unreadable_uri = "ui://unreadable/board.html";
    let unreadable = app("unreadable")
        .tool(widget_tool("show_board", unreadable_uri).handler(|_, _| async { Ok(board()) }))
        .resource(ResourceDef::dynamic(
            Resource::new(unreadable_uri, "board-widget").with_mime_type(MCP_APP),
            |_, _, _| async { Err(RpcError::internal("the template store is down")) },
        ))
        .build()
        .expect("builds");
    let big: Vec<Value> = (0..800)
        .map(|i| json!({"id": i, "title": format!("Item number {i}"), "notes": "lorem ipsum dolor sit amet"}))
        .collect();
    let oversize = app("oversize")
        .tool(
            widget_tool("show_board", "ui://oversize/board.html").handler(move |_, _| {
                let big = big.clone();
                async move { ToolOutput::structured(&json!({"items": big}), "800 items.") }
            }),
        )
        .resource(template(
            "ui://oversize/board.html",
            MCP_APP,
            GOOD_HTML,
            good_csp(),
        ))
        .build()
        .expect("builds");
    let secret = app("secret")
        .tool(
            widget_tool("show_board", "ui://secret/board.html").handler(|_, _| async {
                ToolOutput::structured(
                    &json!({"items": [], "user": {"name": "Ada", "api_key": "sk-live-0123456789"}}),
                    "Ada's board.",
                )
            }),
        )
        .resource(template(
            "ui://secret/board.html",
            MCP_APP,
            GOOD_HTML,
            good_csp(),
        ))
        .build()
        .expect("builds");
    let mismatch = app("mismatch")
        .tool(
            ToolDef::builder("make_board")
                .description("Use this when the user wants a new board with n items.")
                .input_schema(json!({"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}))
                .output_schema(json!({"type": "object", "properties": {"items": {"type": "array"}}, "required": ["items"]}))
                .annotations(ToolAnnotations::new().read_only(false).destructive(false).open_world(false))
                .handler(|_, _| async {
                    ToolOutput::structured(&json!({"items": "three items"}), "made")
                }),
        )
        .build()
        .expect("builds");
    vec![
        clean(destructive_calls),
        missing,
        widget_app("wrongmime", "text/html", GOOD_HTML, good_csp()),
        unreadable,
        widget_app("nothtml", MCP_APP, "Your board goes here.", good_csp()),
        widget_app("cspmissing", MCP_APP, IMAGE_HTML, good_csp()),
        widget_app("cspwildcard", MCP_APP, GOOD_HTML, csp(&["*"], &[API])),
        oversize,
        secret,
        mismatch,
    ]
}

/// The fixture apps served on an ephemeral loopback port; stops when dropped.
pub struct Fixtures {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// How many times `delete_board` ran.
    pub destructive_calls: Arc<AtomicUsize>,
    shutdown: CancellationToken,
}

impl Fixtures {
    /// Builds and serves every fixture app.
    pub async fn start() -> Self {
        let destructive_calls = Arc::new(AtomicUsize::new(0));
        let config = Config {
            listen: "127.0.0.1:0".parse().unwrap(),
            ..Config::default()
        };
        let server = Server::new(config, apps(destructive_calls.clone())).expect("fixture server");
        let listener = server.bind().await.expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().unwrap();
        let shutdown = server.shutdown_token();
        tokio::spawn(server.serve(listener));
        Self {
            base: format!("http://{addr}"),
            destructive_calls,
            shutdown,
        }
    }

    /// The Streamable HTTP endpoint of an app.
    pub fn mcp(&self, app: &str) -> String {
        format!("{}/{app}/mcp", self.base)
    }

    /// The legacy SSE endpoint of an app.
    pub fn sse(&self, app: &str) -> String {
        format!("{}/{app}/sse", self.base)
    }
}

impl Drop for Fixtures {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
