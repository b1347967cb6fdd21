//! The per-request context handed to tools, resource readers and prompts:
//! progress, logging, server-to-client requests (or MRTR input requests in
//! the 2026 era), cancellation, and the request's metadata.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json, value::RawValue};
use std::sync::Mutex;
use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use super::app::App;
use super::session::Session;
use super::tool::ToolError;
use crate::protocol::error::code;
use crate::protocol::jsonrpc::{notification_bytes, request_bytes};
use crate::protocol::meta::{LogLevel, ModernContext, RequestMeta};
use crate::protocol::{Era, OwnedId, RpcError};

/// A message the engine wants to send on the stream tied to a request.
#[derive(Debug)]
pub enum OutboundMsg {
    /// A serialized JSON-RPC notification or request.
    Message(Vec<u8>),
    /// Close the request's SSE stream now; the client resumes with `Last-Event-ID` (SEP-1699).
    CloseStream,
}

/// Where messages related to a request go: the POST's own SSE stream, or a
/// session's single stream (legacy SSE, stdio).
#[derive(Debug, Clone)]
pub struct Outbound(OutboundTarget);

/// The receiving end of a per-request [`Outbound`] channel.
///
/// A `futures` channel rather than tokio's: tokio's allocates a 32-slot block
/// up front, and every tools/call creates one of these.
pub type OutboundRx = futures::channel::mpsc::UnboundedReceiver<OutboundMsg>;

#[derive(Debug, Clone)]
enum OutboundTarget {
    Request(futures::channel::mpsc::UnboundedSender<OutboundMsg>),
    Session(mpsc::UnboundedSender<Vec<u8>>),
}

impl Outbound {
    /// A per-request channel and its receiving end.
    pub fn channel() -> (Self, OutboundRx) {
        let (tx, rx) = futures::channel::mpsc::unbounded();
        (Self(OutboundTarget::Request(tx)), rx)
    }

    /// Messages go to a session's stream (its push channel).
    pub fn session(tx: mpsc::UnboundedSender<Vec<u8>>) -> Self {
        Self(OutboundTarget::Session(tx))
    }

    /// Sends a serialized message; false when nobody listens any more.
    pub fn send(&self, bytes: Vec<u8>) -> bool {
        match &self.0 {
            OutboundTarget::Request(tx) => tx.unbounded_send(OutboundMsg::Message(bytes)).is_ok(),
            OutboundTarget::Session(tx) => tx.send(bytes).is_ok(),
        }
    }

    fn close_stream(&self) {
        // A session's only stream is never closed on a tool's behalf.
        if let OutboundTarget::Request(tx) = &self.0 {
            let _ = tx.unbounded_send(OutboundMsg::CloseStream);
        }
    }
}

/// Server-to-client requests waiting for the client's answer, keyed by the id we minted.
#[derive(Debug)]
pub struct PendingRequests {
    prefix: String,
    next: AtomicU64,
    waiting: Mutex<HashMap<String, oneshot::Sender<Result<Value, RpcError>>>>,
}

impl Default for PendingRequests {
    fn default() -> Self {
        Self::new()
    }
}

impl PendingRequests {
    /// An empty table; ids carry a random prefix so replicas never collide.
    pub fn new() -> Self {
        Self {
            prefix: format!("sk-{:08x}", rand::random::<u32>()),
            next: AtomicU64::new(1),
            waiting: Mutex::new(HashMap::new()),
        }
    }

