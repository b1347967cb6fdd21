//! The 2026-07-28 stateless era over Streamable HTTP: no initialize, every
//! request carries its version and client capabilities in `_meta` and repeats
//! its routing in headers; discovery, cacheable results and the error statuses.

use crate::common::*;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn assert_server_info(result: &Value, app: &str) {
    assert_eq!(
        result["_meta"][KEY_SERVER_INFO]["name"],
        format!("skyport-{app}"),
        "{result:#}"
    );
}

#[tokio::test]
async fn discover_lists_and_calls() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");

    let d = modern(&url, 1, "server/discover", json!({}), &[]).await;
    assert_eq!(d.status, StatusCode::OK, "{d:#?}");
    assert!(
        d.header("mcp-session-id").is_none(),
        "2026 requests never get a session"
    );
    let r = d.result();
    assert_eq!(r["resultType"], "complete", "{r:#}");
    let versions: Vec<&str> = r["supportedVersions"]
        .as_array()
        .expect("supportedVersions")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        versions.contains(&MODERN) && versions.contains(&LATEST_LEGACY),
        "{versions:?}"
    );
    assert!(r["capabilities"]["tools"].is_object());
    assert!(r["ttlMs"].as_u64().is_some(), "{r:#}");
    assert_eq!(r["cacheScope"], "public");

    let list = modern(&url, 2, "tools/list", json!({}), &[]).await;
    let l = list.result();
    assert_eq!(l["tools"][0]["name"], "greet_user", "{l:#}");
    assert!(l["ttlMs"].as_u64().is_some(), "lists carry ttlMs: {l:#}");
    assert!(
        matches!(l["cacheScope"].as_str(), Some("public" | "private")),
        "{l:#}"
    );
    assert_server_info(l, "greeter");

    let call = modern(
        &url,
        3,
        "tools/call",
        json!({ "name": "greet_user", "arguments": { "name": "Grace" } }),
        &[],
    )
    .await;
    assert!(
        call.header("mcp-session-id").is_none(),
        "no session ids in 2026"
    );
    let c = call.result();
    assert_eq!(c["resultType"], "complete", "{c:#}");
    assert_eq!(c["isError"], false);
    assert!(first_text(c).contains("Hello, Grace!"));
    assert_eq!(c["structuredContent"]["greeting"], "Hello, Grace!");
    assert_server_info(c, "greeter");
    assert_eq!(call.body["id"], 3);
}

#[tokio::test]
async fn resources_read_is_cacheable_and_not_found_is_invalid_params() {
    let server = Server::start("bench", &[]);
    let url = server.mcp("bench");
    let list = modern(&url, 1, "resources/list", json!({}), &[]).await;
    let l = list.result();
    assert_eq!(l["resources"][0]["uri"], "ui://widget/carousel.html");
    assert!(
        l["ttlMs"].as_u64().is_some() && l["cacheScope"].is_string(),
        "{l:#}"
    );

    let read = modern(
        &url,
        2,
        "resources/read",
        json!({ "uri": "ui://widget/carousel.html" }),
        &[],
    )
    .await;
    let r = read.result();
    assert_eq!(r["contents"][0]["mimeType"], "text/html+skybridge");
    assert!(r["ttlMs"].as_u64().is_some(), "{r:#}");
    assert!(
        matches!(r["cacheScope"].as_str(), Some("public" | "private")),
        "{r:#}"
    );

    // 2026 uses -32602 for a missing resource (never -32002).
    let missing = modern(
        &url,
        3,
        "resources/read",
        json!({ "uri": "ui://widget/none.html" }),
        &[],
    )
    .await;
    assert_eq!(missing.status, StatusCode::OK, "{missing:#?}");
    assert_eq!(missing.error_code(), Some(-32602));
}

#[tokio::test]
async fn header_mismatches_are_400_with_32020() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    let call = json!({ "name": "greet_user", "arguments": { "name": "X" } });

    // Mcp-Method disagrees with the body.
    let r = modern(
        &url,
        1,
        "tools/list",
        json!({}),
        &[("mcp-method", "tools/call")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32020));
    assert!(r.error_message().contains("Mcp-Method"), "{r:#?}");

    // Mcp-Method missing.
    let r = modern(&url, 2, "tools/list", json!({}), &[("mcp-method", "")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), Some(-32020));

    // Mcp-Name disagrees with params.name.
    let r = modern(
        &url,
        3,
        "tools/call",
        call.clone(),
        &[("mcp-name", "other_tool")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32020));
    assert!(r.error_message().contains("Mcp-Name"));

    // Mcp-Name missing on tools/call.
    let r = modern(&url, 4, "tools/call", call.clone(), &[("mcp-name", "")]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), Some(-32020));

    // MCP-Protocol-Version header names a session-era version while _meta says 2026.
    let r = modern(
        &url,
        5,
        "tools/list",
        json!({}),
        &[("mcp-protocol-version", LATEST_LEGACY)],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32020));

    // MCP-Protocol-Version header missing.
    let r = modern(
        &url,
        6,
        "tools/list",
        json!({}),
        &[("mcp-protocol-version", "")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.error_code(), Some(-32020));

    // The same request with matching headers works.
    let ok = modern(&url, 7, "tools/call", call, &[]).await;
    assert_eq!(ok.result()["isError"], false);
}

