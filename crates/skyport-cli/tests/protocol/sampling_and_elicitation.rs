//! Server-to-client requests (conformance tools `test_sampling` and
//! `test_elicitation`): in the session era a real request on the call's stream,
//! answered by a separate POST; in 2026-07-28 an `input_required` result and a
//! retry (MRTR); over legacy SSE and stdio on the session's one stream.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

const PROMPT: &str = "Test prompt for sampling";
const CLIENT_TEXT: &str = "This is a test response from the client";

fn sampling_answer() -> Value {
    json!({
        "role": "assistant",
        "content": { "type": "text", "text": CLIENT_TEXT },
        "model": "test-model",
        "stopReason": "endTurn"
    })
}

fn caps() -> Value {
    json!({ "sampling": {}, "elicitation": { "form": {} } })
}

/// Starts a tool call whose SSE answer will carry a server-to-client request;
/// returns the stream and that request.
async fn call_until_request(s: &Session, id: i64, tool: &str, args: Value) -> (SseStream, Value) {
    let resp = s
        .post(&request(
            id,
            "tools/call",
            json!({ "name": tool, "arguments": args }),
        ))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(is_sse(&resp), "a server-to-client request needs a stream");
    let mut stream = SseStream::new(resp);
    let req = stream
        .next_message(STEP)
        .await
        .expect("the server's request");
    assert!(
        req["id"].is_string() || req["id"].is_i64(),
        "requests carry an id: {req:#}"
    );
    (stream, req)
}

/// Answers a server request with a POST in the session (202) and reads the call's result.
async fn answer_and_finish(s: &Session, stream: &mut SseStream, answer: Value) -> Value {
    let resp = s.post(&answer).await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);
    stream.next_message(STEP).await.expect("the call's result")
}

#[tokio::test]
async fn session_sampling_round_trip() {
    let server = Server::start("conformance", &[]);
    let s = Session::open_with(&server.mcp("conformance"), LATEST_LEGACY, caps()).await;
    let (mut stream, req) =
        call_until_request(&s, 1, "test_sampling", json!({ "prompt": PROMPT })).await;
    assert_eq!(req["method"], "sampling/createMessage");
    assert_eq!(req["params"]["messages"][0]["role"], "user");
    assert_eq!(req["params"]["messages"][0]["content"]["text"], PROMPT);
    assert_eq!(req["params"]["maxTokens"], 100);

    let done = answer_and_finish(
        &s,
        &mut stream,
        json!({ "jsonrpc": "2.0", "id": req["id"], "result": sampling_answer() }),
    )
    .await;
    assert_eq!(done["id"], 1, "{done:#}");
    assert_eq!(done["result"]["isError"], false);
    assert!(
        first_text(&done["result"]).contains(CLIENT_TEXT),
        "{done:#}"
    );
    assert!(stream.ends_within(STEP).await);
}

#[tokio::test]
async fn session_elicitation_round_trip() {
    let server = Server::start("conformance", &[]);
    let s = Session::open_with(&server.mcp("conformance"), LATEST_LEGACY, caps()).await;
    let message = "Please provide your information";
    let (mut stream, req) =
        call_until_request(&s, 1, "test_elicitation", json!({ "message": message })).await;
    assert_eq!(req["method"], "elicitation/create");
    assert_eq!(req["params"]["message"], message);
    let props = &req["params"]["requestedSchema"]["properties"];
    assert_eq!(props["username"]["type"], "string");
    assert_eq!(props["email"]["type"], "string");

    let done = answer_and_finish(
        &s,
        &mut stream,
        json!({
            "jsonrpc": "2.0",
            "id": req["id"],
            "result": { "action": "accept", "content": { "username": "testuser", "email": "test@example.com" } }
        }),
    )
    .await;
    let text = first_text(&done["result"]);
    assert!(
        text.contains("accept") && text.contains("testuser"),
        "{text}"
    );
}

#[tokio::test]
async fn a_client_error_answer_becomes_an_is_error_result() {
    let server = Server::start("conformance", &[]);
    let s = Session::open_with(&server.mcp("conformance"), LATEST_LEGACY, caps()).await;
    let (mut stream, req) =
        call_until_request(&s, 1, "test_sampling", json!({ "prompt": PROMPT })).await;
    let done = answer_and_finish(
        &s,
        &mut stream,
        json!({ "jsonrpc": "2.0", "id": req["id"], "error": { "code": -1, "message": "User rejected sampling" } }),
    )
    .await;
    assert_eq!(done["result"]["isError"], true, "{done:#}");
    assert!(first_text(&done["result"]).contains("User rejected sampling"));
}

#[tokio::test]
async fn a_session_without_the_capability_gets_an_is_error_result() {
    let server = Server::start("conformance", &[]);
    let s = Session::open(&server.mcp("conformance"), LATEST_LEGACY).await;
    let r = s
        .request(
            "tools/call",
            json!({ "name": "test_sampling", "arguments": { "prompt": PROMPT } }),
        )
        .await;
    let result = r.result();
    assert_eq!(result["isError"], true, "{result:#}");
    assert!(first_text(result).contains("sampling"), "{result:#}");
    assert!(r.before.is_empty(), "no request may be sent: {r:#?}");
}

