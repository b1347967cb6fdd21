//! Method routing: from a parsed message to a reply.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::time::Instant;

use rmcp::model::{
    CacheScope, CallToolRequestParams, ClientCapabilities, CompleteRequestParams, CompleteResult,
    CompletionInfo, ContentBlock, DiscoverResult, GetPromptRequestParams, Implementation,
    InitializeResult, MetaObject, PaginatedRequestParams, ProtocolVersion,
    ReadResourceRequestParams, ReadResourceResult, Reference,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json, value::RawValue};
use tokio_util::sync::CancellationToken;

use super::Engine;
use super::app::{Catalog, server_info_meta};
use super::context::{ContextParts, Outbound, RequestContext, decode_state};
use super::fleet::BusMessage;
use super::session::{Negotiated, Session, SessionField};
use super::tool::{BoxFuture, ToolError, ToolOutput};
use crate::observability::metrics::MethodKind;
use crate::protocol::error::code;
use crate::protocol::jsonrpc::{Incoming, error_bytes, result_bytes, result_bytes_sized};
use crate::protocol::meta::{LogLevel, ModernContext, RequestMeta};
use crate::protocol::version::{MODERN, SUPPORTED_VERSIONS, Version, negotiate};
use crate::protocol::{Era, OwnedId, RpcError};

/// The HTTP status a reply should travel with (transports without status ignore it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusHint {
    /// 200.
    Ok,
    /// 400: malformed 2026 context, unsupported version, header mismatch.
    BadRequest,
    /// 404: unknown method in the 2026 era.
    NotFound,
}

/// A serialized JSON-RPC response.
#[derive(Debug)]
pub struct Reply {
    /// The response bytes.
    pub bytes: Vec<u8>,
    /// The HTTP status to use.
    pub status: StatusHint,
    /// True for a JSON-RPC error response.
    pub is_error: bool,
}

/// What dispatching produced.
pub enum Dispatch {
    /// The reply is ready (lists, ping, errors).
    Ready(Reply),
    /// The reply needs work; `None` means the request was cancelled and gets no reply.
    Pending(BoxFuture<'static, Option<Reply>>),
}

impl std::fmt::Debug for Dispatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Dispatch::Ready(r) => f.debug_tuple("Ready").field(r).finish(),
            Dispatch::Pending(_) => f.write_str("Pending"),
        }
    }
}

/// The era of a request and its per-request context.
#[derive(Debug, Clone)]
pub struct RequestInfo {
    /// Legacy (with version) or modern.
    pub era: Era,
    /// The parsed `_meta`.
    pub meta: RequestMeta,
    /// The 2026 client context.
    pub modern: Option<ModernContext>,
}

/// What the transport knows about the call.
#[derive(Debug, Default)]
pub struct CallEnv {
    /// The session (stateful legacy era).
    pub session: Option<Arc<Session>>,
    /// Where request-related messages go.
    pub outbound: Option<Outbound>,
    /// The legacy version from the `MCP-Protocol-Version` header, for sessionless requests.
    pub header_version: Option<Version>,
    /// Who is calling: set by the HTTP auth layer from a valid Bearer token.
    pub principal: Option<Arc<crate::auth::Principal>>,
}

fn err_reply(id: Option<&RawValue>, e: &RpcError, status: StatusHint) -> Reply {
    Reply {
        bytes: error_bytes(id, e),
        status,
        is_error: true,
    }
}

fn ok_reply<T: Serialize + ?Sized>(id: &RawValue, result: &T) -> Reply {
    Reply {
        bytes: result_bytes(id, result),
        status: StatusHint::Ok,
        is_error: false,
    }
}

/// Methods that exist only in the session era (removed in 2026-07-28).
const LEGACY_ONLY: [&str; 4] = [
    "ping",
    "logging/setLevel",
    "resources/subscribe",
    "resources/unsubscribe",
];

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct InitializeParams {
    protocol_version: String,
    #[serde(default)]
    capabilities: Option<ClientCapabilities>,
    #[serde(default)]
    client_info: Option<Implementation>,
}

#[derive(Deserialize)]
struct SetLevelParams {
    level: LogLevel,
}

