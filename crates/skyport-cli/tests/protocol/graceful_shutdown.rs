//! SIGTERM while streams are open: every stream ends, the process exits 0 in
//! bounded time, and `subscriptions/listen` ends with its `complete` result.

use std::time::{Duration, Instant};

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

const EXIT_WITHIN: Duration = Duration::from_secs(15);

#[tokio::test]
async fn sigterm_ends_open_streams_and_exits_zero() {
    let mut server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");

    // 1. A session's standalone GET stream.
    let s = Session::open(&url, LATEST_LEGACY).await;
    let get = s.get(&[]).await;
    assert_eq!(get.status(), StatusCode::OK);
    let mut standalone = SseStream::new(get);
    standalone.next_event(STEP).await.expect("priming event");

    // 2. A legacy HTTP+SSE stream.
    let legacy = client()
        .get(server.url("/greeter/sse"))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    let mut legacy = SseStream::new(legacy);
    assert_eq!(
        legacy.next_event(STEP).await.unwrap().event.as_deref(),
        Some("endpoint")
    );

    // 3. A 2026 subscriptions/listen stream.
    let params = with_modern_meta(json!({ "notifications": { "toolsListChanged": true } }));
    let hs = modern_headers("subscriptions/listen", &params);
    let hs: Vec<(&str, &str)> = hs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let listen = post_json(
        &url,
        &request(77, "subscriptions/listen", params.clone()),
        &hs,
    )
    .await;
    let mut listen = SseStream::new(listen);
    let ack = listen.next_message(STEP).await.unwrap();
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");

    let started = Instant::now();
    server.sigterm();

    assert!(standalone.ends_within(STEP).await, "GET stream stayed open");
    assert!(
        legacy.ends_within(STEP).await,
        "legacy SSE stream stayed open"
    );
    let done = listen
        .next_message(STEP)
        .await
        .expect("listen's final result");
    assert_eq!(done["id"], 77, "{done:#}");
    assert_eq!(done["result"]["resultType"], "complete");
    assert!(listen.ends_within(STEP).await, "listen stream stayed open");

    let status = server
        .wait_exit(EXIT_WITHIN)
        .unwrap_or_else(|| panic!("still running {EXIT_WITHIN:?} after SIGTERM"));
    assert!(status.success(), "exit status {status:?}");
    assert!(started.elapsed() < EXIT_WITHIN);
    let log = server.stderr();
    assert!(log.contains("shutdown requested"), "{log}");
    assert!(log.contains("skyport stopped"), "{log}");
}

/// "ready" means ready for signals too: SIGTERM sent the moment the ready
/// line appears is handled gracefully (exit 0), not by the default action.
#[tokio::test]
async fn sigterm_right_after_ready_is_graceful() {
    let mut servers: Vec<Server> = (0..6).map(|_| Server::start("greeter", &[])).collect();
    for s in &servers {
        s.sigterm();
    }
    for s in &mut servers {
        let status = s.wait_exit(EXIT_WITHIN).expect("no exit after SIGTERM");
        assert!(status.success(), "{status:?}: {}", s.stderr());
    }
}

#[tokio::test]
async fn sigterm_when_idle_exits_promptly() {
    let mut server = Server::start("greeter,bench", &[]);
    assert_alive(&server).await;
    let started = Instant::now();
    server.sigterm();
    let status = server
        .wait_exit(EXIT_WITHIN)
        .expect("no exit after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "idle shutdown took {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn stdio_exits_zero_on_sigterm() {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let data = TempDir::new("shutdown-data");
    let mut child = tokio::process::Command::new(bin())
        .args(["stdio", "--app", "greeter"])
        .env("SKYPORT_DATA_DIR", data.as_str())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    // One round trip: the process is up (and its signal handler installed).
    let mut stdin = child.stdin.take().unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let init = request(1, "initialize", init_params(LATEST_LEGACY, json!({})));
    stdin
        .write_all(format!("{init}\n").as_bytes())
        .await
        .unwrap();
    stdin.flush().await.unwrap();
    let line = tokio::time::timeout(STEP, lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert!(line.contains("protocolVersion"), "{line}");

    // stdin stays open: only the signal can end it.
    let st = std::process::Command::new("kill")
        .args(["-TERM", &child.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = tokio::time::timeout(EXIT_WITHIN, child.wait())
        .await
        .expect("skyport stdio ignored SIGTERM")
        .unwrap();
    assert!(status.success(), "{status:?}");
    drop(stdin);
}

/// A call in progress when SIGTERM arrives finishes: its remaining
/// notifications and its result still arrive, then the process exits 0.
#[tokio::test]
async fn in_flight_calls_drain_before_exit() {
    let mut server = Server::start("conformance", &[]);
    let s = Session::open(&server.mcp("conformance"), LATEST_LEGACY).await;
    let resp = s
        .post(&request(
            5,
            "tools/call",
            json!({ "name": "test_tool_with_progress", "arguments": {}, "_meta": { "progressToken": "drain" } }),
        ))
        .await;
    assert!(is_sse(&resp));
    let mut stream = SseStream::new(resp);
    let first = stream.next_message(STEP).await.unwrap();
    assert_eq!(first["method"], "notifications/progress");

    server.sigterm();
    let mut rest = Vec::new();
    while let Some(m) = stream.next_message(STEP).await {
        rest.push(m);
    }
    let result = rest
        .iter()
        .find(|m| m["id"] == 5)
        .unwrap_or_else(|| panic!("the in-flight call lost its result at shutdown: {rest:#?}"));
    assert!(first_text(&result["result"]).contains("progress"));
    let status = server
        .wait_exit(EXIT_WITHIN)
        .expect("no exit after SIGTERM");
    assert!(status.success(), "{status:?}");
}

/// A call that would wait far longer than the drain timeout (sampling with no
/// answer) does not hold the process: it exits 0 once the drain time is up.
#[tokio::test]
async fn drain_is_bounded_by_the_shutdown_timeout() {
    let mut server = Server::start_with_env(
        "conformance",
        &[],
        &[("SKYPORT_HTTP_SHUTDOWN_TIMEOUT_SECS", "1")],
    );
    let s = Session::open_with(
        &server.mcp("conformance"),
        LATEST_LEGACY,
        json!({ "sampling": {} }),
    )
    .await;
    let resp = s
        .post(&request(
            1,
            "tools/call",
            json!({ "name": "test_sampling", "arguments": { "prompt": "never answered" } }),
        ))
        .await;
    let mut stream = SseStream::new(resp);
    assert_eq!(
        stream.next_message(STEP).await.unwrap()["method"],
        "sampling/createMessage"
    );
    let started = Instant::now();
    server.sigterm();
    let status = server
        .wait_exit(EXIT_WITHIN)
        .expect("no exit after SIGTERM");
    assert!(status.success(), "{status:?}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    assert!(
        stream.ends_within(STEP).await,
        "the stream outlived the process"
    );
}
