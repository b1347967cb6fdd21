//! Tools: their declaration, handlers and results.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use rmcp::model::{ContentBlock, Icon, JsonObject, MetaObject, Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use serde_json::value::RawValue;

use super::context::RequestContext;
use crate::protocol::RpcError;

/// A boxed, sendable future, the shape every handler returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// What a tool handler returns.
pub type ToolResult = Result<ToolOutput, ToolError>;

/// Handles calls to one tool.
pub trait ToolHandler: Send + Sync + 'static {
    /// Runs the tool. `args` has already been validated against the input schema.
    fn call(&self, ctx: RequestContext, args: JsonObject) -> BoxFuture<'static, ToolResult>;
}

struct FnHandler<F>(F);

impl<F, Fut> ToolHandler for FnHandler<F>
where
    F: Fn(RequestContext, JsonObject) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ToolResult> + Send + 'static,
{
    fn call(&self, ctx: RequestContext, args: JsonObject) -> BoxFuture<'static, ToolResult> {
        Box::pin((self.0)(ctx, args))
    }
}

/// The result of a successful tool run.
///
/// `structured` is kept as pre-serialized JSON so a tool's typed output is
/// serialized once, straight into the response, without a `Value` tree.
#[derive(Debug, Clone, Default)]
pub struct ToolOutput {
    /// Content blocks for the model (and the host UI).
    pub content: Vec<ContentBlock>,
    /// `structuredContent`: what the model and the widget both see.
    pub structured: Option<Box<RawValue>>,
    /// `isError`: a business or validation failure the model can correct.
    pub is_error: bool,
    /// `_meta`: widget-only data (never shown to the model by ChatGPT).
    pub meta: Option<MetaObject>,
}

impl ToolOutput {
    /// A plain text result.
    pub fn text(text: impl Into<String>) -> Self {
        Self {
            content: vec![ContentBlock::text(text)],
            ..Self::default()
        }
    }

    /// A result from content blocks.
    pub fn content(content: Vec<ContentBlock>) -> Self {
        Self {
            content,
            ..Self::default()
        }
    }

    /// Structured content plus the text the model reads.
    pub fn structured<T: Serialize + ?Sized>(
        value: &T,
        text: impl Into<String>,
    ) -> Result<Self, ToolError> {
        let raw = serde_json::value::to_raw_value(value).map_err(|e| {
            ToolError::Internal(format!("the tool output could not be serialized: {e}"))
        })?;
        Ok(Self {
            content: vec![ContentBlock::text(text)],
            structured: Some(raw),
            ..Self::default()
        })
    }

    /// An `isError` result with a message that tells the model what to do.
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            content: vec![ContentBlock::text(message)],
            is_error: true,
            ..Self::default()
        }
    }

    /// Adds widget-only `_meta`.
    pub fn with_meta(mut self, meta: MetaObject) -> Self {
        self.meta = Some(meta);
        self
    }

    /// Appends a content block.
    pub fn with_content(mut self, block: ContentBlock) -> Self {
        self.content.push(block);
        self
    }
}

/// Why a tool did not produce a normal result.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ToolError {
    /// The arguments are wrong; becomes an `isError` result naming the field.
    #[error("Invalid arguments: {0}")]
    InvalidArguments(String),
    /// A business failure (not found, not allowed, ...); becomes an `isError` result.
    #[error("{0}")]
    Failed(String),
    /// 2026-07-28: the tool needs input from the client first (MRTR).
    #[error("input required")]
    InputRequired(Box<super::context::InputRequired>),
    /// A protocol-level failure; becomes a JSON-RPC error.
    #[error("{0}")]
    Rpc(RpcError),
    /// The request was cancelled; no response is sent.
    #[error("cancelled")]
    Cancelled,
    /// A server fault. The message is logged; the client sees a generic text.
    #[error("internal error: {0}")]
    Internal(String),
}

impl From<skyport_store::StoreError> for ToolError {
    /// Missing records, conflicts and bad input are the caller's to fix and
    /// become `isError` results; backend faults are internal errors.
    fn from(e: skyport_store::StoreError) -> Self {
        use skyport_store::StoreError as E;
        match e {
            E::NotFound { .. } | E::Conflict { .. } => ToolError::Failed(e.to_string()),
            E::Invalid { .. } => ToolError::InvalidArguments(e.to_string()),
            other => ToolError::Internal(other.to_string()),
        }
    }
}

/// Who may call a tool: the model, the widget (app), or both.
///
/// Published as MCP Apps `_meta.ui.visibility` and its ChatGPT mirrors
/// (`openai/visibility`, `openai/widgetAccessible`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Visibility {
    /// The model sees it and widgets may call it (the default).
    #[default]
    ModelAndApp,
    /// Only the model: widgets may not call it.
    Model,
    /// Only widgets: hidden from the model (an app-only helper).
    App,
}

