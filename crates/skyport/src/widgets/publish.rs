//! Publishing widgets to both host families from one declaration
//! (protocols.md §8): the versioned template resources (MCP Apps
//! `text/html;profile=mcp-app` and the ChatGPT `text/html+skybridge` twin),
//! their CSP/border/description meta, and each tool's `_meta` (MCP Apps
//! `ui.*` plus the `openai/*` mirrors).

use std::collections::HashMap;
use std::sync::Arc;

use rmcp::model::{MetaObject, Resource, ResourceContents};
use serde_json::{Value, json};

use super::WidgetError;
use super::archive::WidgetArchive;
use super::declare::{Csp, Widget};
use super::document::{SplitAssets, content_hash, inline_document, split_document};
use crate::engine::{AppError, ResourceDef, ToolDef, Visibility};

/// MCP Apps template mime type.
pub const MIME_MCP_APP: &str = "text/html;profile=mcp-app";
/// ChatGPT's legacy template mime type.
pub const MIME_SKYBRIDGE: &str = "text/html+skybridge";
/// The MCP Apps extension id advertised in capabilities.
pub const MCP_APPS_EXTENSION: &str = "io.modelcontextprotocol/ui";
/// Longest `openai/toolInvocation/*` text ChatGPT shows.
pub const MAX_INVOCATION_TEXT: usize = 64;

/// How widgets are published (the `[widgets]` config section).
#[derive(Debug, Clone, Default)]
pub struct WidgetSettings {
    /// Split deployment: templates load their assets from here (no trailing slash).
    pub base_url: Option<String>,
    /// Where earlier versions are kept; `None` keeps none.
    pub archive: Option<WidgetArchive>,
    /// This server's public origin, added to the connect list of widgets
    /// declared with `Csp::connect_server`.
    pub server_origin: Option<String>,
}

/// A widget as published: its versioned URIs and documents.
#[derive(Debug, Clone)]
pub struct PublishedWidget {
    /// The declaration.
    pub widget: Arc<Widget>,
    /// Content hash of the template (the URI's version tag).
    pub hash: String,
    /// The MCP Apps template URI.
    pub uri: String,
    /// The ChatGPT (`text/html+skybridge`) template URI.
    pub skybridge_uri: String,
    /// The template HTML hosts read (split or inline).
    pub template_html: Arc<str>,
    /// The self-contained page served at `/{app}/widgets/{name}`.
    pub page_html: Arc<str>,
    /// The tool a standalone page calls by default: the first that renders it.
    pub tool: Option<String>,
    /// The CSP in force (declared origins plus the asset base URL).
    pub csp: Csp,
    /// Files of the split deployment (`skyport export-widgets`).
    pub assets: SplitAssets,
    /// Earlier versions still readable.
    pub archived: Vec<String>,
}

impl PublishedWidget {
    /// The widget's name.
    pub fn name(&self) -> &str {
        &self.widget.name
    }

    /// The `Content-Security-Policy` header for the standalone page: the
    /// MCP Apps default (protocols.md §7.2) with the declared origins, plus
    /// `connect-src 'self'` so the page can call the server's HTTP API.
    pub fn page_csp_header(&self) -> String {
        let join = |base: &str, extra: &[String]| {
            let mut s = base.to_owned();
            for o in extra {
                s.push(' ');
                s.push_str(o);
            }
            s
        };
        let r = &self.csp.resource;
        let frame = if self.csp.frame.is_empty() {
            "frame-src 'none'".to_owned()
        } else {
            join("frame-src", &self.csp.frame)
        };
        [
            "default-src 'none'".to_owned(),
            join("script-src 'self' 'unsafe-inline'", r),
            join("style-src 'self' 'unsafe-inline'", r),
            join("img-src 'self' data:", r),
            join("font-src 'self'", r),
            join("media-src 'self' data:", r),
            join("connect-src 'self'", &self.csp.connect),
            frame,
            join("base-uri 'self'", &self.csp.base_uri),
            "object-src 'none'".to_owned(),
        ]
        .join("; ")
    }
}

/// Everything publishing adds to an app's catalog.
pub(crate) struct Published {
    pub(crate) widgets: Vec<PublishedWidget>,
    pub(crate) resources: Vec<ResourceDef>,
}

