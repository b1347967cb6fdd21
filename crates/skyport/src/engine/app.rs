//! An app: one MCP endpoint with its tools, resources, templates and prompts.
//!
//! Everything a request needs is prepared when the app is built: input
//! schemas are compiled, list pages are serialized once per era, names are
//! indexed. Mistakes fail here, at start-up, with a message naming the fix.

use std::collections::HashMap;
use std::sync::Arc;

use arc_swap::ArcSwap;
use rmcp::model::{
    CacheScope, Implementation, JsonObject, ListPromptsResult, ListResourceTemplatesResult,
    ListResourcesResult, ListToolsResult, MetaObject, PromptsCapability, ResourcesCapability,
    ServerCapabilities, ToolsCapability,
};
use serde::Serialize;
use serde_json::value::RawValue;

pub use super::app_error::AppError;
use super::notify::{Notifier, ServerEvent};
use super::prompt::PromptDef;
use super::resource::{ResourceDef, TemplateDef};
use super::tool::ToolDef;
use crate::protocol::meta::KEY_SERVER_INFO;
use crate::widgets::publish::{Published, publish};
use crate::widgets::{MCP_APPS_EXTENSION, MIME_MCP_APP, PublishedWidget, Widget, WidgetSettings};

/// A tool with its compiled input validator.
pub(crate) struct ToolEntry {
    pub(crate) def: ToolDef,
    pub(crate) validator: jsonschema::Validator,
    /// Metric handles, made on the first call (no per-call label lookup).
    pub(crate) metrics: std::sync::OnceLock<crate::observability::metrics::ToolMetrics>,
    /// Checks results for oversize or secret-bearing `structuredContent`.
    pub(crate) guard: Arc<crate::widgets::guard::ResultGuard>,
}

/// What the app author declared, kept so the catalog can be rebuilt
/// (new tools at run time, widget settings from the server config).
#[derive(Clone, Default)]
pub(crate) struct Declarations {
    pub(crate) tools: Vec<ToolDef>,
    pub(crate) resources: Vec<ResourceDef>,
    pub(crate) templates: Vec<TemplateDef>,
    pub(crate) prompts: Vec<PromptDef>,
    pub(crate) widgets: Vec<Arc<Widget>>,
}

/// The app's declarations, indexed and with list pages pre-serialized.
pub(crate) struct Catalog {
    pub(crate) declared: Declarations,
    pub(crate) widgets: Vec<PublishedWidget>,
    pub(crate) tools: Vec<ToolEntry>,
    pub(crate) tool_index: HashMap<String, usize>,
    pub(crate) resources: Vec<ResourceDef>,
    pub(crate) resource_index: HashMap<String, usize>,
    pub(crate) templates: Vec<TemplateDef>,
    pub(crate) prompts: Vec<PromptDef>,
    pub(crate) prompt_index: HashMap<String, usize>,
    /// Pre-serialized list results: `pages[list][era][page]`.
    pub(crate) pages: ListPages,
}

/// Serialized list pages for each list method, legacy and modern.
#[derive(Default)]
pub(crate) struct ListPages {
    pub(crate) tools: [Vec<Box<RawValue>>; 2],
    pub(crate) resources: [Vec<Box<RawValue>>; 2],
    pub(crate) templates: [Vec<Box<RawValue>>; 2],
    pub(crate) prompts: [Vec<Box<RawValue>>; 2],
}

/// An MCP app. Cheap to share (`Arc<App>`); the catalog can be swapped at
/// run time, which sends `list_changed` notifications.
pub struct App {
    name: String,
    info: Implementation,
    instructions: Option<String>,
    capabilities: ServerCapabilities,
    page_size: usize,
    pub(crate) catalog: ArcSwap<Catalog>,
    widget_settings: ArcSwap<WidgetSettings>,
    notifier: Notifier,
    http: Option<super::app_http::RoutesFn>,
    guarded_http: Option<super::app_http::RoutesFn>,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App").field("name", &self.name).finish()
    }
}

/// Declares an app.
#[derive(Debug)]
pub struct AppBuilder {
    name: String,
    info: Implementation,
    instructions: Option<String>,
    tools: Vec<ToolDef>,
    resources: Vec<ResourceDef>,
    templates: Vec<TemplateDef>,
    prompts: Vec<PromptDef>,
    widgets: Vec<Arc<Widget>>,
    extensions: Vec<(String, JsonObject)>,
    page_size: usize,
    http: Option<RoutesDebug>,
    guarded_http: Option<RoutesDebug>,
}