impl Visibility {
    /// The MCP Apps `ui.visibility` list.
    pub fn as_list(self) -> &'static [&'static str] {
        match self {
            Visibility::ModelAndApp => &["model", "app"],
            Visibility::Model => &["model"],
            Visibility::App => &["app"],
        }
    }

    /// True when widgets may call the tool.
    pub fn app_can_call(self) -> bool {
        self != Visibility::Model
    }

    /// True when the model sees the tool.
    pub fn model_can_see(self) -> bool {
        self != Visibility::App
    }
}

/// What a caller must prove to run a tool (published as `securitySchemes`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Security {
    /// Not declared: the server's default applies.
    #[default]
    ServerDefault,
    /// Anyone may call it.
    Anonymous,
    /// A signed-in user with these OAuth scopes.
    OAuth {
        /// Scopes the token must carry.
        scopes: Vec<String>,
    },
    /// Anyone may call it; signing in (with these scopes) unlocks more. A
    /// caller who presents a token or key must hold the scopes (else the
    /// same `insufficient_scope` result as `OAuth`).
    AnonymousOrOAuth {
        /// Scopes that unlock the signed-in behaviour.
        scopes: Vec<String>,
    },
}

impl Security {
    /// The scopes it names (empty for anonymous and the server default).
    pub fn scopes(&self) -> &[String] {
        match self {
            Security::OAuth { scopes } | Security::AnonymousOrOAuth { scopes } => scopes,
            _ => &[],
        }
    }

    /// True when the tool can use an OAuth token.
    pub fn accepts_oauth(&self) -> bool {
        matches!(
            self,
            Security::OAuth { .. } | Security::AnonymousOrOAuth { .. }
        )
    }

    /// The `securitySchemes` array, or `None` for the server default.
    pub fn schemes(&self) -> Option<Value> {
        use serde_json::json;
        match self {
            Security::ServerDefault => None,
            Security::Anonymous => Some(json!([{"type": "noauth"}])),
            Security::OAuth { scopes } => Some(json!([{"type": "oauth2", "scopes": scopes}])),
            Security::AnonymousOrOAuth { scopes } => Some(json!([
                {"type": "noauth"},
                {"type": "oauth2", "scopes": scopes}
            ])),
        }
    }
}

/// How a tool presents itself in chat hosts: its widget, visibility,
/// security and status texts. Turned into `_meta` when the app is built.
#[derive(Debug, Clone, Default)]
pub struct ToolUi {
    /// The name of the app widget this tool renders.
    pub widget: Option<String>,
    /// Who may call it.
    pub visibility: Visibility,
    /// What a caller must prove.
    pub security: Security,
    /// Status text while it runs (ChatGPT, at most 64 characters).
    pub invoking: Option<String>,
    /// Status text when done (ChatGPT, at most 64 characters).
    pub invoked: Option<String>,
}

/// A tool as registered in an app: its descriptor, compiled schema and handler.
#[derive(Clone)]
pub struct ToolDef {
    pub(crate) descriptor: Tool,
    pub(crate) handler: Arc<dyn ToolHandler>,
    pub(crate) ui: ToolUi,
}

impl std::fmt::Debug for ToolDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToolDef")
            .field("name", &self.descriptor.name)
            .finish()
    }
}

impl ToolDef {
    /// Starts a tool declaration.
    pub fn builder(name: impl Into<String>) -> ToolBuilder {
        ToolBuilder {
            name: name.into(),
            title: None,
            description: None,
            input_schema: None,
            output_schema: None,
            annotations: None,
            icons: None,
            meta: MetaObject::new(),
            ui: ToolUi::default(),
        }
    }

    /// The descriptor as listed in `tools/list`.
    pub fn descriptor(&self) -> &Tool {
        &self.descriptor
    }

    /// The tool's name.
    pub fn name(&self) -> &str {
        &self.descriptor.name
    }

    /// Its widget, visibility, security and status texts.
    pub fn ui(&self) -> &ToolUi {
        &self.ui
    }
}

/// Declares a tool; finish with one of the `handler` methods.
#[derive(Debug)]
pub struct ToolBuilder {
    name: String,
    title: Option<String>,
    description: Option<String>,
    input_schema: Option<JsonObject>,
    output_schema: Option<JsonObject>,
    annotations: Option<ToolAnnotations>,
    icons: Option<Vec<Icon>>,
    meta: MetaObject,
    ui: ToolUi,
}

/// An empty object schema: the tool takes no arguments.
pub fn empty_object_schema() -> JsonObject {
    match serde_json::json!({"type": "object", "properties": {}, "additionalProperties": false}) {
        Value::Object(m) => m,
        _ => unreachable!("literal object"),
    }
}

