//! Streamable HTTP (`/{app}/mcp`): POST answered as JSON, or as an SSE stream
//! when the call sends notifications or server-to-client requests; GET for the
//! session's standalone stream (and `Last-Event-ID` resumption); DELETE to end
//! a session. In stateless mode no session ids are issued and GET/DELETE are 405.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use futures::stream::FuturesUnordered;
use serde::Deserialize;

use super::sse;
use super::{AppState, guard};
use crate::engine::stream_log::StreamLog;
use crate::engine::{
    CallEnv, Dispatch, Outbound, OutboundMsg, OutboundRx, Reply, Session, StatusHint,
};
use crate::protocol::error::code;
use crate::protocol::jsonrpc::{Body, Incoming, IncomingKind};
use crate::protocol::meta::check_header_version;
use crate::protocol::version::{MODERN, Version};
use crate::protocol::{Era, RpcError};

const SESSION_HEADER: &str = "mcp-session-id";
pub(super) const VERSION_HEADER: &str = "mcp-protocol-version";

pub(super) type St = State<Arc<AppState>>;

pub(super) fn json_response(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut r = Response::new(axum::body::Body::from(bytes));
    *r.status_mut() = status;
    // Room for every header the answer leaves with (type, length, request
    // id, security headers): the map is allocated once, never grown.
    let mut headers = HeaderMap::with_capacity(8);
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    *r.headers_mut() = headers;
    r
}

fn status_of(hint: StatusHint) -> StatusCode {
    match hint {
        StatusHint::Ok => StatusCode::OK,
        StatusHint::BadRequest => StatusCode::BAD_REQUEST,
        StatusHint::NotFound => StatusCode::NOT_FOUND,
    }
}

fn reply_response(reply: Reply) -> Response {
    json_response(status_of(reply.status), reply.bytes)
}

pub(super) fn rejected(st: &AppState, reason: &str, r: Response) -> Response {
    st.metrics.rejection(st.engine.app().name(), reason);
    r
}

pub(super) fn bad_request(message: impl Into<String>) -> Response {
    guard::rpc_error_response(StatusCode::BAD_REQUEST, &RpcError::invalid_request(message))
}

fn session_not_found() -> Response {
    guard::rpc_error_response(
        StatusCode::NOT_FOUND,
        &RpcError::new(
            code::SESSION_NOT_FOUND,
            "Session not found: it expired or never existed. Send initialize again without an Mcp-Session-Id header to start a new session",
        ),
    )
}

pub(super) fn method_not_allowed() -> Response {
    let mut r = guard::rpc_error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &RpcError::new(
            code::TRANSPORT_REJECTED,
            "Method Not Allowed: this endpoint is stateless; send each request as a POST",
        ),
    );
    r.headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    r
}

pub(super) fn header_str<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// The session named by `Mcp-Session-Id`: `Ok(None)` when stateless or absent.
pub(super) async fn find_session(
    st: &AppState,
    headers: &HeaderMap,
) -> Result<Option<Arc<Session>>, Response> {
    if st.http.stateless {
        return Ok(None);
    }
    match header_str(headers, SESSION_HEADER) {
        None => Ok(None),
        Some(id) => st
            .engine
            .sessions()
            .get(id)
            .await
            .map(Some)
            .ok_or_else(session_not_found),
    }
}

/// `POST /{app}/mcp`.
pub async fn post(State(st): St, request: axum::extract::Request) -> Response {
    // Headers are borrowed from the request, not cloned (the HeaderMap extractor clones them).
    let (parts, body) = request.into_parts();
    let headers = &parts.headers;
    if let Err(r) =
        guard::check_host_and_origin(headers, &st.http.allowed_hosts, &st.http.allowed_origins)
    {
        return rejected(&st, "origin", r);
    }
    let principal = parts.extensions.get::<Caller>().cloned();
    if let Err(r) = guard::check_json_content_type(headers) {
        return rejected(&st, "content-type", r);
    }
    if let Err(r) = guard::check_post_accept(headers) {
        return rejected(&st, "accept", r);
    }
    let body = match super::read_body(&st, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    let parsed = match Incoming::parse_body(&body) {
        Ok(p) => p,
        Err(e) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                crate::protocol::jsonrpc::error_bytes(e.id.as_deref(), &e.error),
            );
        }
    };
    match parsed {
        Body::Single(msg) => single(&st, headers, msg, principal).await,
        Body::Batch(msgs) => batch(&st, headers, msgs, principal).await,
    }
}

/// The verified caller the auth layer put in the request's extensions.
type Caller = Arc<crate::auth::Principal>;

