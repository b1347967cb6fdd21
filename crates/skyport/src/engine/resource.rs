//! Resources and resource templates.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use rmcp::model::{MetaObject, Resource, ResourceContents, ResourceTemplate};

use super::context::RequestContext;
use super::tool::BoxFuture;
use super::uri_template::UriTemplate;
use crate::protocol::RpcError;

/// Variables matched from a resource template (`{id}` → value).
pub type TemplateVars = HashMap<String, String>;

/// What a resource read returns.
pub type ReadResult = Result<Vec<ResourceContents>, RpcError>;

/// Reads a resource (or a resource matched by a template).
pub trait ResourceReader: Send + Sync + 'static {
    /// Returns the contents of `uri`; `vars` holds template variables.
    fn read(
        &self,
        ctx: RequestContext,
        uri: String,
        vars: TemplateVars,
    ) -> BoxFuture<'static, ReadResult>;
}

struct FnReader<F>(F);

impl<F, Fut> ResourceReader for FnReader<F>
where
    F: Fn(RequestContext, String, TemplateVars) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ReadResult> + Send + 'static,
{
    fn read(
        &self,
        ctx: RequestContext,
        uri: String,
        vars: TemplateVars,
    ) -> BoxFuture<'static, ReadResult> {
        Box::pin((self.0)(ctx, uri, vars))
    }
}

struct StaticReader(Vec<ResourceContents>);

impl ResourceReader for StaticReader {
    fn read(
        &self,
        _: RequestContext,
        _: String,
        _: TemplateVars,
    ) -> BoxFuture<'static, ReadResult> {
        let contents = self.0.clone();
        Box::pin(async move { Ok(contents) })
    }
}

/// A concrete resource: listed in `resources/list`, read by its URI.
#[derive(Clone)]
pub struct ResourceDef {
    pub(crate) descriptor: Resource,
    pub(crate) reader: Arc<dyn ResourceReader>,
    /// Hidden resources are readable but not listed (e.g. old widget versions).
    pub(crate) listed: bool,
}

impl std::fmt::Debug for ResourceDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResourceDef")
            .field("uri", &self.descriptor.uri)
            .finish()
    }
}

impl ResourceDef {
    /// A text resource whose contents never change.
    pub fn text(uri: &str, name: &str, mime_type: &str, text: impl Into<String>) -> Self {
        let contents = ResourceContents::text(text, uri).with_mime_type(mime_type);
        Self::fixed(
            Resource::new(uri, name).with_mime_type(mime_type),
            vec![contents],
        )
    }

    /// A binary resource (base64 `blob`) whose contents never change.
    pub fn blob(uri: &str, name: &str, mime_type: &str, base64: impl Into<String>) -> Self {
        let contents = ResourceContents::blob(base64, uri).with_mime_type(mime_type);
        Self::fixed(
            Resource::new(uri, name).with_mime_type(mime_type),
            vec![contents],
        )
    }

    /// A resource with fixed contents and a full descriptor.
    pub fn fixed(descriptor: Resource, contents: Vec<ResourceContents>) -> Self {
        Self {
            descriptor,
            reader: Arc::new(StaticReader(contents)),
            listed: true,
        }
    }

    /// A resource read by a function on every request.
    pub fn dynamic<F, Fut>(descriptor: Resource, f: F) -> Self
    where
        F: Fn(RequestContext, String, TemplateVars) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ReadResult> + Send + 'static,
    {
        Self {
            descriptor,
            reader: Arc::new(FnReader(f)),
            listed: true,
        }
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.descriptor = self.descriptor.with_description(description);
        self
    }

    /// Sets the descriptor `_meta`.
    pub fn with_meta(mut self, meta: MetaObject) -> Self {
        self.descriptor = self.descriptor.with_meta(meta);
        self
    }

    /// Keeps the resource readable but out of `resources/list`.
    pub fn unlisted(mut self) -> Self {
        self.listed = false;
        self
    }

    /// The URI.
    pub fn uri(&self) -> &str {
        &self.descriptor.uri
    }
}

/// A resource template (RFC 6570): reads any URI that matches it.
#[derive(Clone)]
pub struct TemplateDef {
    pub(crate) descriptor: ResourceTemplate,
    pub(crate) matcher: UriTemplate,
    pub(crate) reader: Arc<dyn ResourceReader>,
    pub(crate) completer: Option<Arc<dyn super::prompt::Completer>>,
}

impl std::fmt::Debug for TemplateDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemplateDef")
            .field("uri_template", &self.descriptor.uri_template)
            .finish()
    }
}

impl TemplateDef {
    /// A template read by `f` with the matched variables.
    pub fn new<F, Fut>(uri_template: &str, name: &str, f: F) -> Result<Self, super::app::AppError>
    where
        F: Fn(RequestContext, String, TemplateVars) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ReadResult> + Send + 'static,
    {
        let matcher =
            UriTemplate::parse(uri_template).map_err(|why| super::app::AppError::BadTemplate {
                template: uri_template.to_owned(),
                why,
            })?;
        Ok(Self {
            descriptor: ResourceTemplate::new(uri_template, name),
            matcher,
            reader: Arc::new(FnReader(f)),
            completer: None,
        })
    }

    /// Sets the description.
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.descriptor = self.descriptor.with_description(description);
        self
    }

    /// Sets the MIME type of what it reads.
    pub fn with_mime_type(mut self, mime: impl Into<String>) -> Self {
        self.descriptor = self.descriptor.with_mime_type(mime);
        self
    }

    /// Completes template variables for `completion/complete`.
    pub fn with_completer(mut self, completer: impl super::prompt::Completer) -> Self {
        self.completer = Some(Arc::new(completer));
        self
    }
}
