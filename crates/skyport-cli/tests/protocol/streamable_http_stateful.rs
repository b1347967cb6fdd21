//! Streamable HTTP in the session era (2025-03-26 .. 2025-11-25), stateful mode:
//! initialize → Mcp-Session-Id → initialized → the methods → DELETE → 404.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn greeter_session_lifecycle() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    let s = Session::open(&url, LATEST_LEGACY).await;

    // The session id is visible ASCII (0x21..0x7E) and long enough to be unguessable.
    assert!(s.id.len() >= 16, "short session id {:?}", s.id);
    assert!(s.id.bytes().all(|b| (0x21..=0x7e).contains(&b)));
    assert_eq!(s.version, LATEST_LEGACY);
    assert_eq!(s.init["serverInfo"]["name"], "skyport-greeter");
    assert!(s.init["capabilities"]["tools"].is_object(), "{:#}", s.init);
    assert!(
        s.init["capabilities"]["logging"].is_object(),
        "{:#}",
        s.init
    );
    assert!(
        s.init["instructions"]
            .as_str()
            .is_some_and(|i| i.contains("greet_user"))
    );

    let tools = s.call("tools/list", json!({})).await;
    let list = tools["tools"].as_array().expect("tools array");
    assert_eq!(list.len(), 1, "{tools:#}");
    assert_eq!(list[0]["name"], "greet_user");
    assert_eq!(list[0]["inputSchema"]["type"], "object");
    assert!(list[0]["inputSchema"]["properties"]["name"].is_object());
    assert!(
        list[0]["description"]
            .as_str()
            .is_some_and(|d| !d.is_empty())
    );
    // The session era has no `ttlMs`/`resultType`.
    assert!(tools.get("ttlMs").is_none() && tools.get("resultType").is_none());

    let result = s
        .call(
            "tools/call",
            json!({ "name": "greet_user", "arguments": { "name": "Ada" } }),
        )
        .await;
    assert_eq!(result["isError"], false, "{result:#}");
    assert!(first_text(&result).contains("Hello, Ada!"), "{result:#}");
    assert_eq!(result["structuredContent"]["greeting"], "Hello, Ada!");
    assert!(result["structuredContent"]["timestamp"].is_string());
    assert!(result.get("resultType").is_none(), "{result:#}");

    assert_eq!(s.call("ping", json!({})).await, json!({}));
    assert_eq!(
        s.call("logging/setLevel", json!({ "level": "info" })).await,
        json!({})
    );

    // DELETE ends the session; the id is then unknown: 404 with -32001.
    let del = s.delete().await;
    assert_eq!(del.status(), StatusCode::OK);
    let after = s.request("tools/list", json!({})).await;
    assert_eq!(after.status, StatusCode::NOT_FOUND, "{after:#?}");
    assert_eq!(after.error_code(), Some(-32001));
    let again = s.delete().await;
    assert_eq!(again.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn bench_tools_and_resources() {
    let server = Server::start("bench", &[]);
    let s = Session::open(&server.mcp("bench"), "2025-06-18").await;
    assert_eq!(s.version, "2025-06-18");

    let list = s.call("resources/list", json!({})).await;
    let uris: Vec<&str> = list["resources"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["uri"].as_str())
        .collect();
    assert_eq!(uris, ["ui://widget/carousel.html"], "{list:#}");

    let read = s
        .call(
            "resources/read",
            json!({ "uri": "ui://widget/carousel.html" }),
        )
        .await;
    let c = &read["contents"][0];
    assert_eq!(c["uri"], "ui://widget/carousel.html");
    assert_eq!(c["mimeType"], "text/html+skybridge");
    assert!(c["text"].as_str().is_some_and(|t| t.contains('<')), "{c:#}");

    let missing = s
        .request("resources/read", json!({ "uri": "ui://widget/nope.html" }))
        .await;
    assert_eq!(missing.status, StatusCode::OK);
    assert_eq!(missing.error_code(), Some(-32002), "{missing:#?}");
    assert_eq!(
        missing.body["error"]["data"]["uri"],
        "ui://widget/nope.html"
    );

    let found = s
        .call(
            "tools/call",
            json!({ "name": "search_products", "arguments": { "query": "a", "limit": 3 } }),
        )
        .await;
    assert_eq!(found["isError"], false);
    assert_eq!(found["structuredContent"]["total"], 140);
    assert_eq!(
        found["structuredContent"]["products"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(first_text(&found).contains("Found 140 products"));
}

#[tokio::test]
async fn version_negotiation_echoes_known_and_falls_back_to_latest() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    for (asked, expected) in [
        ("2024-11-05", "2024-11-05"),
        ("2025-03-26", "2025-03-26"),
        ("2025-06-18", "2025-06-18"),
        ("2025-11-25", "2025-11-25"),
        ("1999-01-01", "2025-11-25"),
    ] {
        let s = Session::open(&url, asked).await;
        assert_eq!(s.version, expected, "asked {asked}");
    }
}

#[tokio::test]
async fn default_app_is_mounted_at_root_mcp() {
    let server = Server::start("greeter", &[]);
    let s = Session::open(&server.url("/mcp"), LATEST_LEGACY).await;
    assert_eq!(s.init["serverInfo"]["name"], "skyport-greeter");
    let result = s
        .call(
            "tools/call",
            json!({ "name": "greet_user", "arguments": { "name": "Root" } }),
        )
        .await;
    assert!(first_text(&result).contains("Hello, Root!"));
}

#[tokio::test]
async fn sessions_belong_to_their_app() {
    let server = Server::start("greeter,bench", &[]);
    let greeter = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    // The greeter's session id means nothing to the bench endpoint.
    let r = rpc(
        &server.mcp("bench"),
        &request(1, "tools/list", json!({})),
        &greeter.headers(),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32001));
}

#[tokio::test]
async fn standalone_get_stream() {
    let server = Server::start("greeter", &[]);
    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;

    let resp = s.get(&[]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(is_sse(&resp));
    assert_eq!(
        resp.headers()
            .get("x-accel-buffering")
            .and_then(|v| v.to_str().ok()),
        Some("no")
    );
    let mut stream = SseStream::new(resp);
    // 2025-11-25 clients get a priming event: an id, a retry hint, empty data.
    let prime = stream.next_event(STEP).await.expect("priming event");
    assert!(prime.id.is_some(), "{prime:?}");
    assert_eq!(prime.retry, Some(3000));
    assert_eq!(prime.data, "");

    // Only one standalone stream per session.
    let second = s.get(&[]).await;
    assert_eq!(second.status(), StatusCode::CONFLICT);

    // Without a session id: 400; with an unknown one: 404.
    let no_session = client()
        .get(&s.url)
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(no_session.status(), StatusCode::BAD_REQUEST);
    let unknown = client()
        .get(&s.url)
        .header("accept", "text/event-stream")
        .header("mcp-session-id", "no-such-session")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    // GET must accept SSE.
    let wrong_accept = client()
        .get(&s.url)
        .header("accept", "application/json")
        .header("mcp-session-id", &s.id)
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_accept.status(), StatusCode::NOT_ACCEPTABLE);

    // DELETE closes the standalone stream.
    assert_eq!(s.delete().await.status(), StatusCode::OK);
    assert!(
        stream.ends_within(STEP).await,
        "the GET stream outlived its session"
    );
}

#[tokio::test]
async fn initialize_inside_a_session_is_rejected() {
    let server = Server::start("greeter", &[]);
    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    let r = s
        .request("initialize", init_params(LATEST_LEGACY, json!({})))
        .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32600));
    // The session is still usable.
    s.call("ping", json!({})).await;
}

#[tokio::test]
async fn client_notifications_and_stray_responses_get_202() {
    let server = Server::start("greeter", &[]);
    let s = Session::open(&server.mcp("greeter"), LATEST_LEGACY).await;
    let r = s
        .notify(
            "notifications/cancelled",
            json!({ "requestId": 12345, "reason": "test" }),
        )
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
    assert!(r.bytes().await.unwrap().is_empty());
    let r = s
        .post(&json!({ "jsonrpc": "2.0", "id": "sk-unknown-1", "result": {} }))
        .await;
    assert_eq!(r.status(), StatusCode::ACCEPTED);
}