#[derive(Deserialize)]
struct CancelledParams {
    #[serde(rename = "requestId")]
    request_id: Value,
}

/// `CallToolResult` on the wire, with `structuredContent` pre-serialized.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CallToolWire<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    result_type: Option<&'static str>,
    content: &'a [ContentBlock],
    #[serde(skip_serializing_if = "Option::is_none")]
    structured_content: Option<&'a RawValue>,
    is_error: bool,
    #[serde(rename = "_meta", skip_serializing_if = "Option::is_none")]
    meta: Option<&'a MetaObject>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct InputRequiredWire<'a> {
    result_type: &'static str,
    input_requests: &'a BTreeMap<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_state: Option<&'a str>,
}

impl Engine {
    /// Reads the request's `_meta` and decides its era. Errors are 2026-context
    /// errors (HTTP 400).
    pub fn classify(&self, msg: &Incoming<'_>, env: &CallEnv) -> Result<RequestInfo, Reply> {
        let meta = RequestMeta::from_params(msg.params)
            .map_err(|e| err_reply(msg.id, &e, StatusHint::Ok))?;
        // `initialize` always starts a session-era conversation.
        if meta.is_modern() && msg.method != "initialize" {
            let modern = meta
                .modern_context()
                .map_err(|e| err_reply(msg.id, &e, StatusHint::BadRequest))?;
            return Ok(RequestInfo {
                era: Era::Modern,
                meta,
                modern: Some(modern),
            });
        }
        let version = match &env.session {
            Some(s) => s.version(),
            None => env.header_version.unwrap_or(Version::V2025_03_26),
        };
        Ok(RequestInfo {
            era: Era::Legacy(version),
            meta,
            modern: None,
        })
    }

    /// Answers `initialize`: negotiates the version and returns it with the reply.
    pub fn initialize(&self, msg: &Incoming<'_>) -> Result<(Negotiated, Reply), Reply> {
        let id = msg.id.unwrap_or_else(|| null_id());
        let p: InitializeParams = msg
            .params_as()
            .map_err(|e| err_reply(Some(id), &e, StatusHint::Ok))?;
        let version = negotiate(&p.protocol_version);
        let mut result = InitializeResult::new(self.app.capabilities().clone())
            .with_protocol_version(version.to_model())
            .with_server_info(self.app.info().clone());
        result.instructions = self.app.instructions().map(str::to_owned);
        let negotiated = Negotiated {
            version,
            client_capabilities: p.capabilities.unwrap_or_default(),
            client_info: p.client_info,
        };
        self.metrics.method(MethodKind::Initialize).requests.inc();
        Ok((negotiated, ok_reply(id, &result)))
    }

    /// Handles a client notification.
    pub fn notification(&self, msg: &Incoming<'_>, session: Option<&Session>) {
        match msg.method.as_ref() {
            "notifications/initialized" => {
                if let Some(s) = session {
                    s.mark_initialized();
                    if let Some(f) = self.sessions.persist(s, SessionField::Initialized) {
                        tokio::spawn(f);
                    }
                }
            }
            "notifications/cancelled" => {
                if let (Some(s), Ok(p)) = (session, msg.params_as::<CancelledParams>())
                    && let Some(id) = OwnedId::from_value(&p.request_id)
                {
                    s.cancel(&id);
                }
            }
            other => tracing::debug!(method = other, "notification ignored"),
        }
    }

    /// Routes a client's response to a waiting server-to-client request: here,
    /// or (with a shared store) on the replica whose request waits for it.
    pub fn response(&self, msg: &Incoming<'_>) -> bool {
        let Some(id) = msg.id else {
            return false;
        };
        if self.pending.deliver(id, msg.result, msg.error) {
            return true;
        }
        if let Some(fleet) = self.sessions.fleet().filter(|f| f.is_shared()) {
            fleet.publish(BusMessage::Reply {
                message: crate::protocol::jsonrpc::response_text(id, msg.result, msg.error),
            });
        }
        false
    }