#[tokio::test]
async fn missing_client_capabilities_is_400_with_32602() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    let params = json!({ "_meta": { KEY_VERSION: MODERN } });
    let r = modern_raw(
        &url,
        &request(1, "tools/list", params.clone()),
        "tools/list",
        &params,
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32602));
    assert!(r.error_message().contains("clientCapabilities"), "{r:#?}");
}

#[tokio::test]
async fn unsupported_version_is_400_with_32022() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    let params = json!({ "_meta": { KEY_VERSION: "2030-01-01", KEY_CAPS: {} } });
    let body = request(1, "tools/list", params.clone());

    // A future client sends the same version in the header and in _meta.
    let r = modern_raw(
        &url,
        &body,
        "tools/list",
        &params,
        &[("mcp-protocol-version", "2030-01-01")],
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32022), "{r:#?}");
    let supported = r.body["error"]["data"]["supported"]
        .as_array()
        .expect("data.supported");
    assert!(supported.iter().any(|v| v == MODERN));
    assert_eq!(r.body["error"]["data"]["requested"], "2030-01-01");

    // Only _meta names the unknown version.
    let r = modern_raw(&url, &body, "tools/list", &params, &[]).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32022));
}

#[tokio::test]
async fn unknown_and_removed_methods_are_404_with_32601() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    for (i, method) in ["no/such/method", "ping", "logging/setLevel"]
        .iter()
        .enumerate()
    {
        let params = if *method == "logging/setLevel" {
            json!({ "level": "info" })
        } else {
            json!({})
        };
        let r = modern(&url, i as i64 + 1, method, params, &[]).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method}: {r:#?}");
        assert_eq!(r.error_code(), Some(-32601), "{method}");
    }
    // Unknown tool: a JSON-RPC error with 200 (not a header problem).
    let r = modern(
        &url,
        9,
        "tools/call",
        json!({ "name": "nope", "arguments": {} }),
        &[],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:#?}");
    assert_eq!(r.error_code(), Some(-32602));
}

#[tokio::test]
async fn get_and_delete_are_405_for_2026_clients() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    let get = client()
        .get(&url)
        .header("accept", "text/event-stream")
        .header("mcp-protocol-version", MODERN)
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        get.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
    let del = client()
        .delete(&url)
        .header("mcp-protocol-version", MODERN)
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        del.headers().get("allow").and_then(|v| v.to_str().ok()),
        Some("POST")
    );
}

#[tokio::test]
async fn notifications_get_202_and_session_ids_are_ignored() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    let params = with_modern_meta(json!({ "requestId": 1 }));
    let resp = post_json(
        &url,
        &notification("notifications/cancelled", params),
        &[
            ("mcp-protocol-version", MODERN),
            ("mcp-method", "notifications/cancelled"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::ACCEPTED);

    // A stale Mcp-Session-Id is ignored by 2026 requests (no 404).
    let r = modern(
        &url,
        1,
        "tools/list",
        json!({}),
        &[("mcp-session-id", "stale-id")],
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{r:#?}");
    assert!(r.header("mcp-session-id").is_none());
}

#[tokio::test]
async fn subscriptions_listen_acknowledges_with_the_subscription_id() {
    let server = Server::start("greeter", &[]);
    let url = server.mcp("greeter");
    let params = with_modern_meta(json!({ "notifications": { "toolsListChanged": true } }));
    let hs = modern_headers("subscriptions/listen", &params);
    let hs: Vec<(&str, &str)> = hs.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let resp = post_json(
        &url,
        &request(77, "subscriptions/listen", params.clone()),
        &hs,
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(is_sse(&resp));
    let mut stream = SseStream::new(resp);
    let ack = stream.next_message(STEP).await.expect("acknowledgement");
    assert_eq!(ack["method"], "notifications/subscriptions/acknowledged");
    assert_eq!(ack["params"]["notifications"]["toolsListChanged"], true);
    assert!(
        ack["params"]["notifications"]
            .get("promptsListChanged")
            .is_none()
    );
    assert_eq!(
        ack["params"]["_meta"]["io.modelcontextprotocol/subscriptionId"],
        77
    );
}
