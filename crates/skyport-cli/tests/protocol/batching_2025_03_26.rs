//! JSON-RPC batches: allowed in protocol version 2025-03-26 only.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn ids(v: &[Value]) -> Vec<i64> {
    let mut ids: Vec<i64> = v.iter().filter_map(|m| m["id"].as_i64()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_batch_gets_an_array_of_responses() {
    let server = Server::start("greeter", &[]);
    let s = Session::open(&server.mcp("greeter"), "2025-03-26").await;
    assert_eq!(s.version, "2025-03-26");
    let batch = json!([
        request(1, "tools/list", json!({})),
        notification("notifications/cancelled", json!({ "requestId": 99 })),
        request(2, "ping", json!({})),
        request(3, "no/such", json!({})),
    ]);
    let resp = s.post(&batch).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(!is_sse(&resp));
    let arr: Vec<Value> = resp.json().await.unwrap();
    assert_eq!(
        ids(&arr),
        [1, 2, 3],
        "notifications get no answer: {arr:#?}"
    );
    let by_id = |i: i64| arr.iter().find(|m| m["id"] == i).unwrap();
    assert_eq!(by_id(1)["result"]["tools"][0]["name"], "greet_user");
    assert_eq!(by_id(2)["result"], json!({}));
    assert_eq!(by_id(3)["error"]["code"], -32601);
}

#[tokio::test]
async fn a_batch_with_tool_calls_streams_every_response() {
    let server = Server::start("greeter", &[]);
    let s = Session::open(&server.mcp("greeter"), "2025-03-26").await;
    let batch = json!([
        request(
            1,
            "tools/call",
            json!({ "name": "greet_user", "arguments": { "name": "One" } })
        ),
        request(
            2,
            "tools/call",
            json!({ "name": "greet_user", "arguments": { "name": "Two" } })
        ),
        request(3, "ping", json!({})),
        request(4, "initialize", init_params("2025-03-26", json!({}))),
    ]);
    let resp = s.post(&batch).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let msgs: Vec<Value> = if is_sse(&resp) {
        let mut stream = SseStream::new(resp);
        let mut out = Vec::new();
        while let Some(m) = stream.next_message(STEP).await {
            out.push(m);
        }
        out
    } else {
        resp.json().await.unwrap()
    };
    assert_eq!(ids(&msgs), [1, 2, 3, 4], "{msgs:#?}");
    let by_id = |i: i64| msgs.iter().find(|m| m["id"] == i).unwrap();
    assert!(first_text(&by_id(1)["result"]).contains("Hello, One!"));
    assert!(first_text(&by_id(2)["result"]).contains("Hello, Two!"));
    // initialize may not be batched.
    assert_eq!(by_id(4)["error"]["code"], -32600);
}

#[tokio::test]
async fn only_notifications_get_202() {
    let server = Server::start("greeter", &[]);
    let s = Session::open(&server.mcp("greeter"), "2025-03-26").await;
    let resp = s
        .post(&json!([
            notification("notifications/cancelled", json!({ "requestId": 1 })),
            notification("notifications/cancelled", json!({ "requestId": 2 })),
        ]))
        .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
}

#[tokio::test]
async fn batches_are_refused_in_later_versions() {
    let server = Server::start("greeter", &[]);
    for v in ["2025-06-18", "2025-11-25"] {
        let s = Session::open(&server.mcp("greeter"), v).await;
        let r = read_reply(s.post(&json!([request(1, "ping", json!({}))])).await).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{v}: {r:#?}");
        assert_eq!(r.error_code(), Some(-32600));
        assert!(r.error_message().contains("2025-03-26"), "{r:#?}");
        // The session is unharmed.
        s.call("ping", json!({})).await;
    }
}

#[tokio::test]
async fn empty_and_sessionless_batches_are_refused() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    let s = Session::open(&url, "2025-03-26").await;
    let r = read_reply(s.post(&json!([])).await).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), Some(-32600));

    // Stateful server, 2025-03-26 header but no session.
    let r = rpc(
        &url,
        &json!([request(1, "ping", json!({}))]),
        &[("mcp-protocol-version", "2025-03-26")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert!(r.error_message().contains("Mcp-Session-Id"), "{r:#?}");
}

#[tokio::test]
async fn stateless_servers_batch_by_header_version() {
    let server = Server::start("greeter", &["--stateless"]);
    let url = server.mcp("greeter");
    let resp = post_json(
        &url,
        &json!([
            request(1, "ping", json!({})),
            request(2, "tools/list", json!({}))
        ]),
        &[("mcp-protocol-version", "2025-03-26")],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let arr: Vec<Value> = resp.json().await.unwrap();
    assert_eq!(ids(&arr), [1, 2]);
}