    fn register(&self) -> (String, oneshot::Receiver<Result<Value, RpcError>>) {
        let id = format!(
            "{}-{}",
            self.prefix,
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        let (tx, rx) = oneshot::channel();
        self.waiting
            .lock()
            .expect("pending lock")
            .insert(id.clone(), tx);
        (id, rx)
    }

    fn forget(&self, id: &str) {
        self.waiting.lock().expect("pending lock").remove(id);
    }

    /// Routes a client's response to the waiting request. False when no request waits for it.
    pub fn deliver(
        &self,
        id: &RawValue,
        result: Option<&RawValue>,
        error: Option<&RawValue>,
    ) -> bool {
        let Ok(key) = serde_json::from_str::<String>(id.get()) else {
            return false;
        };
        let Some(tx) = self.waiting.lock().expect("pending lock").remove(&key) else {
            return false;
        };
        let outcome = match (result, error) {
            (Some(r), _) => {
                serde_json::from_str(r.get()).map_err(|e| RpcError::invalid_request(e.to_string()))
            }
            (None, Some(e)) => Err(serde_json::from_str::<RpcError>(e.get()).unwrap_or_else(
                |_| RpcError::internal("the client answered with a malformed error"),
            )),
            (None, None) => Err(RpcError::invalid_request(
                "a response needs `result` or `error`",
            )),
        };
        let _ = tx.send(outcome);
        true
    }
}

/// 2026-07-28 MRTR: what the tool still needs from the client.
#[derive(Debug, Clone)]
pub struct InputRequired {
    /// Requests keyed by the tool's names for them: `{key: {method, params}}`.
    pub requests: BTreeMap<String, Value>,
    /// Answers collected in earlier rounds, echoed back through `requestState`.
    pub state: Option<String>,
}

/// Everything a handler may need about the request it serves. Cheap to clone.
#[derive(Clone)]
pub struct RequestContext(Arc<Inner>);

struct Inner {
    app: Arc<App>,
    era: Era,
    request_id: Option<OwnedId>,
    session: Option<Arc<Session>>,
    outbound: Option<Outbound>,
    meta: RequestMeta,
    modern: Option<ModernContext>,
    cancel: CancellationToken,
    inputs: BTreeMap<String, Value>,
    pending: Arc<PendingRequests>,
    request_timeout: Duration,
    records: Option<Arc<dyn skyport_store::Records>>,
    principal: Option<Arc<crate::auth::Principal>>,
}

/// The parts a transport and the dispatcher assemble into a [`RequestContext`].
pub(crate) struct ContextParts {
    pub(crate) app: Arc<App>,
    pub(crate) era: Era,
    pub(crate) request_id: Option<OwnedId>,
    pub(crate) session: Option<Arc<Session>>,
    pub(crate) outbound: Option<Outbound>,
    pub(crate) meta: RequestMeta,
    pub(crate) modern: Option<ModernContext>,
    pub(crate) cancel: CancellationToken,
    pub(crate) inputs: BTreeMap<String, Value>,
    pub(crate) pending: Arc<PendingRequests>,
    pub(crate) request_timeout: Duration,
    pub(crate) records: Option<Arc<dyn skyport_store::Records>>,
    pub(crate) principal: Option<Arc<crate::auth::Principal>>,
}

impl RequestContext {
    pub(crate) fn new(p: ContextParts) -> Self {
        Self(Arc::new(Inner {
            app: p.app,
            era: p.era,
            request_id: p.request_id,
            session: p.session,
            outbound: p.outbound,
            meta: p.meta,
            modern: p.modern,
            cancel: p.cancel,
            inputs: p.inputs,
            pending: p.pending,
            request_timeout: p.request_timeout,
            records: p.records,
            principal: p.principal,
        }))
    }

    /// The store's records (app data). An error result when the server was
    /// built without a store (`Server::new` alone, some tests).
    pub fn records(&self) -> Result<&Arc<dyn skyport_store::Records>, ToolError> {
        self.0.records.as_ref().ok_or_else(|| {
            ToolError::Internal("this server has no store: open it with Server::open".into())
        })
    }

    /// Who is calling, when the request carried a valid OAuth access token
    /// (or an API key). `None` for anonymous calls. Tools declared with
    /// `Security::OAuth` only run with a principal holding their scopes.
    pub fn principal(&self) -> Option<&Arc<crate::auth::Principal>> {
        self.0.principal.as_ref()
    }

    /// The app serving this request.
    pub fn app(&self) -> &Arc<App> {
        &self.0.app
    }

    /// The protocol era (and version) of the request.
    pub fn era(&self) -> Era {
        self.0.era
    }

    /// The session id, for stateful legacy-era sessions.
    pub fn session_id(&self) -> Option<&str> {
        self.0.session.as_ref().map(|s| s.id())
    }

    /// The session, for stateful legacy-era sessions.
    pub fn session(&self) -> Option<&Arc<Session>> {
        self.0.session.as_ref()
    }

    /// The request's `_meta` (host hints such as `openai/locale` live here; never trust them for authorization).
    pub fn meta(&self) -> &RequestMeta {
        &self.0.meta
    }

    /// Resolves when the client cancels the request (or the server shuts down).
    pub async fn cancelled(&self) {
        self.0.cancel.cancelled().await
    }

    /// True once the request was cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.cancel.is_cancelled()
    }

    /// Sends `notifications/progress` when the client asked for progress.
    pub fn progress(&self, progress: f64, total: Option<f64>, message: Option<&str>) {
        let (Some(token), Some(out)) = (&self.0.meta.progress_token, &self.0.outbound) else {
            return;
        };
        let mut params = json!({ "progressToken": token, "progress": progress });
        if let Some(t) = total {
            params["total"] = json!(t);
        }
        if let Some(m) = message {
            params["message"] = json!(m);
        }
        out.send(notification_bytes("notifications/progress", &params));
    }

    /// The level below which log notifications are not sent, or `None` for "send nothing".
    fn log_threshold(&self) -> Option<LogLevel> {
        match self.0.era {
            // 2026: only when the request asked for logs.
            Era::Modern => self.0.modern.as_ref().and_then(|m| m.log_level),
            // Legacy: the session's level, or everything until the client sets one.
            Era::Legacy(_) => Some(
                self.0
                    .session
                    .as_ref()
                    .and_then(|s| s.log_level())
                    .unwrap_or(LogLevel::Debug),
            ),
        }
    }