/// The routes builder, printed as a placeholder by `Debug`.
struct RoutesDebug(super::app_http::RoutesFn);

impl std::fmt::Debug for RoutesDebug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<http routes>")
    }
}

/// Default number of items per list page.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// How long (ms) 2026-era clients may cache list results of a static catalog.
const LIST_TTL_MS: u64 = 60_000;

impl App {
    /// Starts declaring an app called `name` (its endpoint is `/{name}/mcp`).
    pub fn builder(name: impl Into<String>) -> AppBuilder {
        let name = name.into();
        AppBuilder {
            info: Implementation::new(format!("skyport-{name}"), env!("CARGO_PKG_VERSION")),
            name,
            instructions: None,
            tools: Vec::new(),
            resources: Vec::new(),
            templates: Vec::new(),
            prompts: Vec::new(),
            widgets: Vec::new(),
            extensions: Vec::new(),
            page_size: DEFAULT_PAGE_SIZE,
            http: None,
            guarded_http: None,
        }
    }

    /// The app's own HTTP routes, built for `ctx` (`None` when it declared none).
    pub fn http_routes(&self, ctx: &super::app_http::HttpContext) -> Option<axum::Router> {
        self.http.as_ref().map(|f| f(ctx))
    }

    /// The app's HTTP routes that sit behind its MCP endpoint's checks
    /// (`None` when it declared none); see [`AppBuilder::guarded_http`].
    pub fn guarded_http_routes(&self, ctx: &super::app_http::HttpContext) -> Option<axum::Router> {
        self.guarded_http.as_ref().map(|f| f(ctx))
    }

    /// The app's name (its path segment).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// `serverInfo`.
    pub fn info(&self) -> &Implementation {
        &self.info
    }

    /// Instructions for the model, sent at `initialize` and `server/discover`.
    pub fn instructions(&self) -> Option<&str> {
        self.instructions.as_deref()
    }

    /// The capabilities derived from what the app declares.
    pub fn capabilities(&self) -> &ServerCapabilities {
        &self.capabilities
    }

    /// Raises notifications (list changes, resource updates) to every open stream.
    pub fn notifier(&self) -> &Notifier {
        &self.notifier
    }

    /// Names of the tools, in listing order.
    pub fn tool_names(&self) -> Vec<String> {
        self.catalog
            .load()
            .tools
            .iter()
            .map(|t| t.def.name().to_owned())
            .collect()
    }

    /// Replaces the tools at run time and notifies clients (`tools/list_changed`).
    pub fn replace_tools(&self, tools: Vec<ToolDef>) -> Result<(), AppError> {
        let mut declared = self.catalog.load().declared.clone();
        declared.tools = tools;
        self.rebuild(declared, &self.widget_settings.load())?;
        self.notifier.send(ServerEvent::ToolsListChanged);
        Ok(())
    }

    /// Re-publishes the widgets with the server's settings (CDN base URL,
    /// version archive). Called once at start-up by the server.
    pub fn publish_widgets(&self, settings: WidgetSettings) -> Result<(), AppError> {
        let declared = self.catalog.load().declared.clone();
        self.rebuild(declared, &settings)?;
        self.widget_settings.store(Arc::new(settings));
        Ok(())
    }

    fn rebuild(&self, declared: Declarations, settings: &WidgetSettings) -> Result<(), AppError> {
        let catalog = build_catalog(&self.name, &self.info, self.page_size, declared, settings)?;
        self.catalog.store(Arc::new(catalog));
        Ok(())
    }

    /// The published widgets.
    pub fn widgets(&self) -> Vec<PublishedWidget> {
        self.catalog.load().widgets.clone()
    }

    /// The published widget called `name`.
    pub fn widget(&self, name: &str) -> Option<PublishedWidget> {
        self.catalog
            .load()
            .widgets
            .iter()
            .find(|w| w.name() == name)
            .cloned()
    }

    /// The widget the tool `tool` renders, if any.
    pub fn tool_widget(&self, tool: &str) -> Option<PublishedWidget> {
        let catalog = self.catalog.load();
        let &i = catalog.tool_index.get(tool)?;
        let name = catalog.tools[i].def.ui.widget.as_deref()?;
        catalog.widgets.iter().find(|w| w.name() == name).cloned()
    }