    /// Dispatches a request (not `initialize`, which transports route to [`Engine::initialize`]).
    pub fn dispatch(&self, msg: &Incoming<'_>, info: RequestInfo, env: CallEnv) -> Dispatch {
        let id = msg.id.unwrap_or_else(|| null_id());
        let method = msg.method.as_ref();
        let kind = MethodKind::of(method);
        let m = self.metrics.method(kind);
        m.requests.inc();
        let started = Instant::now();
        let d = self.route(msg, id, method, info, env);
        if let Dispatch::Ready(r) = &d {
            m.duration.observe(started.elapsed().as_secs_f64());
            if r.is_error {
                m.errors.inc();
            }
        }
        d
    }

    fn route(
        &self,
        msg: &Incoming<'_>,
        id: &RawValue,
        method: &str,
        info: RequestInfo,
        env: CallEnv,
    ) -> Dispatch {
        let modern = info.era.is_modern();
        if modern && LEGACY_ONLY.contains(&method) {
            let e = RpcError::new(
                code::METHOD_NOT_FOUND,
                format!(
                    "{method} does not exist in protocol version {MODERN}{}",
                    match method {
                        "resources/subscribe" | "resources/unsubscribe" =>
                            ": use subscriptions/listen",
                        _ => "",
                    }
                ),
            );
            return Dispatch::Ready(err_reply(Some(id), &e, StatusHint::NotFound));
        }
        let catalog = self.app.catalog.load();
        let result = match method {
            "ping" => Ok(ok_reply(id, &json!({}))),
            "tools/list" => self.list(msg, id, modern, &catalog.pages.tools),
            "resources/list" => self.list(msg, id, modern, &catalog.pages.resources),
            "resources/templates/list" => self.list(msg, id, modern, &catalog.pages.templates),
            "prompts/list" => self.list(msg, id, modern, &catalog.pages.prompts),
            "tools/call" => return self.call_tool(msg, id, &catalog, info, env),
            "resources/read" => return self.read_resource(msg, id, &catalog, info, env),
            "prompts/get" => return self.get_prompt(msg, id, &catalog, info, env),
            "completion/complete" => self.complete(msg, id, &catalog, modern),
            "logging/setLevel" => match msg.params_as::<SetLevelParams>() {
                Ok(p) => {
                    let reply = ok_reply(id, &json!({}));
                    return match &env.session {
                        Some(s) => {
                            s.set_log_level(p.level);
                            self.stored(s, SessionField::LogLevel, reply)
                        }
                        None => Dispatch::Ready(reply),
                    };
                }
                Err(e) => Err(e),
            },
            "resources/subscribe" | "resources/unsubscribe" => {
                return match self.subscription(msg, id, method, env.session.as_deref()) {
                    Ok((reply, Some(field))) => {
                        let s = env.session.as_ref().expect("a field implies a session");
                        self.stored(s, field, reply)
                    }
                    Ok((reply, None)) => Dispatch::Ready(reply),
                    Err(e) => Dispatch::Ready(err_reply(Some(id), &e, StatusHint::Ok)),
                };
            }
            "server/discover" if modern => Ok(self.discover(id)),
            "initialize" => Err(RpcError::invalid_request(
                "initialize is not expected here: this session is already initialized",
            )),
            _ => {
                let status = if modern {
                    StatusHint::NotFound
                } else {
                    StatusHint::Ok
                };
                return Dispatch::Ready(err_reply(
                    Some(id),
                    &RpcError::method_not_found(method),
                    status,
                ));
            }
        };
        Dispatch::Ready(result.unwrap_or_else(|e| err_reply(Some(id), &e, StatusHint::Ok)))
    }

    fn list(
        &self,
        msg: &Incoming<'_>,
        id: &RawValue,
        modern: bool,
        pages: &[Vec<Box<RawValue>>; 2],
    ) -> Result<Reply, RpcError> {
        let pages = &pages[modern as usize];
        let p: PaginatedRequestParams = msg.params_as()?;
        let page = super::pagination::decode_cursor(p.cursor.as_deref(), pages.len())?;
        Ok(ok_reply(id, &*pages[page]))
    }