    /// Sends `notifications/message` on the request's stream if the level passes the client's threshold.
    pub fn log(&self, level: LogLevel, logger: Option<&str>, data: Value) {
        let Some(out) = &self.0.outbound else { return };
        match self.log_threshold() {
            Some(min) if level >= min => {}
            _ => return,
        }
        let mut params = json!({ "level": level, "data": data });
        if let Some(l) = logger {
            params["logger"] = json!(l);
        }
        out.send(notification_bytes("notifications/message", &params));
    }

    /// Ends the request's SSE stream now while the work goes on; the client
    /// reconnects with `Last-Event-ID` to get the rest (SEP-1699 polling).
    pub fn close_sse_stream(&self) {
        if let Some(out) = &self.0.outbound {
            out.close_stream();
        }
    }

    fn client_has(&self, capability: &str) -> Option<bool> {
        let caps = match self.0.era {
            Era::Modern => Some(self.0.modern.as_ref()?.client_capabilities.clone()),
            Era::Legacy(_) => self
                .0
                .session
                .as_ref()
                .and_then(|s| s.client_capabilities()),
        }?;
        Some(match capability {
            "sampling" => caps.sampling.is_some(),
            "elicitation" => caps.elicitation.is_some(),
            "roots" => caps.roots.is_some(),
            _ => false,
        })
    }

    /// Asks the client something: `sampling/createMessage`, `elicitation/create` or `roots/list`.
    ///
    /// Session era: sends a server-to-client request on the request's stream and
    /// waits for the answer. 2026 era: returns the answer the client sent with a
    /// retry (`inputResponses[key]`), or fails with [`ToolError::InputRequired`]
    /// so the client is asked (MRTR). `key` names the question across retries.
    pub async fn ask(&self, key: &str, method: &str, params: Value) -> Result<Value, ToolError> {
        let capability = match method {
            "sampling/createMessage" => "sampling",
            "elicitation/create" => "elicitation",
            "roots/list" => "roots",
            other => {
                return Err(ToolError::Internal(format!(
                    "{other} is not a client request"
                )));
            }
        };
        if self.client_has(capability) == Some(false) {
            let msg = format!(
                "The client did not declare the `{capability}` capability, which {method} needs"
            );
            return Err(match self.0.era {
                Era::Modern => ToolError::Rpc(
                    RpcError::new(code::MISSING_CLIENT_CAPABILITY, msg)
                        .with_data(json!({ "requiredCapabilities": { capability: {} } })),
                ),
                Era::Legacy(_) => ToolError::Failed(msg),
            });
        }
        if self.0.era.is_modern() {
            if let Some(answer) = self.0.inputs.get(key) {
                return Ok(answer.clone());
            }
            let mut requests = BTreeMap::new();
            requests.insert(
                key.to_owned(),
                json!({ "method": method, "params": params }),
            );
            let state = (!self.0.inputs.is_empty()).then(|| encode_state(&self.0.inputs));
            return Err(ToolError::InputRequired(Box::new(InputRequired {
                requests,
                state,
            })));
        }
        let Some(out) = &self.0.outbound else {
            return Err(ToolError::Failed(format!(
                "{method} needs a stream to the client, and this transport has none"
            )));
        };
        let (id, rx) = self.0.pending.register();
        if !out.send(request_bytes(&id, method, &params)) {
            self.0.pending.forget(&id);
            return Err(ToolError::Cancelled);
        }
        let outcome = tokio::select! {
            r = rx => r.map_err(|_| ToolError::Cancelled),
            _ = self.0.cancel.cancelled() => Err(ToolError::Cancelled),
            _ = tokio::time::sleep(self.0.request_timeout) => Err(ToolError::Failed(format!(
                "The client did not answer {method} within {} s", self.0.request_timeout.as_secs()
            ))),
        };
        self.0.pending.forget(&id);
        match outcome? {
            Ok(v) => Ok(v),
            Err(e) => Err(ToolError::Failed(format!(
                "The client refused {method}: {}",
                e.message
            ))),
        }
    }

    /// The request id (absent for notifications).
    pub fn request_id(&self) -> Option<&OwnedId> {
        self.0.request_id.as_ref()
    }
}

/// Encodes collected MRTR answers as the opaque `requestState`.
pub(crate) fn encode_state(inputs: &BTreeMap<String, Value>) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(inputs).unwrap_or_default())
}

/// Decodes `requestState`; garbage is -32602.
pub(crate) fn decode_state(state: &str) -> Result<BTreeMap<String, Value>, RpcError> {
    let bad = || {
        RpcError::invalid_params("Invalid requestState: return it exactly as the server sent it")
    };
    let bytes = URL_SAFE_NO_PAD.decode(state).map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map_err(|_| bad())
}
