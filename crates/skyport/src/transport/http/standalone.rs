//! The session's standalone stream (`GET /{app}/mcp`) and `Last-Event-ID`
//! resumption: from this replica's memory, or, with a shared store, from the
//! event store, so a client may resume on any replica.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use futures::StreamExt;

use super::streamable::{
    St, VERSION_HEADER, bad_request, find_session, header_str, method_not_allowed, primes, rejected,
};
use super::{AppState, guard, sse};
use crate::engine::Session;
use crate::engine::stream_log::StreamLog;
use crate::protocol::error::code;
use crate::protocol::version::MODERN;
use crate::protocol::{Era, RpcError};

/// `GET /{app}/mcp`: the session's standalone stream, or a resumed stream.
pub async fn get(State(st): St, headers: HeaderMap) -> Response {
    if let Err(r) =
        guard::check_host_and_origin(&headers, &st.http.allowed_hosts, &st.http.allowed_origins)
    {
        return rejected(&st, "origin", r);
    }
    if st.http.stateless || header_str(&headers, VERSION_HEADER) == Some(MODERN) {
        return method_not_allowed();
    }
    if let Err(r) = guard::check_sse_accept(&headers) {
        return rejected(&st, "accept", r);
    }
    let session = match find_session(&st, &headers).await {
        Ok(Some(s)) => s,
        Ok(None) => {
            return bad_request(
                "Bad Request: the Mcp-Session-Id header is required; send initialize first to get one",
            );
        }
        Err(r) => return r,
    };
    if let Some(last) = header_str(&headers, "last-event-id") {
        if let Some((log, seq)) = session.streams.resume_point(last)
            && log.is_standalone()
        {
            if session.has_push() {
                return stream_conflict();
            }
            let rest = log.after(seq).0;
            let replayed = futures::stream::iter(rest)
                .map(|e| sse::message_event(Some(&e.id), &e.data))
                .boxed();
            return standalone_after(&st, session, replayed);
        }
        if let Some((log, seq)) = session.streams.resume_point(last) {
            let frames = log
                .follow(seq)
                .map(|e| sse::message_event(Some(&e.id), &e.data));
            return sse::response(sse::with_keep_alive(
                frames,
                st.http.sse_keep_alive,
                Some(st.shutdown.clone()),
            ));
        }
        if let Some(r) = resume_elsewhere(&st, &session, last).await {
            return r;
        }
    }
    if session.has_push() {
        return stream_conflict();
    }
    standalone(&st, session)
}

fn stream_conflict() -> Response {
    guard::rpc_error_response(
        StatusCode::CONFLICT,
        &RpcError::new(
            code::TRANSPORT_REJECTED,
            "Conflict: this session already has an open GET stream; close it first",
        ),
    )
}

/// Marks a standalone stream's log complete when its response goes away, so
/// a client resuming it elsewhere gets the rest and then a live stream.
struct FinishOnDrop(Arc<StreamLog>);

impl Drop for FinishOnDrop {
    fn drop(&mut self) {
        self.0.finish();
    }
}

/// Resumes a stream another replica wrote, from the shared store. A POST's
/// stream is replayed and followed to its end; a standalone stream is
/// replayed and then goes on as this replica's live stream for the session.
async fn resume_elsewhere(st: &AppState, session: &Arc<Session>, last: &str) -> Option<Response> {
    let (fleet, id) = session.streams.shared()?;
    let (stream, seq) = crate::engine::stream_log::parse_event_id(last)?;
    let key = crate::engine::stream_log::stream_key(id, stream);
    let replay = fleet.follow_remote(key, stream, seq).await?;
    let replayed = replay.map(|e| sse::message_event(Some(&e.id), &e.data));
    if stream & 1 == 0 {
        return Some(sse::response(sse::with_keep_alive(
            replayed,
            st.http.sse_keep_alive,
            Some(st.shutdown.clone()),
        )));
    }
    if session.has_push() {
        return Some(stream_conflict());
    }
    Some(standalone_after(st, session.clone(), replayed.boxed()))
}

/// Server-originated messages for a session: notifications from the app and pushes.
fn standalone(st: &AppState, session: Arc<Session>) -> Response {
    standalone_after(st, session, futures::stream::empty().boxed())
}

/// A standalone stream that first sends `replayed` (a resumed stream's rest).
fn standalone_after(
    st: &AppState,
    session: Arc<Session>,
    replayed: futures::stream::BoxStream<'static, bytes::Bytes>,
) -> Response {
    let push = session.open_push();
    let events = st.engine.app().notifier().subscribe();
    let log = session.streams.open(true);
    let prime = primes(Era::Legacy(session.version()), Some(&session));
    let retry = st.http.sse_retry;
    let messages = crate::engine::session::outgoing(session.clone(), push, events);
    let finish = FinishOnDrop(log.clone());
    let frames = async_stream::stream! {
        let _finish = finish;
        for await frame in replayed {
            yield frame;
        }
        if prime {
            yield sse::priming_event(&log.priming_id(), retry);
        }
        for await bytes in messages {
            let id = log.append(bytes.clone());
            yield sse::message_event(Some(&id), &bytes);
        }
        session.close_push();
    };
    sse::response(sse::with_keep_alive(
        frames,
        st.http.sse_keep_alive,
        Some(st.shutdown.clone()),
    ))
}
