//! `skyport serve --stateless`: session-era clients without sessions. No
//! Mcp-Session-Id is issued or checked; GET and DELETE answer 405 with `Allow: POST`.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

#[tokio::test]
async fn no_session_is_issued_and_every_post_stands_alone() {
    let server = Server::start("greeter", &["--stateless"]);
    let url = server.mcp("greeter");

    let init = rpc(
        &url,
        &request(0, "initialize", init_params(LATEST_LEGACY, json!({}))),
        &[],
    )
    .await;
    assert_eq!(init.status, StatusCode::OK, "{init:#?}");
    assert!(
        init.header("mcp-session-id").is_none(),
        "stateless mode issued a session id: {init:#?}"
    );
    assert_eq!(init.result()["protocolVersion"], LATEST_LEGACY);

    let initialized = post_json(
        &url,
        &notification("notifications/initialized", json!({})),
        &[],
    )
    .await;
    assert_eq!(initialized.status(), StatusCode::ACCEPTED);

    let hv = [("mcp-protocol-version", LATEST_LEGACY)];
    let list = rpc(&url, &request(1, "tools/list", json!({})), &hv).await;
    assert_eq!(list.result()["tools"][0]["name"], "greet_user");
    assert!(list.header("mcp-session-id").is_none());

    let call = rpc(
        &url,
        &request(
            2,
            "tools/call",
            json!({ "name": "greet_user", "arguments": { "name": "Lin" } }),
        ),
        &hv,
    )
    .await;
    assert!(first_text(call.result()).contains("Hello, Lin!"));

    assert_eq!(
        rpc(&url, &request(3, "ping", json!({})), &hv)
            .await
            .result(),
        &json!({})
    );
    // Without any version header the server assumes 2025-03-26 and still answers.
    let bare = rpc(&url, &request(4, "tools/list", json!({})), &[]).await;
    assert_eq!(bare.status, StatusCode::OK);

    // A session id, if a client sends one anyway, is ignored (no 404).
    let stale = rpc(
        &url,
        &request(5, "tools/list", json!({})),
        &[("mcp-session-id", "made-up")],
    )
    .await;
    assert_eq!(stale.status, StatusCode::OK, "{stale:#?}");

    // A second initialize is fine: there is no session to be "already initialized".
    let again = rpc(
        &url,
        &request(6, "initialize", init_params("2025-06-18", json!({}))),
        &[],
    )
    .await;
    assert_eq!(again.result()["protocolVersion"], "2025-06-18");

    // 2026-07-28 requests work in stateless mode too.
    let modern = modern(&url, 7, "tools/list", json!({}), &[]).await;
    assert_eq!(modern.result()["resultType"], "complete");
}

#[tokio::test]
async fn get_and_delete_are_405_with_allow_post() {
    let server = Server::start("greeter", &["--stateless"]);
    let url = server.mcp("greeter");
    let c = client();
    for resp in [
        c.get(&url)
            .header("accept", "text/event-stream")
            .send()
            .await
            .unwrap(),
        c.delete(&url)
            .header("mcp-session-id", "anything")
            .send()
            .await
            .unwrap(),
    ] {
        assert_eq!(resp.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(
            resp.headers().get("allow").and_then(|v| v.to_str().ok()),
            Some("POST")
        );
        let body: Value = resp.json().await.unwrap();
        assert!(body["error"]["code"].is_i64(), "{body:#}");
    }
}

#[tokio::test]
async fn health_reports_stateless() {
    let server = Server::start("greeter", &["--stateless"]);
    let h: Value = client()
        .get(server.url("/health"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(h["stateless"], true, "{h:#}");
}