/// A JSON Schema for `T`, as an object (schemars, draft 2020-12).
pub fn schema_for<T: JsonSchema>() -> JsonObject {
    match serde_json::to_value(schemars::schema_for!(T)) {
        Ok(Value::Object(mut m)) => {
            // Hosts show the schema to models; the meta-schema URL and title are noise there.
            m.remove("$schema");
            m.remove("title");
            m
        }
        _ => empty_object_schema(),
    }
}

impl ToolBuilder {
    /// Human-readable title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// What the tool does and when a model should use it.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// The input JSON Schema (an object schema).
    pub fn input_schema(mut self, schema: Value) -> Self {
        self.input_schema = match schema {
            Value::Object(m) => Some(m),
            _ => None,
        };
        self
    }

    /// The input schema generated from a Rust type.
    pub fn input<T: JsonSchema>(mut self) -> Self {
        self.input_schema = Some(schema_for::<T>());
        self
    }

    /// The output JSON Schema; `structuredContent` must then conform.
    pub fn output_schema(mut self, schema: Value) -> Self {
        self.output_schema = match schema {
            Value::Object(m) => Some(m),
            _ => None,
        };
        self
    }

    /// The output schema generated from a Rust type.
    pub fn output<T: JsonSchema>(mut self) -> Self {
        self.output_schema = Some(schema_for::<T>());
        self
    }

    /// Behaviour hints (read-only, destructive, idempotent, open-world).
    pub fn annotations(mut self, annotations: ToolAnnotations) -> Self {
        self.annotations = Some(annotations);
        self
    }

    /// Icons shown by hosts.
    pub fn icons(mut self, icons: Vec<Icon>) -> Self {
        self.icons = Some(icons);
        self
    }

    /// Adds a descriptor `_meta` entry (e.g. `openai/toolInvocation/invoking`).
    pub fn meta(mut self, key: impl Into<String>, value: Value) -> Self {
        self.meta.insert(key.into(), value);
        self
    }

    /// Renders the app widget called `name` (declared with `AppBuilder::widget`).
    /// A name the app does not declare fails at start-up.
    pub fn widget(mut self, name: impl Into<String>) -> Self {
        self.ui.widget = Some(name.into());
        self
    }

    /// Who may call the tool (default: the model and widgets).
    pub fn visibility(mut self, visibility: Visibility) -> Self {
        self.ui.visibility = visibility;
        self
    }

    /// What a caller must prove (published as `securitySchemes`).
    pub fn security(mut self, security: Security) -> Self {
        self.ui.security = security;
        self
    }

    /// Status text hosts show while the tool runs (at most 64 characters).
    pub fn invoking(mut self, text: impl Into<String>) -> Self {
        self.ui.invoking = Some(text.into());
        self
    }

    /// Status text hosts show when the tool is done (at most 64 characters).
    pub fn invoked(mut self, text: impl Into<String>) -> Self {
        self.ui.invoked = Some(text.into());
        self
    }

    /// Finishes with an untyped handler receiving the validated argument object.
    pub fn handler<F, Fut>(self, f: F) -> ToolDef
    where
        F: Fn(RequestContext, JsonObject) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
        let input = self
            .input_schema
            .clone()
            .unwrap_or_else(empty_object_schema);
        let has_description = self.description.is_some();
        let mut tool = Tool::new(
            self.name,
            self.description.unwrap_or_default(),
            Arc::new(input),
        );
        if !has_description {
            tool.description = None;
        }
        tool.title = self.title;
        tool.output_schema = self.output_schema.map(Arc::new);
        tool.annotations = self.annotations;
        tool.icons = self.icons;
        if !self.meta.is_empty() {
            tool.meta = Some(self.meta);
        }
        ToolDef {
            descriptor: tool,
            handler: Arc::new(FnHandler(f)),
            ui: self.ui,
        }
    }

    /// Finishes with a typed handler: arguments are deserialized into `A`
    /// (after schema validation); a mismatch becomes an `isError` result.
    /// Without an explicit input schema, the schema is generated from `A`.
    pub fn typed_handler<A, F, Fut>(mut self, f: F) -> ToolDef
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(RequestContext, A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
        if self.input_schema.is_none() {
            self.input_schema = Some(schema_for::<A>());
        }
        let f = Arc::new(f);
        self.handler(move |ctx, args| {
            let parsed = serde_json::from_value::<A>(Value::Object(args));
            let f = f.clone();
            async move {
                match parsed {
                    Ok(a) => f(ctx, a).await,
                    Err(e) => Err(ToolError::InvalidArguments(e.to_string())),
                }
            }
        })
    }
}
