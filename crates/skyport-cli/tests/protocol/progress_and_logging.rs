//! Notifications sent during a tool call (conformance tools
//! `test_tool_with_progress` / `test_tool_with_logging`): they travel on the
//! call's own SSE stream before its result, and only when the client asked.

use crate::common::*;
use serde_json::{Value, json};

fn methods<'a>(msgs: &'a [Value], method: &str) -> Vec<&'a Value> {
    msgs.iter().filter(|m| m["method"] == method).collect()
}

fn assert_progress(before: &[Value], token: Value) {
    let progress = methods(before, "notifications/progress");
    assert_eq!(progress.len(), 3, "{before:#?}");
    let mut last = f64::MIN;
    for p in &progress {
        assert_eq!(p["params"]["progressToken"], token, "{p:#}");
        assert_eq!(p["params"]["total"], 100.0);
        let v = p["params"]["progress"].as_f64().unwrap();
        assert!(v >= last, "progress went backwards: {before:#?}");
        last = v;
    }
    assert_eq!(last, 100.0);
}

fn log_data(before: &[Value]) -> Vec<&str> {
    methods(before, "notifications/message")
        .iter()
        .map(|m| {
            assert_eq!(m["params"]["level"], "info", "{m:#}");
            m["params"]["data"].as_str().unwrap()
        })
        .collect()
}

const LOG_LINES: [&str; 3] = [
    "Tool execution started",
    "Tool processing data",
    "Tool execution completed",
];

#[tokio::test]
async fn session_progress_with_a_token_streams_notifications_before_the_result() {
    let server = Server::start("conformance", &[]);
    let s = Session::open(&server.mcp("conformance"), LATEST_LEGACY).await;
    let r = s
        .request(
            "tools/call",
            json!({
                "name": "test_tool_with_progress",
                "arguments": {},
                "_meta": { "progressToken": "progress-test-1" }
            }),
        )
        .await;
    assert!(r.sse, "notifications need an SSE answer: {r:#?}");
    assert_progress(&r.before, json!("progress-test-1"));
    assert!(first_text(r.result()).contains("progress"), "{r:#?}");

    // An integer token comes back as an integer.
    let r = s
        .request(
            "tools/call",
            json!({ "name": "test_tool_with_progress", "arguments": {}, "_meta": { "progressToken": 42 } }),
        )
        .await;
    assert_progress(&r.before, json!(42));
}

#[tokio::test]
async fn no_token_no_progress() {
    let server = Server::start("conformance", &[]);
    let s = Session::open(&server.mcp("conformance"), LATEST_LEGACY).await;
    let r = s
        .request(
            "tools/call",
            json!({ "name": "test_tool_with_progress", "arguments": {} }),
        )
        .await;
    assert!(!r.sse && r.before.is_empty(), "{r:#?}");
    assert!(first_text(r.result()).contains("progress"));
}

#[tokio::test]
async fn session_logging_follows_set_level() {
    let server = Server::start("conformance", &[]);
    let s = Session::open(&server.mcp("conformance"), LATEST_LEGACY).await;
    assert_eq!(
        s.call("logging/setLevel", json!({ "level": "debug" }))
            .await,
        json!({})
    );
    let call = json!({ "name": "test_tool_with_logging", "arguments": {} });
    let r = s.request("tools/call", call.clone()).await;
    assert!(r.sse);
    assert_eq!(log_data(&r.before), LOG_LINES, "{r:#?}");
    assert!(first_text(r.result()).contains("logging"));

    // Above the tool's level: nothing is sent and the answer is plain JSON.
    s.call("logging/setLevel", json!({ "level": "error" }))
        .await;
    let r = s.request("tools/call", call).await;
    assert!(r.before.is_empty() && !r.sse, "{r:#?}");
    assert!(first_text(r.result()).contains("logging"));
}

#[tokio::test]
async fn modern_logging_only_with_log_level_in_meta() {
    let server = Server::start("conformance", &[]);
    let url = server.mcp("conformance");
    let call = json!({ "name": "test_tool_with_logging", "arguments": {} });

    // MUST NOT emit notifications/message for a request without logLevel.
    let r = modern(&url, 1, "tools/call", call.clone(), &[]).await;
    assert!(r.before.is_empty(), "{r:#?}");
    assert_eq!(r.result()["resultType"], "complete");

    let mut with_level = call.clone();
    with_level["_meta"] = json!({ KEY_LOG_LEVEL: "info" });
    let r = modern(&url, 2, "tools/call", with_level, &[]).await;
    assert_eq!(log_data(&r.before), LOG_LINES, "{r:#?}");
    assert_eq!(r.result()["resultType"], "complete");

    let mut high = call;
    high["_meta"] = json!({ KEY_LOG_LEVEL: "warning" });
    let r = modern(&url, 3, "tools/call", high, &[]).await;
    assert!(r.before.is_empty(), "{r:#?}");

    // A bad log level is malformed _meta: 400 with -32602.
    let bad = json!({ "name": "test_tool_with_logging", "arguments": {}, "_meta": { KEY_LOG_LEVEL: "loud" } });
    let r = modern(&url, 4, "tools/call", bad, &[]).await;
    assert_eq!(r.status, reqwest::StatusCode::BAD_REQUEST, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32602));
}

#[tokio::test]
async fn modern_progress() {
    let server = Server::start("conformance", &[]);
    let r = modern(
        &server.mcp("conformance"),
        1,
        "tools/call",
        json!({ "name": "test_tool_with_progress", "arguments": {}, "_meta": { "progressToken": "p" } }),
        &[],
    )
    .await;
    assert!(r.sse);
    assert_progress(&r.before, json!("p"));
    assert_eq!(r.result()["resultType"], "complete");
    assert!(r.header("mcp-session-id").is_none());
}

#[tokio::test]
async fn stateless_mode_still_streams_progress() {
    let server = Server::start("conformance", &["--stateless"]);
    let r = rpc(
        &server.mcp("conformance"),
        &request(
            1,
            "tools/call",
            json!({ "name": "test_tool_with_progress", "arguments": {}, "_meta": { "progressToken": 1 } }),
        ),
        &[("mcp-protocol-version", LATEST_LEGACY)],
    )
    .await;
    assert_progress(&r.before, json!(1));
    assert_eq!(r.body["id"], 1);
}

#[tokio::test]
async fn legacy_sse_sends_progress_on_the_session_stream() {
    let server = Server::start("conformance", &[]);
    let mut sse = LegacySse::open(&server, "conformance").await;
    sse.post(request(
        0,
        "initialize",
        init_params("2024-11-05", json!({})),
    ))
    .await;
    assert_eq!(sse.stream.next_message(STEP).await.unwrap()["id"], 0);
    sse.post(request(
        1,
        "tools/call",
        json!({ "name": "test_tool_with_progress", "arguments": {}, "_meta": { "progressToken": "t" } }),
    ))
    .await;
    let mut before = Vec::new();
    let result = loop {
        let m = sse.stream.next_message(STEP).await.expect("stream ended");
        if m.get("id").is_some() {
            break m;
        }
        before.push(m);
    };
    assert_progress(&before, json!("t"));
    assert_eq!(result["id"], 1);
}