    /// A tool's widget, visibility, security and status texts.
    pub fn tool_ui(&self, tool: &str) -> Option<super::tool::ToolUi> {
        let catalog = self.catalog.load();
        let &i = catalog.tool_index.get(tool)?;
        Some(catalog.tools[i].def.ui.clone())
    }

    /// Every tool's descriptor as listed (with its published `_meta`).
    pub fn tool_descriptors(&self) -> Vec<rmcp::model::Tool> {
        self.catalog
            .load()
            .tools
            .iter()
            .map(|t| t.def.descriptor.clone())
            .collect()
    }
}

impl AppBuilder {
    /// Sets the `serverInfo` title and version shown by hosts.
    pub fn info(mut self, info: Implementation) -> Self {
        self.info = info;
        self
    }

    /// Instructions that tell the model how to use this app.
    pub fn instructions(mut self, text: impl Into<String>) -> Self {
        self.instructions = Some(text.into());
        self
    }

    /// Adds a tool.
    pub fn tool(mut self, tool: ToolDef) -> Self {
        self.tools.push(tool);
        self
    }

    /// Adds a resource.
    pub fn resource(mut self, resource: ResourceDef) -> Self {
        self.resources.push(resource);
        self
    }

    /// Adds a resource template.
    pub fn template(mut self, template: TemplateDef) -> Self {
        self.templates.push(template);
        self
    }

    /// Adds a prompt.
    pub fn prompt(mut self, prompt: PromptDef) -> Self {
        self.prompts.push(prompt);
        self
    }

    /// Adds a widget; tools render it with `ToolDef::builder(..).widget(name)`.
    pub fn widget(mut self, widget: Widget) -> Self {
        self.widgets.push(Arc::new(widget));
        self
    }

    /// Declares a protocol extension in the capabilities (e.g. MCP Apps).
    pub fn extension(mut self, id: impl Into<String>, settings: JsonObject) -> Self {
        self.extensions.push((id.into(), settings));
        self
    }

    /// Adds the app's own HTTP routes (plain JSON APIs its widgets call).
    /// `routes` runs when the server builds its router; paths are relative
    /// to the app (`/api/authenticate` is served at `/{app}/api/authenticate`,
    /// and at `/api/authenticate` when the app is the default one).
    pub fn http(
        mut self,
        routes: impl Fn(&super::app_http::HttpContext) -> axum::Router + Send + Sync + 'static,
    ) -> Self {
        self.http = Some(RoutesDebug(Arc::new(routes)));
        self
    }

    /// Adds HTTP routes that pass the same checks as the app's MCP endpoint:
    /// an API key when the app is in `auth.require_api_key`, an OAuth token
    /// when it is in `auth.oauth.require`, and a valid key or token (when
    /// sent) becomes an `Arc<Principal>` request extension. For data APIs,
    /// such as the backlog's read-only viewer API; paths as in [`Self::http`].
    pub fn guarded_http(
        mut self,
        routes: impl Fn(&super::app_http::HttpContext) -> axum::Router + Send + Sync + 'static,
    ) -> Self {
        self.guarded_http = Some(RoutesDebug(Arc::new(routes)));
        self
    }

    /// Items per list page (default 100).
    pub fn page_size(mut self, n: usize) -> Self {
        self.page_size = n.max(1);
        self
    }

