//! `skyport stdio --app greeter`: newline-delimited JSON-RPC over the real
//! process's stdin/stdout; logs only on stderr; EOF on stdin ends it with status 0.

use std::process::Stdio;
use std::time::Duration;

use crate::common::*;
use serde_json::json;
use tokio::process::Command;

#[tokio::test]
async fn session_over_stdio_and_exit_on_eof() {
    let mut p = StdioProc::start("greeter");
    p.send(&request(
        1,
        "initialize",
        init_params(LATEST_LEGACY, json!({})),
    ))
    .await;
    let init = p.recv().await;
    assert_eq!(init["id"], 1);
    assert_eq!(init["result"]["protocolVersion"], LATEST_LEGACY);
    assert_eq!(init["result"]["serverInfo"]["name"], "skyport-greeter");

    p.send(&notification("notifications/initialized", json!({})))
        .await;
    p.send(&request(2, "tools/list", json!({}))).await;
    let list = p.recv().await;
    assert_eq!(list["id"], 2, "the notification got an answer: {list:#}");
    assert_eq!(list["result"]["tools"][0]["name"], "greet_user");

    p.send(&request(
        3,
        "tools/call",
        json!({ "name": "greet_user", "arguments": { "name": "Stdio" } }),
    ))
    .await;
    let call = p.recv().await;
    assert_eq!(call["id"], 3);
    assert!(first_text(&call["result"]).contains("Hello, Stdio!"));
    assert_eq!(
        call["result"]["structuredContent"]["greeting"],
        "Hello, Stdio!"
    );

    // A line that is not JSON: a parse error with a null id, and the process carries on.
    p.send_line("{this is not json").await;
    let parse = p.recv().await;
    assert_eq!(parse["error"]["code"], -32700, "{parse:#}");
    assert!(parse["id"].is_null(), "{parse:#}");

    // JSON that is not JSON-RPC.
    p.send_line(r#"{"hello":"world"}"#).await;
    assert_eq!(p.recv().await["error"]["code"], -32600);

    // Blank lines are skipped silently; the next request is answered.
    p.send_line("").await;
    p.send(&request(4, "ping", json!({}))).await;
    let ping = p.recv().await;
    assert_eq!(ping["id"], 4);
    assert_eq!(ping["result"], json!({}));

    p.send(&request(5, "tools/call", json!({ "name": "nope" })))
        .await;
    assert_eq!(p.recv().await["error"]["code"], -32602);

    // EOF on stdin ends the process with status 0 and nothing more on stdout.
    drop(p.stdin.take());
    let status = tokio::time::timeout(Duration::from_secs(10), p.child.wait())
        .await
        .expect("skyport stdio did not exit after EOF")
        .unwrap();
    assert!(status.success(), "exit status {status:?}");
    let rest = p.stdout.next_line().await.unwrap();
    assert!(rest.is_none(), "unexpected stdout after EOF: {rest:?}");
}

#[tokio::test]
async fn requests_in_flight_at_eof_are_answered() {
    let mut p = StdioProc::start("greeter");
    p.send(&request(
        1,
        "initialize",
        init_params(LATEST_LEGACY, json!({})),
    ))
    .await;
    p.recv().await;
    // Write a call and close stdin straight away: the answer must still come.
    p.send(&request(
        2,
        "tools/call",
        json!({ "name": "greet_user", "arguments": { "name": "Late" } }),
    ))
    .await;
    drop(p.stdin.take());
    let call = p.recv().await;
    assert_eq!(call["id"], 2);
    assert!(first_text(&call["result"]).contains("Hello, Late!"));
    let status = tokio::time::timeout(Duration::from_secs(10), p.child.wait())
        .await
        .expect("no exit")
        .unwrap();
    assert!(status.success());
}

#[tokio::test]
async fn unknown_app_fails_with_a_message_naming_the_apps() {
    let out = Command::new(bin())
        .args(["stdio", "--app", "nope"])
        .stdin(Stdio::null())
        .output()
        .await
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "stdout must stay clean");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope") && err.contains("greeter"), "{err}");
}
