//! SSE polling and resumption (2025-11-25, SEP-1699) with the conformance
//! tool `test_reconnection`: a priming event, the server closes the POST's
//! stream before the result, and `GET` + `Last-Event-ID` delivers the rest.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

const RECONNECT_TEXT: &str = "Reconnection test completed";

/// POSTs `test_reconnection` and returns the priming id after the stream closed.
async fn call_and_get_cut(s: &Session, id: i64, header_version: &str) -> String {
    let resp = post_json(
        &s.url,
        &request(
            id,
            "tools/call",
            json!({ "name": "test_reconnection", "arguments": {} }),
        ),
        &[
            ("mcp-session-id", &s.id),
            ("mcp-protocol-version", header_version),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(is_sse(&resp), "the call must answer with a stream");
    let mut stream = SseStream::new(resp);
    let prime = stream.next_event(STEP).await.expect("priming event");
    let prime_id = prime.id.clone().expect("the priming event has an id");
    assert_eq!(prime.data, "", "{prime:?}");
    assert_eq!(prime.retry, Some(3000), "{prime:?}");
    // The server closes the stream before the result.
    while let Some(ev) = stream.next_event(STEP).await {
        assert!(
            !ev.data.contains(RECONNECT_TEXT),
            "the result came on the cut stream: {ev:?}"
        );
    }
    prime_id
}

#[tokio::test]
async fn result_arrives_on_the_resumed_stream() {
    let server = Server::start("conformance", &[]);
    let s = Session::open(&server.mcp("conformance"), LATEST_LEGACY).await;
    let prime_id = call_and_get_cut(&s, 1, LATEST_LEGACY).await;

    let resumed = s.get(&[("last-event-id", &prime_id)]).await;
    assert_eq!(resumed.status(), StatusCode::OK);
    assert!(is_sse(&resumed));
    let mut stream = SseStream::new(resumed);
    let ev = stream.next_event(STEP).await.expect("the resumed result");
    assert!(ev.id.is_some(), "resumed events carry ids: {ev:?}");
    let msg = ev.json();
    assert_eq!(msg["id"], 1, "{msg:#}");
    assert!(
        first_text(&msg["result"]).contains(RECONNECT_TEXT),
        "{msg:#}"
    );
    assert_eq!(msg["result"]["isError"], false);
    // The stream of a finished request ends after its response.
    assert!(stream.ends_within(STEP).await);

    // Resuming from the result's own id replays nothing more.
    let again = s.get(&[("last-event-id", ev.id.as_deref().unwrap())]).await;
    assert_eq!(again.status(), StatusCode::OK);
    let mut again = SseStream::new(again);
    assert!(again.ends_within(STEP).await);
}

/// The conformance suite sends `mcp-protocol-version: 2025-03-26` in a
/// 2025-11-25 session: the session's version decides, so priming still happens.
#[tokio::test]
async fn the_session_version_governs_priming() {
    let server = Server::start("conformance", &[]);
    let s = Session::open(&server.mcp("conformance"), LATEST_LEGACY).await;
    let prime_id = call_and_get_cut(&s, 7, "2025-03-26").await;
    let resumed = s.get(&[("last-event-id", &prime_id)]).await;
    let msg = SseStream::new(resumed)
        .next_message(STEP)
        .await
        .expect("result");
    assert_eq!(msg["id"], 7);
}

/// Clients older than 2025-11-25 get no priming event and so cannot resume:
/// their stream must not be cut, the result comes on the POST's own answer.
#[tokio::test]
async fn older_clients_are_never_cut_off() {
    let server = Server::start("conformance", &[]);
    let s = Session::open(&server.mcp("conformance"), "2025-06-18").await;
    let r = s
        .request(
            "tools/call",
            json!({ "name": "test_reconnection", "arguments": {} }),
        )
        .await;
    assert!(first_text(r.result()).contains(RECONNECT_TEXT), "{r:#?}");
}

#[tokio::test]
async fn unknown_last_event_id_opens_the_standalone_stream() {
    let server = Server::start("conformance", &[]);
    let s = Session::open(&server.mcp("conformance"), LATEST_LEGACY).await;
    let resp = s.get(&[("last-event-id", "999-5")]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let mut stream = SseStream::new(resp);
    let prime = stream.next_event(STEP).await.unwrap();
    assert_eq!(
        prime.data, "",
        "a fresh standalone stream primes: {prime:?}"
    );
}