/// Validates the widgets, links each tool to its widget, writes every tool's
/// `_meta`, and makes the template resources.
pub(crate) fn publish(
    app: &str,
    widgets: &[Arc<Widget>],
    tools: &mut [ToolDef],
    settings: &WidgetSettings,
) -> Result<Published, AppError> {
    let mut by_name: HashMap<&str, usize> = HashMap::new();
    for (i, w) in widgets.iter().enumerate() {
        w.validate(app)?;
        if by_name.insert(&w.name, i).is_some() {
            return Err(AppError::Widget(WidgetError {
                app: app.into(),
                widget: w.name.clone(),
                why: "two widgets have this name; widget names must be unique within an app".into(),
            }));
        }
    }
    let mut first_tool: Vec<Option<String>> = vec![None; widgets.len()];
    for tool in tools.iter() {
        check_invocation_texts(app, tool)?;
        if let Some(name) = &tool.ui.widget {
            let Some(&i) = by_name.get(name.as_str()) else {
                let mut known: Vec<&str> = by_name.keys().copied().collect();
                known.sort_unstable();
                return Err(AppError::UnknownWidget {
                    app: app.into(),
                    tool: tool.name().into(),
                    widget: name.clone(),
                    available: if known.is_empty() {
                        "none: declare one with AppBuilder::widget(Widget::new(..))".into()
                    } else {
                        known.join(", ")
                    },
                });
            };
            first_tool[i].get_or_insert_with(|| tool.name().to_owned());
        }
    }

    let mut published = Vec::with_capacity(widgets.len());
    let mut resources = Vec::new();
    for (w, tool) in widgets.iter().zip(first_tool) {
        let p = publish_one(app, w, tool, settings);
        let meta = resource_meta(w, &p.csp);
        resources.extend(template_resources(
            app,
            &p,
            &p.hash,
            &p.template_html,
            &meta,
            true,
        ));
        let mut archived = Vec::new();
        if let Some(archive) = &settings.archive {
            let meta_json = Value::Object(meta.0.clone());
            match archive.sync(app, &w.name, &p.hash, &p.template_html, &meta_json) {
                Ok(versions) => {
                    for v in versions {
                        // An old version keeps the meta it was published with:
                        // its CSP may name origins (a CDN) the current one dropped.
                        let old_meta = match v.meta {
                            Some(Value::Object(m)) => MetaObject(m),
                            _ => meta.clone(),
                        };
                        resources.extend(template_resources(
                            app, &p, &v.hash, &v.html, &old_meta, false,
                        ));
                        archived.push(v.hash);
                    }
                }
                Err(e) => tracing::warn!(
                    app,
                    widget = %w.name,
                    error = %e,
                    "the widget archive is not writable; earlier widget versions will not be served (check data_dir)"
                ),
            }
        }
        published.push(PublishedWidget { archived, ..p });
    }
    for tool in tools.iter_mut() {
        let widget = tool
            .ui
            .widget
            .as_deref()
            .and_then(|n| published.iter().find(|p| p.name() == n));
        let meta = tool_meta(tool, widget);
        let target = tool.descriptor.meta.get_or_insert_with(MetaObject::new);
        for (k, v) in meta.0 {
            // An explicit `.meta(key, ..)` on the tool wins over the derived value.
            target.entry(k).or_insert(v);
        }
    }
    Ok(Published {
        widgets: published,
        resources,
    })
}

fn check_invocation_texts(app: &str, tool: &ToolDef) -> Result<(), AppError> {
    for (which, text) in [
        ("invoking", &tool.ui.invoking),
        ("invoked", &tool.ui.invoked),
    ] {
        if let Some(t) = text
            && t.chars().count() > MAX_INVOCATION_TEXT
        {
            return Err(AppError::BadInvocationText {
                app: app.into(),
                tool: tool.name().into(),
                which,
            });
        }
    }
    Ok(())
}

fn publish_one(
    app: &str,
    w: &Arc<Widget>,
    tool: Option<String>,
    settings: &WidgetSettings,
) -> PublishedWidget {
    let assets = SplitAssets::of(app, w);
    let page_html: Arc<str> = inline_document(app, w, tool.as_deref()).into();
    let mut csp = w.csp.clone();
    if csp.server
        && let Some(origin) = &settings.server_origin
        && !csp.connect.contains(origin)
    {
        csp.connect.push(origin.clone());
    }
    if csp.server_resources
        && let Some(origin) = &settings.server_origin
        && !csp.resource.contains(origin)
    {
        csp.resource.push(origin.clone());
    }
    let template_html = match &settings.base_url {
        Some(base) => {
            let origin = origin_of(base);
            if !csp.resource.contains(&origin) {
                csp.resource.push(origin);
            }
            split_document(app, w, tool.as_deref(), base, &assets).into()
        }
        None => page_html.clone(),
    };
    let hash = content_hash(template_html.as_bytes());
    PublishedWidget {
        uri: format!("ui://{app}/{}.{hash}.html", w.name),
        skybridge_uri: format!("ui://{app}/{}.{hash}.skybridge.html", w.name),
        widget: w.clone(),
        hash,
        template_html,
        page_html,
        tool,
        csp,
        assets,
        archived: Vec::new(),
    }
}