async fn single(
    st: &Arc<AppState>,
    headers: &HeaderMap,
    msg: Incoming<'_>,
    principal: Option<Caller>,
) -> Response {
    match msg.kind {
        IncomingKind::Response => {
            st.engine.response(&msg);
            StatusCode::ACCEPTED.into_response()
        }
        IncomingKind::Notification => {
            let session = match find_session(st, headers).await {
                Ok(s) => s,
                Err(r) => return r,
            };
            st.engine.notification(&msg, session.as_deref());
            StatusCode::ACCEPTED.into_response()
        }
        IncomingKind::Request if msg.method == "initialize" => initialize(st, headers, &msg).await,
        IncomingKind::Request => request(st, headers, msg, principal).await,
    }
}

async fn initialize(st: &Arc<AppState>, headers: &HeaderMap, msg: &Incoming<'_>) -> Response {
    if !st.http.stateless && header_str(headers, SESSION_HEADER).is_some() {
        return bad_request(
            "Invalid Request: initialize must be sent without an Mcp-Session-Id header; this session is already initialized",
        );
    }
    let (negotiated, reply) = match st.engine.initialize(msg) {
        Ok(x) => x,
        Err(r) => return reply_response(r),
    };
    if st.http.stateless {
        return reply_response(reply);
    }
    let session = match st.engine.sessions().create(Some(negotiated)).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot create a session");
            return guard::rpc_error_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &RpcError::internal("the session store is unavailable; try again shortly"),
            );
        }
    };
    let mut response = reply_response(reply);
    {
        st.engine.metrics_sessions_set();
        if let Ok(v) = HeaderValue::from_str(session.id()) {
            response.headers_mut().insert(SESSION_HEADER, v);
        }
    }
    response
}

/// The legacy version named by the header; 400 when it names none we speak.
fn header_version(headers: &HeaderMap) -> Result<Option<Version>, Response> {
    match header_str(headers, VERSION_HEADER) {
        None => Ok(None),
        Some(v) => match check_header_version(v) {
            Ok(()) => Ok(Version::parse(v)),
            Err(e) => Err(guard::rpc_error_response(StatusCode::BAD_REQUEST, &e)),
        },
    }
}

fn header_mismatch(message: String) -> Response {
    guard::rpc_error_response(
        StatusCode::BAD_REQUEST,
        &RpcError::new(code::HEADER_MISMATCH, message),
    )
}

#[derive(Deserialize)]
struct NameOrUri {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    uri: Option<String>,
}

/// 2026-07-28: the routing headers must repeat what the body says.
fn check_modern_headers(
    st: &AppState,
    headers: &HeaderMap,
    msg: &Incoming<'_>,
) -> Result<(), Response> {
    match header_str(headers, VERSION_HEADER) {
        Some(MODERN) => {}
        other => {
            return Err(header_mismatch(format!(
                "MCP-Protocol-Version header is {other:?} but the request's _meta says {MODERN}: send the same version in both"
            )));
        }
    }
    if header_str(headers, "mcp-method") != Some(msg.method.as_ref()) {
        return Err(header_mismatch(format!(
            "Mcp-Method header must equal the body's method {:?}",
            msg.method
        )));
    }
    let named = match msg.method.as_ref() {
        "tools/call" | "prompts/get" => msg.params_as::<NameOrUri>().ok().and_then(|p| p.name),
        "resources/read" => msg.params_as::<NameOrUri>().ok().and_then(|p| p.uri),
        _ => return Ok(()),
    };
    if let Some(name) = named
        && header_str(headers, "mcp-name") != Some(name.as_str())
    {
        return Err(header_mismatch(format!(
            "Mcp-Name header must equal {name:?}, the name or URI in the body"
        )));
    }
    if msg.method == "tools/call" {
        st.engine
            .check_param_headers(msg, |h| {
                header_str(headers, &format!("mcp-param-{}", h.to_ascii_lowercase()))
            })
            .map_err(|e| guard::rpc_error_response(StatusCode::BAD_REQUEST, &e))?;
    }
    Ok(())
}