    /// Validates and prepares the app.
    pub fn build(self) -> Result<App, AppError> {
        let valid_name = !self.name.is_empty()
            && self.name.len() <= 64
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !valid_name {
            return Err(AppError::BadAppName(self.name));
        }
        let mut caps = ServerCapabilities::default();
        let mut tools = ToolsCapability::default();
        tools.list_changed = Some(true);
        let mut resources = ResourcesCapability::default();
        resources.subscribe = Some(true);
        resources.list_changed = Some(true);
        let mut prompts = PromptsCapability::default();
        prompts.list_changed = Some(true);
        caps.tools = Some(tools);
        caps.resources = Some(resources);
        caps.prompts = Some(prompts);
        caps.logging = Some(JsonObject::new());
        caps.completions = Some(JsonObject::new());
        let mut extensions = self.extensions;
        if !self.widgets.is_empty() && !extensions.iter().any(|(id, _)| id == MCP_APPS_EXTENSION) {
            let mut settings = JsonObject::new();
            settings.insert("mimeTypes".into(), serde_json::json!([MIME_MCP_APP]));
            extensions.push((MCP_APPS_EXTENSION.into(), settings));
        }
        if !extensions.is_empty() {
            caps.extensions = Some(extensions.into_iter().collect());
        }
        let declared = Declarations {
            tools: self.tools,
            resources: self.resources,
            templates: self.templates,
            prompts: self.prompts,
            widgets: self.widgets,
        };
        let settings = WidgetSettings::default();
        let catalog = build_catalog(&self.name, &self.info, self.page_size, declared, &settings)?;
        Ok(App {
            name: self.name,
            info: self.info,
            instructions: self.instructions,
            capabilities: caps,
            page_size: self.page_size,
            catalog: ArcSwap::from_pointee(catalog),
            widget_settings: ArcSwap::from_pointee(settings),
            notifier: Notifier::new(),
            http: self.http.map(|r| r.0),
            guarded_http: self.guarded_http.map(|r| r.0),
        })
    }
}

