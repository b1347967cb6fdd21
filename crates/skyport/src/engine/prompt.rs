//! Prompts and argument completion.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

use rmcp::model::{GetPromptResult, Prompt, PromptArgument};

use super::context::RequestContext;
use super::tool::BoxFuture;
use crate::protocol::RpcError;

/// Arguments of a `prompts/get` call.
pub type PromptArgs = HashMap<String, String>;

/// Renders a prompt.
pub trait PromptHandler: Send + Sync + 'static {
    /// Returns the prompt's messages for `args` (required arguments are checked before).
    fn get(
        &self,
        ctx: RequestContext,
        args: PromptArgs,
    ) -> BoxFuture<'static, Result<GetPromptResult, RpcError>>;
}

struct FnPrompt<F>(F);

impl<F, Fut> PromptHandler for FnPrompt<F>
where
    F: Fn(RequestContext, PromptArgs) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<GetPromptResult, RpcError>> + Send + 'static,
{
    fn get(
        &self,
        ctx: RequestContext,
        args: PromptArgs,
    ) -> BoxFuture<'static, Result<GetPromptResult, RpcError>> {
        Box::pin((self.0)(ctx, args))
    }
}

/// Suggests values for an argument (`completion/complete`).
pub trait Completer: Send + Sync + 'static {
    /// Values for `argument` starting from `value`; `context` holds arguments already chosen.
    fn complete(
        &self,
        argument: &str,
        value: &str,
        context: &HashMap<String, String>,
    ) -> Vec<String>;
}

impl<F> Completer for F
where
    F: Fn(&str, &str, &HashMap<String, String>) -> Vec<String> + Send + Sync + 'static,
{
    fn complete(
        &self,
        argument: &str,
        value: &str,
        context: &HashMap<String, String>,
    ) -> Vec<String> {
        self(argument, value, context)
    }
}

/// A prompt as registered in an app.
#[derive(Clone)]
pub struct PromptDef {
    pub(crate) descriptor: Prompt,
    pub(crate) handler: Arc<dyn PromptHandler>,
    pub(crate) completer: Option<Arc<dyn Completer>>,
}

impl std::fmt::Debug for PromptDef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PromptDef")
            .field("name", &self.descriptor.name)
            .finish()
    }
}

impl PromptDef {
    /// A prompt with its description, arguments and handler.
    pub fn new<F, Fut>(name: &str, description: &str, arguments: Vec<PromptArgument>, f: F) -> Self
    where
        F: Fn(RequestContext, PromptArgs) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<GetPromptResult, RpcError>> + Send + 'static,
    {
        let args = if arguments.is_empty() {
            None
        } else {
            Some(arguments)
        };
        Self {
            descriptor: Prompt::new(name.to_owned(), Some(description.to_owned()), args),
            handler: Arc::new(FnPrompt(f)),
            completer: None,
        }
    }

    /// Completes this prompt's arguments.
    pub fn with_completer(mut self, completer: impl Completer) -> Self {
        self.completer = Some(Arc::new(completer));
        self
    }

    /// The descriptor.
    pub fn descriptor(&self) -> &Prompt {
        &self.descriptor
    }
}