    fn discover(&self, id: &RawValue) -> Reply {
        let versions = SUPPORTED_VERSIONS
            .iter()
            .map(|v| serde_json::from_value::<ProtocolVersion>(json!(v)))
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_default();
        let mut r = DiscoverResult::new(versions, self.app.capabilities().clone())
            .with_server_info(self.app.info().clone());
        r.instructions = self.app.instructions().map(str::to_owned);
        r.ttl_ms = 60_000;
        r.cache_scope = CacheScope::Public;
        ok_reply(id, &r)
    }

    fn subscription(
        &self,
        msg: &Incoming<'_>,
        id: &RawValue,
        method: &str,
        session: Option<&Session>,
    ) -> Result<(Reply, Option<SessionField>), RpcError> {
        #[derive(Deserialize)]
        struct UriParam {
            uri: String,
        }
        let p: UriParam = msg.params_as()?;
        let field = match session {
            Some(s) if method == "resources/subscribe" => {
                s.subscribe(p.uri.clone());
                Some(SessionField::Subscription(p.uri, true))
            }
            Some(s) => {
                s.unsubscribe(&p.uri);
                Some(SessionField::Subscription(p.uri, false))
            }
            // Stateless: nowhere to keep the subscription; accept so clients carry on.
            None => None,
        };
        Ok((ok_reply(id, &json!({})), field))
    }

    /// Answers once a session change is stored (at once without a store).
    fn stored(&self, session: &Session, field: SessionField, reply: Reply) -> Dispatch {
        match self.sessions.persist(session, field) {
            Some(f) => Dispatch::Pending(Box::pin(async move {
                f.await;
                Some(reply)
            })),
            None => Dispatch::Ready(reply),
        }
    }

    fn context(
        &self,
        info: RequestInfo,
        env: CallEnv,
        id: &RawValue,
        inputs: BTreeMap<String, Value>,
    ) -> (RequestContext, CancellationToken) {
        // Only session requests can be cancelled by the client (notifications/cancelled);
        // the others share one token that never fires (a dropped connection drops the future).
        let cancel = if env.session.is_some() {
            CancellationToken::new()
        } else {
            self.uncancellable.clone()
        };
        let request_id = OwnedId::from_raw(id);
        if let Some(s) = &env.session {
            s.track(request_id.clone(), cancel.clone());
        }
        let ctx = RequestContext::new(ContextParts {
            app: self.app.clone(),
            era: info.era,
            request_id: Some(request_id),
            session: env.session,
            outbound: env.outbound,
            meta: info.meta,
            modern: info.modern,
            cancel: cancel.clone(),
            inputs,
            pending: self.pending.clone(),
            request_timeout: self.settings.client_request_timeout,
            records: self.sessions.fleet().map(|f| f.records().clone()),
            principal: env.principal,
        });
        (ctx, cancel)
    }