fn valid_tool_name(name: &str) -> bool {
    (1..=128).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

fn compile(
    app: &str,
    name: &str,
    which: &'static str,
    schema: &JsonObject,
) -> Result<jsonschema::Validator, AppError> {
    jsonschema::options()
        .should_validate_formats(true)
        .build(&serde_json::Value::Object(schema.clone()))
        .map_err(|e| AppError::BadSchema {
            app: app.to_owned(),
            name: name.to_owned(),
            which,
            why: e.to_string(),
        })
}

fn build_catalog(
    app: &str,
    info: &Implementation,
    page_size: usize,
    declared: Declarations,
    settings: &WidgetSettings,
) -> Result<Catalog, AppError> {
    let mut tools = declared.tools.clone();
    let Published {
        widgets,
        resources: widget_resources,
    } = publish(app, &declared.widgets, &mut tools, settings)?;
    let mut resources = declared.resources.clone();
    resources.extend(widget_resources);
    let templates = declared.templates.clone();
    let prompts = declared.prompts.clone();
    let mut tool_index = HashMap::new();
    let mut entries = Vec::with_capacity(tools.len());
    for def in tools {
        let name = def.name().to_owned();
        if !valid_tool_name(&name) {
            return Err(AppError::BadToolName {
                app: app.into(),
                name,
            });
        }
        if def
            .descriptor
            .description
            .as_deref()
            .is_none_or(str::is_empty)
        {
            return Err(AppError::MissingDescription {
                app: app.into(),
                name,
            });
        }
        let validator = compile(app, &name, "input", &def.descriptor.input_schema)?;
        if let Some(out) = &def.descriptor.output_schema {
            compile(app, &name, "output", out)?;
        }
        if tool_index.insert(name.clone(), entries.len()).is_some() {
            return Err(AppError::DuplicateTool {
                app: app.into(),
                name,
            });
        }
        entries.push(ToolEntry {
            def,
            validator,
            metrics: std::sync::OnceLock::new(),
            guard: Arc::new(crate::widgets::guard::ResultGuard::new(name.clone())),
        });
    }
    let mut resource_index = HashMap::new();
    for (i, r) in resources.iter().enumerate() {
        if resource_index.insert(r.uri().to_owned(), i).is_some() {
            return Err(AppError::DuplicateResource {
                app: app.into(),
                uri: r.uri().into(),
            });
        }
    }
    let mut prompt_index = HashMap::new();
    for (i, p) in prompts.iter().enumerate() {
        if prompt_index.insert(p.descriptor.name.clone(), i).is_some() {
            return Err(AppError::DuplicatePrompt {
                app: app.into(),
                name: p.descriptor.name.clone(),
            });
        }
    }

    let mut pages = ListPages::default();
    let server_meta = server_info_meta(info);
    for (era, modern) in [(0usize, false), (1, true)] {
        let tool_items: Vec<_> = entries.iter().map(|t| t.def.descriptor.clone()).collect();
        pages.tools[era] = paginate_with(
            &tool_items,
            page_size,
            modern,
            &server_meta,
            |items, next| {
                let mut r = ListToolsResult::with_all_items(items);
                r.next_cursor = next;
                r
            },
            mirror_security_schemes,
        );
        let listed: Vec<_> = resources
            .iter()
            .filter(|r| r.listed)
            .map(|r| r.descriptor.clone())
            .collect();
        pages.resources[era] = paginate(&listed, page_size, modern, &server_meta, |items, next| {
            let mut r = ListResourcesResult::with_all_items(items);
            r.next_cursor = next;
            r
        });
        let tpl: Vec<_> = templates.iter().map(|t| t.descriptor.clone()).collect();
        pages.templates[era] = paginate(&tpl, page_size, modern, &server_meta, |items, next| {
            let mut r = ListResourceTemplatesResult::with_all_items(items);
            r.next_cursor = next;
            r
        });
        let pr: Vec<_> = prompts.iter().map(|p| p.descriptor.clone()).collect();
        pages.prompts[era] = paginate(&pr, page_size, modern, &server_meta, |items, next| {
            let mut r = ListPromptsResult::with_all_items(items);
            r.next_cursor = next;
            r
        });
    }
    Ok(Catalog {
        declared,
        widgets,
        tools: entries,
        tool_index,
        resources,
        resource_index,
        templates,
        prompts,
        prompt_index,
        pages,
    })
}

/// `_meta: {"io.modelcontextprotocol/serverInfo": ...}` for 2026-era results.
pub(crate) fn server_info_meta(info: &Implementation) -> MetaObject {
    let mut meta = MetaObject::new();
    meta.insert(
        KEY_SERVER_INFO.into(),
        serde_json::to_value(info).unwrap_or_default(),
    );
    meta
}

/// The list results rmcp models share: items, cursor, and the 2026 cache fields.
trait ListResult: Serialize {
    fn set_era_fields(&mut self, modern: bool, meta: &MetaObject);
}

macro_rules! list_result {
    ($t:ty) => {
        impl ListResult for $t {
            fn set_era_fields(&mut self, modern: bool, meta: &MetaObject) {
                if modern {
                    self.ttl_ms = Some(LIST_TTL_MS);
                    self.cache_scope = Some(CacheScope::Public);
                    self.meta = Some(meta.clone());
                } else {
                    self.result_type = None;
                }
            }
        }
    };
}
list_result!(ListToolsResult);
list_result!(ListResourcesResult);
list_result!(ListResourceTemplatesResult);
list_result!(ListPromptsResult);

fn paginate<T: Clone, R: ListResult>(
    items: &[T],
    page_size: usize,
    modern: bool,
    meta: &MetaObject,
    make: impl Fn(Vec<T>, Option<String>) -> R,
) -> Vec<Box<RawValue>> {
    paginate_with(items, page_size, modern, meta, make, |_| {})
}

/// The top-level `securitySchemes` of each tool, copied from its `_meta`
/// (protocols.md §5.6: the Apps SDK reads the field; rmcp's `Tool` has no
/// place for it, so it is added to the serialized page).
fn mirror_security_schemes(page: &mut serde_json::Value) {
    let Some(tools) = page
        .get_mut("tools")
        .and_then(serde_json::Value::as_array_mut)
    else {
        return;
    };
    for tool in tools {
        if let Some(schemes) = tool.pointer("/_meta/securitySchemes").cloned()
            && let Some(obj) = tool.as_object_mut()
        {
            obj.insert("securitySchemes".into(), schemes);
        }
    }
}

/// Like [`paginate`], with `finish` applied to each serialized page.
fn paginate_with<T: Clone, R: ListResult>(
    items: &[T],
    page_size: usize,
    modern: bool,
    meta: &MetaObject,
    make: impl Fn(Vec<T>, Option<String>) -> R,
    finish: impl Fn(&mut serde_json::Value),
) -> Vec<Box<RawValue>> {
    let chunks: Vec<&[T]> = if items.is_empty() {
        vec![&[]]
    } else {
        items.chunks(page_size).collect()
    };
    let n = chunks.len();
    chunks
        .into_iter()
        .enumerate()
        .map(|(i, chunk)| {
            let next = (i + 1 < n).then(|| super::pagination::encode_cursor(i + 1));
            let mut result = make(chunk.to_vec(), next);
            result.set_era_fields(modern, meta);
            let mut value = serde_json::to_value(&result).expect("list results serialize");
            finish(&mut value);
            serde_json::value::to_raw_value(&value).expect("list results serialize")
        })
        .collect()
}
