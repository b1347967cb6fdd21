//! The 2024-11-05 HTTP+SSE transport: `GET /{app}/sse` announces the POST
//! endpoint; each POST answers 202 and the JSON-RPC responses arrive on the stream.

use std::time::Duration;

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

/// Opens the SSE stream and returns it with the absolute POST URL from the endpoint event.
async fn connect(server: &Server, path: &str) -> (SseStream, String) {
    let resp = client()
        .get(server.url(path))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(is_sse(&resp));
    let mut stream = SseStream::new(resp);
    let ev = stream.next_event(STEP).await.expect("endpoint event");
    assert_eq!(ev.event.as_deref(), Some("endpoint"), "{ev:?}");
    assert!(ev.data.starts_with('/'), "relative endpoint: {:?}", ev.data);
    (stream, server.url(&ev.data))
}

async fn post(url: &str, body: &Value) -> reqwest::Response {
    client()
        .post(url)
        .header("content-type", "application/json")
        .body(serde_json::to_vec(body).unwrap())
        .send()
        .await
        .unwrap()
}

/// POSTs and asserts `202 Accepted`.
async fn send(url: &str, body: &Value) {
    let r = post(url, body).await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert_eq!(r.text().await.unwrap(), "Accepted");
}

#[tokio::test]
async fn endpoint_event_then_responses_on_the_stream() {
    let server = Server::start("greeter", &[]);
    let (mut stream, post_url) = connect(&server, "/greeter/sse").await;
    assert!(
        post_url.contains("/greeter/messages?sessionId="),
        "{post_url}"
    );

    send(
        &post_url,
        &request(0, "initialize", init_params("2024-11-05", json!({}))),
    )
    .await;
    let init = stream.next_message(STEP).await.expect("initialize result");
    assert_eq!(init["id"], 0);
    assert_eq!(init["result"]["protocolVersion"], "2024-11-05");
    assert_eq!(init["result"]["serverInfo"]["name"], "skyport-greeter");

    send(
        &post_url,
        &notification("notifications/initialized", json!({})),
    )
    .await;
    send(&post_url, &request(1, "tools/list", json!({}))).await;
    let list = stream.next_message(STEP).await.expect("tools/list result");
    assert_eq!(list["id"], 1, "notifications are never answered: {list:#}");
    assert_eq!(list["result"]["tools"][0]["name"], "greet_user");

    send(
        &post_url,
        &request(
            2,
            "tools/call",
            json!({ "name": "greet_user", "arguments": { "name": "Sse" } }),
        ),
    )
    .await;
    let call = stream.next_message(STEP).await.expect("tools/call result");
    assert_eq!(call["id"], 2);
    assert!(first_text(&call["result"]).contains("Hello, Sse!"));

    send(&post_url, &request(3, "ping", json!({}))).await;
    let ping = stream.next_message(STEP).await.unwrap();
    assert_eq!(ping["id"], 3);
    assert_eq!(ping["result"], json!({}));

    // Errors travel on the stream too.
    send(&post_url, &request(4, "no/such", json!({}))).await;
    let err = stream.next_message(STEP).await.unwrap();
    assert_eq!(err["id"], 4);
    assert_eq!(err["error"]["code"], -32601);

    // A second initialize on the same session is refused on the stream.
    send(
        &post_url,
        &request(5, "initialize", init_params("2024-11-05", json!({}))),
    )
    .await;
    let again = stream.next_message(STEP).await.unwrap();
    assert_eq!(again["id"], 5);
    assert_eq!(again["error"]["code"], -32600);

    // Malformed JSON: 400 on the POST, and a parse error on the stream.
    let bad = client()
        .post(&post_url)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let parse = stream.next_message(STEP).await.unwrap();
    assert_eq!(parse["error"]["code"], -32700);
}

#[tokio::test]
async fn missing_session_is_400_and_unknown_is_404() {
    let server = Server::start("greeter", &[]);
    let ping = request(1, "ping", json!({}));
    let missing = post(&server.url("/greeter/messages"), &ping).await;
    assert_eq!(missing.status(), StatusCode::BAD_REQUEST);
    let body: Value = missing.json().await.unwrap();
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("sessionId"),
        "{body:#}"
    );
    let unknown = post(&server.url("/greeter/messages?sessionId=nope"), &ping).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    // The Python SDK spelling of the parameter is accepted as well.
    let unknown = post(&server.url("/greeter/messages?session_id=nope"), &ping).await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn wrong_accept_and_content_type_are_refused() {
    let server = Server::start("greeter", &[]);
    let r = client()
        .get(server.url("/greeter/sse"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_ACCEPTABLE);

    let (_stream, post_url) = connect(&server, "/greeter/sse").await;
    let r = client()
        .post(&post_url)
        .header("content-type", "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

#[tokio::test]
async fn default_app_serves_root_sse_and_sessions_end_with_the_stream() {
    let server = Server::start("greeter", &[]);
    let (mut stream, post_url) = connect(&server, "/sse").await;
    assert!(
        post_url.starts_with(&server.url("/messages?sessionId=")),
        "{post_url}"
    );
    send(
        &post_url,
        &request(0, "initialize", init_params("2024-11-05", json!({}))),
    )
    .await;
    assert_eq!(stream.next_message(STEP).await.unwrap()["id"], 0);

    // Closing the stream ends the session: its POST URL then answers 404.
    drop(stream);
    let deadline = tokio::time::Instant::now() + STEP;
    loop {
        let st = post(&post_url, &request(1, "ping", json!({})))
            .await
            .status();
        if st == StatusCode::NOT_FOUND {
            break;
        }
        assert_eq!(st, StatusCode::ACCEPTED);
        assert!(
            tokio::time::Instant::now() < deadline,
            "the session outlived its stream"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