    fn call_tool(
        &self,
        msg: &Incoming<'_>,
        id: &RawValue,
        catalog: &Catalog,
        info: RequestInfo,
        env: CallEnv,
    ) -> Dispatch {
        let ready_err = |e: RpcError| Dispatch::Ready(err_reply(Some(id), &e, StatusHint::Ok));
        let params: CallToolRequestParams = match msg.params_as() {
            Ok(p) => p,
            Err(e) => return ready_err(e),
        };
        let Some(&index) = catalog.tool_index.get(params.name.as_ref()) else {
            let known: Vec<&str> = catalog.tools.iter().map(|t| t.def.name()).collect();
            return ready_err(RpcError::invalid_params(format!(
                "Unknown tool: {:?}. This server's tools are: {}",
                params.name,
                known.join(", ")
            )));
        };
        let entry = &catalog.tools[index];
        let tool_metrics = entry
            .metrics
            .get_or_init(|| self.metrics.tool_handles(entry.def.name()))
            .clone();
        tool_metrics.calls.inc();
        let era = info.era;
        let args = Value::Object(params.arguments.unwrap_or_default());
        let schema = entry.def.descriptor().input_schema.as_ref();
        if let Some(problem) =
            super::arg_errors::validation_problem(&entry.validator, schema, &args)
        {
            tool_metrics.errors.inc();
            let out = ToolOutput::error(format!(
                "Invalid arguments for tool {}: {problem}",
                entry.def.name()
            ));
            return Dispatch::Ready(tool_reply(id, era, &out, &self.app));
        }
        if let Some(denied) = self.tool_access(&entry.def.ui().security, env.principal.as_deref()) {
            tool_metrics.errors.inc();
            return Dispatch::Ready(tool_reply(id, era, &denied, &self.app));
        }
        let Value::Object(args) = args else {
            unreachable!("arguments are an object")
        };
        let mut inputs = BTreeMap::new();
        if era.is_modern() {
            if let Some(state) = params.request_state.as_deref() {
                match decode_state(state) {
                    Ok(prev) => inputs.extend(prev),
                    Err(e) => return ready_err(e),
                }
            }
            inputs.extend(params.input_responses.unwrap_or_default());
        }
        let session = env.session.clone();
        let (ctx, cancel) = self.context(info, env, id, inputs);
        let request_id = ctx.request_id().cloned();
        let fut = entry.def.handler.call(ctx, args);
        let id = OwnedId::from_raw(id);
        let app = self.app.clone();
        let guard = entry.guard.clone();
        let method_metrics = self.metrics.method(MethodKind::ToolsCall).clone();
        let started = Instant::now();
        Dispatch::Pending(Box::pin(async move {
            let outcome = tokio::select! {
                biased;
                r = fut => Some(r),
                _ = cancel.cancelled() => None,
            };
            if let (Some(s), Some(rid)) = (&session, &request_id) {
                s.untrack(rid);
            }
            method_metrics
                .duration
                .observe(started.elapsed().as_secs_f64());
            let reply = match outcome? {
                Ok(out) => {
                    if out.is_error {
                        tool_metrics.errors.inc();
                    }
                    if let Some(s) = &out.structured {
                        guard.check(app.name(), s.get());
                    }
                    tool_reply(id.as_raw(), era, &out, &app)
                }
                Err(e) => {
                    tool_metrics.errors.inc();
                    tool_error_reply(id.as_raw(), era, e, &app)?
                }
            };
            Some(reply)
        }))
    }

    fn read_resource(
        &self,
        msg: &Incoming<'_>,
        id: &RawValue,
        catalog: &Catalog,
        info: RequestInfo,
        env: CallEnv,
    ) -> Dispatch {
        let modern = info.era.is_modern();
        let params: ReadResourceRequestParams = match msg.params_as() {
            Ok(p) => p,
            Err(e) => return Dispatch::Ready(err_reply(Some(id), &e, StatusHint::Ok)),
        };
        let uri = params.uri;
        let found = match catalog.resource_index.get(&uri) {
            Some(&i) => Some((catalog.resources[i].reader.clone(), HashMap::new())),
            None => catalog
                .templates
                .iter()
                .find_map(|t| t.matcher.matches(&uri).map(|vars| (t.reader.clone(), vars))),
        };
        let Some((reader, vars)) = found else {
            let e = not_found(&uri, modern);
            return Dispatch::Ready(err_reply(Some(id), &e, StatusHint::Ok));
        };
        let (ctx, _cancel) = self.context(info, env, id, BTreeMap::new());
        let session = ctx.session().cloned();
        let rid = OwnedId::from_raw(id);
        let app = self.app.clone();
        let fut = reader.read(ctx, uri, vars);
        Dispatch::Pending(Box::pin(async move {
            let out = fut.await;
            if let Some(s) = session {
                s.untrack(&rid);
            }
            Some(match out {
                Ok(contents) => {
                    let mut r = ReadResourceResult::new(contents);
                    if modern {
                        r.ttl_ms = Some(0);
                        r.cache_scope = Some(CacheScope::Private);
                        r.meta = Some(server_info_meta(app.info()));
                    } else {
                        r.result_type = None;
                    }
                    ok_reply(rid.as_raw(), &r)
                }
                Err(e) => err_reply(Some(rid.as_raw()), &e, StatusHint::Ok),
            })
        }))
    }