async fn request(
    st: &Arc<AppState>,
    headers: &HeaderMap,
    msg: Incoming<'_>,
    principal: Option<Caller>,
) -> Response {
    let version = match header_version(headers) {
        Ok(v) => v,
        Err(r) => return rejected(st, "protocol-version", r),
    };
    let env = CallEnv {
        header_version: version,
        principal,
        ..CallEnv::default()
    };
    let info = match st.engine.classify(&msg, &env) {
        Ok(i) => i,
        Err(reply) => return reply_response(reply),
    };
    let mut env = env;
    if info.era.is_modern() {
        if let Err(r) = check_modern_headers(st, headers, &msg) {
            return rejected(st, "header-mismatch", r);
        }
        if msg.method == "subscriptions/listen" {
            return super::listen::listen(st, &msg);
        }
    } else if !st.http.stateless {
        let Some(id) = header_str(headers, SESSION_HEADER) else {
            return rejected(
                st,
                "session",
                bad_request(
                    "Bad Request: the Mcp-Session-Id header is required; send initialize first to get one",
                ),
            );
        };
        let Some(session) = st.engine.sessions().get(id).await else {
            return rejected(st, "session", session_not_found());
        };
        env.session = Some(session);
    }
    let session = env.session.clone();
    let mut info = info;
    if let Some(s) = &session {
        // The session's negotiated version, not the header's, governs the reply.
        info.era = Era::Legacy(s.version());
    }
    let era = info.era;
    let (outbound, rx) = Outbound::channel();
    env.outbound = Some(outbound);
    match st.engine.dispatch(&msg, info, env) {
        Dispatch::Ready(reply) => reply_response(reply),
        Dispatch::Pending(fut) => drive(st, era, session, fut, rx).await,
    }
}

type PendingReply = crate::engine::BoxFuture<'static, Option<Reply>>;

/// Runs a pending reply in the request's own task; switches to an SSE stream
/// (and a spawned task) only when the call sends something before its result.
async fn drive(
    st: &Arc<AppState>,
    era: Era,
    session: Option<Arc<Session>>,
    mut fut: PendingReply,
    mut rx: OutboundRx,
) -> Response {
    let first = tokio::select! {
        biased;
        reply = &mut fut => {
            let queued = drain(&mut rx);
            if queued.is_empty() {
                return match reply {
                    Some(r) => reply_response(r),
                    // Cancelled: nothing to say; the client already gave up on it.
                    None => StatusCode::ACCEPTED.into_response(),
                };
            }
            return stream_finished(st, era, session.as_deref(), queued, reply);
        }
        Some(msg) = rx.next() => msg,
    };
    stream_live(st, era, session, fut, rx, first)
}

fn drain(rx: &mut OutboundRx) -> Vec<OutboundMsg> {
    let mut out = Vec::new();
    while let Ok(m) = rx.try_recv() {
        out.push(m);
    }
    out
}

fn open_log(st: &AppState, session: Option<&Session>) -> Arc<StreamLog> {
    match session {
        Some(s) => s.streams.open(false),
        None => StreamLog::ephemeral(st.engine.settings().event_retention),
    }
}

/// Priming events go to clients that negotiated 2025-11-25 (they know to resume).
pub(super) fn primes(era: Era, session: Option<&Session>) -> bool {
    session.is_some() && matches!(era, Era::Legacy(v) if v >= Version::V2025_11_25)
}

fn stream_body(st: &AppState, log: Arc<StreamLog>, prime: bool) -> Response {
    let retry = st.http.sse_retry;
    let priming = prime.then(|| sse::priming_event(&log.priming_id(), retry));
    let events = log
        .follow(0)
        .map(|e| sse::message_event(Some(&e.id), &e.data));
    let frames = futures::stream::iter(priming).chain(events);
    // A POST's stream ends with its response: at shutdown it drains like a JSON
    // answer (bounded by http.shutdown_timeout_secs) instead of losing the result.
    sse::response(sse::with_keep_alive(frames, st.http.sse_keep_alive, None))
}

fn stream_finished(
    st: &AppState,
    era: Era,
    session: Option<&Session>,
    queued: Vec<OutboundMsg>,
    reply: Option<Reply>,
) -> Response {
    let log = open_log(st, session);
    for m in queued {
        if let OutboundMsg::Message(b) = m {
            log.append(b);
        }
    }
    if let Some(r) = reply {
        log.append(r.bytes);
    }
    log.finish();
    stream_body(st, log, primes(era, session))
}

/// Aborts the work when the response stream is dropped (2026: closing the stream cancels).
struct AbortOnDrop(tokio::task::AbortHandle);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn stream_live(
    st: &AppState,
    era: Era,
    session: Option<Arc<Session>>,
    mut fut: PendingReply,
    mut rx: OutboundRx,
    first: OutboundMsg,
) -> Response {
    let log = open_log(st, session.as_deref());
    // Only primed streams can be resumed: a client older than 2025-11-25 (or
    // one without a session) may hold no event id yet, and would lose the result.
    let resumable = primes(era, session.as_deref());
    let record = {
        let log = log.clone();
        move |m: OutboundMsg| match m {
            OutboundMsg::Message(b) => {
                log.append(b);
            }
            // Nothing could resume the stream: keep it open.
            OutboundMsg::CloseStream if resumable => log.cut(),
            OutboundMsg::CloseStream => {}
        }
    };
    // The live reader must exist before anything is recorded: it counts only
    // the cuts made after it started, so an early close_sse_stream() would be lost.
    let response = stream_body(st, log.clone(), primes(era, session.as_deref()));
    record(first);
    let task_log = log.clone();
    // The call goes on in its own task: in the session era a dropped stream
    // does not cancel it, and its result stays resumable.
    let task = tokio::spawn(async move {
        loop {
            tokio::select! {
                biased;
                Some(m) = rx.next() => record(m),
                reply = &mut fut => {
                    for m in drain(&mut rx) {
                        record(m);
                    }
                    if let Some(r) = reply {
                        task_log.append(r.bytes);
                    }
                    task_log.finish();
                    break;
                }
            }
        }
    });
    if era.is_modern() {
        let guard = AbortOnDrop(task.abort_handle());
        let (parts, body) = response.into_parts();
        let stream = body.into_data_stream().map(move |chunk| {
            let _keep = &guard;
            chunk
        });
        return Response::from_parts(parts, axum::body::Body::from_stream(stream));
    }
    response
}