#[tokio::test]
async fn modern_sampling_uses_input_required_and_a_retry() {
    let server = Server::start("conformance", &[]);
    let url = server.mcp("conformance");
    let call = json!({
        "name": "test_sampling",
        "arguments": { "prompt": PROMPT },
        "_meta": { KEY_CAPS: { "sampling": {} } }
    });
    let first = modern(&url, 1, "tools/call", call.clone(), &[]).await;
    let r = first.result();
    assert_eq!(r["resultType"], "input_required", "{r:#}");
    let requests = r["inputRequests"].as_object().expect("inputRequests");
    assert_eq!(requests.len(), 1, "{r:#}");
    let (key, ask) = requests.iter().next().unwrap();
    assert_eq!(ask["method"], "sampling/createMessage");
    assert_eq!(ask["params"]["messages"][0]["content"]["text"], PROMPT);
    assert!(
        first.before.is_empty(),
        "no server-to-client requests in 2026"
    );

    let mut retry = call;
    retry["inputResponses"] = json!({ key.clone(): sampling_answer() });
    if let Some(state) = r.get("requestState") {
        retry["requestState"] = state.clone();
    }
    let second = modern(&url, 2, "tools/call", retry, &[]).await;
    let r = second.result();
    assert_eq!(r["resultType"], "complete", "{r:#}");
    assert!(first_text(r).contains(CLIENT_TEXT), "{r:#}");
}

#[tokio::test]
async fn modern_elicitation_uses_input_required_and_a_retry() {
    let server = Server::start("conformance", &[]);
    let url = server.mcp("conformance");
    let call = json!({
        "name": "test_elicitation",
        "arguments": { "message": "Who are you?" },
        "_meta": { KEY_CAPS: { "elicitation": { "form": {} } } }
    });
    let first = modern(&url, 1, "tools/call", call.clone(), &[]).await;
    let r = first.result();
    assert_eq!(r["resultType"], "input_required", "{r:#}");
    let (key, ask) = r["inputRequests"]
        .as_object()
        .unwrap()
        .iter()
        .next()
        .unwrap();
    assert_eq!(ask["method"], "elicitation/create");
    assert_eq!(ask["params"]["message"], "Who are you?");

    let mut retry = call;
    retry["inputResponses"] = json!({ key.clone(): { "action": "decline" } });
    let second = modern(&url, 2, "tools/call", retry, &[]).await;
    let r = second.result();
    assert_eq!(r["resultType"], "complete");
    assert!(first_text(r).contains("decline"), "{r:#}");

    // A tampered requestState is invalid params.
    let bad = json!({
        "name": "test_elicitation",
        "arguments": { "message": "x" },
        "requestState": "!!not-state!!",
        "_meta": { KEY_CAPS: { "elicitation": {} } }
    });
    let r = modern(&url, 3, "tools/call", bad, &[]).await;
    assert_eq!(r.error_code(), Some(-32602), "{r:#?}");
}

#[tokio::test]
async fn modern_missing_capability_is_400_with_32021() {
    let server = Server::start("conformance", &[]);
    let r = modern(
        &server.mcp("conformance"),
        1,
        "tools/call",
        json!({ "name": "test_sampling", "arguments": { "prompt": PROMPT } }),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32021));
    assert!(
        r.body["error"]["data"]["requiredCapabilities"]["sampling"].is_object(),
        "{r:#?}"
    );
}

#[tokio::test]
async fn legacy_sse_sampling_round_trip() {
    let server = Server::start("conformance", &[]);
    let mut sse = LegacySse::open(&server, "conformance").await;
    sse.post(request(0, "initialize", init_params("2024-11-05", caps())))
        .await;
    assert_eq!(sse.stream.next_message(STEP).await.unwrap()["id"], 0);
    sse.post(request(
        1,
        "tools/call",
        json!({ "name": "test_sampling", "arguments": { "prompt": PROMPT } }),
    ))
    .await;
    let req = sse.stream.next_message(STEP).await.unwrap();
    assert_eq!(req["method"], "sampling/createMessage", "{req:#}");
    sse.post(json!({ "jsonrpc": "2.0", "id": req["id"], "result": sampling_answer() }))
        .await;
    let done = sse.stream.next_message(STEP).await.unwrap();
    assert_eq!(done["id"], 1);
    assert!(first_text(&done["result"]).contains(CLIENT_TEXT));
}

#[tokio::test]
async fn stdio_sampling_round_trip() {
    let mut p = StdioProc::start("conformance");
    p.send(&request(
        1,
        "initialize",
        init_params(LATEST_LEGACY, caps()),
    ))
    .await;
    assert_eq!(p.recv().await["id"], 1);
    p.send(&request(
        2,
        "tools/call",
        json!({ "name": "test_sampling", "arguments": { "prompt": PROMPT } }),
    ))
    .await;
    let req = p.recv().await;
    assert_eq!(req["method"], "sampling/createMessage", "{req:#}");
    p.send(&json!({ "jsonrpc": "2.0", "id": req["id"], "result": sampling_answer() }))
        .await;
    let done = p.recv().await;
    assert_eq!(done["id"], 2);
    assert!(first_text(&done["result"]).contains(CLIENT_TEXT));
}