/// `https://cdn.example.com/widgets` → `https://cdn.example.com`.
pub fn origin_of(url: &str) -> String {
    match url.split_once("://") {
        Some((scheme, rest)) => {
            let host = rest.split(['/', '?', '#']).next().unwrap_or(rest);
            format!("{scheme}://{host}")
        }
        None => url.to_owned(),
    }
}

/// The two template resources (MCP Apps and ChatGPT) of one version.
fn template_resources(
    app: &str,
    p: &PublishedWidget,
    hash: &str,
    html: &str,
    meta: &MetaObject,
    listed: bool,
) -> [ResourceDef; 2] {
    let w = &p.widget;
    let title = w.title.clone().unwrap_or_else(|| w.name.clone());
    let description = w.description.clone().unwrap_or_default();
    let make = |uri: String, mime: &str| {
        let descriptor = Resource::new(&uri, format!("{}-widget", w.name))
            .with_title(title.clone())
            .with_description(description.clone())
            .with_mime_type(mime)
            .with_meta(meta.clone());
        let contents = ResourceContents::text(html, &uri)
            .with_mime_type(mime)
            .with_meta(meta.clone());
        let def = ResourceDef::fixed(descriptor, vec![contents]);
        if listed { def } else { def.unlisted() }
    };
    let name = &w.name;
    [
        make(format!("ui://{app}/{name}.{hash}.html"), MIME_MCP_APP),
        make(
            format!("ui://{app}/{name}.{hash}.skybridge.html"),
            MIME_SKYBRIDGE,
        ),
    ]
}

/// Resource `_meta` in both dialects.
fn resource_meta(w: &Widget, csp: &Csp) -> MetaObject {
    let mut ui_csp = json!({
        "connectDomains": csp.connect,
        "resourceDomains": csp.resource,
    });
    if !csp.frame.is_empty() {
        ui_csp["frameDomains"] = json!(csp.frame);
    }
    if !csp.base_uri.is_empty() {
        ui_csp["baseUriDomains"] = json!(csp.base_uri);
    }
    // `ui.domain` is host-specific (Claude derives its own); only ChatGPT's
    // `openai/widgetDomain` takes a declared value.
    let ui = json!({"csp": ui_csp, "prefersBorder": w.prefers_border});
    let mut meta = MetaObject::new();
    meta.insert("ui".into(), ui);
    let mut openai_csp = json!({
        "connect_domains": csp.connect,
        "resource_domains": csp.resource,
    });
    if !csp.frame.is_empty() {
        openai_csp["frame_domains"] = json!(csp.frame);
    }
    if !csp.redirect.is_empty() {
        openai_csp["redirect_domains"] = json!(csp.redirect);
    }
    meta.insert("openai/widgetCSP".into(), openai_csp);
    meta.insert("openai/widgetPrefersBorder".into(), w.prefers_border.into());
    if let Some(d) = &w.description {
        meta.insert("openai/widgetDescription".into(), d.clone().into());
    }
    if let Some(d) = &w.domain {
        meta.insert("openai/widgetDomain".into(), d.clone().into());
    }
    meta
}

/// A tool's `_meta` in both dialects.
fn tool_meta(tool: &ToolDef, widget: Option<&PublishedWidget>) -> MetaObject {
    let ui = &tool.ui;
    let mut meta = MetaObject::new();
    // A plain data tool (no widget, default visibility) gets no UI keys:
    // hosts read them only from tools that render or are called by widgets.
    let presents = widget.is_some() || ui.visibility != Visibility::default();
    if presents {
        presentation_meta(&mut meta, ui.visibility, widget);
    }
    if let Some(t) = &ui.invoking {
        meta.insert("openai/toolInvocation/invoking".into(), t.clone().into());
    }
    if let Some(t) = &ui.invoked {
        meta.insert("openai/toolInvocation/invoked".into(), t.clone().into());
    }
    if let Some(schemes) = ui.security.schemes() {
        meta.insert("securitySchemes".into(), schemes);
    }
    meta
}

/// The widget link and visibility keys, in both dialects.
fn presentation_meta(
    meta: &mut MetaObject,
    visibility: Visibility,
    widget: Option<&PublishedWidget>,
) {
    let mut ui_meta = json!({ "visibility": visibility.as_list() });
    if let Some(w) = widget {
        ui_meta["resourceUri"] = Value::String(w.uri.clone());
        meta.insert("ui/resourceUri".into(), w.uri.clone().into());
        meta.insert(
            "openai/outputTemplate".into(),
            w.skybridge_uri.clone().into(),
        );
    }
    meta.insert("ui".into(), ui_meta);
    meta.insert(
        "openai/widgetAccessible".into(),
        visibility.app_can_call().into(),
    );
    let public = if visibility.model_can_see() {
        "public"
    } else {
        "private"
    };
    meta.insert("openai/visibility".into(), public.into());
}

#[cfg(test)]
#[path = "publish_tests.rs"]
mod tests;
