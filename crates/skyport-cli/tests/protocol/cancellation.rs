//! `notifications/cancelled` (and ending a session) stops an in-flight call:
//! no response is sent for it, late answers are ignored, the connection carries on.
//! The in-flight call is the conformance tool `test_sampling`, which waits for
//! the client's answer to its `sampling/createMessage`.

use std::time::Duration;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn caps() -> Value {
    json!({ "sampling": {} })
}

fn sampling_call(id: i64) -> Value {
    request(
        id,
        "tools/call",
        json!({ "name": "test_sampling", "arguments": { "prompt": "wait for me" } }),
    )
}

/// The client's answer to the server's sampling request.
fn late_answer(id: &Value) -> Value {
    json!({
        "jsonrpc": "2.0",
        "id": id,
        "result": { "role": "assistant", "content": { "type": "text", "text": "late" }, "model": "m" }
    })
}

/// Opens a session and starts a call that now waits on the client; returns the
/// call's stream and the id of the server's sampling request.
async fn waiting_call(server: &Server) -> (Session, SseStream, Value) {
    let s = Session::open_with(&server.mcp("conformance"), LATEST_LEGACY, caps()).await;
    let resp = s.post(&sampling_call(1)).await;
    assert!(is_sse(&resp));
    let mut stream = SseStream::new(resp);
    let req = stream.next_message(STEP).await.unwrap();
    assert_eq!(req["method"], "sampling/createMessage");
    (s, stream, req["id"].clone())
}

/// Reads the rest of a stream; asserts it ends and carries no response for `id`.
async fn ends_without_response(stream: &mut SseStream, id: i64) {
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let left = deadline.saturating_duration_since(tokio::time::Instant::now());
        match stream.try_next_event(left).await {
            Ok(None) => return,
            Ok(Some(ev)) if ev.data.is_empty() => {}
            Ok(Some(ev)) => {
                let m = ev.json();
                assert!(
                    m["id"] != id || m.get("method").is_some(),
                    "a cancelled call was answered: {m:#}"
                );
            }
            Err(()) => panic!("the cancelled call's stream stayed open"),
        }
    }
}

#[tokio::test]
async fn cancelled_call_gets_no_response_and_late_answers_are_ignored() {
    let server = Server::start("conformance", &[]);
    let (s, mut stream, sampling_id) = waiting_call(&server).await;

    let r = s
        .notify(
            "notifications/cancelled",
            json!({ "requestId": 1, "reason": "user pressed stop" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    ends_without_response(&mut stream, 1).await;

    // The client's late answer to the abandoned sampling request is accepted and ignored.
    let late = s.post(&late_answer(&sampling_id)).await;
    assert_eq!(late.status(), StatusCode::ACCEPTED);
    // The session carries on, and the same request id may be used again.
    s.call("ping", json!({})).await;
    let again = s.post(&sampling_call(1)).await;
    assert!(is_sse(&again));
}

#[tokio::test]
async fn cancelling_unknown_or_finished_requests_is_harmless() {
    let server = Server::start("conformance", &[]);
    let s = Session::open_with(&server.mcp("conformance"), LATEST_LEGACY, caps()).await;
    for id in [json!(12345), json!("nope"), json!(null)] {
        let r = s
            .notify("notifications/cancelled", json!({ "requestId": id }))
            .await;
        assert_eq!(r.status(), StatusCode::ACCEPTED);
    }
    s.call("ping", json!({})).await;
}

#[tokio::test]
async fn deleting_the_session_cancels_its_calls() {
    let server = Server::start("conformance", &[]);
    let (s, mut stream, _) = waiting_call(&server).await;
    assert_eq!(s.delete().await.status(), StatusCode::OK);
    ends_without_response(&mut stream, 1).await;
}

#[tokio::test]
async fn legacy_sse_cancellation() {
    let server = Server::start("conformance", &[]);
    let mut sse = LegacySse::open(&server, "conformance").await;
    sse.post(request(0, "initialize", init_params("2024-11-05", caps())))
        .await;
    sse.stream.next_message(STEP).await.unwrap();
    sse.post(sampling_call(1)).await;
    let req = sse.stream.next_message(STEP).await.unwrap();
    assert_eq!(req["method"], "sampling/createMessage");
    sse.post(notification(
        "notifications/cancelled",
        json!({ "requestId": 1 }),
    ))
    .await;
    // The late answer would let a call that was not cancelled finish; it must
    // not: the next message on the stream is the ping's.
    tokio::time::sleep(Duration::from_millis(100)).await;
    sse.post(late_answer(&req["id"])).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    sse.post(request(2, "ping", json!({}))).await;
    let next = sse.stream.next_message(STEP).await.unwrap();
    assert_eq!(next["id"], 2, "{next:#}");
    assert_eq!(next["result"], json!({}));
}

#[tokio::test]
async fn stdio_cancellation() {
    let mut p = StdioProc::start("conformance");
    p.send(&request(
        1,
        "initialize",
        init_params(LATEST_LEGACY, caps()),
    ))
    .await;
    assert_eq!(p.recv().await["id"], 1);
    p.send(&sampling_call(2)).await;
    let req = p.recv().await;
    assert_eq!(req["method"], "sampling/createMessage");
    p.send(&notification(
        "notifications/cancelled",
        json!({ "requestId": 2 }),
    ))
    .await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    p.send(&late_answer(&req["id"])).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    p.send(&request(3, "ping", json!({}))).await;
    let next = p.recv().await;
    assert_eq!(next["id"], 3, "the cancelled call answered: {next:#}");
}