    fn get_prompt(
        &self,
        msg: &Incoming<'_>,
        id: &RawValue,
        catalog: &Catalog,
        info: RequestInfo,
        env: CallEnv,
    ) -> Dispatch {
        let modern = info.era.is_modern();
        let ready_err = |e: RpcError| Dispatch::Ready(err_reply(Some(id), &e, StatusHint::Ok));
        let params: GetPromptRequestParams = match msg.params_as() {
            Ok(p) => p,
            Err(e) => return ready_err(e),
        };
        let Some(&i) = catalog.prompt_index.get(&params.name) else {
            return ready_err(RpcError::invalid_params(format!(
                "Unknown prompt: {:?}",
                params.name
            )));
        };
        let def = &catalog.prompts[i];
        let mut args = HashMap::new();
        for (k, v) in params.arguments.unwrap_or_default() {
            match v {
                Value::String(s) => args.insert(k, s),
                other => args.insert(k, other.to_string()),
            };
        }
        for a in def.descriptor.arguments.iter().flatten() {
            if a.required == Some(true) && !args.contains_key(&a.name) {
                return ready_err(RpcError::invalid_params(format!(
                    "Prompt {:?} needs the argument {:?}",
                    params.name, a.name
                )));
            }
        }
        let (ctx, _cancel) = self.context(info, env, id, BTreeMap::new());
        let session = ctx.session().cloned();
        let rid = OwnedId::from_raw(id);
        let app = self.app.clone();
        let fut = def.handler.get(ctx, args);
        Dispatch::Pending(Box::pin(async move {
            let out = fut.await;
            if let Some(s) = session {
                s.untrack(&rid);
            }
            Some(match out {
                Ok(mut r) => {
                    if modern {
                        r.meta = Some(server_info_meta(app.info()));
                    } else {
                        r.result_type = None;
                    }
                    ok_reply(rid.as_raw(), &r)
                }
                Err(e) => err_reply(Some(rid.as_raw()), &e, StatusHint::Ok),
            })
        }))
    }

    fn complete(
        &self,
        msg: &Incoming<'_>,
        id: &RawValue,
        catalog: &Catalog,
        modern: bool,
    ) -> Result<Reply, RpcError> {
        let p: CompleteRequestParams = msg.params_as()?;
        let context = p.context.and_then(|c| c.arguments).unwrap_or_default();
        let completer = match &p.r#ref {
            Reference::Prompt(r) => {
                let i = catalog.prompt_index.get(&r.name).ok_or_else(|| {
                    RpcError::invalid_params(format!("Unknown prompt: {:?}", r.name))
                })?;
                catalog.prompts[*i].completer.clone()
            }
            Reference::Resource(r) => catalog
                .templates
                .iter()
                .find(|t| t.descriptor.uri_template == r.uri)
                .ok_or_else(|| {
                    RpcError::invalid_params(format!("Unknown resource template: {:?}", r.uri))
                })?
                .completer
                .clone(),
            _ => {
                return Err(RpcError::invalid_params(
                    "Unsupported completion reference: use ref/prompt or ref/resource",
                ));
            }
        };
        let mut values = completer
            .map(|c| c.complete(&p.argument.name, &p.argument.value, &context))
            .unwrap_or_default();
        let total = values.len();
        values.truncate(CompletionInfo::MAX_VALUES);
        let mut info = CompletionInfo::default();
        info.has_more = Some(total > values.len());
        info.total = Some(total as u32);
        info.values = values;
        let mut r = CompleteResult::new(info);
        if !modern {
            r.result_type = None;
        }
        Ok(ok_reply(id, &r))
    }
}

