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

/// A tool as registered in an app: its descriptor, compiled schema and handler.
#[derive(Clone)]
pub struct ToolDef {
    pub(crate) descriptor: Tool,
    pub(crate) handler: Arc<dyn ToolHandler>,
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
        }
    }

    /// Finishes with a typed handler: arguments are deserialized into `A`
    /// (after schema validation); a mismatch becomes an `isError` result.
    pub fn typed_handler<A, F, Fut>(self, f: F) -> ToolDef
    where
        A: DeserializeOwned + Send + 'static,
        F: Fn(RequestContext, A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
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
