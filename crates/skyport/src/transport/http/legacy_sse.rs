//! The 2024-11-05 HTTP+SSE transport (seeds 001/002 use it): the client opens
//! `GET /{app}/sse`, learns from the `endpoint` event where to POST, and gets
//! every response and server message on that one stream.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::{AppState, guard, sse};
use crate::engine::{CallEnv, Dispatch, Outbound, Session};
use crate::protocol::RpcError;
use crate::protocol::error::code;
use crate::protocol::jsonrpc::{Body, Incoming, IncomingKind, error_bytes};

/// Ends the session when the SSE stream goes away.
struct EndSession {
    state: Arc<AppState>,
    session: Arc<Session>,
}

impl Drop for EndSession {
    fn drop(&mut self) {
        self.state.engine.sessions().remove(self.session.id());
        self.state.engine.metrics_sessions_set();
    }
}

/// `GET /{app}/sse`: opens a session and its stream.
pub async fn connect(State(st): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    if let Err(r) =
        guard::check_host_and_origin(&headers, &st.http.allowed_hosts, &st.http.allowed_origins)
    {
        return r;
    }
    if let Err(r) = guard::check_sse_accept(&headers) {
        return r;
    }
    let session = match st.engine.sessions().create(None).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot create a session");
            return error(
                StatusCode::SERVICE_UNAVAILABLE,
                "the session store is unavailable; try again shortly",
            );
        }
    };
    st.engine.metrics_sessions_set();
    let push = session.open_push();
    let events = st.engine.app().notifier().subscribe();
    let endpoint = format!("{}/messages?sessionId={}", st.prefix, session.id());
    let end = EndSession {
        state: st.clone(),
        session: session.clone(),
    };
    let messages = crate::engine::session::outgoing(session, push, events);
    let frames = async_stream::stream! {
        let _end = end;
        yield sse::endpoint_event(&endpoint);
        for await bytes in messages {
            yield sse::message_event(None, &bytes);
        }
    };
    sse::response(sse::with_keep_alive(
        frames,
        st.http.sse_keep_alive,
        Some(st.shutdown.clone()),
    ))
}

/// The session query parameter (TS SDK `sessionId`; Python SDK `session_id`).
#[derive(Deserialize)]
pub struct SessionQuery {
    #[serde(rename = "sessionId", alias = "session_id")]
    session_id: Option<String>,
}

fn error(status: StatusCode, message: impl Into<String>) -> Response {
    guard::rpc_error_response(status, &RpcError::new(code::TRANSPORT_REJECTED, message))
}

/// `POST /{app}/messages?sessionId=…`: accepts a message; the answer goes on the stream.
pub async fn message(
    State(st): State<Arc<AppState>>,
    Query(q): Query<SessionQuery>,
    principal: Option<axum::Extension<Arc<crate::auth::Principal>>>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let principal = principal.map(|axum::Extension(p)| p);
    if let Err(r) =
        guard::check_host_and_origin(&headers, &st.http.allowed_hosts, &st.http.allowed_origins)
    {
        return r;
    }
    if let Err(r) = guard::check_json_content_type(&headers) {
        return r;
    }
    let Some(id) = q.session_id else {
        return error(
            StatusCode::BAD_REQUEST,
            "Bad Request: the sessionId query parameter is required; take the URL from the endpoint event",
        );
    };
    let Some(session) = st.engine.sessions().get(&id).await else {
        return error(
            StatusCode::NOT_FOUND,
            "Session not found: open a new stream with GET on the SSE endpoint",
        );
    };
    let body = match super::read_body(&st, body).await {
        Ok(b) => b,
        Err(r) => return r,
    };
    // The stream may be held by another replica: answers then travel there.
    let push = match session.push_sender() {
        Some(p) => p,
        None => match st.engine.sessions().fleet().filter(|f| f.is_shared()) {
            Some(fleet) => fleet.remote_push(session.id()),
            None => {
                return error(
                    StatusCode::NOT_FOUND,
                    "Session not found: its stream is closed",
                );
            }
        },
    };
    let msgs = match Incoming::parse_body(&body) {
        Ok(Body::Single(m)) => vec![m],
        Ok(Body::Batch(v)) => v,
        Err(e) => {
            let _ = push.send(error_bytes(e.id.as_deref(), &e.error));
            return (StatusCode::BAD_REQUEST, e.error.message).into_response();
        }
    };
    for msg in msgs {
        match msg.kind {
            IncomingKind::Response => {
                st.engine.response(&msg);
            }
            IncomingKind::Notification => st.engine.notification(&msg, Some(&session)),
            IncomingKind::Request if msg.method == "initialize" => {
                let bytes = match st.engine.initialize(&msg) {
                    Ok((negotiated, reply)) => {
                        if !session.set_negotiated(negotiated) {
                            error_bytes(
                                msg.id,
                                &RpcError::invalid_request("This session is already initialized"),
                            )
                        } else {
                            if let Some(f) = st
                                .engine
                                .sessions()
                                .persist(&session, crate::engine::SessionField::Negotiated)
                            {
                                f.await;
                            }
                            reply.bytes
                        }
                    }
                    Err(reply) => reply.bytes,
                };
                let _ = push.send(bytes);
            }
            IncomingKind::Request => {
                let env = CallEnv {
                    session: Some(session.clone()),
                    outbound: Some(Outbound::session(push.clone())),
                    header_version: None,
                    principal: principal.clone(),
                };
                let info = match st.engine.classify(&msg, &env) {
                    Ok(i) => i,
                    Err(r) => {
                        let _ = push.send(r.bytes);
                        continue;
                    }
                };
                match st.engine.dispatch(&msg, info, env) {
                    Dispatch::Ready(r) => {
                        let _ = push.send(r.bytes);
                    }
                    Dispatch::Pending(fut) => {
                        let push = push.clone();
                        tokio::spawn(async move {
                            if let Some(r) = fut.await {
                                let _ = push.send(r.bytes);
                            }
                        });
                    }
                }
            }
        }
    }
    (StatusCode::ACCEPTED, "Accepted").into_response()
}