impl Engine {
    /// `None` when the caller may run a tool declared with `security`; else
    /// the error result whose `mcp/www_authenticate` challenge makes ChatGPT
    /// offer account linking (protocols.md §5.6).
    fn tool_access(
        &self,
        security: &super::Security,
        principal: Option<&crate::auth::Principal>,
    ) -> Option<ToolOutput> {
        let scopes = match security {
            super::Security::OAuth { scopes } => scopes,
            // Open to anonymous callers, but a caller who shows a token
            // must hold the scopes: it steps up rather than silently
            // acting with less than it asked for.
            super::Security::AnonymousOrOAuth { scopes } if principal.is_some() => scopes,
            _ => return None,
        };
        let (description, text) = match principal {
            Some(p) if p.has_scopes(scopes) => return None,
            Some(p) => (
                format!(
                    "This tool needs the scope(s) {}",
                    p.missing_scopes(scopes).join(" ")
                ),
                "Your linked account lacks the permission this needs: link it again to grant it.",
            ),
            None => (
                "Sign in to continue".to_owned(),
                "Sign in to continue: this tool needs a linked account.",
            ),
        };
        let mut challenge = String::from("Bearer ");
        if let Some(url) = self.resource_metadata() {
            challenge.push_str(&format!("resource_metadata=\"{url}\", "));
        }
        if !scopes.is_empty() {
            challenge.push_str(&format!("scope=\"{}\", ", scopes.join(" ")));
        }
        challenge.push_str(&format!(
            "error=\"insufficient_scope\", error_description=\"{description}\""
        ));
        let mut meta = rmcp::model::MetaObject::new();
        meta.insert(
            "mcp/www_authenticate".into(),
            serde_json::json!([challenge]),
        );
        Some(ToolOutput::error(text).with_meta(meta))
    }
}

fn null_id() -> &'static RawValue {
    static NULL: std::sync::LazyLock<Box<RawValue>> =
        std::sync::LazyLock::new(|| RawValue::from_string("null".into()).expect("null is JSON"));
    &NULL
}

fn not_found(uri: &str, modern: bool) -> RpcError {
    let c = if modern {
        code::INVALID_PARAMS
    } else {
        code::RESOURCE_NOT_FOUND
    };
    RpcError::new(c, format!("Resource not found: {uri}")).with_data(json!({ "uri": uri }))
}

fn tool_reply(id: &RawValue, era: Era, out: &ToolOutput, app: &super::App) -> Reply {
    let modern = era.is_modern();
    let merged;
    let meta = if modern {
        let mut m = out.meta.clone().unwrap_or_default();
        m.extend(server_info_meta(app.info()));
        merged = m;
        Some(&merged)
    } else {
        out.meta.as_ref()
    };
    let wire = CallToolWire {
        result_type: modern.then_some("complete"),
        content: &out.content,
        structured_content: out.structured.as_deref(),
        is_error: out.is_error,
        meta,
    };
    // The structured content dominates the size; saves regrowing the buffer.
    let hint = out.structured.as_ref().map_or(0, |s| s.get().len()) + 384;
    Reply {
        bytes: result_bytes_sized(id, &wire, hint),
        status: StatusHint::Ok,
        is_error: false,
    }
}

fn tool_error_reply(id: &RawValue, era: Era, e: ToolError, app: &super::App) -> Option<Reply> {
    Some(match e {
        ToolError::InvalidArguments(m) => tool_reply(
            id,
            era,
            &ToolOutput::error(format!("Invalid arguments: {m}")),
            app,
        ),
        ToolError::Failed(m) => tool_reply(id, era, &ToolOutput::error(m), app),
        ToolError::InputRequired(ir) if era.is_modern() => ok_reply(
            id,
            &InputRequiredWire {
                result_type: "input_required",
                input_requests: &ir.requests,
                request_state: ir.state.as_deref(),
            },
        ),
        ToolError::InputRequired(_) => tool_reply(
            id,
            era,
            &ToolOutput::error("The tool needs input the client cannot give here"),
            app,
        ),
        // 2026-07-28: a needed-but-undeclared client capability is HTTP 400.
        ToolError::Rpc(e) if era.is_modern() && e.code == code::MISSING_CLIENT_CAPABILITY => {
            err_reply(Some(id), &e, StatusHint::BadRequest)
        }
        ToolError::Rpc(e) => err_reply(Some(id), &e, StatusHint::Ok),
        ToolError::Cancelled => return None,
        ToolError::Internal(m) => {
            tracing::error!(app = app.name(), error = %m, "tool failed");
            err_reply(
                Some(id),
                &RpcError::internal("The tool failed unexpectedly; the server log has the details"),
                StatusHint::Ok,
            )
        }
    })
}