async fn batch(
    st: &Arc<AppState>,
    headers: &HeaderMap,
    msgs: Vec<Incoming<'_>>,
    principal: Option<Caller>,
) -> Response {
    let session = match find_session(st, headers).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let version = session
        .as_ref()
        .map(|s| s.version())
        .or_else(|| header_version(headers).ok().flatten());
    if version != Some(Version::V2025_03_26) {
        return bad_request(format!(
            "Invalid Request: JSON-RPC batches exist only in protocol version 2025-03-26 (this request speaks {}); send one message per POST",
            version.map_or("an unknown version", Version::as_str)
        ));
    }
    if !st.http.stateless && session.is_none() {
        return bad_request(
            "Bad Request: the Mcp-Session-Id header is required; send initialize first to get one",
        );
    }
    let (outbound, rx) = Outbound::channel();
    let mut ready = Vec::new();
    let pending = FuturesUnordered::new();
    for msg in &msgs {
        match msg.kind {
            IncomingKind::Response => {
                st.engine.response(msg);
            }
            IncomingKind::Notification => st.engine.notification(msg, session.as_deref()),
            IncomingKind::Request if msg.method == "initialize" => {
                ready.push(crate::protocol::jsonrpc::error_bytes(
                    msg.id,
                    &RpcError::invalid_request("initialize cannot be part of a batch"),
                ));
            }
            IncomingKind::Request => {
                let env = CallEnv {
                    session: session.clone(),
                    outbound: Some(outbound.clone()),
                    header_version: version,
                    principal: principal.clone(),
                };
                let info = match st.engine.classify(msg, &env) {
                    Ok(i) => i,
                    Err(r) => {
                        ready.push(r.bytes);
                        continue;
                    }
                };
                match st.engine.dispatch(msg, info, env) {
                    Dispatch::Ready(r) => ready.push(r.bytes),
                    Dispatch::Pending(f) => pending.push(f),
                }
            }
        }
    }
    drop(outbound);
    if pending.is_empty() {
        if ready.is_empty() {
            return StatusCode::ACCEPTED.into_response();
        }
        let mut body = b"[".to_vec();
        body.extend(ready.join(&b","[..]));
        body.push(b']');
        return json_response(StatusCode::OK, body);
    }
    // Some calls need work: stream every reply as it completes.
    let log = open_log(st, session.as_deref());
    for r in ready {
        log.append(r);
    }
    let all = pending.filter_map(|r| async move { r.map(|r| OutboundMsg::Message(r.bytes)) });
    let task_log = log.clone();
    tokio::spawn(async move {
        let merged = futures::stream::select(all, rx);
        tokio::pin!(merged);
        while let Some(m) = merged.next().await {
            if let OutboundMsg::Message(b) = m {
                task_log.append(b);
            }
        }
        task_log.finish();
    });
    stream_body(st, log, false)
}

/// `DELETE /{app}/mcp`: ends the session.
pub async fn delete(State(st): St, headers: HeaderMap) -> Response {
    if let Err(r) =
        guard::check_host_and_origin(&headers, &st.http.allowed_hosts, &st.http.allowed_origins)
    {
        return rejected(&st, "origin", r);
    }
    // 2026-07-28 is POST only: DELETE answers 405 like GET.
    if st.http.stateless || header_str(&headers, VERSION_HEADER) == Some(MODERN) {
        return method_not_allowed();
    }
    let Some(id) = header_str(&headers, SESSION_HEADER) else {
        return bad_request(
            "Bad Request: DELETE needs the Mcp-Session-Id header of the session to end",
        );
    };
    if st.engine.sessions().delete(id).await {
        st.engine.metrics_sessions_set();
        StatusCode::OK.into_response()
    } else {
        session_not_found()
    }
}
